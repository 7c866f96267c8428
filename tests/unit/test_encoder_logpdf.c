/* test_encoder_logpdf.c — log q(z | x) of an encoder's draw
 * (src/learn/encoder_logpdf.c): the amortised Gaussian encoder and a deep
 * latent Gaussian with one stochastic layer (the last) against Gaussian
 * densities computed here from their means, as products of 1-D densities;
 * exp(log q) integrates to 1 (a Riemann sum, d = 1); the encoder's own
 * draws have E[log q] = -entropy; the intractable cases are refused. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* the 1-D normal density */
static double npdf(double z, double mu, double sd)
{
    double u = (z - mu) / sd;
    return exp(-0.5 * u * u) / (sd * sqrt(2 * M_PI));
}

TEST(encoder_logpdf_is_the_gaussian_density_of_its_mean_and_variance)
{
    enum { N = 3, K = 2, B = 5 };
    int hidden[1] = {6};
    ginv_net *enc = NULL;
    CHECK_OK(ginv_encoder_new(&enc, N, K, 1, hidden, GINV_LAYER_TANH, 7));
    if (!enc) return;
    /* larger last-layer weights, so that sigma differs from 1 and between coordinates */
    ginv_layer *last = ginv_net_layer(enc, ginv_net_nlayers(enc) - 1);
    for (int i = 0; i < last->out * last->in; i++) last->W[i] *= 3;
    float x[B * N], z[B * K];
    ginv_rng r;
    ginv_rng_init(&r, 1, GINV_STREAM_USER + 115, 0);
    ginv_rng_normal_f32(&r, x, B * N, 1.0);
    ginv_rng_normal_f32(&r, z, B * K, 1.5);
    double lq[B], lq1[B];
    CHECK_OK(ginv_encoder_logpdf(enc, B, x, B, z, lq));
    CHECK_OK(ginv_encoder_logpdf(enc, B, x, 1, z, lq1)); /* x row 0 for every draw */
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, enc, B));
    const float *ml = ginv_net_forward(enc, ws, B, x);
    double sdmin = 1e9, sdmax = 0;
    for (int b = 0; b < B; b++) {
        double want = 0, want1 = 0;
        for (int c = 0; c < K; c++) {
            double sd = exp(0.5 * ml[b * 2 * K + K + c]), sd0 = exp(0.5 * ml[K + c]);
            want += log(npdf(z[b * K + c], ml[b * 2 * K + c], sd));
            want1 += log(npdf(z[b * K + c], ml[c], sd0));
            sdmin = fmin(sdmin, sd), sdmax = fmax(sdmax, sd);
        }
        /* the same forward batch: to double rounding; a batch of 1 (nx == 1): a float GEMM of another shape */
        CHECK_NEAR(lq[b], want, 1e-9 * (1 + fabs(want)));
        CHECK_NEAR(lq1[b], want1, 1e-6 * (1 + fabs(want1)));
    }
    printf("    sigma in [%.3f, %.3f]; log q of draw 0: %.6f\n", sdmin, sdmax, lq[0]);
    CHECK(sdmax / sdmin > 1.2); /* the test sees different variances */
    ginv_net_ws_free(ws);
    /* refused: nx neither 1 nor B, a NaN z */
    CHECK(ginv_encoder_logpdf(enc, B, x, 2, z, lq) == GINV_ERR_ARG);
    z[3] = NAN;
    CHECK(ginv_encoder_logpdf(enc, B, x, B, z, lq) == GINV_ERR_NUMERIC);
    ginv_net_free(enc);
    /* k = 1: exp(log q) over a grid of mu +- 12 sd integrates to 1 (Riemann sum) */
    CHECK_OK(ginv_encoder_new(&enc, 2, 1, 1, hidden, GINV_LAYER_TANH, 8));
    if (!enc) return;
    float x1[2] = {0.3f, -1.1f};
    CHECK_OK(ginv_net_ws_new(&ws, enc, 1));
    const float *m1 = ginv_net_forward(enc, ws, 1, x1);
    double mu = m1[0], sd = exp(0.5 * m1[1]), sum = 0;
    enum { G = 4001 };
    static float grid[G];
    static double lg[G];
    double h = 24 * sd / (G - 1);
    for (int i = 0; i < G; i++) grid[i] = (float)(mu - 12 * sd + i * h);
    CHECK_OK(ginv_encoder_logpdf(enc, G, x1, 1, grid, lg));
    for (int i = 0; i < G; i++) sum += exp(lg[i]) * h;
    printf("    k = 1: Riemann sum of q over mu +- 12 sd = %.8f\n", sum);
    CHECK_NEAR(sum, 1, 1e-4);
    ginv_net_ws_free(ws);
    ginv_net_free(enc);
}

/* x (2) -> z (D): layers z_i = c_a tanh(W x + b) + c_b z_{i-1} + gamma_i xi, parameters set by hand */
static ginv_dlg *small_dlg(int D, int L, const double *gamma)
{
    ginv_dlg *g = NULL;
    int gi, a, t;
    if (ginv_dlg_new(&g, 2, D) != GINV_OK) return NULL;
    CHECK_OK(ginv_dlg_graph_add(g, &gi));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 0, .size = D, .bias = 1}, &a));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_ACT, .a = a, .act = GINV_LAYER_TANH}, &t));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = t, .b = 1}, NULL));
    CHECK_OK(ginv_dlg_layers_add(g, gi, L));
    for (int l = 0; l < L; l++) {
        size_t np;
        float *p = ginv_dlg_layer_params(g, l, &np); /* gamma, W (D x 2), b (D), c_a, c_b */
        p[0] = (float)gamma[l];
        for (size_t i = 1; i < np; i++) p[i] = (float)(0.7 * sin(1.3 * i + 0.9 * l));
    }
    return g;
}

/* the mean F_L(z_{L-1}(x), x) in double from the parameters */
static void dlg_mean(ginv_dlg *g, int D, const float *x, double *mu)
{
    double z[8] = {0};
    for (int l = 0; l < ginv_dlg_nlayers(g); l++) {
        size_t np;
        const float *p = ginv_dlg_layer_params(g, l, &np), *W = p + 1, *b = W + 2 * D;
        double ca = b[D], cb = b[D + 1];
        for (int j = 0; j < D; j++) z[j] = ca * tanh((double)W[2 * j] * x[0] + (double)W[2 * j + 1] * x[1] + b[j]) + cb * z[j];
    }
    memcpy(mu, z, sizeof(double) * D);
}

TEST(dlg_logpdf_is_the_last_layers_gaussian_and_refuses_the_intractable)
{
    enum { D = 3, B = 4000 };
    double gam[3] = {0, 0, 0.3};
    ginv_dlg *g = small_dlg(D, 3, gam);
    if (!g) return;
    float x[2] = {0.4f, -0.8f};
    static float z[B * D];
    static double lq[B];
    CHECK_OK(ginv_dlg_sample(g, B, x, 1, NULL, NULL, 5, z, NULL));
    CHECK_OK(ginv_dlg_logpdf(g, B, x, 1, z, lq));
    double mu[D], worst = 0, mean_lq = 0;
    dlg_mean(g, D, x, mu);
    for (int b = 0; b < B; b++) {
        double want = 0;
        for (int j = 0; j < D; j++) want += log(npdf(z[b * D + j], mu[j], 0.3));
        worst = fmax(worst, fabs(lq[b] - want));
        mean_lq += lq[b] / B;
    }
    /* float mean: |z - mu| error ~1e-7, times |z - mu| / gamma^2 ~ 10 */
    printf("    worst |log q - closed form| %.2e; mean log q of its own draws %.4f\n", worst, mean_lq);
    CHECK(worst < 1e-5);
    /* E_q[log q] = -entropy = -(D/2) log(2 pi e gamma^2); sd of log q is sqrt(D/2)/sqrt(B) */
    double negent = -0.5 * D * log(2 * M_PI * M_E * 0.09);
    CHECK_NEAR(mean_lq, negent, 4 * sqrt(D / 2.0) / sqrt((double)B));
    /* a different x per draw (nx == B) */
    static float xs[B * 2];
    for (int b = 0; b < 8; b++) xs[2 * b] = (float)(0.2 * b - 0.5), xs[2 * b + 1] = (float)(1 - 0.3 * b);
    CHECK_OK(ginv_dlg_logpdf(g, 8, xs, 8, z, lq));
    for (int b = 0; b < 8; b++) {
        dlg_mean(g, D, xs + 2 * b, mu);
        double want = 0;
        for (int j = 0; j < D; j++) want += log(npdf(z[b * D + j], mu[j], 0.3));
        CHECK_NEAR(lq[b], want, 1e-5);
    }
    ginv_dlg_free(g);
    /* d = 1: exp(log q) over a grid integrates to 1 */
    double g1[2] = {0, 0.05};
    g = small_dlg(1, 2, g1);
    if (!g) return;
    dlg_mean(g, 1, x, mu);
    enum { G = 2001 };
    static float grid[G];
    double h = 24 * 0.05 / (G - 1), sum = 0;
    for (int i = 0; i < G; i++) grid[i] = (float)(mu[0] - 12 * 0.05 + i * h);
    CHECK_OK(ginv_dlg_logpdf(g, G, x, 1, grid, lq));
    for (int i = 0; i < G; i++) sum += exp(lq[i]) * h;
    printf("    d = 1: Riemann sum of q = %.8f\n", sum);
    CHECK_NEAR(sum, 1, 1e-4);
    ginv_dlg_free(g);
    /* refused: two stochastic layers, one that is not the last, none */
    double two[3] = {0.1, 0, 0.3}, first[3] = {0.1, 0, 0}, none[3] = {0, 0, 0};
    const double *cases[3] = {two, first, none};
    const char *says[3] = {"intractable: 2 stochastic layers", "layer 1 of 3", "point mass"};
    for (int c = 0; c < 3; c++) {
        g = small_dlg(D, 3, cases[c]);
        if (!g) return;
        CHECK(ginv_dlg_logpdf(g, 1, x, 1, z, lq) == GINV_ERR_UNSUPPORTED);
        CHECK_MSG(strstr(ginv_last_error(), says[c]), "case %d: '%s'", c, ginv_last_error());
        ginv_dlg_free(g);
    }
}
