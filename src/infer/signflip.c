/* signflip.c — subgradient descent with the negation check (Huang, Hand,
 * Heckel & Voroninski's scheme, which the Hand & Voroninski landscape
 * motivates): each iteration, if f(-z) < f(z) replace z by -z, then take the
 * step z <- z - lr v with v from eq. (4) (eq. (5) at kinks). Escapes the
 * basin of the spurious stationary point near -rho_d z0. */
#include "infer/solver_internal.h"

#include <string.h>

typedef struct {
    int B, k;
    float *zneg;   /* (B, k) */
    double *fneg;  /* (B) */
    int *flips;    /* (B) */
} sf_state;

static size_t sf_size(int B, int k)
{
    return sizeof(sf_state) + (size_t)B * k * sizeof(float) + (size_t)B * sizeof(double) +
           (size_t)B * sizeof(int) + 16;
}

static void sf_init(void *s, const ginv_solve_opts *o, int B, int k)
{
    sf_state *st = s;
    st->B = B;
    st->k = k;
    st->fneg = (double *)(st + 1);
    st->zneg = (float *)(st->fneg + B);
    st->flips = (int *)(st->zneg + (size_t)B * k);
    memset(st->flips, 0, (size_t)B * sizeof(int));
}

static ginv_status sf_step(void *s, const ginv_solve_opts *o, ginv_objective *obj, int B, int k,
                           float *z, const double *f, float *grad, int t)
{
    sf_state *st = s;
    size_t n = (size_t)B * k;
    for (size_t i = 0; i < n; i++) st->zneg[i] = -z[i];
    ginv_status rc = ginv_objective_eval(obj, B, st->zneg, st->fneg, NULL);
    if (rc != GINV_OK) return rc;
    int flipped = 0;
    for (int b = 0; b < B; b++)
        if (st->fneg[b] < f[b]) {
            memcpy(z + (size_t)b * k, st->zneg + (size_t)b * k, (size_t)k * sizeof(float));
            st->flips[b]++;
            flipped = 1;
        }
    if (flipped) {
        /* the step is taken from the flipped point: its gradient (rare) */
        double *ftmp = st->fneg;
        if ((rc = ginv_objective_eval(obj, B, z, ftmp, grad)) != GINV_OK) return rc;
    }
    float lr = (float)o->lr;
    for (size_t i = 0; i < n; i++) z[i] -= lr * grad[i];
    return GINV_OK;
}

static int sf_flips(const void *s, int b) { return ((const sf_state *)s)->flips[b]; }

static const ginv_solver_type sf_type = {"signflip", sf_size, sf_init, sf_step, sf_flips};
const ginv_solver_type *const ginv_solver_signflip = &sf_type;
