/* noise.c — additive Gaussian measurement noise. Noise is not an operator:
 * it is added to y once, from its own random stream. */
#include "ginv.h"

/* y (n) += N(0, sigma^2) i.i.d., drawn from stream (seed, NOISE, index);
 * sigma <= 0 (or NaN) adds nothing */
void ginv_add_noise(float *y, size_t n, double sigma, uint64_t seed, uint64_t index)
{
    if (!(sigma > 0) || !y) return;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_NOISE, index);
    for (size_t i = 0; i < n; i++) y[i] = (float)((double)y[i] + sigma * ginv_rng_normal(&r));
}
