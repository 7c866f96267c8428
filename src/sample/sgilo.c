/* sgilo.c — Score-Guided Intermediate Layer Optimization (Daras et al. 2022,
 * §2 and §4): Langevin dynamics in the intermediate space of G = G2 o G1,
 * the likelihood through G2 and the operator, the prior from a score model
 * (directly, or by the SDEdit-style hot start of their speed ablation).
 * Every image's chains run in one batch. */
#include "sample/sgilo_internal.h"
#include "infer/objective_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ginv_sgilo_opts_init(ginv_sgilo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->layer = 1;
    o->chains = 4;
    o->burn = 200;
    o->draws = 100;
    o->thin = 1;
    o->step = 0;
    o->step_scale = 0.1;
    o->sigma = 0.1;
    o->lik_weight = o->prior_weight = 1.0;
    o->temperature = 1.0;
    o->mode = GINV_SGILO_DIRECT;
    o->t_sdedit = 0.05;
    o->sdedit_steps = 10;
    o->sdedit_every = 1;
    o->start = GINV_SGILO_START_ILO;
    ginv_ilo_opts_init(&o->ilo);
    o->seed = 1;
    o->threads = 1;
}

void ginv_sgilo_result_release(ginv_sgilo_result *r)
{
    if (!r) return;
    ginv_free(r->mean_x);
    ginv_free(r->std_x);
    ginv_free(r->mean_h);
    ginv_free(r->x_draws);
    ginv_free(r->max_rhat);
    ginv_free(r->min_ess_bulk);
    ginv_free(r->loss);
    ginv_free(r->step);
    memset(r, 0, sizeof *r);
}

static int finite_nonneg(double x) { return isfinite(x) && x >= 0; }

static ginv_status check(const ginv_net *g1, const ginv_op *op, int n, const ginv_score_prior *pr,
                         const ginv_sgilo_opts *o)
{
    if (!pr->fn) return ginv_fail(GINV_ERR_ARG, "SGILO: the score prior has no score function");
    if (pr->p != ginv_net_out(g1))
        return ginv_fail(GINV_ERR_SHAPE, "the score prior is on R^%d but the generator's layer %d takes "
                         "%d values (train the score for that layer: ginv train score --layer %d)",
                         pr->p, o->layer, ginv_net_out(g1), o->layer);
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE, "the operator takes %d values but the generator makes %d",
                         ginv_op_n(op), n);
    if (ginv_op_link(op) == GINV_LINK_SIGN)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "SGILO's likelihood compares values or magnitudes; the operator "
                         "'%s' measures signs (1-bit)", ginv_op_name(op));
    if (o->chains < 1 || o->burn < 0 || o->draws < 1 || o->thin < 1)
        return ginv_fail(GINV_ERR_ARG, "SGILO needs chains >= 1, burn >= 0, draws >= 1 and thin >= 1 "
                         "(got %d, %d, %d, %d)", o->chains, o->burn, o->draws, o->thin);
    if (!(o->step >= 0) || !isfinite(o->step) || !(o->step > 0 || (o->step_scale > 0 && o->step_scale < 2)) ||
        !(o->sigma > 0) || !isfinite(o->sigma) ||
        !(o->temperature > 0) || !isfinite(o->temperature))
        return ginv_fail(GINV_ERR_ARG, "SGILO needs a finite step > 0, or 0 with a step scale in (0, 2) "
                         "(got %g, %g), sigma > 0 (got %g) and temperature > 0 (got %g)", o->step,
                         o->step_scale, o->sigma, o->temperature);
    if (!finite_nonneg(o->lik_weight) || !finite_nonneg(o->prior_weight))
        return ginv_fail(GINV_ERR_ARG, "SGILO's weights must be finite and >= 0 (got %g, %g)",
                         o->lik_weight, o->prior_weight);
    if (o->mode == GINV_SGILO_DIRECT && !(o->t_score == 0 || (o->t_score >= pr->t_min && o->t_score <= 1)))
        return ginv_fail(GINV_ERR_ARG, "SGILO: t_score %g must be 0 (the prior's t_min) or in [%g, 1]",
                         o->t_score, pr->t_min);
    if (o->mode == GINV_SGILO_SDEDIT && (!(o->t_sdedit > pr->t_min && o->t_sdedit <= 1) ||
                                         o->sdedit_steps < 1 || o->sdedit_every < 1))
        return ginv_fail(GINV_ERR_ARG, "SGILO's SDEdit needs t_sdedit in (%g, 1] (got %g), steps >= 1 "
                         "and every >= 1", pr->t_min, o->t_sdedit);
    if (o->mode != GINV_SGILO_DIRECT && o->mode != GINV_SGILO_SDEDIT)
        return ginv_fail(GINV_ERR_ARG, "SGILO: unknown mode %d", (int)o->mode);
    if (o->keep < 0 || (long)o->keep > (long)o->chains * o->draws)
        return ginv_fail(GINV_ERR_ARG, "SGILO: keep %d draws of x, but the chains record %ld",
                         o->keep, (long)o->chains * o->draws);
    return GINV_OK;
}

/* The run's buffers: NB = N * chains rows. */
typedef struct {
    int N, C, NB, k, p, n, m;
    ginv_net *g1, *g2;
    ginv_net_ws *ws1, *ws2;
    float *h, *gh, *sc, *R, *gx, *Yb;
    float *hdraws;            /* draws x NB x p */
    double *sx, *sxx;         /* N x n sums of x and x^2 */
    ginv_rng *rng;            /* NB */
    double *eta;              /* NB: each chain's step */
    double *L;                /* N x p x p: the preconditioner's factors, or NULL */
    double *pv, *pu;          /* p each: preconditioned gradient and noise */
} sgilo_state;

static void state_free(sgilo_state *s)
{
    ginv_net_ws_free(s->ws1);
    ginv_net_ws_free(s->ws2);
    ginv_net_free(s->g1);
    ginv_net_free(s->g2);
    ginv_free(s->h), ginv_free(s->gh), ginv_free(s->sc), ginv_free(s->R), ginv_free(s->gx);
    ginv_free(s->Yb), ginv_free(s->hdraws), ginv_free(s->sx), ginv_free(s->sxx), ginv_free(s->rng);
    ginv_free(s->eta), ginv_free(s->L), ginv_free(s->pv), ginv_free(s->pu);
}

static ginv_status state_new(sgilo_state *s, const ginv_op *op, int N, const float *Y,
                             const ginv_sgilo_opts *o)
{
    int C = o->chains, NB = N * C;
    s->N = N, s->C = C, s->NB = NB, s->m = ginv_op_m(op);
    s->k = ginv_net_in(s->g1), s->p = ginv_net_out(s->g1), s->n = ginv_net_out(s->g2);
    ginv_status st = ginv_net_ws_new(&s->ws1, s->g1, NB);
    if (st == GINV_OK) st = ginv_net_ws_new(&s->ws2, s->g2, NB);
    size_t P = (size_t)NB * s->p;
    s->h = ginv_malloc(P * sizeof(float)), s->gh = ginv_malloc(P * sizeof(float));
    s->sc = ginv_malloc(P * sizeof(float));
    s->R = ginv_malloc((size_t)NB * s->m * sizeof(float)), s->Yb = ginv_malloc((size_t)NB * s->m * sizeof(float));
    s->gx = ginv_malloc((size_t)NB * s->n * sizeof(float));
    s->hdraws = ginv_malloc((size_t)o->draws * P * sizeof(float));
    s->sx = ginv_calloc((size_t)N * s->n, sizeof(double)), s->sxx = ginv_calloc((size_t)N * s->n, sizeof(double));
    s->rng = ginv_malloc((size_t)NB * sizeof(ginv_rng));
    s->eta = ginv_malloc((size_t)NB * sizeof(double));
    s->pv = ginv_malloc((size_t)s->p * sizeof(double)), s->pu = ginv_malloc((size_t)s->p * sizeof(double));
    if (o->precond == GINV_PRECOND_LAPLACE) s->L = ginv_malloc((size_t)N * s->p * s->p * sizeof(double));
    if (st == GINV_OK && (!s->eta || !s->pv || !s->pu || (o->precond == GINV_PRECOND_LAPLACE && !s->L) || !s->h || !s->gh || !s->sc || !s->R || !s->Yb || !s->gx || !s->hdraws || !s->sx ||
                          !s->sxx || !s->rng))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for %d SGILO chains of p = %d", NB, s->p);
    if (st != GINV_OK) return st;
    for (int b = 0; b < NB; b++) {
        memcpy(s->Yb + (size_t)b * s->m, Y + (size_t)(b / C) * s->m, (size_t)s->m * sizeof(float));
        ginv_rng_init(&s->rng[b], o->seed, GINV_STREAM_SGILO, (uint64_t)b);
        s->eta[b] = o->step;
    }
    return GINV_OK;
}

/* The chains' starts: ILO's h-hat per image, or G1(z) with z ~ N(0, I) per chain. */
static ginv_status start(sgilo_state *s, ginv_net *net, const ginv_op *op, const float *Y,
                         const ginv_sgilo_opts *o)
{
    int p = s->p, C = s->C;
    if (o->start == GINV_SGILO_START_PRIOR) {
        float *z = ginv_malloc((size_t)s->NB * s->k * sizeof(float));
        if (!z) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int b = 0; b < s->NB; b++) ginv_rng_normal_f32(&s->rng[b], z + (size_t)b * s->k, (size_t)s->k, 1.0);
        memcpy(s->h, ginv_net_forward(s->g1, s->ws1, s->NB, z), (size_t)s->NB * p * sizeof(float));
        ginv_free(z);
        return GINV_OK;
    }
    if (o->start != GINV_SGILO_START_ILO) return ginv_fail(GINV_ERR_ARG, "SGILO: unknown start %d", (int)o->start);
    ginv_ilo_opts io = o->ilo;
    io.layer = o->layer, io.ctx = NULL, io.threads = o->threads;
    if (io.nstages > 0 && io.layers[io.nstages - 1] != o->layer)
        return ginv_fail(GINV_ERR_ARG, "SGILO at layer %d cannot start from an ILO whose last stage is at layer %d",
                         o->layer, io.layers[io.nstages - 1]);
    float *H = ginv_malloc((size_t)s->N * p * sizeof(float));
    if (!H) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_status st = ginv_ilo_run(net, op, s->N, Y, &io, NULL, H, NULL, NULL, NULL, NULL, NULL);
    if (st != GINV_OK) st = ginv_fail(st, "SGILO's ILO start: %s", ginv_last_error());
    for (int b = 0; st == GINV_OK && b < s->NB; b++)
        memcpy(s->h + (size_t)b * p, H + (size_t)(b / C) * p, (size_t)p * sizeof(float));
    ginv_free(H);
    return st;
}

/* gh = w_lik grad_h ||A G2(h) - y||^2 / (2 sigma^2) = w J_G2^T A^T r / sigma^2;
 * x = G2(h) is returned (inside ws2). */
static const float *lik_grad(sgilo_state *s, const ginv_op *op, const ginv_sgilo_opts *o, const float *h)
{
    const float *x = ginv_net_forward(s->g2, s->ws2, s->NB, h);
    ginv_op_apply(op, s->NB, x, s->R);
    float c = (float)(o->lik_weight / (o->sigma * o->sigma));
    /* the residual, or for magnitudes the amplitude loss's gradient in u (objective.c) */
    int link = (int)ginv_op_link(op);
    const int *pair = ginv_op_link_pairs(op);
    for (int b = 0; b < s->NB; b++)
        ginv_link_amplitude_loss(link, pair, s->m, s->R + (size_t)b * s->m, s->Yb + (size_t)b * s->m);
    for (size_t q = 0; q < (size_t)s->NB * s->m; q++) s->R[q] *= c;
    ginv_op_adjoint(op, s->NB, s->R, s->gx);
    ginv_net_backward(s->g2, s->ws2, s->NB, s->gx, s->gh, 0);
    return x;
}

/* Record draw d: h, and x's sums per image. */
static void record(sgilo_state *s, int d, const float *x)
{
    size_t P = (size_t)s->NB * s->p;
    memcpy(s->hdraws + (size_t)d * P, s->h, P * sizeof(float));
    for (int b = 0; b < s->NB; b++) {
        double *sx = s->sx + (size_t)(b / s->C) * s->n, *sxx = s->sxx + (size_t)(b / s->C) * s->n;
        const float *xb = x + (size_t)b * s->n;
        for (int j = 0; j < s->n; j++) {
            sx[j] += xb[j];
            sxx[j] += (double)xb[j] * xb[j];
        }
    }
}

/* grad U at h (NB x p) into out: the likelihood term and, in DIRECT mode,
 * -w_prior times the score. */
static ginv_status grad_u(sgilo_state *s, const ginv_op *op, const ginv_score_prior *pr,
                          const ginv_sgilo_opts *o, const float *h, float *out, ginv_sgilo_result *res)
{
    lik_grad(s, op, o, h);
    size_t P = (size_t)s->NB * s->p;
    memcpy(out, s->gh, P * sizeof(float));
    if (o->mode != GINV_SGILO_DIRECT || !(o->prior_weight > 0)) return GINV_OK;
    ginv_status st = pr->fn(pr->ctx, s->NB, h, o->t_score > 0 ? o->t_score : pr->t_min, s->sc);
    res->score_evals++;
    for (size_t q = 0; st == GINV_OK && q < P; q++) out[q] -= (float)(o->prior_weight * s->sc[q]);
    return st;
}

/* step 0: each chain's eta = step_scale / lambda_max of the Hessian of U
 * (preconditioned: of P H) at its start, by 12 power iterations on central differences of grad U
 * (H v ~ (grad U(h + e v) - grad U(h - e v)) / 2e, e = 1e-2 (|h| / sqrt(p) + 1e-2)). */
static ginv_status auto_step(sgilo_state *s, const ginv_op *op, const ginv_score_prior *pr,
                             const ginv_sgilo_opts *o, ginv_sgilo_result *res)
{
    int NB = s->NB, p = s->p;
    size_t P = (size_t)NB * p;
    float *v = ginv_malloc(P * sizeof(float)), *hp = ginv_malloc(P * sizeof(float));
    float *gp = ginv_malloc(P * sizeof(float)), *gm = ginv_malloc(P * sizeof(float));
    double *e = ginv_malloc((size_t)NB * sizeof(double)), *lam = ginv_calloc((size_t)NB, sizeof(double));
    ginv_status st = v && hp && gp && gm && e && lam ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int b = 0; st == GINV_OK && b < NB; b++) {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_SGILO, (uint64_t)NB + b); /* not the chains' streams */
        double nv = 0, nh = 0;
        for (int j = 0; j < p; j++) {
            v[(size_t)b * p + j] = (float)ginv_rng_normal(&r);
            nv += (double)v[(size_t)b * p + j] * v[(size_t)b * p + j];
            nh += (double)s->h[(size_t)b * p + j] * s->h[(size_t)b * p + j];
        }
        for (int j = 0; j < p; j++) v[(size_t)b * p + j] = (float)(v[(size_t)b * p + j] / sqrt(nv));
        e[b] = 1e-2 * (sqrt(nh / p) + 1e-2);
    }
    for (int it = 0; st == GINV_OK && it < 12; it++) {
        for (int sign = 1; sign >= -1 && st == GINV_OK; sign -= 2) {
            for (size_t q = 0; q < P; q++) hp[q] = (float)(s->h[q] + sign * e[q / p] * v[q]);
            st = grad_u(s, op, pr, o, hp, sign > 0 ? gp : gm, res);
        }
        for (int b = 0; st == GINV_OK && b < NB; b++) {
            double n2 = 0;
            for (int j = 0; j < p; j++) {
                size_t q = (size_t)b * p + j;
                gp[q] = (float)(((double)gp[q] - gm[q]) / (2 * e[b]));
            }
            if (s->L) { /* the preconditioned Hessian P H: its largest eigenvalue */
                ginv_sgilo_precond_apply(s->L + (size_t)(b / s->C) * p * p, p, gp + (size_t)b * p, s->pv);
                for (int j = 0; j < p; j++) gp[(size_t)b * p + j] = (float)s->pv[j];
            }
            for (int j = 0; j < p; j++) n2 += (double)gp[(size_t)b * p + j] * gp[(size_t)b * p + j];
            lam[b] = sqrt(n2);
            if (!(lam[b] > 0) || !isfinite(lam[b])) continue; /* flat or broken: keep v */
            for (int j = 0; j < p; j++) v[(size_t)b * p + j] = (float)(gp[(size_t)b * p + j] / lam[b]);
        }
    }
    for (int b = 0; st == GINV_OK && b < NB; b++) {
        if (!(lam[b] > 0) || !isfinite(lam[b]))
            st = ginv_fail(GINV_ERR_NUMERIC, "SGILO: the curvature of U at chain %d of image %d is %g (the score "
                           "or the generator returned non-finite values, or U is flat); give a step size", b % s->C, b / s->C, lam[b]);
        else s->eta[b] = o->step_scale / lam[b];
    }
    ginv_free(v), ginv_free(hp), ginv_free(gp), ginv_free(gm), ginv_free(e), ginv_free(lam);
    return st;
}

/* One Langevin step of every chain (the two modes of the header). */
static ginv_status step(sgilo_state *s, const ginv_score_prior *pr, const ginv_sgilo_opts *o, long t,
                        ginv_sgilo_result *res)
{
    int direct = o->mode == GINV_SGILO_DIRECT && o->prior_weight > 0;
    if (direct) {
        ginv_status st = pr->fn(pr->ctx, s->NB, s->h, o->t_score > 0 ? o->t_score : pr->t_min, s->sc);
        res->score_evals++;
        if (st != GINV_OK) return ginv_fail(st, "SGILO step %ld: the score: %s", t + 1, ginv_last_error());
    }
    for (int b = 0; b < s->NB; b++) {
        double eta = s->eta[b], noise = sqrt(2 * eta * o->temperature);
        float *g = s->gh + (size_t)b * s->p;
        if (direct)
            for (int j = 0; j < s->p; j++) g[j] -= (float)(o->prior_weight * s->sc[(size_t)b * s->p + j]);
        for (int j = 0; j < s->p; j++) s->pu[j] = ginv_rng_normal(&s->rng[b]);
        if (s->L) { /* P g and P^{1/2} xi (sgilo_precond.c) */
            const double *L = s->L + (size_t)(b / s->C) * s->p * s->p;
            ginv_sgilo_precond_apply(L, s->p, g, s->pv);
            ginv_sgilo_precond_noise(L, s->p, s->pu);
        } else {
            for (int j = 0; j < s->p; j++) s->pv[j] = g[j];
        }
        for (int j = 0; j < s->p; j++) {
            size_t q = (size_t)b * s->p + j;
            double x = s->h[q] - eta * s->pv[j] + noise * s->pu[j];
            if (!isfinite(x))
                return ginv_fail(GINV_ERR_NUMERIC, "SGILO: chain %d of image %d became non-finite at step "
                                 "%ld (%s %g; lower the step size)", b % s->C, b / s->C, t + 1,
                                 direct && !isfinite(s->sc[q]) ? "the score network returned" : "gradient",
                                 direct && !isfinite(s->sc[q]) ? (double)s->sc[q] : s->pv[j]);
            s->h[q] = (float)x;
        }
    }
    if (o->mode == GINV_SGILO_SDEDIT && o->prior_weight > 0 && (t + 1) % o->sdedit_every == 0) {
        ginv_status st = ginv_score_reverse(pr, s->NB, s->h, o->t_sdedit, o->sdedit_steps, 1, s->rng,
                                            &res->score_evals);
        if (st != GINV_OK) return ginv_fail(st, "SGILO step %ld: the SDEdit hot start: %s", t + 1, ginv_last_error());
    }
    return GINV_OK;
}

/* The result: moments of x, h's mean, kept draws of x, and per image the
 * worst R-hat and bulk ESS over h's coordinates (ginv_diag_compute). */
static ginv_status finish(sgilo_state *s, const ginv_op *op, const float *Y, const ginv_sgilo_opts *o,
                          ginv_sgilo_result *r)
{
    int N = s->N, C = s->C, n = s->n, p = s->p, D = o->draws;
    size_t P = (size_t)s->NB * p;
    double cnt = (double)C * D;
    r->N = N, r->n = n, r->p = p, r->chains = C, r->draws = D, r->keep = o->keep;
    r->mean_x = ginv_malloc((size_t)N * n * sizeof(float)), r->std_x = ginv_malloc((size_t)N * n * sizeof(float));
    r->mean_h = ginv_calloc((size_t)N * p, sizeof(float));
    r->max_rhat = ginv_malloc((size_t)N * sizeof(double)), r->min_ess_bulk = ginv_malloc((size_t)N * sizeof(double));
    r->loss = ginv_malloc((size_t)N * sizeof(double));
    r->step = ginv_calloc((size_t)N, sizeof(double));
    r->x_draws = o->keep ? ginv_malloc((size_t)N * o->keep * n * sizeof(float)) : NULL;
    double *tr = ginv_malloc((size_t)C * D * sizeof(double));
    if (!r->mean_x || !r->std_x || !r->mean_h || !r->max_rhat || !r->min_ess_bulk || !r->loss || !r->step || !tr ||
        (o->keep && !r->x_draws)) {
        ginv_free(tr);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    for (int b = 0; b < s->NB; b++) r->step[b / C] += s->eta[b] / C;
    for (size_t q = 0; q < (size_t)N * n; q++) {
        double mu = s->sx[q] / cnt, v = cnt > 1 ? (s->sxx[q] - cnt * mu * mu) / (cnt - 1) : 0;
        r->mean_x[q] = (float)mu;
        r->std_x[q] = (float)sqrt(v > 0 ? v : 0);
    }
    for (int i = 0; i < N; i++) {
        double rmax = 0, emin = INFINITY;
        for (int j = 0; j < p; j++) {
            double acc = 0;
            for (int d = 0; d < D; d++)
                for (int c = 0; c < C; c++) {
                    double v = s->hdraws[(size_t)d * P + (size_t)(i * C + c) * p + j];
                    tr[(size_t)d * C + c] = v;
                    acc += v;
                }
            r->mean_h[(size_t)i * p + j] = (float)(acc / cnt);
            ginv_diag dg;
            if (D >= 4 && ginv_diag_compute(D, C, tr, &dg) == GINV_OK) {
                if (isnan(dg.rhat) || dg.rhat > rmax) rmax = isnan(dg.rhat) ? rmax : dg.rhat;
                if (dg.ess_bulk < emin) emin = dg.ess_bulk;
            }
        }
        r->max_rhat[i] = D >= 4 && rmax > 0 ? rmax : NAN;
        r->min_ess_bulk[i] = isfinite(emin) ? emin : NAN;
    }
    ginv_free(tr);
    ginv_status st = GINV_OK;
    if (o->keep) { /* draw d of chain c, counted from the end: index d * C + c */
        float *hk = ginv_malloc((size_t)o->keep * p * sizeof(float));
        ginv_net_ws *ws = NULL;
        st = hk ? ginv_net_ws_new(&ws, s->g2, o->keep) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int i = 0; st == GINV_OK && i < N; i++) {
            for (int q = 0; q < o->keep; q++) {
                int d = D - 1 - q / C, c = q % C;
                memcpy(hk + (size_t)q * p, s->hdraws + (size_t)d * P + (size_t)(i * C + c) * p, (size_t)p * sizeof(float));
            }
            memcpy(r->x_draws + (size_t)i * o->keep * n, ginv_net_forward(s->g2, ws, o->keep, hk),
                   (size_t)o->keep * n * sizeof(float));
        }
        ginv_net_ws_free(ws);
        ginv_free(hk);
    }
    int m = s->m;
    float *ax = ginv_malloc((size_t)N * m * sizeof(float));
    if (st == GINV_OK && !ax) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) {
        ginv_op_apply(op, N, r->mean_x, ax);
        for (int i = 0; i < N; i++) /* ||A x - y||^2, or the amplitude loss's sum of squares */
            r->loss[i] = 2 * ginv_link_amplitude_loss((int)ginv_op_link(op), ginv_op_link_pairs(op), m,
                                                      ax + (size_t)i * m, Y + (size_t)i * m);
    }
    ginv_free(ax);
    return st;
}

static ginv_status sgilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                             const ginv_score_prior *pr, const ginv_sgilo_opts *o, ginv_sgilo_result *res)
{
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 1", N);
    sgilo_state s;
    memset(&s, 0, sizeof s);
    ginv_status st = ginv_net_split(net, o->layer, &s.g1, &s.g2);
    if (st == GINV_OK) st = check(s.g1, op, ginv_net_out(net), pr, o);
    if (st == GINV_OK) st = state_new(&s, op, N, Y, o);
    if (st == GINV_OK) st = start(&s, net, op, Y, o);
    if (st == GINV_OK && s.L) st = ginv_sgilo_precond(s.g2, op, N, s.C, s.h, o, pr, s.L);
    if (st == GINV_OK && !(o->step > 0)) st = auto_step(&s, op, pr, o, res);
    long total = (long)o->burn + (long)o->draws * o->thin;
    char what[64];
    for (long t = 0; st == GINV_OK && t < total; t++) {
        if ((st = ginv_check_cancel("SGILO")) != GINV_OK) break;
        const float *x = lik_grad(&s, op, o, s.h);
        res->grad_evals++;
        long u = t - o->burn;
        if (u >= 0 && u % o->thin == 0) record(&s, (int)(u / o->thin), x);
        st = step(&s, pr, o, t, res);
        snprintf(what, sizeof what, "SGILO %s", t < o->burn ? "burn-in" : "sampling");
        ginv_progress(what, t + 1, total);
    }
    if (st == GINV_OK) st = finish(&s, op, Y, o, res);
    state_free(&s);
    return st;
}

ginv_status ginv_sgilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                           const ginv_score_prior *prior, const ginv_sgilo_opts *o,
                           ginv_sgilo_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(Y);
    GINV_NONNULL(prior);
    GINV_NONNULL(o);
    ginv_sgilo_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    ginv_status st = ginv_run_leave(&sc, sgilo_run(net, op, N, Y, prior, &oc, res));
    if (st != GINV_OK) ginv_sgilo_result_release(res);
    return st;
}
