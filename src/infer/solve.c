/* solve.c — the one driver loop every solver shares: evaluate f and its
 * gradient for the whole batch, stop on NaN/Inf or (optionally) on a small
 * change in f, take the solver's step. */
#include "infer/solver_internal.h"

#include <math.h>
#include <string.h>

const ginv_solver_type *ginv_solver_find(const char *name)
{
    const ginv_solver_type *const all[] = {ginv_solver_gd, ginv_solver_adam, ginv_solver_signflip};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}

const char *ginv_solver_name(const ginv_solver_type *t) { return t->name; }

void ginv_solve_opts_init(ginv_solve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->type = ginv_solver_adam;
    o->lr = 0.01;
    o->iters = 1000;
    o->tol = 0;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
}

ginv_status ginv_solve(ginv_objective *obj, const ginv_solve_opts *o, int B, float *z,
                       double *f, ginv_solve_info *info)
{
    if (!o->type) return ginv_fail(GINV_ERR_ARG, "no solver given");
    if (!(o->lr > 0) || !isfinite(o->lr))
        return ginv_fail(GINV_ERR_ARG, "step size %g must be positive and finite", o->lr);
    if (o->iters < 0) return ginv_fail(GINV_ERR_ARG, "iterations %d must be >= 0", o->iters);
    if (!(o->tol >= 0)) return ginv_fail(GINV_ERR_ARG, "tolerance %g must be >= 0", o->tol);
    int k = ginv_objective_k(obj);
    size_t ssz = o->type->state_size(B, k);
    void *state = ssz ? ginv_malloc(ssz) : NULL;
    float *grad = ginv_malloc((size_t)B * k * sizeof(float));
    double *prev = ginv_malloc((size_t)B * sizeof(double));
    ginv_status st = GINV_OK;
    if ((ssz && !state) || !grad || !prev) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) o->type->init(state, o, B, k);
    int t = 0, converged = 0;
    for (; st == GINV_OK && t < o->iters; t++) {
        st = ginv_objective_eval(obj, B, z, f, grad);
        if (st != GINV_OK) break;
        for (int b = 0; b < B; b++)
            if (!isfinite(f[b])) {
                st = ginv_fail(GINV_ERR_NUMERIC,
                               "the objective became %s at iteration %d (restart %d): the "
                               "iterate diverged; lower the step size",
                               isnan(f[b]) ? "NaN" : "infinite", t, b);
                break;
            }
        if (st != GINV_OK) break;
        if (o->tol > 0 && t > 0) {
            int all = 1;
            for (int b = 0; b < B && all; b++)
                all = fabs(f[b] - prev[b]) <= o->tol * fmax(1.0, fabs(prev[b]));
            if (all) {
                converged = 1;
                break;
            }
        }
        memcpy(prev, f, (size_t)B * sizeof(double));
        st = o->type->step(state, o, obj, B, k, z, f, grad, t);
    }
    if (st == GINV_OK) {
        st = ginv_objective_eval(obj, B, z, f, NULL);
        for (int b = 0; st == GINV_OK && b < B; b++)
            if (!isfinite(f[b]) || !isfinite(z[(size_t)b * k]))
                st = ginv_fail(GINV_ERR_NUMERIC, "the iterate diverged (restart %d): lower the "
                                                 "step size", b);
    }
    if (info) {
        info->iters = t;
        info->converged = converged;
        if (info->flips)
            for (int b = 0; b < B; b++)
                info->flips[b] = o->type->flips && state ? o->type->flips(state, b) : 0;
    }
    ginv_free(state);
    ginv_free(grad);
    ginv_free(prev);
    return st;
}
