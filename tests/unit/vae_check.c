/* vae_check.c — shared by the VAE unit tests (test_vae.c, test_vae_gaussian.c):
 * data in [0, 1] and the directional finite-difference check of the mean
 * negative ELBO's parameter gradient. */
#include "test.h"
#include "vae_check.h"

#include <math.h>
#include <string.h>

void vae_fill_data(float *x, int N, int n, uint64_t seed)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, 999, 0);
    for (int i = 0; i < N * n; i++) x[i] = (float)ginv_rng_uniform(&r);
}

/* Directional derivative of the mean -ELBO along a random direction d of one
 * net's parameters: central difference (in double over float parameters)
 * against <grad, d>. */
void vae_check_direction(ginv_vae *v, ginv_net *net, int B, const float *x, const float *eps,
                            uint64_t seed)
{
    size_t np = ginv_net_nparams(net);
    float *p = ginv_net_params(net);
    float *p0 = ginv_malloc(np * sizeof(float)), *d = ginv_malloc(np * sizeof(float));
    memcpy(p0, p, np * sizeof(float));
    ginv_rng r;
    ginv_rng_init(&r, seed, 998, 0);
    ginv_rng_normal_f32(&r, d, np, 1.0);
    double loss;
    CHECK_OK(ginv_vae_loss(v, B, x, eps, &loss, NULL, NULL, 1));
    const float *g = ginv_net_grads(net);
    double gd = 0;
    for (size_t i = 0; i < np; i++) gd += (double)g[i] * d[i];
    const double h = 1e-3;
    double lp, lm;
    for (size_t i = 0; i < np; i++) p[i] = p0[i] + (float)(h * d[i]);
    CHECK_OK(ginv_vae_loss(v, B, x, eps, &lp, NULL, NULL, 0));
    for (size_t i = 0; i < np; i++) p[i] = p0[i] - (float)(h * d[i]);
    CHECK_OK(ginv_vae_loss(v, B, x, eps, &lm, NULL, NULL, 0));
    memcpy(p, p0, np * sizeof(float));
    double fd = (lp - lm) / (2 * h);
    CHECK_MSG(fabs(fd - gd) <= 2e-3 * fmax(1.0, fabs(gd)), "directional derivative: FD %.6g, "
              "gradient %.6g", fd, gd);
    ginv_free(p0);
    ginv_free(d);
}

void vae_check_both_nets(ginv_vae *v, int B, int n, int k, uint64_t seed)
{
    float *x = ginv_malloc((size_t)B * n * sizeof(float)), *eps = ginv_malloc((size_t)B * k * sizeof(float));
    vae_fill_data(x, B, n, seed);
    ginv_rng r;
    ginv_rng_init(&r, seed, 997, 0);
    ginv_rng_normal_f32(&r, eps, (size_t)B * k, 1.0);
    vae_check_direction(v, ginv_vae_encoder(v), B, x, eps, seed);
    vae_check_direction(v, ginv_vae_decoder_logits(v), B, x, eps, seed + 10);
    ginv_free(x);
    ginv_free(eps);
}
