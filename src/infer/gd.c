/* gd.c — plain (sub)gradient descent z <- z - lr * v, with v the gradient of
 * eq. (4), or its one-sided limit eq. (5) at kinks. */
#include "infer/solver_internal.h"

static size_t gd_size(int B, int k) { return 0; }
static void gd_init(void *s, const ginv_solve_opts *o, int B, int k) {}

static ginv_status gd_step(void *s, const ginv_solve_opts *o, ginv_objective *obj, int B, int k,
                           float *z, const double *f, float *grad, int t)
{
    float lr = (float)o->lr;
    for (size_t i = 0; i < (size_t)B * k; i++) z[i] -= lr * grad[i];
    return GINV_OK;
}

static const ginv_solver_type gd_type = {"gd", gd_size, gd_init, gd_step, NULL};
const ginv_solver_type *const ginv_solver_gd = &gd_type;
