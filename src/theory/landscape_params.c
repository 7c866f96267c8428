/* landscape_params.c — `landscape`'s parameter table, its check, and the
 * setup that draws the problem whose noiseless empirical risk
 * f(z) = 1/2 ||A G(z) - A G(z0)||^2 (Hand & Voroninski 2019, §II; Lemma 10:
 * stationary points only near z0 and -rho_d z0) the command and the sweep's
 * landscape units measure. */
#include "ginv.h"
#include "base/check_internal.h"
#include "infer/problem_rows.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define F(x) offsetof(ginv_landscape_params, x)
static const ginv_param_def landscape_defs[] = {
    GINV_PROBLEM_ROWS(F),
    {"points", GINV_PARAM_INT, F(points), "N", "points on the line t z0, t in [-R, R]", "201", 3, 100000, NULL},
    {"range", GINV_PARAM_DOUBLE, F(range), "R", "half-width of the line and the plane, in units of ||z0||", "2", 0.01, 1000, NULL},
    {"grid", GINV_PARAM_INT, F(grid), "G", "the plane is a G x G grid", "41", 2, 1001, NULL},
    {"inits", GINV_PARAM_INT, F(inits), "I", "random initialisations for the basins (GD)", "20", 1, 1 << 20, NULL},
    {"iters", GINV_PARAM_INT, F(iters), "T", "GD iterations per initialisation", "500", 0, 1 << 30, NULL},
    {"lr", GINV_PARAM_DOUBLE, F(lr), "ETA", "GD step size", "1", 1e-12, 1e12, NULL},
    {"radius", GINV_PARAM_DOUBLE, F(radius), "E", "an init ends near a point when within E ||z0|| of it", "0.1", 1e-9, 10, NULL},
};
#undef F

const ginv_param_table ginv_landscape_table = {
    "landscape", landscape_defs, (int)(sizeof landscape_defs / sizeof landscape_defs[0]),
    sizeof(ginv_landscape_params), NULL};

void ginv_landscape_params_init(ginv_landscape_params *p)
{
    if (p) {
        ginv_param_defaults(&ginv_landscape_table, p);
        p->op = "identity"; /* the landscape of G itself unless an operator is given */
    }
}

ginv_status ginv_landscape_check(const ginv_landscape_params *p)
{
    GINV_NONNULL(p);
    ginv_status st = ginv_param_validate(&ginv_landscape_table, p);
    if (st != GINV_OK) return st;
    if ((st = ginv_problem_check(p->model, p->layers, p->image)) != GINV_OK) return st;
    if (!p->op || !p->weights || !p->act)
        return ginv_fail(GINV_ERR_ARG, "parameters 'op', 'weights' and 'act' need values");
    return GINV_OK;
}

void ginv_landscape_setup_release(ginv_landscape_setup *s)
{
    if (!s) return;
    ginv_landscape_free(s->ls);
    if (s->have_ops) ginv_op_spec_release(&s->ops);
    ginv_op_free(s->op);
    ginv_net_free(s->net);
    ginv_free(s->z0);
    memset(s, 0, sizeof *s);
}

ginv_status ginv_landscape_setup_init(ginv_landscape_setup *s, const ginv_landscape_params *p,
                                      uint64_t seed, uint64_t trial, const float *truth, size_t truth_count)
{
    GINV_NONNULL(s);
    memset(s, 0, sizeof *s);
    GINV_NONNULL(p);
    ginv_status st = ginv_landscape_check(p);
    if (st != GINV_OK) return st;
    float *ynone = NULL; /* no noise; the measurements are the landscape's own business */
    st = ginv_problem_draw(&GINV_PROBLEM_VIEW(*p), p->weights, p->bias_sd, 0.0, seed, trial, truth, truth_count, NULL, 0,
                           s->spec,
                           &s->nspec, &s->ops, &s->have_ops, &s->net, &s->op, &s->z0, &ynone, &s->m);
    ginv_free(ynone);
    if (st != GINV_OK) return st;
    int k = s->k = ginv_net_in(s->net);
    s->n = ginv_net_out(s->net);
    for (int i = 0; i < ginv_net_nlayers(s->net); i++) s->d += ginv_net_layer_c(s->net, i)->kind == GINV_LAYER_RELU;
    s->rho = s->d >= 1 ? ginv_theory_rho(s->d) : NAN;
    double nz = 0;
    for (int i = 0; i < k; i++) nz += (double)s->z0[i] * s->z0[i];
    s->z0_norm = sqrt(nz);
    if (k < 2) return ginv_fail(GINV_ERR_ARG, "the plane needs a latent size k >= 2 (the generator has k = %d)", k);
    int cap = p->points > 2 * k ? p->points : 2 * k; /* the line; the Hessian's 2k points */
    int basin = p->inits < 1024 ? p->inits : 1024;
    if (cap < basin) cap = basin;
    if (cap < 64) cap = 64;
    return ginv_landscape_new(&s->ls, s->net, s->op, s->z0, cap);
}
