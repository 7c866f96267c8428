/* noise.c — additive Gaussian measurement noise. Noise is not an operator:
 * it is added to y once, from its own random stream. */
#include "ginv.h"

#include <math.h>

/* y (n) += N(0, sigma^2) i.i.d., drawn from stream (seed, NOISE, index);
 * sigma <= 0 (or NaN) adds nothing */
void ginv_add_noise(float *y, size_t n, double sigma, uint64_t seed, uint64_t index)
{
    if (!(sigma > 0) || !y) return;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_NOISE, index);
    for (size_t i = 0; i < n; i++) y[i] = (float)((double)y[i] + sigma * ginv_rng_normal(&r));
}

/* The noise model of each link (docs/operators.md): linear y = A x + e;
 * phaseless (ABS, CABS) y = max(0, |A x| + e), each magnitude its own e;
 * 1-bit y = sign(A x + e) (noise before quantisation). Row b's e from
 * stream (seed, NOISE, first_index + b). */
ginv_status ginv_op_observe(const ginv_op *op, int B, const float *X, double sigma,
                            uint64_t seed, uint64_t first_index, float *Y)
{
    if (!op) return ginv_fail(GINV_ERR_ARG, "ginv_op_observe: op is NULL");
    if (!X) return ginv_fail(GINV_ERR_ARG, "ginv_op_observe: X is NULL");
    if (!Y) return ginv_fail(GINV_ERR_ARG, "ginv_op_observe: Y is NULL");
    if (B < 0 || isnan(sigma) || sigma < 0)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_observe: B = %d and sigma = %g; need B >= 0 and "
                         "sigma >= 0", B, sigma);
    ginv_link link = ginv_op_link(op);
    int mag = link == GINV_LINK_ABS || link == GINV_LINK_CABS, m = ginv_op_m(op);
    if (mag) ginv_op_measure(op, B, X, Y);
    else ginv_op_apply(op, B, X, Y);
    for (int b = 0; b < B; b++) {
        float *y = Y + (size_t)b * m;
        ginv_add_noise(y, (size_t)m, sigma, seed, first_index + (uint64_t)b);
        if (mag)
            for (int i = 0; i < m; i++) y[i] = y[i] > 0 ? y[i] : 0.0f;
        if (link == GINV_LINK_SIGN)
            for (int i = 0; i < m; i++) y[i] = y[i] < 0 ? -1.0f : 1.0f;
    }
    return GINV_OK;
}
