/* norm.c — ||A||^2 (the largest eigenvalue of A^T A) by power iteration:
 * v <- A^T A v / ||A^T A v|| from a fixed random start (stream (0,
 * GINV_STREAM_OPNORM, 0)), the Rayleigh quotient ||A v||^2 after the last
 * step. It approaches ||A||^2 from below. */
#include "ginv.h"

#include <math.h>

ginv_status ginv_op_sqnorm(const ginv_op *op, int iters, double *out)
{
    if (!op || !out) return ginv_fail(GINV_ERR_ARG, "ginv_op_sqnorm: op and out must not be NULL");
    if (iters < 1) return ginv_fail(GINV_ERR_ARG, "ginv_op_sqnorm: iters = %d; need >= 1", iters);
    size_t m = (size_t)ginv_op_m(op), n = (size_t)ginv_op_n(op);
    float *v = ginv_malloc(n * sizeof(float)), *Av = ginv_malloc(m * sizeof(float));
    if (!v || !Av) {
        ginv_free(v);
        ginv_free(Av);
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_sqnorm: out of memory");
    }
    ginv_rng r;
    ginv_rng_init(&r, 0, GINV_STREAM_OPNORM, 0);
    ginv_rng_normal_f32(&r, v, n, 1.0);
    double est = 0;
    ginv_status st = GINV_OK;
    for (int it = 0; it < iters; it++) {
        double nv = 0;
        for (size_t j = 0; j < n; j++) nv += (double)v[j] * v[j];
        if (!(nv > 0) || !isfinite(nv)) {
            if (nv == 0) { /* A^T A v = 0: v in the null space; A = 0 or an unlucky start */
                est = 0;
                break;
            }
            st = ginv_fail(GINV_ERR_NUMERIC, "ginv_op_sqnorm: the iterate is not finite at step %d; "
                           "the operator's entries must be finite", it);
            break;
        }
        float s = (float)(1.0 / sqrt(nv));
        for (size_t j = 0; j < n; j++) v[j] *= s;
        ginv_op_apply(op, 1, v, Av);
        est = 0;
        for (size_t i = 0; i < m; i++) est += (double)Av[i] * Av[i];
        ginv_op_adjoint(op, 1, Av, v);
    }
    ginv_free(v);
    ginv_free(Av);
    if (st == GINV_OK && !isfinite(est))
        st = ginv_fail(GINV_ERR_NUMERIC, "ginv_op_sqnorm: ||A v||^2 is not finite");
    *out = st == GINV_OK ? est : NAN;
    return st;
}
