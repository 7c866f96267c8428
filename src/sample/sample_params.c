/* sample_params.c — `sample`'s parameter table, its check, and the setup
 * that turns parameters into a posterior and ginv_sample_opts: the energy
 * U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z) (Daras et al. 2022 eq. 2
 * with beta; Pareek & Risteski 2021 eq. 6) on trial `trial`'s problem, and
 * the chains' options. `ginv sample`, the sweep's sample units and library
 * callers all go through here. */
#include "ginv.h"
#include "base/check_internal.h"
#include "infer/problem_rows.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define F(x) offsetof(ginv_sample_params, x)
static const char *const priors[] = {"gaussian", "uniform", "none", NULL};
static const char *const samplers[] = {"ula", "mala", "projected", "annealed", "hmc", "nuts", NULL};
static const char *const adapts[] = {"on", "off", "step", NULL};
static const char *const starts[] = {"zero", "gd", "random", "negative", "truth", NULL};
static const char *const preconds[] = {"none", "laplace", NULL};

static const ginv_param_def sample_defs[] = {
    GINV_PROBLEM_ROWS(F),
    {"noise", GINV_PARAM_DOUBLE, F(noise), "SIGMA", "std of the Gaussian noise added to simulated y; the likelihood's sigma unless --sigma", "0", 0, 1e30, NULL},
    {"sigma", GINV_PARAM_DOUBLE, F(sigma), "S", "the likelihood's noise level: U = ||A G(z) - y||^2 / (2 S^2) + prior (default: --noise)", NULL, 0, 1e30, NULL},
    {"prior", GINV_PARAM_STRING, F(prior), "gaussian|uniform|none", "prior on z: 1/2||z||^2, uniform on the ball (--radius), or none", "gaussian", 0, 0, priors},
    {"sampler", GINV_PARAM_STRING, F(sampler), "ula|mala|projected|annealed|hmc|nuts", "chain: z <- z - eta grad U + sqrt(2 eta/beta) u, adjusted, projected or annealed; Hamiltonian Monte Carlo; the No-U-Turn Sampler (Stan's)", "ula", 0, 0, samplers},
    {"step", GINV_PARAM_DOUBLE, F(step), "ETA", "step size (eta; hmc/nuts: the leapfrog step); with adaptation the initial step (default: Stan's heuristic); required for projected, annealed, ula without --adapt, and with --adapt off", NULL, 0, 1e30, NULL},
    {"adapt", GINV_PARAM_STRING, F(adapt), "on|off|step", "warm-up adaptation during the burn-in (mala, hmc, nuts: default on, off with --temps; ula: when asked, by a MALA warm-up): step by dual averaging toward --target-accept and the diagonal metric in Stan's windows; step: the step only", NULL, 0, 0, adapts},
    {"target-accept", GINV_PARAM_DOUBLE, F(target_accept), "P", "with adaptation: the acceptance to reach, in (0, 1) (default mala 0.574, hmc and nuts 0.8, ula's MALA warm-up 0.95)", NULL, 0, 1, NULL},
    {"leapfrog", GINV_PARAM_INT, F(leapfrog), "L", "hmc: leapfrog steps per transition", "10", 1, 1 << 20, NULL},
    {"max-depth", GINV_PARAM_INT, F(max_depth), "D", "nuts: largest tree depth (2^D - 1 leapfrog steps)", "10", 1, 30, NULL},
    {"temperature", GINV_PARAM_DOUBLE, F(temperature), "BETA", "inverse temperature: the chains target exp(-beta U)", "1", 0, 1e30, NULL},
    {"chains", GINV_PARAM_INT, F(chains), "C", "chains, run in one batch", "4", 1, 1 << 20, NULL},
    {"burn-in", GINV_PARAM_INT, F(burn_in), "TB", "steps discarded first", "500", 0, 1 << 30, NULL},
    {"samples", GINV_PARAM_INT, F(samples), "S", "samples kept per chain", "1000", 4, 1 << 30, NULL},
    {"thin", GINV_PARAM_INT, F(thin), "K", "keep every K-th step after the burn-in", "1", 1, 1 << 20, NULL},
    {"start", GINV_PARAM_STRING, F(start), "zero|gd|random|negative|truth", "chain start: 0, GD from 0 on 1/2||A G(z) - y||^2 (Pareek-Risteski Thm 1), N(0, S^2 I), near -z0: -z0 + N(0, (S ||z0||)^2 I/k), or z0 + that noise", "zero", 0, 0, starts},
    {"start-scale", GINV_PARAM_DOUBLE, F(start_scale), "S", "with --start random / negative / truth: the scale S (default 1 / 0.05 / 0)", NULL, 0, 1e6, NULL},
    {"gd-iters", GINV_PARAM_INT, F(gd_iters), "T", "with --start gd: GD iterations", "1000", 0, 1 << 30, NULL},
    {"gd-lr", GINV_PARAM_DOUBLE, F(gd_lr), "ETA", "with --start gd: GD step size", "0.1", 0, 1e30, NULL},
    {"radius", GINV_PARAM_DOUBLE, F(radius), "R", "projected sampler / uniform prior: the ball's radius", NULL, 0, 1e30, NULL},
    {"levels", GINV_PARAM_INT, F(levels), "L", "annealed: geometric noise levels over the burn-in", "10", 1, 1 << 20, NULL},
    {"level-max", GINV_PARAM_DOUBLE, F(level_max), "S0", "annealed: the first level (the last is 1)", "10", 1, 1e6, NULL},
    {"temps", GINV_PARAM_INT, F(temps), "R", "ula, mala: parallel tempering with R rungs per chain (1: off); only rung 0 (temperature 1) is kept", "1", 1, 64, NULL},
    {"temp-max", GINV_PARAM_DOUBLE, F(temp_max), "T", "with --temps: the hottest rung's temperature (geometric ladder 1 .. T)", "10", 1, 1e12, NULL},
    {"swap-every", GINV_PARAM_INT, F(swap_every), "K", "with --temps: propose swaps of adjacent rungs every K steps", "1", 1, 1 << 30, NULL},
    {"precond", GINV_PARAM_STRING, F(precond), "none|laplace", "laplace: the Gauss-Newton Hessian at the GD point, H = (A J)^T(A J)/sigma^2 + I (needs --start gd and the gaussian prior); ula, mala: P = H^-1 preconditions every step, so flat and stiff directions move at one pace; hmc, nuts: H^-1 is the warm-up's initial inverse metric (its diagonal, or all of it with --metric dense), adapted from there", "none", 0, 0, preconds},
};
#undef F

static const char *const sample_aliases[] = {"init", "start", "init-scale", "start-scale", NULL};

const ginv_param_table ginv_sample_table = {
    "sample", sample_defs, (int)(sizeof sample_defs / sizeof sample_defs[0]),
    sizeof(ginv_sample_params), sample_aliases};

void ginv_sample_params_init(ginv_sample_params *p)
{
    if (p) ginv_param_defaults(&ginv_sample_table, p);
}

/* mala, hmc and nuts have an accept step to adapt toward */
static int adjusted(const ginv_sampler_type *t)
{
    return t == ginv_sampler_mala || t == ginv_sampler_hmc || t == ginv_sampler_nuts;
}

/* The adaptation used: the parameter, or on for the adjusted samplers
 * without tempering. */
static const char *adapt_used(const ginv_sample_params *p, const ginv_sampler_type *t)
{
    return p->adapt ? p->adapt : adjusted(t) && p->temps <= 1 ? "on" : "off";
}

static ginv_status check_sampler(const ginv_sample_params *p, const ginv_sampler_type *t, ginv_prior prior)
{
    const char *adapt = adapt_used(p, t);
    int on = strcmp(adapt, "off") != 0;
    if (on && !adjusted(t) && t != ginv_sampler_ula)
        return ginv_fail(GINV_ERR_ARG, "parameter 'adapt' %s: %s has no accept step to adapt toward; give "
                                       "parameter 'step' (e.g. the adapted step of a mala run, its JSON "
                                       "adaptation.step_size)", adapt, p->sampler);
    if (on && p->temps > 1)
        return ginv_fail(GINV_ERR_ARG, "parameter 'adapt' %s with parameter 'temps': give parameter 'step' and "
                                       "parameter 'adapt' off", adapt);
    if (!isnan(p->target_accept) && !(p->target_accept > 0 && p->target_accept < 1))
        return ginv_fail(GINV_ERR_ARG, "parameter 'target-accept' %g must lie in (0, 1)", p->target_accept);
    if (!isnan(p->step) && !(p->step > 0)) return ginv_fail(GINV_ERR_ARG, "parameter 'step' must be positive");
    if (isnan(p->step) && !on)
        return ginv_fail(GINV_ERR_ARG, "parameter 'step' (> 0) is required without adaptation (parameter "
                                       "'adapt' off or parameter 'sampler' %s%s)", p->sampler,
                         t == ginv_sampler_ula ? "; ula adapts only when asked: parameter 'adapt' on or step "
                                                 "runs a MALA warm-up" : "");
    if (!(p->temperature > 0)) return ginv_fail(GINV_ERR_ARG, "parameter 'temperature' must be positive");
    if ((t == ginv_sampler_projected || prior == GINV_PRIOR_UNIFORM) && !(p->radius > 0))
        return ginv_fail(GINV_ERR_ARG, "parameter 'sampler' projected and parameter 'prior' uniform need "
                                       "parameter 'radius' > 0");
    if (!strcmp(p->precond, "laplace") &&
        (strcmp(p->start, "gd") || prior != GINV_PRIOR_GAUSSIAN ||
         (t != ginv_sampler_ula && t != ginv_sampler_mala && t != ginv_sampler_hmc && t != ginv_sampler_nuts)))
        return ginv_fail(GINV_ERR_ARG, "parameter 'precond' laplace needs parameter 'start' gd, parameter "
                                       "'prior' gaussian and parameter 'sampler' ula, mala, hmc or nuts (it "
                                       "is the Hessian at the GD point)");
    return GINV_OK;
}

ginv_status ginv_sample_check(const ginv_sample_params *p)
{
    GINV_NONNULL(p);
    ginv_status st = ginv_param_validate(&ginv_sample_table, p);
    if (st != GINV_OK) return st;
    if ((st = ginv_problem_check(p->model, p->layers, p->image)) != GINV_OK) return st;
    if (!p->op || !p->sampler || !p->prior || !p->start || !p->precond || !p->weights || !p->act)
        return ginv_fail(GINV_ERR_ARG, "parameters 'op', 'sampler', 'prior', 'start', 'precond', 'weights' "
                                       "and 'act' need values");
    const ginv_sampler_type *t = ginv_sampler_find(p->sampler);
    ginv_prior prior;
    if (!t || ginv_prior_parse(p->prior, &prior) != GINV_OK) /* the table's choices make this unreachable */
        return ginv_fail(GINV_ERR_ARG, "parameters 'sampler' '%s' and 'prior' '%s'", p->sampler, p->prior);
    if ((st = check_sampler(p, t, prior)) != GINV_OK) return st;
    double sigma = isnan(p->sigma) ? p->noise : p->sigma;
    if (!(sigma > 0))
        return ginv_fail(GINV_ERR_ARG, "the likelihood needs a noise level: give parameter 'noise' > 0 or "
                                       "parameter 'sigma' > 0");
    return GINV_OK;
}

void ginv_sample_setup_release(ginv_sample_setup *s)
{
    if (!s) return;
    if (s->have_ops) ginv_op_spec_release(&s->ops);
    ginv_posterior_free(s->post);
    ginv_op_free(s->op);
    ginv_net_free(s->net);
    ginv_free(s->z0);
    ginv_free(s->y);
    ginv_free(s->zinit);
    memset(s, 0, sizeof *s);
}

/* Chains started around the truth: -1 (start negative), +1 (truth), 0 (not). */
static int start_sign(const ginv_sample_params *p)
{
    return !strcmp(p->start, "negative") ? -1 : !strcmp(p->start, "truth") ? 1 : 0;
}

/* The options from the parameters (after ginv_sample_check). */
static void fill_opts(ginv_sample_setup *s, const ginv_sample_params *p, uint64_t seed)
{
    ginv_sample_opts *o = &s->opts;
    ginv_sample_opts_init(o);
    o->type = ginv_sampler_find(p->sampler);
    s->adapt = adapt_used(p, o->type);
    o->adapt = !strcmp(s->adapt, "on") ? GINV_ADAPT_ALL : !strcmp(s->adapt, "step") ? GINV_ADAPT_STEP : GINV_ADAPT_OFF;
    o->step = isnan(p->step) ? 0 : p->step; /* 0: Stan's initial-step heuristic */
    o->target_accept = isnan(p->target_accept) ? 0 : p->target_accept;
    o->leapfrog = p->leapfrog;
    o->max_depth = p->max_depth;
    o->beta = p->temperature;
    o->chains = p->chains, o->burn_in = p->burn_in, o->samples = p->samples, o->thin = p->thin;
    int sign = start_sign(p);
    if (sign) o->init = GINV_CHAIN_INIT_GIVEN;
    else ginv_chain_init_parse(p->start, &o->init);
    o->init_sd = !isnan(p->start_scale) ? p->start_scale : sign < 0 ? 0.05 : sign > 0 ? 0.0 : 1.0;
    o->gd_iters = p->gd_iters, o->gd_lr = p->gd_lr;
    o->radius = isnan(p->radius) ? -1 : p->radius;
    o->levels = p->levels, o->level_max = p->level_max;
    o->temps = p->temps, o->temp_max = p->temp_max, o->swap_every = p->swap_every;
    ginv_precond_parse(p->precond, &o->precond);
    o->seed = seed;
    o->threads = 1;
}

/* -+z0 + N(0, (S ||z0||)^2 I / k), chain c from stream (seed, SAMPLE, 4c), as
 * `recover --start negative` */
static ginv_status chain_starts(ginv_sample_setup *s, int sign, uint64_t seed)
{
    int k = s->k, C = s->opts.chains;
    if (!s->z0) return ginv_fail(GINV_ERR_ARG, "parameter 'start' %s needs a truth, not a given y",
                                 sign < 0 ? "negative" : "truth");
    double nz = 0;
    for (int j = 0; j < k; j++) nz += (double)s->z0[j] * s->z0[j];
    if (!(s->zinit = ginv_malloc(sizeof(float) * (size_t)C * k)))
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d chain starts", C);
    for (int c = 0; c < C; c++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_SAMPLE, (uint64_t)c * 4);
        float *zc = s->zinit + (size_t)c * k;
        ginv_rng_normal_f32(&r, zc, (size_t)k, s->opts.init_sd * sqrt(nz / k));
        for (int j = 0; j < k; j++) zc[j] += sign * s->z0[j];
    }
    s->opts.init_z = s->zinit;
    return GINV_OK;
}

ginv_status ginv_sample_setup_init(ginv_sample_setup *s, const ginv_sample_params *p, uint64_t seed,
                                   uint64_t trial, const float *truth, size_t truth_count, const float *y,
                                   size_t y_count)
{
    GINV_NONNULL(s);
    memset(s, 0, sizeof *s);
    GINV_NONNULL(p);
    ginv_status st = ginv_sample_check(p);
    if (st != GINV_OK) return st;
    if (y && truth) return ginv_fail(GINV_ERR_ARG, "a given y and a given truth exclude each other: with y there is no truth");
    fill_opts(s, p, seed);
    ginv_prior_parse(p->prior, &s->prior);
    s->sigma = isnan(p->sigma) ? p->noise : p->sigma;
    if ((st = ginv_problem_draw(&GINV_PROBLEM_VIEW(*p), p->weights, p->bias_sd, p->noise, seed, trial, truth,
                                truth_count, y, y_count, s->spec, &s->nspec, &s->ops, &s->have_ops, &s->net, &s->op, &s->z0, &s->y,
                                &s->m)) != GINV_OK)
        return st;
    s->k = ginv_net_in(s->net), s->n = ginv_net_out(s->net);
    int sign = start_sign(p);
    if (sign && (st = chain_starts(s, sign, seed)) != GINV_OK) return st;
    return ginv_posterior_new(&s->post, s->net, s->op, s->y, 1, s->sigma, s->prior,
                              s->opts.chains * s->opts.temps);
}
