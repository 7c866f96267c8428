/* solver_internal.h — the solver type table: each algorithm is a name, a
 * state size and init/step/release, so one driver loop (solve.c) runs all of
 * them and the caller can observe every iterate. */
#ifndef GINV_SOLVER_INTERNAL_H
#define GINV_SOLVER_INTERNAL_H

#include "ginv.h"

struct ginv_solver_type {
    const char *name;
    /* bytes of state for a batch of B latents of size k */
    size_t (*state_size)(int B, int k);
    void (*init)(void *state, const ginv_solve_opts *o, int B, int k);
    /* one update of z (B x k) given f (B) and grad (B x k) at z, iteration t
     * (0-based); may re-evaluate obj (grad is scratch it may overwrite) */
    ginv_status (*step)(void *state, const ginv_solve_opts *o, ginv_objective *obj, int B, int k,
                        float *z, const double *f, float *grad, int t);
    /* sign flips made so far by row b, or NULL for solvers that never flip */
    int (*flips)(const void *state, int b);
};

#endif
