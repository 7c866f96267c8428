/* solve.c — the one driver loop every solver shares: evaluate f and its
 * gradient for the whole batch, stop on NaN/Inf or (optionally) on a small
 * change in f, take the solver's step. */
#include "infer/solver_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

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

struct ginv_solver {
    ginv_objective *obj;
    ginv_solve_opts o;
    int B, k, t, converged;
    float *z;     /* (B, k) the caller's */
    void *state;  /* the algorithm's */
    float *grad;  /* (B, k) */
    double *prev; /* (B) f at the previous iterate */
};

static ginv_status check_opts(const ginv_solve_opts *o)
{
    if (!o->type) return ginv_fail(GINV_ERR_ARG, "no solver given");
    if (!(o->lr > 0) || !isfinite(o->lr))
        return ginv_fail(GINV_ERR_ARG, "step size %g must be positive and finite", o->lr);
    if (o->iters < 0) return ginv_fail(GINV_ERR_ARG, "iterations %d must be >= 0", o->iters);
    if (!(o->tol >= 0)) return ginv_fail(GINV_ERR_ARG, "tolerance %g must be >= 0", o->tol);
    return GINV_OK;
}

void ginv_solver_free(ginv_solver *s)
{
    if (!s) return;
    ginv_free(s->state);
    ginv_free(s->grad);
    ginv_free(s->prev);
    ginv_free(s);
}

ginv_status ginv_solver_new(ginv_solver **out, ginv_objective *obj, const ginv_solve_opts *o, int B,
                            float *z)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(obj);
    GINV_NONNULL(o);
    ginv_status st = check_opts(o);
    if (st != GINV_OK) return st;
    if (B < 1 || !z) return ginv_fail(GINV_ERR_ARG, "a solver needs a batch of at least one latent");
    ginv_solver *s = ginv_calloc(1, sizeof *s);
    if (!s) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    s->obj = obj;
    s->o = *o;
    s->B = B;
    s->k = ginv_objective_k(obj);
    s->z = z;
    size_t ssz = o->type->state_size(B, s->k);
    s->state = ssz ? ginv_malloc(ssz) : NULL;
    s->grad = ginv_malloc((size_t)B * s->k * sizeof(float));
    s->prev = ginv_malloc((size_t)B * sizeof(double));
    if ((ssz && !s->state) || !s->grad || !s->prev) {
        ginv_solver_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    o->type->init(s->state, o, B, s->k);
    *out = s;
    return GINV_OK;
}

ginv_status ginv_solver_step(ginv_solver *s, double *f, int *done)
{
    GINV_NONNULL(done);
    *done = 0;
    GINV_NONNULL(s);
    GINV_NONNULL(f);
    if (s->converged || s->t >= s->o.iters) {
        *done = 1;
        return ginv_objective_eval(s->obj, s->B, s->z, f, NULL);
    }
    int B = s->B, t = s->t;
    ginv_status st = ginv_objective_eval(s->obj, B, s->z, f, s->grad);
    if (st != GINV_OK) return st;
    for (int b = 0; b < B; b++)
        if (!isfinite(f[b]))
            return ginv_fail(GINV_ERR_NUMERIC,
                             "the objective became %s at iteration %d (restart %d): the "
                             "iterate diverged; lower the step size",
                             isnan(f[b]) ? "NaN" : "infinite", t, b);
    if (s->o.tol > 0 && t > 0) {
        int all = 1;
        for (int b = 0; b < B && all; b++)
            all = fabs(f[b] - s->prev[b]) <= s->o.tol * fmax(1.0, fabs(s->prev[b]));
        if (all) {
            s->converged = 1;
            *done = 1;
            return GINV_OK;
        }
    }
    memcpy(s->prev, f, (size_t)B * sizeof(double));
    st = s->o.type->step(s->state, &s->o, s->obj, B, s->k, s->z, f, s->grad, t);
    if (st == GINV_OK) s->t++;
    *done = s->t >= s->o.iters;
    return st;
}

int ginv_solver_iter(const ginv_solver *s) { return s->t; }
int ginv_solver_converged(const ginv_solver *s) { return s->converged; }
int ginv_solver_flips(const ginv_solver *s, int b)
{
    return s->o.type->flips && s->state ? s->o.type->flips(s->state, b) : 0;
}

ginv_status ginv_solve(ginv_objective *obj, const ginv_solve_opts *o, int B, float *z,
                       double *f, ginv_solve_info *info)
{
    GINV_NONNULL(obj);
    GINV_NONNULL(o);
    GINV_NONNULL(z);
    GINV_NONNULL(f);
    ginv_solver *s = NULL;
    ginv_status st = ginv_solver_new(&s, obj, o, B, z);
    if (st != GINV_OK) return st;
    int done = o->iters == 0, cancelled = 0;
    while (!done) {
        /* the callback sees f at z before the update (f from the step's own
         * evaluation: the loop is the one ginv_solve always ran) */
        int t = s->t;
        if ((st = ginv_check_cancel("solver iteration")) != GINV_OK) break;
        if ((st = ginv_solver_step(s, f, &done)) != GINV_OK) break;
        if (o->on_iter && !s->converged && o->on_iter(o->user, t, B, f, z)) {
            cancelled = 1;
            break;
        }
    }
    int k = s->k;
    if (st == GINV_OK) {
        st = ginv_objective_eval(obj, B, z, f, NULL);
        for (int b = 0; st == GINV_OK && b < B; b++)
            if (!isfinite(f[b]) || !isfinite(z[(size_t)b * k]))
                st = ginv_fail(GINV_ERR_NUMERIC, "the iterate diverged (restart %d): lower the "
                                                 "step size", b);
    }
    if (info) {
        info->iters = s->t;
        info->converged = s->converged;
        info->cancelled = cancelled;
        if (info->flips)
            for (int b = 0; b < B; b++) info->flips[b] = ginv_solver_flips(s, b);
    }
    ginv_solver_free(s);
    return st;
}
