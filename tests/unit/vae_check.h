/* vae_check.h — helpers of the VAE unit tests (vae_check.c). */
#ifndef GINV_TEST_VAE_CHECK_H
#define GINV_TEST_VAE_CHECK_H

#include "ginv.h"

/* N x n values uniform in [0, 1) from stream (seed, 999, 0) */
void vae_fill_data(float *x, int N, int n, uint64_t seed);
/* the directional derivative of the mean -ELBO along a random direction of
 * net's parameters (stream (seed, 998, 0)): central difference against
 * <grad, d>, within 2e-3 relative */
void vae_check_direction(ginv_vae *v, ginv_net *net, int B, const float *x, const float *eps,
                         uint64_t seed);

/* both nets' directions at B data rows (vae_fill_data) and noise eps from
 * (seed, 997, 0): the encoder with seed, the decoder with seed + 10 */
void vae_check_both_nets(ginv_vae *v, int B, int n, int k, uint64_t seed);

#endif
