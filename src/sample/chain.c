/* chain.c — the driver every sampler shares: C chains in one batch (one
 * posterior evaluation, i.e. one GEMM per layer per direction, per step for
 * all of them), started at 0, at random, at given points, or by Pareek &
 * Risteski's two-stage procedure (Thm 1: GD from 0 on 1/2||A G(z) - y||^2,
 * Lemma 1, then Langevin from there, Lemmas 2-3); burn-in, thinning, and the
 * kept samples (S x C x k). Each chain draws from its own streams (seed,
 * GINV_STREAM_SAMPLE, 4c + role), so the numbers do not depend on threads. */
#include "sample/sampler_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

/* The sampler of a --sampler name. */
const ginv_sampler_type *ginv_sampler_find(const char *name)
{
    const ginv_sampler_type *const all[] = {ginv_sampler_ula,       ginv_sampler_mala,
                                            ginv_sampler_projected, ginv_sampler_annealed,
                                            ginv_sampler_hmc,       ginv_sampler_nuts};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

const char *ginv_sampler_name(const ginv_sampler_type *t) { return t->name; }

/* Parse --init: zero, gd (P&R Thm 1's first stage), random. */
ginv_status ginv_chain_init_parse(const char *name, ginv_chain_init *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    if (!strcmp(name, "zero")) *out = GINV_CHAIN_INIT_ZERO;
    else if (!strcmp(name, "gd")) *out = GINV_CHAIN_INIT_GD;
    else if (!strcmp(name, "random")) *out = GINV_CHAIN_INIT_RANDOM;
    else return ginv_fail(GINV_ERR_ARG, "unknown chain start '%s': use zero, gd or random", name);
    return GINV_OK;
}

/* Defaults: ULA, eta 1e-3, beta 1, 4 chains, 500 burn-in, 1000 samples. */
void ginv_sample_opts_init(ginv_sample_opts *o)
{
    memset(o, 0, sizeof *o);
    o->type = ginv_sampler_ula;
    o->step = 1e-3;
    o->beta = 1.0;
    o->chains = 4;
    o->burn_in = 500;
    o->samples = 1000;
    o->thin = 1;
    o->init = GINV_CHAIN_INIT_ZERO;
    o->init_sd = 1.0;
    o->gd_iters = 1000;
    o->gd_lr = 0.1;
    o->levels = 10;
    o->level_max = 10.0;
    o->temps = 1;
    o->temp_max = 10.0;
    o->swap_every = 1;
    o->seed = 1;
    o->threads = 1;
    o->adapt = GINV_ADAPT_OFF;
    o->leapfrog = 10;
    o->max_depth = 10;
    o->metric_rows = 1;
}

void ginv_sample_result_release(ginv_sample_result *r)
{
    if (!r) return;
    ginv_free(r->samples);
    ginv_free(r->energy);
    ginv_free(r->start);
    ginv_free(r->centre);
    ginv_free(r->accepted);
    ginv_free(r->swap_rate);
    ginv_free(r->step_size);
    ginv_free(r->inv_metric);
    ginv_free(r->inv_metric_dense);
    ginv_free(r->stat_accept);
    ginv_free(r->stat_energy);
    ginv_free(r->stat_depth);
    ginv_free(r->stat_leapfrog);
    ginv_free(r->stat_divergent);
    ginv_free(r->divergences);
    ginv_free(r->depth_hits);
    ginv_free(r->stopped_at);
    r->samples = r->start = r->centre = NULL;
    r->energy = r->swap_rate = r->step_size = r->inv_metric = r->stat_accept = r->stat_energy = NULL;
    r->inv_metric_dense = NULL;
    r->stat_depth = r->stat_leapfrog = r->stat_divergent = NULL;
    r->accepted = r->divergences = r->depth_hits = r->stopped_at = NULL;
}

/* The Langevin proposal of Daras eq. 2 for every chain, noise scaled by `scale`. */
void ginv_chains_propose(ginv_chains *ch, double eta, double scale)
{
    int k = ch->k;
    float e = (float)eta;
    for (int c = 0; c < ch->C; c++) {
        double sd = scale * sqrt(2.0 * eta / ginv_chains_beta(ch, c));
        size_t off = (size_t)c * k;
        for (int i = 0; i < k; i++)
            ch->zp[off + i] = ch->z[off + i] - e * ch->grad[off + i] +
                              (float)(sd * ginv_rng_normal(&ch->noise[c]));
    }
}

/* U and grad U at the proposals, one batch (the unadjusted samplers). A
 * chain whose energy becomes NaN/Inf stops there (ch->stopped, when the
 * driver keeps it; its row then stays where it was); an error when every
 * chain has stopped, or without ch->stopped. */
ginv_status ginv_chains_eval_proposal(ginv_chains *ch)
{
    ginv_status st = ginv_posterior_eval(ch->post, ch->C, ch->zp, ch->Up, ch->gp);
    if (st != GINV_OK) return st;
    int alive = 0, k = ch->k;
    long first = -1;
    int fc = 0;
    for (int c = 0; c < ch->C; c++) {
        if (ch->stopped && ch->stopped[c] < 0 && !isfinite(ch->Up[c])) ch->stopped[c] = ch->t;
        if (!ch->stopped && !isfinite(ch->Up[c]))
            return ginv_fail(GINV_ERR_NUMERIC,
                             "the energy became %s at step %ld (chain %d): the chain "
                             "diverged; lower the step size",
                             isnan(ch->Up[c]) ? "NaN" : "infinite", ch->t, c);
        if (ch->stopped && ch->stopped[c] >= 0) {
            size_t off = (size_t)c * k;
            memcpy(ch->zp + off, ch->z + off, (size_t)k * sizeof(float));
            memcpy(ch->gp + off, ch->grad + off, (size_t)k * sizeof(float));
            ch->Up[c] = ch->U[c];
            if (first < 0 || ch->stopped[c] < first) first = ch->stopped[c], fc = c;
        } else {
            alive++;
        }
    }
    if (!alive)
        return ginv_fail(GINV_ERR_NUMERIC, "the energy became NaN or infinite in every chain (the "
                                           "first at step %ld, chain %d): the chains diverged; "
                                           "lower the step size", first, fc);
    return GINV_OK;
}

/* The proposals become the current points (pointer exchange). */
void ginv_chains_take_proposal(ginv_chains *ch)
{
    float *t = ch->z;
    ch->z = ch->zp;
    ch->zp = t;
    t = ch->grad;
    ch->grad = ch->gp;
    ch->gp = t;
    double *u = ch->U;
    ch->U = ch->Up;
    ch->Up = u;
}

/* Pi_D of P&R eq. 8 for row c: radial projection onto ||x - centre_c|| <= r. */
void ginv_chains_project(const ginv_chains *ch, float *x, int c)
{
    int k = ch->k;
    float *xc = x + (size_t)c * k;
    const float *cc = ch->centre + (size_t)c * k;
    double d2 = 0;
    for (int i = 0; i < k; i++) d2 += ((double)xc[i] - cc[i]) * ((double)xc[i] - cc[i]);
    double d = sqrt(d2);
    if (d <= ch->radius) return;
    double s = ch->radius / d;
    for (int i = 0; i < k; i++) xc[i] = (float)(cc[i] + s * ((double)xc[i] - cc[i]));
}

/* Whether row c of x is on the ball (a float rounding's slack allowed). */
int ginv_chains_in_ball(const ginv_chains *ch, const float *x, int c)
{
    int k = ch->k;
    const float *xc = x + (size_t)c * k, *cc = ch->centre + (size_t)c * k;
    double d2 = 0;
    for (int i = 0; i < k; i++) d2 += ((double)xc[i] - cc[i]) * ((double)xc[i] - cc[i]);
    return sqrt(d2) <= ch->radius * (1 + 1e-6);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static ginv_status check_opts(const ginv_posterior *post, const ginv_sample_opts *o)
{
    if (!o->type) return ginv_fail(GINV_ERR_ARG, "no sampler given");
    if ((unsigned)o->adapt > GINV_ADAPT_ALL)
        return ginv_fail(GINV_ERR_ARG, "unknown adaptation %d", o->adapt);
    if (!(o->step > 0 || (o->adapt && o->step == 0)) || !isfinite(o->step))
        return ginv_fail(GINV_ERR_ARG, "step size %g must be positive and finite (0 only with "
                                       "adaptation: Stan's initial-step heuristic)", o->step);
    if (!(o->beta > 0) || !isfinite(o->beta))
        return ginv_fail(GINV_ERR_ARG, "temperature beta %g must be positive and finite", o->beta);
    if (o->chains < 1) return ginv_fail(GINV_ERR_ARG, "chains %d must be at least 1", o->chains);
    if (o->samples < 1) return ginv_fail(GINV_ERR_ARG, "samples %d must be at least 1", o->samples);
    if (o->burn_in < 0) return ginv_fail(GINV_ERR_ARG, "burn-in %d must be >= 0", o->burn_in);
    if (o->thin < 1) return ginv_fail(GINV_ERR_ARG, "thinning %d must be at least 1", o->thin);
    int ny;
    ginv_posterior_y(post, &ny);
    if (ny != 1 && ny != o->chains)
        return ginv_fail(GINV_ERR_SHAPE, "the posterior has %d measurement rows; expected 1 or "
                                         "one per chain (%d)", ny, o->chains);
    int ball = o->type == ginv_sampler_projected || ginv_posterior_prior(post) == GINV_PRIOR_UNIFORM;
    if (ginv_posterior_prior(post) == GINV_PRIOR_UNIFORM && !o->type->keeps_ball)
        return ginv_fail(GINV_ERR_ARG, "the uniform prior lives on a ball: sample it with the "
                                       "projected or mala sampler, not %s", o->type->name);
    if (ball && (!(o->radius > 0) || !isfinite(o->radius)))
        return ginv_fail(GINV_ERR_ARG, "the %s needs a ball radius > 0 (parameter 'radius'), got %g",
                         o->type == ginv_sampler_projected ? "projected sampler" : "uniform prior",
                         o->radius);
    if (o->type == ginv_sampler_annealed && (o->levels < 1 || !(o->level_max >= 1) ||
                                             !isfinite(o->level_max)))
        return ginv_fail(GINV_ERR_ARG, "annealing needs levels >= 1 and a first level >= 1 "
                                       "(got %d, %g)", o->levels, o->level_max);
    if (o->init == GINV_CHAIN_INIT_GD && !ginv_posterior_has_generator(post))
        return ginv_fail(GINV_ERR_ARG, "the GD start needs a generator: this posterior is an energy "
                                       "alone (start zero, random or given)");
    if (o->init == GINV_CHAIN_INIT_GD && (o->gd_iters < 0 || !(o->gd_lr > 0)))
        return ginv_fail(GINV_ERR_ARG, "the GD stage needs iterations >= 0 and a step > 0 "
                                       "(got %d, %g)", o->gd_iters, o->gd_lr);
    if (o->init == GINV_CHAIN_INIT_RANDOM && (!(o->init_sd >= 0) || !isfinite(o->init_sd)))
        return ginv_fail(GINV_ERR_ARG, "initial scale %g must be finite and >= 0", o->init_sd);
    if (o->init == GINV_CHAIN_INIT_GIVEN && !o->init_z)
        return ginv_fail(GINV_ERR_ARG, "chain start 'given' without starting points");
    if ((unsigned)o->init > GINV_CHAIN_INIT_GIVEN)
        return ginv_fail(GINV_ERR_ARG, "unknown chain start %d", (int)o->init);
    if (o->temps < 1 || o->temps > 64)
        return ginv_fail(GINV_ERR_ARG, "tempering rungs %d must be 1 .. 64", o->temps);
    if (o->temps > 1) {
        if (o->type != ginv_sampler_ula && o->type != ginv_sampler_mala)
            return ginv_fail(GINV_ERR_ARG, "tempering works with ula and mala, not %s", o->type->name);
        if (!(o->temp_max > 1) || !isfinite(o->temp_max))
            return ginv_fail(GINV_ERR_ARG, "the hottest rung's temperature %g must be > 1", o->temp_max);
        if (o->swap_every < 1)
            return ginv_fail(GINV_ERR_ARG, "swap interval %d must be at least 1", o->swap_every);
        if (ny != 1)
            return ginv_fail(GINV_ERR_ARG, "tempering needs one measurement vector, not %d", ny);
    }
    if ((long)o->chains * o->temps > ginv_posterior_cap(post))
        return ginv_fail(GINV_ERR_ARG, "the posterior holds a batch of %d, but %d chains x %d rungs "
                                       "need %ld", ginv_posterior_cap(post), o->chains, o->temps,
                         (long)o->chains * o->temps);
    if ((unsigned)o->precond > GINV_PRECOND_LAPLACE)
        return ginv_fail(GINV_ERR_ARG, "unknown preconditioner %d", (int)o->precond);
    if (o->precond == GINV_PRECOND_LAPLACE) {
        if (o->type != ginv_sampler_ula && o->type != ginv_sampler_mala &&
            o->type != ginv_sampler_hmc && o->type != ginv_sampler_nuts)
            return ginv_fail(GINV_ERR_ARG, "the laplace preconditioner works with ula and mala (and "
                                           "starts the metric of hmc and nuts), not %s", o->type->name);
        if (o->init != GINV_CHAIN_INIT_GD)
            return ginv_fail(GINV_ERR_ARG, "the laplace preconditioner is the Hessian at the GD "
                                           "point: it needs the GD start (--init gd)");
        if (ny != 1)
            return ginv_fail(GINV_ERR_ARG, "the laplace preconditioner is one Hessian: it needs one "
                                           "measurement vector, not %d", ny);
        if (ginv_posterior_prior(post) != GINV_PRIOR_GAUSSIAN)
            return ginv_fail(GINV_ERR_ARG, "the laplace preconditioner needs the gaussian prior "
                                           "(its Hessian adds the identity)");
    }
    int hamiltonian = o->type == ginv_sampler_hmc || o->type == ginv_sampler_nuts;
    if (o->adapt && !hamiltonian && o->type != ginv_sampler_mala && o->type != ginv_sampler_ula)
        return ginv_fail(GINV_ERR_ARG, "%s has no accept step, so there is no acceptance to adapt "
                                       "the step toward: adapt ula (by a MALA warm-up), mala, hmc or "
                                       "nuts (or give the step)", o->type->name);
    if (o->adapt && o->temps > 1)
        return ginv_fail(GINV_ERR_ARG, "adaptation with tempering: give the step (adapt off)");
    if (o->target_accept != 0 && !(o->target_accept > 0 && o->target_accept < 1))
        return ginv_fail(GINV_ERR_ARG, "target acceptance %g must lie in (0, 1)", o->target_accept);
    if (o->type == ginv_sampler_hmc && (o->leapfrog < 1 || o->leapfrog > 1 << 20))
        return ginv_fail(GINV_ERR_ARG, "leapfrog steps %d must be 1 .. %d", o->leapfrog, 1 << 20);
    if (o->type == ginv_sampler_nuts && (o->max_depth < 1 || o->max_depth > 30))
        return ginv_fail(GINV_ERR_ARG, "maximum tree depth %d must be 1 .. 30", o->max_depth);
    if (o->metric) {
        if (!hamiltonian && o->type != ginv_sampler_mala && o->type != ginv_sampler_ula)
            return ginv_fail(GINV_ERR_ARG, "a metric works with ula, mala, hmc and nuts, not %s",
                             o->type->name);
        if (o->precond != GINV_PRECOND_NONE)
            return ginv_fail(GINV_ERR_ARG, "a metric and the laplace preconditioner exclude each other");
        if (o->metric_rows != 1 && o->metric_rows != o->chains)
            return ginv_fail(GINV_ERR_ARG, "the metric has %d rows: give 1 or one per chain (%d)",
                             o->metric_rows, o->chains);
        int k = ginv_posterior_k(post);
        for (long r = 0; o->dense && r < o->metric_rows; r++) {
            ginv_status st = ginv_metric_check_dense(k, o->metric + (size_t)r * k * k, r);
            if (st != GINV_OK) return st;
        }
        for (long i = 0; !o->dense && i < (long)o->metric_rows * k; i++)
            if (!(o->metric[i] > 0) || !isfinite(o->metric[i]))
                return ginv_fail(GINV_ERR_ARG, "metric entry %ld (chain %ld, coordinate %ld) is %g: "
                                               "every entry must be positive and finite", i, i / k,
                                 i % k, o->metric[i]);
    }
    if (o->dense && !hamiltonian && o->type != ginv_sampler_mala && o->type != ginv_sampler_ula)
        return ginv_fail(GINV_ERR_ARG, "a dense metric works with ula, mala, hmc and nuts, not %s",
                         o->type->name);
    if (o->dense && o->precond != GINV_PRECOND_NONE && !hamiltonian)
        return ginv_fail(GINV_ERR_ARG, "a dense metric and the laplace preconditioner exclude each other "
                                       "for %s (with hmc and nuts laplace starts the dense metric)",
                         o->type->name);
    if (o->dense && o->temps > 1)
        return ginv_fail(GINV_ERR_ARG, "a dense metric with tempering: use one or the other");
    double total = (double)o->burn_in + (double)o->samples * o->thin;
    if (total > 4e18) return ginv_fail(GINV_ERR_ARG, "burn-in + samples x thin is too large");
    return GINV_OK;
}

/* P&R Thm 1's first stage (Lemma 1): GD from 0 on 1/2||A G(z) - y||^2, one row
 * per distinct y, written to every chain's start. */
static ginv_status gd_stage(ginv_posterior *post, const ginv_sample_opts *o, int C, float *z,
                            ginv_sample_result *res)
{
    int ny, k = ginv_posterior_k(post);
    const float *y = ginv_posterior_y(post, &ny);
    ginv_objective *obj = NULL;
    ginv_status st = ginv_objective_new(&obj, ginv_posterior_net(post), ginv_posterior_op(post), y,
                                        ny, 0.0, ny);
    if (st != GINV_OK) return st;
    double *f = ginv_malloc((size_t)ny * sizeof(double));
    if (!f) {
        ginv_objective_free(obj);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    memset(z, 0, (size_t)ny * k * sizeof(float));
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_gd;
    so.lr = o->gd_lr;
    so.iters = o->gd_iters;
    ginv_solve_info info = {0};
    st = ginv_solve(obj, &so, ny, z, f, &info);
    if (st == GINV_OK) {
        double s = 0;
        for (int b = 0; b < ny; b++) s += f[b];
        res->gd_loss = s / ny;
        res->gd_iters = info.iters;
        for (int c = ny; c < C; c++) memcpy(z + (size_t)c * k, z, (size_t)k * sizeof(float));
    } else {
        st = ginv_fail(st, "the GD stage of parameter 'start' gd failed: %s", ginv_last_error());
    }
    ginv_free(f);
    ginv_objective_free(obj);
    return st;
}

/* The Ct starting points (chain c's rungs all start where chain c does). */
static ginv_status start_points(ginv_posterior *post, const ginv_sample_opts *o, int C, int Ct,
                                float *z, ginv_sample_result *res)
{
    int k = ginv_posterior_k(post);
    switch (o->init) {
    case GINV_CHAIN_INIT_ZERO: memset(z, 0, (size_t)Ct * k * sizeof(float)); break;
    case GINV_CHAIN_INIT_GIVEN:
        for (int r = 0; r < Ct / C; r++) memcpy(z + (size_t)r * C * k, o->init_z, (size_t)C * k * sizeof(float));
        break;
    case GINV_CHAIN_INIT_RANDOM:
        for (int c = 0; c < Ct; c++) {
            ginv_rng r;
            ginv_rng_init(&r, o->seed, GINV_STREAM_SAMPLE, (uint64_t)(c % C) * 4);
            ginv_rng_normal_f32(&r, z + (size_t)c * k, (size_t)k, o->init_sd);
        }
        break;
    case GINV_CHAIN_INIT_GD: return gd_stage(post, o, Ct, z, res);
    }
    return GINV_OK;
}

/* The chains: start, burn in, keep every thin-th state (Daras Thm 3.1's
 * chain, or its adjusted/projected/annealed variants, per the type table);
 * with tempering, C ladders of R rungs in one batch, rung 0 kept. */
/* A run the caller drives: everything sample_run kept in locals. */
struct ginv_sampler {
    ginv_posterior *post;
    ginv_sample_opts o;     /* the caller's options (threads resolved) */
    ginv_sample_result res; /* filled as the run goes; handed over by finish */
    ginv_chains ch;
    int C, R, Ct, k, S, per_chain, adapt_metric;
    size_t Ck, Ctk;
    float *buf;
    double *pbuf, *ubuf, *abuf, *eps, *minv, *wmean, *wm2, *acc_sum;
    const double *laplace_minv; /* hmc, nuts with laplace: H^{-1} (k x k, in pbuf), else NULL */
    double *dbuf;           /* dense metric: M^{-1}, L (C k^2 each), the covariance's m2 (C k^2), 4k scratch */
    ginv_rng *rngs;
    long *acc, *swap_acc, *swap_prop, *stopped;
    int *ibuf;
    ginv_dual_avg *da;
    ginv_adapt_windows win;
    double delta, t0;
    double *dcov;           /* dense: the windows' m2, C x k x k (in dbuf) */
    long wn, t, total, every;
    int blas_before;        /* restored by ginv_sampler_free */
    int finished;
};

/* The sampler's context current on this thread for one call (not the BLAS
 * threads: those are set from new to free). */
typedef struct {
    ginv_ctx *prev;
} sampler_scope;
static void scope_enter(sampler_scope *sc, const ginv_sampler *s)
{
    sc->prev = ginv_ctx_current();
    if (s->o.ctx) ginv_ctx_set_current(s->o.ctx);
}
static ginv_status scope_leave(sampler_scope *sc, ginv_status st)
{
    ginv_ctx_set_current(sc->prev);
    return st;
}

static void sampler_release_buffers(ginv_sampler *s)
{
    ginv_hmc_scratch_free(&s->ch);
    ginv_free(s->abuf);
    ginv_free(s->ibuf);
    ginv_free(s->stopped);
    ginv_free(s->da);
    ginv_free(s->buf);
    ginv_free(s->pbuf);
    ginv_free(s->dbuf);
    ginv_free(s->ubuf);
    ginv_free(s->rngs);
    ginv_free(s->acc);
    s->abuf = NULL, s->ibuf = NULL, s->stopped = NULL, s->da = NULL, s->buf = NULL;
    s->pbuf = NULL, s->dbuf = NULL, s->ubuf = NULL, s->rngs = NULL, s->acc = NULL;
}

void ginv_sampler_free(ginv_sampler *s)
{
    if (!s) return;
    sampler_release_buffers(s);
    ginv_sample_result_release(&s->res);
    if (ginv_blas_get_threads() != s->blas_before) ginv_blas_set_threads(s->blas_before);
    ginv_free(s);
}

/* The acceptance the warm-up steers toward: the option, else mala 0.574
 * (Roberts & Rosenthal), hmc and nuts 0.8 (Stan), and ula's MALA warm-up
 * 0.95, a smaller step than MALA's optimum for ULA's O(step) bias
 * (docs/sampling.md, "ULA's step"). */
static double target_acceptance(const ginv_sample_opts *o)
{
    if (o->target_accept > 0) return o->target_accept;
    return o->type == ginv_sampler_mala ? 0.574 : o->type == ginv_sampler_ula ? 0.95 : 0.8;
}

/* The dense metric's buffers, and every chain's M^{-1}: the given matrix
 * (one, or one per chain) or I. */
static ginv_status dense_setup(ginv_sampler *s)
{
    const ginv_sample_opts *o = &s->o;
    ginv_chains *ch = &s->ch;
    int C = s->C, k = s->k;
    size_t kk = (size_t)k * k;
    s->dbuf = ginv_calloc(3 * (size_t)C * kk + 4 * (size_t)k, sizeof(double));
    s->res.inv_metric_dense = ginv_malloc((size_t)C * kk * sizeof(double));
    if (!s->dbuf || !s->res.inv_metric_dense)
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d dense %d x %d metrics", C, k, k);
    ch->mdense = s->dbuf;
    ch->mchol = s->dbuf + (size_t)C * kk;
    s->dcov = s->dbuf + 2 * (size_t)C * kk;
    ch->mscratch = s->dbuf + 3 * (size_t)C * kk;
    double *I = s->dcov; /* scratch until the first window */
    for (size_t i = 0; i < kk; i++) I[i] = i % (size_t)(k + 1) == 0;
    for (int c = 0; c < C; c++) {
        const double *A = o->metric ? o->metric + (size_t)(o->metric_rows == 1 ? 0 : c) * kk
                          : s->laplace_minv ? s->laplace_minv : I;
        ginv_status st = ginv_metric_set_dense(ch, c, A);
        if (st != GINV_OK) return st;
    }
    memset(s->dcov, 0, (size_t)C * kk * sizeof(double));
    return GINV_OK;
}

/* A window closes: chain c's inverse metric becomes Stan's regularised
 * covariance (n/(n+5)) C + 1e-3 (5/(n+5)) I of the window's n draws. */
static ginv_status dense_window_end(ginv_sampler *s)
{
    int k = s->k;
    size_t kk = (size_t)k * k;
    double n = (double)s->wn; /* the window's m2 becomes the new M^{-1} in place */
    for (int c = 0; c < s->C; c++) {
        double *m2 = s->dcov + (size_t)c * kk;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                m2[(size_t)i * k + j] = n / (n + 5.0) * (m2[(size_t)i * k + j] / (n - 1.0)) +
                                        (i == j ? 1e-3 * (5.0 / (n + 5.0)) : 0.0);
        ginv_status st = ginv_metric_set_dense(&s->ch, c, m2);
        if (st != GINV_OK) return st;
        memset(m2, 0, kk * sizeof(double));
    }
    return GINV_OK;
}

/* The laplace option: H, the Gauss-Newton Hessian at the GD point (every
 * chain starts there: one y), its eigenvalue range and Cholesky factor L.
 * ula, mala: P = H^{-1} preconditions the drift and the noise (precond.c).
 * hmc, nuts: no preconditioned drift; H^{-1}, the Laplace approximation's
 * covariance, becomes the initial inverse metric (its diagonal, or the whole
 * matrix with the dense metric), which the warm-up's windows then adapt as
 * from I. */
static ginv_status laplace_setup(ginv_sampler *s, int ham)
{
    ginv_chains *ch = &s->ch;
    int k = s->k;
    s->pbuf = ginv_malloc(((size_t)2 * k * k + 3 * (size_t)k) * sizeof(double));
    if (!s->pbuf) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double *H = s->pbuf, *L = s->pbuf + (size_t)k * k, *eig = L + (size_t)k * k;
    ginv_status st;
    if ((st = ginv_posterior_gn_hessian(s->post, ch->z, H)) != GINV_OK ||
        (st = ginv_sym_eigvals(k, H, eig)) != GINV_OK || (st = ginv_precond_factor(k, H, L)) != GINV_OK)
        return st;
    s->res.precond_eig[0] = eig[0];
    s->res.precond_eig[1] = eig[k - 1];
    if (ham) {
        if ((st = ginv_precond_inverse(k, L, H)) != GINV_OK) return st;
        s->laplace_minv = H;
    } else {
        ch->pL = L;
        ch->pscratch = eig + k; /* 2k after the k eigenvalues */
    }
    return GINV_OK;
}

/* Everything before the first step: checks, buffers, streams, starts (the GD
 * stage), the ball, the preconditioner, the energy at the starts and the
 * initial step of the adaptation. */
static ginv_status sampler_setup(ginv_sampler *s)
{
    ginv_posterior *post = s->post;
    const ginv_sample_opts *o = &s->o;
    ginv_sample_result *res = &s->res;
    ginv_status st = check_opts(post, o);
    if (st != GINV_OK) return st;
    int C = o->chains, R = o->temps, Ct = C * R, k = ginv_posterior_k(post), S = o->samples;
    size_t Ck = (size_t)C * k, Ctk = (size_t)Ct * k;
    s->C = C, s->R = R, s->Ct = Ct, s->k = k, s->S = S, s->Ck = Ck, s->Ctk = Ctk;
    ginv_blas_set_threads(o->threads);
    res->S = S;
    res->C = C;
    res->k = k;
    res->temps = R;
    res->samples = ginv_malloc((size_t)S * Ck * sizeof(float));
    res->energy = ginv_malloc((size_t)S * C * sizeof(double));
    res->start = ginv_malloc(Ck * sizeof(float));
    res->accepted = ginv_calloc((size_t)C, sizeof(long));
    res->swap_rate = R > 1 ? ginv_calloc((size_t)R - 1, sizeof(double)) : NULL;
    ginv_chains *ch = &s->ch;
    *ch = (ginv_chains){.post = post, .o = o, .C = Ct, .k = k};
    s->buf = ginv_malloc(4 * Ctk * sizeof(float));
    s->ubuf = ginv_malloc((2 + (size_t)(R > 1)) * Ct * sizeof(double)); /* U, Up, betas */
    s->rngs = ginv_malloc((2 * (size_t)Ct + C) * sizeof(ginv_rng));
    s->acc = ginv_calloc((size_t)Ct + 2 * (size_t)R, sizeof(long)); /* per slot; swaps */
    int ham = o->type == ginv_sampler_hmc || o->type == ginv_sampler_nuts;
    s->per_chain = ham || o->adapt || o->metric || o->dense; /* C == Ct then (no tempering) */
    size_t SC = (size_t)S * C;
    res->step_size = ginv_malloc((size_t)C * sizeof(double));
    res->inv_metric = ginv_malloc(Ck * sizeof(double));
    res->stat_accept = ginv_malloc(SC * sizeof(double));
    res->stat_energy = ginv_malloc(SC * sizeof(double));
    res->stat_depth = ginv_malloc(SC * sizeof(int));
    res->stat_leapfrog = ginv_malloc(SC * sizeof(int));
    res->stat_divergent = ginv_malloc(SC * sizeof(int));
    res->divergences = ginv_calloc((size_t)C, sizeof(long));
    res->depth_hits = ginv_calloc((size_t)C, sizeof(long));
    res->stopped_at = ginv_malloc((size_t)C * sizeof(long));
    /* per slot: step, metric, the step's statistics, adaptation state */
    s->abuf = ginv_malloc(((size_t)Ct * 4 + 3 * Ctk) * sizeof(double));
    s->ibuf = ginv_malloc((size_t)Ct * 3 * sizeof(int));
    s->stopped = ginv_malloc((size_t)Ct * sizeof(long));
    s->da = ginv_calloc((size_t)Ct, sizeof *s->da);
    if (!res->samples || !res->energy || !res->start || !res->accepted || (R > 1 && !res->swap_rate) ||
        !s->buf || !s->ubuf || !s->rngs || !s->acc || !res->step_size || !res->inv_metric || !res->stat_accept ||
        !res->stat_energy || !res->stat_depth || !res->stat_leapfrog || !res->stat_divergent ||
        !res->divergences || !res->depth_hits || !res->stopped_at || !s->abuf || !s->ibuf || !s->stopped || !s->da)
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d chains x %d samples x %d latents", C, S, k);
    ch->z = s->buf;
    ch->grad = s->buf + Ctk;
    ch->zp = s->buf + 2 * Ctk;
    ch->gp = s->buf + 3 * Ctk;
    ch->U = s->ubuf;
    ch->Up = s->ubuf + Ct;
    ch->noise = s->rngs;
    ch->accept = s->rngs + Ct;
    ch->accepted = s->acc;
    s->swap_acc = s->acc + Ct, s->swap_prop = s->acc + Ct + R;
    s->eps = s->abuf, s->minv = s->abuf + Ct, s->wmean = s->minv + Ctk, s->wm2 = s->wmean + Ctk;
    s->acc_sum = s->wm2 + Ctk; /* Ct: sum of the acceptance statistic after the burn-in */
    ch->st_accept = s->acc_sum + Ct;
    ch->st_energy = ch->st_accept + Ct;
    ch->st_depth = s->ibuf;
    ch->st_leap = s->ibuf + Ct;
    ch->st_div = s->ibuf + 2 * (size_t)Ct;
    memset(s->abuf, 0, ((size_t)Ct * 4 + 3 * Ctk) * sizeof(double));
    for (int c = 0; c < Ct; c++) s->stopped[c] = -1;
    /* an unadjusted chain that meets NaN/Inf stops alone (not with tempering,
     * whose swaps would carry the stopped state to another rung) */
    if (!o->type->adjusted && R == 1) ch->stopped = s->stopped;
    for (int c = 0; c < Ct; c++) {
        ginv_rng_init(&ch->noise[c], o->seed, GINV_STREAM_SAMPLE, (uint64_t)c * 4 + 1);
        ginv_rng_init(&ch->accept[c], o->seed, GINV_STREAM_SAMPLE, (uint64_t)c * 4 + 2);
    }
    for (int c = 0; c < C; c++) /* chain c's swap decisions */
        ginv_rng_init(&s->rngs[2 * Ct + c], o->seed, GINV_STREAM_SAMPLE, (uint64_t)c * 4 + 3);
    if (R > 1) {
        double *beta = s->ubuf + 2 * (size_t)Ct;
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++)
                beta[r * C + c] = o->beta / pow(o->temp_max, (double)r / (R - 1));
        ch->cbeta = beta;
    }
    if ((st = start_points(post, o, C, Ct, ch->z, res)) != GINV_OK) return st;
    /* the ball: given centre, else the GD points, else the origin */
    ch->ball = o->type == ginv_sampler_projected || ginv_posterior_prior(post) == GINV_PRIOR_UNIFORM;
    if (ch->ball) {
        res->centre = ginv_malloc(Ctk * sizeof(float));
        if (!res->centre) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int c = 0; c < Ct; c++) {
            float *cc = res->centre + (size_t)c * k;
            if (o->centre) memcpy(cc, o->centre, (size_t)k * sizeof(float));
            else if (o->init == GINV_CHAIN_INIT_GD) memcpy(cc, ch->z + (size_t)c * k, (size_t)k * sizeof(float));
            else memset(cc, 0, (size_t)k * sizeof(float));
        }
        ch->centre = res->centre;
        ch->radius = o->radius;
        for (int c = 0; c < Ct; c++) ginv_chains_project(ch, ch->z, c);
    }
    memcpy(res->start, ch->z, Ck * sizeof(float));
    if (o->precond == GINV_PRECOND_LAPLACE && (st = laplace_setup(s, ham)) != GINV_OK) return st;
    if (s->per_chain) {
        ch->eps = s->eps;
        for (int c = 0; c < C; c++) s->eps[c] = o->step > 0 ? o->step : 1.0;
        if (o->dense) {
            if ((st = dense_setup(s)) != GINV_OK) return st;
        } else if (!ch->pL) {
            ch->minv = s->minv;
            for (int c = 0; c < C; c++)
                for (int i = 0; i < k; i++)
                    s->minv[(size_t)c * k + i] =
                        o->metric ? o->metric[(size_t)(o->metric_rows == 1 ? 0 : c) * k + i]
                        : s->laplace_minv ? s->laplace_minv[(size_t)i * k + i] : 1.0;
        }
    }
    if (ham && (st = ginv_hmc_scratch_new(ch)) != GINV_OK) return st;
    if ((st = ginv_posterior_eval(post, Ct, ch->z, ch->U, ch->grad)) != GINV_OK) return st;
    for (int c = 0; c < Ct; c++)
        if (!isfinite(ch->U[c]))
            return ginv_fail(GINV_ERR_NUMERIC, "the energy is %g at chain %d's starting point", ch->U[c], c % C);
    /* warm-up adaptation: Stan's initial step when none was given, dual
     * averaging from it, the metric's windows (not with laplace) */
    s->delta = target_acceptance(o);
    ginv_adapt_windows_init(&s->win, o->burn_in);
    s->adapt_metric = o->adapt == GINV_ADAPT_ALL && (ch->minv || ch->mdense);
    s->wn = 0; /* draws in the current window */
    s->t0 = now_seconds();
    if (o->adapt) {
        if (o->step == 0 && (st = ginv_chains_find_step(ch)) != GINV_OK) return st;
        for (int c = 0; c < C; c++) ginv_dual_avg_restart(&s->da[c], s->eps[c], s->delta);
    }
    s->total = (long)o->burn_in + (long)S * o->thin;
    s->every = s->total / 100 > 0 ? s->total / 100 : 1;
    s->t = 0;
    return GINV_OK;
}

/* Step t of every chain: the sampler's move, swaps, the adaptation during
 * the burn-in, the statistics and the kept draw after it. */
static ginv_status sampler_step(ginv_sampler *s)
{
    const ginv_sample_opts *o = &s->o;
    ginv_sample_result *res = &s->res;
    ginv_chains *ch = &s->ch;
    int C = s->C, R = s->R, Ct = s->Ct, k = s->k;
    size_t Ck = s->Ck;
    long t = s->t;
    double *eps = s->eps, *minv = s->minv;
    ginv_status st;
    ch->t = t;
    ch->counting = t >= o->burn_in;
    if (ginv_cancel_requested())
        return ginv_fail(GINV_ERR_CANCELLED, "cancelled after %ld of %ld sampler steps", t, s->total);
    /* ULA adapts by a MALA warm-up: MALA's accept statistic steers the
     * step (toward 0.574) and the metric windows; after the burn-in the
     * frozen values drive plain ULA steps */
    const ginv_sampler_type *ty = o->adapt && t < o->burn_in && o->type == ginv_sampler_ula ? ginv_sampler_mala : o->type;
    if ((st = ty->step(ch)) != GINV_OK) return st;
    if (R > 1 && (t + 1) % o->swap_every == 0)
        ginv_chains_swap(ch, C, R, (t + 1) / o->swap_every, s->rngs + 2 * Ct,
                         ch->counting ? s->swap_acc : NULL, ch->counting ? s->swap_prop : NULL);
    if (!ty->adjusted)
        for (int c = 0; c < C; c++) {
            ch->st_accept[c] = 1.0;
            ch->st_energy[c] = ginv_chains_beta(ch, c) * ch->U[c];
            ch->st_depth[c] = ch->st_div[c] = 0;
            ch->st_leap[c] = 1;
        }
    if (o->adapt && t < o->burn_in) {
        for (int c = 0; c < C; c++) eps[c] = ginv_dual_avg_learn(&s->da[c], ch->st_accept[c]);
        int add = 0, end = s->adapt_metric ? ginv_adapt_windows_step(&s->win, &add) : 0;
        if (add && ch->mdense) { /* Welford's covariance, per chain */
            ++s->wn;
            for (int c = 0; c < C; c++)
                ginv_welford_cov_add(s->wn, k, ch->z + (size_t)c * k, s->wmean + (size_t)c * k,
                                     s->dcov + (size_t)c * k * k);
        } else if (add) { /* Welford, per chain */
            ginv_welford_add(++s->wn, (int)Ck, ch->z, s->wmean, s->wm2);
        }
        if (end && s->wn >= 2) {
            if (ch->mdense) {
                if ((st = dense_window_end(s)) != GINV_OK) return st;
            } else {
                for (size_t i = 0; i < Ck; i++) minv[i] = ginv_adapt_regularise(s->wm2[i] / (s->wn - 1), s->wn);
            }
            memset(s->wmean, 0, Ck * sizeof(double));
            memset(s->wm2, 0, Ck * sizeof(double));
            s->wn = 0;
            if ((st = ginv_chains_find_step(ch)) != GINV_OK) return st;
            for (int c = 0; c < C; c++) ginv_dual_avg_restart(&s->da[c], eps[c], s->delta);
        }
        if (t == o->burn_in - 1)
            for (int c = 0; c < C; c++) eps[c] = ginv_dual_avg_final(&s->da[c]);
    }
    if (ch->counting)
        for (int c = 0; c < C; c++) {
            res->divergences[c] += ch->st_div[c];
            res->depth_hits[c] += o->type == ginv_sampler_nuts && ch->st_depth[c] >= o->max_depth;
            s->acc_sum[c] += ch->st_accept[c];
        }
    long after = t - o->burn_in + 1;
    if (after > 0 && after % o->thin == 0) {
        long sidx = after / o->thin - 1;
        size_t sc = (size_t)sidx * C;
        memcpy(res->samples + (size_t)sidx * Ck, ch->z, Ck * sizeof(float)); /* rung 0 */
        memcpy(res->energy + sc, ch->U, (size_t)C * sizeof(double));
        memcpy(res->stat_accept + sc, ch->st_accept, (size_t)C * sizeof(double));
        memcpy(res->stat_energy + sc, ch->st_energy, (size_t)C * sizeof(double));
        memcpy(res->stat_depth + sc, ch->st_depth, (size_t)C * sizeof(int));
        memcpy(res->stat_leapfrog + sc, ch->st_leap, (size_t)C * sizeof(int));
        memcpy(res->stat_divergent + sc, ch->st_div, (size_t)C * sizeof(int));
        for (int c = 0; c < C; c++)
            if (s->stopped[c] >= 0) { /* a stopped chain's draws are NaN from its step on */
                for (int i = 0; i < k; i++) res->samples[(size_t)sidx * Ck + (size_t)c * k + i] = NAN;
                res->energy[sc + c] = res->stat_energy[sc + c] = NAN;
            }
    }
    if ((t + 1) % s->every == 0 || t + 1 == s->total) ginv_progress("sampling", t + 1, s->total);
    s->t = t + 1;
    return GINV_OK;
}

/* After the last step: timings, rates, the adapted steps and metrics. */
static void sampler_finish(ginv_sampler *s)
{
    const ginv_sample_opts *o = &s->o;
    ginv_sample_result *res = &s->res;
    ginv_chains *ch = &s->ch;
    int C = s->C, R = s->R, k = s->k;
    res->seconds = now_seconds() - s->t0;
    res->steps = s->total;
    res->proposed = (long)s->S * o->thin;
    for (int r = 0; r + 1 < R; r++)
        res->swap_rate[r] = s->swap_prop[r] ? (double)s->swap_acc[r] / s->swap_prop[r] : NAN;
    for (int c = 0; c < C; c++) {
        res->step_size[c] = ch->eps ? s->eps[c] : o->step;
        const double *D = ginv_metric_dense_of(ch, c);
        for (int i = 0; i < k; i++)
            res->inv_metric[(size_t)c * k + i] = D ? D[(size_t)i * k + i] : ch->minv ? s->minv[(size_t)c * k + i] : 1.0;
        if (D) memcpy(res->inv_metric_dense + (size_t)c * k * k, D, (size_t)k * k * sizeof(double));
        res->stopped_at[c] = s->stopped[c];
    }
    res->batch_fill = o->type == ginv_sampler_nuts && ch->rounds ? (double)ch->leaves / ((double)ch->rounds * C) : 1.0;
    if (o->type == ginv_sampler_nuts) { /* the mean acceptance statistic; accepted: draws that moved */
        double a = 0;
        for (int c = 0; c < C; c++) a += s->acc_sum[c], res->accepted[c] = s->acc[c];
        res->accept_rate = a / ((double)res->proposed * C);
    } else if (o->type->adjusted) {
        long a = 0;
        for (int c = 0; c < C; c++) a += res->accepted[c] = s->acc[c];
        res->accept_rate = (double)a / ((double)res->proposed * C);
    } else {
        for (int c = 0; c < C; c++) res->accepted[c] = res->proposed;
        res->accept_rate = 1.0;
    }
}

ginv_status ginv_sampler_new(ginv_sampler **out, ginv_posterior *post, const ginv_sample_opts *o)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(post);
    GINV_NONNULL(o);
    ginv_sampler *s = ginv_calloc(1, sizeof *s);
    if (!s) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    s->post = post;
    s->o = *o;
    s->blas_before = ginv_blas_get_threads();
    s->res.gd_loss = NAN;
    s->res.precond_eig[0] = s->res.precond_eig[1] = NAN;
    sampler_scope sc;
    scope_enter(&sc, s);
    ginv_ctx *cur = ginv_ctx_current(); /* the context's threads win, as in every run */
    if (cur && ginv_ctx_threads(cur) > 0) s->o.threads = ginv_ctx_threads(cur);
    ginv_status st = scope_leave(&sc, sampler_setup(s));
    if (st != GINV_OK) {
        ginv_sampler_free(s);
        return st;
    }
    *out = s;
    return GINV_OK;
}

ginv_status ginv_sampler_step(ginv_sampler *s)
{
    GINV_NONNULL(s);
    if (s->t >= s->total) return ginv_fail(GINV_ERR_ARG, "ginv_sampler_step: all %ld steps are done", s->total);
    sampler_scope sc;
    scope_enter(&sc, s);
    return scope_leave(&sc, sampler_step(s));
}

long ginv_sampler_steps_done(const ginv_sampler *s) { return s->t; }
long ginv_sampler_steps_total(const ginv_sampler *s) { return s->total; }
const float *ginv_sampler_state(const ginv_sampler *s) { return s->ch.z; }
const double *ginv_sampler_energy(const ginv_sampler *s) { return s->ch.U; }

ginv_status ginv_sampler_finish(ginv_sampler *s, ginv_sample_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(s);
    if (s->t < s->total)
        return ginv_fail(GINV_ERR_ARG, "ginv_sampler_finish: %ld of %ld steps done", s->t, s->total);
    if (!s->finished) sampler_finish(s);
    s->finished = 1;
    *res = s->res; /* handed over: the sampler keeps nothing of it */
    memset(&s->res, 0, sizeof s->res);
    return GINV_OK;
}

ginv_status ginv_sample_run(ginv_posterior *post, const ginv_sample_opts *o,
                            ginv_sample_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    res->gd_loss = NAN;
    res->precond_eig[0] = res->precond_eig[1] = NAN;
    GINV_NONNULL(post);
    GINV_NONNULL(o);
    ginv_sampler *s = NULL;
    ginv_status st = ginv_sampler_new(&s, post, o);
    while (st == GINV_OK && s->t < s->total) st = ginv_sampler_step(s);
    if (st == GINV_OK) st = ginv_sampler_finish(s, res);
    ginv_sampler_free(s);
    return st;
}

/* Per-coordinate mean and std (divisor N - 1) of z and of G(z) over all
 * kept samples, accumulated in double (Welford); G batched C rows at a time. */
ginv_status ginv_sample_moments(const ginv_sample_result *r, const ginv_net *net, float *mean_z,
                                float *std_z, float *mean_x, float *std_x)
{
    GINV_NONNULL(r);
    int k = r->k, C = r->C, S = r->S;
    size_t N = (size_t)S * C;
    int n = net ? ginv_net_out(net) : 0;
    if (net && ginv_net_in(net) != k)
        return ginv_fail(GINV_ERR_SHAPE, "the net takes %d latents but the samples have %d",
                         ginv_net_in(net), k);
    int w = k > n ? k : n;
    double *mean = ginv_calloc((size_t)w, sizeof(double)), *m2 = ginv_calloc((size_t)w, sizeof(double));
    ginv_net_ws *ws = NULL;
    ginv_status st = GINV_OK;
    if (!mean || !m2) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int pass = 0; st == GINV_OK && pass < (net ? 2 : 1); pass++) {
        int len = pass == 0 ? k : n;
        memset(mean, 0, (size_t)w * sizeof(double));
        memset(m2, 0, (size_t)w * sizeof(double));
        if (pass == 1 && (st = ginv_net_ws_new(&ws, net, C)) != GINV_OK) break;
        size_t cnt = 0;
        for (int s = 0; s < S; s++) {
            const float *block = r->samples + (size_t)s * C * k;
            if (pass == 1) block = ginv_net_forward(net, ws, C, block);
            for (int c = 0; c < C; c++) {
                cnt++;
                const float *v = block + (size_t)c * len;
                for (int i = 0; i < len; i++) {
                    double d = v[i] - mean[i];
                    mean[i] += d / cnt;
                    m2[i] += d * (v[i] - mean[i]);
                }
            }
        }
        float *mo = pass == 0 ? mean_z : mean_x, *so = pass == 0 ? std_z : std_x;
        for (int i = 0; i < len; i++) {
            if (mo) mo[i] = (float)mean[i];
            if (so) so[i] = (float)(N > 1 ? sqrt(m2[i] / (N - 1)) : 0.0);
        }
    }
    ginv_net_ws_free(ws);
    ginv_free(mean);
    ginv_free(m2);
    return st;
}
