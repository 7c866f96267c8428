/* adam.c — Adam (Kingma & Ba 2015) on the latent, elementwise, with bias
 * correction; each row of the batch is an independent restart. */
#include "infer/solver_internal.h"

#include <math.h>
#include <string.h>

static size_t adam_size(int B, int k) { return 2 * (size_t)B * k * sizeof(float); }

static void adam_init(void *s, const ginv_solve_opts *o, int B, int k)
{
    memset(s, 0, adam_size(B, k));
}

static ginv_status adam_step(void *s, const ginv_solve_opts *o, ginv_objective *obj, int B,
                             int k, float *z, const double *f, float *grad, int t)
{
    size_t n = (size_t)B * k;
    float *mom = s, *vel = mom + n;
    float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
    double c1 = 1.0 - pow(o->beta1, t + 1), c2 = 1.0 - pow(o->beta2, t + 1);
    float step = (float)(o->lr / c1), rc2 = (float)(1.0 / sqrt(c2));
    for (size_t i = 0; i < n; i++) {
        float g = grad[i];
        mom[i] = b1 * mom[i] + (1.0f - b1) * g;
        vel[i] = b2 * vel[i] + (1.0f - b2) * g * g;
        z[i] -= step * mom[i] / (sqrtf(vel[i]) * rc2 + eps);
    }
    return GINV_OK;
}

static const ginv_solver_type adam_type = {"adam", adam_size, adam_init, adam_step, NULL};
const ginv_solver_type *const ginv_solver_adam = &adam_type;
