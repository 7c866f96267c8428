/* test_dlg.c — deep latent Gaussian encoders (src/learn/dlg.c, dlg_io.c) and
 * the constructed encoder of Pareek & Risteski's Theorem 1
 * (src/learn/dlg_build.c): the square-activation product is exact to float
 * rounding; the built network's draws are ginv's own GD -> ULA iterates
 * (ginv_sample_run, same start, same noise); its parameter count equals the
 * formula and the file; on a linear G its draws have the closed-form law of
 * ULA on a Gaussian posterior; bad generators and options are refused. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a dense chain k -> n with the given activations after the hidden layers */
static ginv_net *smooth_g(int k, int n, int width, ginv_layer_kind a1, ginv_layer_kind a2, uint64_t seed)
{
    ginv_layer spec[5] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = width, .bias = 1},
                          {.kind = a1, .alpha = 0.3},
                          {.kind = GINV_LAYER_DENSE, .in = width, .out = width, .bias = 1},
                          {.kind = a2, .alpha = 0.3},
                          {.kind = GINV_LAYER_DENSE, .in = width, .out = n, .bias = 1}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 5, spec));
    if (g) CHECK_OK(ginv_net_randomize(g, GINV_INIT_FANIN, 0.1, seed, 0));
    return g;
}

/* x = G(z*) + beta xi for one z* */
static void observe(ginv_net *G, double beta, uint64_t seed, float *x)
{
    int k = ginv_net_in(G), n = ginv_net_out(G);
    float z[64];
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER, 5);
    ginv_rng_normal_f32(&r, z, (size_t)k, 1.0);
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, G, 1));
    if (!ws) return;
    const float *gx = ginv_net_forward(G, ws, 1, z);
    for (int i = 0; i < n; i++) x[i] = gx[i] + (float)(beta * ginv_rng_normal(&r));
    ginv_net_ws_free(ws);
}

TEST(dlg_square_activation_product_is_exact_to_float_rounding)
{
    /* one layer: z <- 1/4 (x + z)^2 - 1/4 (x - z)^2 (= x z), from the public node API */
    enum { W = 16, B = 64 };
    ginv_dlg *g = NULL;
    CHECK_OK(ginv_dlg_new(&g, W, W));
    if (!g) return;
    int gi = -1, s, t, s2, t2, p;
    CHECK_OK(ginv_dlg_graph_add(g, &gi));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = 0, .b = 1}, &s));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = 0, .b = 1}, &t));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = s}, &s2));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = t}, &t2));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = s2, .b = t2}, &p));
    CHECK_OK(ginv_dlg_layers_add(g, gi, 1));
    CHECK(ginv_dlg_nlayers(g) == 1 && ginv_dlg_in(g) == W && ginv_dlg_out(g) == W);
    size_t np = 0;
    float *par = ginv_dlg_layer_params(g, 0, &np);
    CHECK(np == 1 + 3 * 2 && ginv_dlg_nparams(g) == np && ginv_dlg_layer_params(g, 1, NULL) == NULL);
    if (!par || np != 7) goto out;
    /* gamma 0; s: (1, 1); t: (1, -1); p: (1/4, -1/4) */
    float pv[7] = {0, 1, 1, 1, -1, 0.25f, -0.25f};
    memcpy(par, pv, sizeof pv);
    float x[B * W], z0[B * W], z[B * W];
    ginv_rng r;
    ginv_rng_init(&r, 3, GINV_STREAM_USER, 1);
    for (int i = 0; i < B * W; i++) { /* magnitudes over 2^-6 .. 2^6 */
        x[i] = (float)(ginv_rng_normal(&r) * exp2((int)ginv_rng_below(&r, 13) - 6));
        z0[i] = (float)(ginv_rng_normal(&r) * exp2((int)ginv_rng_below(&r, 13) - 6));
    }
    CHECK_OK(ginv_dlg_sample(g, B, x, B, z0, NULL, 1, z, NULL));
    double worst = 0;
    for (int i = 0; i < B * W; i++) {
        double a = x[i], b = z0[i], exact = a * b, bound = 8 * 0x1p-24 * (a * a + b * b);
        CHECK_MSG(fabs(z[i] - exact) <= bound, "entry %d: %.9g x %.9g = %.9g, the network %.9g", i, a, b, exact,
                  z[i]);
        if (fabs(z[i] - exact) / (a * a + b * b) > worst) worst = fabs(z[i] - exact) / (a * a + b * b);
    }
    /* products of small integers are exact */
    for (int i = 0; i < B * W; i++) x[i] = (float)((int)ginv_rng_below(&r, 41) - 20), z0[i] = (float)((int)ginv_rng_below(&r, 41) - 20);
    CHECK_OK(ginv_dlg_sample(g, B, x, B, z0, NULL, 1, z, NULL));
    for (int i = 0; i < B * W; i++) CHECK(z[i] == x[i] * z0[i]);
    printf("    square-activation product: worst |error| / (a^2 + b^2) = %.3g (float eps 2^-24 = %.3g)\n", worst,
           0x1p-24);
out:
    ginv_dlg_free(g);
}

/* opts for the ULA run that the encoder must reproduce */
static void ula_opts(ginv_sample_opts *so, int C, int S, double eta, int T, double h, uint64_t seed)
{
    ginv_sample_opts_init(so);
    so->type = ginv_sampler_ula;
    so->step = h;
    so->beta = 1.0;
    so->chains = C;
    so->burn_in = 0;
    so->samples = T;
    so->thin = 1;
    so->init = GINV_CHAIN_INIT_GD;
    so->gd_iters = S;
    so->gd_lr = eta;
    so->seed = seed;
}

/* G 3 -> 8 -> 8 -> 5 with activations a1, a2 */
static void check_reproduces(ginv_layer_kind a1, ginv_layer_kind a2)
{
    enum { K = 3, N = 5, C = 4, S = 40, T = 60 };
    const double beta = 0.1, eta = 0.05, h = 2e-3;
    ginv_net *G = smooth_g(K, N, 8, a1, a2, 11);
    if (!G) return;
    float x[N];
    observe(G, beta, 2, x);
    /* ginv's own two-stage sampler: GD from 0, then ULA on U = ||G(z) - x||^2 / (2 beta^2) + ||z||^2 / 2 */
    ginv_op *op = NULL;
    ginv_posterior *post = NULL;
    ginv_sample_result res = {0};
    ginv_sample_opts so;
    ula_opts(&so, C, S, eta, T, h, 7);
    CHECK_OK(ginv_op_identity(&op, N));
    if (op) CHECK_OK(ginv_posterior_new(&post, G, op, x, 1, beta, GINV_PRIOR_GAUSSIAN, C));
    if (post) CHECK_OK(ginv_sample_run(post, &so, &res));
    /* the built encoder, fed the chains' noise: chain c's stream (seed, SAMPLE, 4c + 1), K normals a step */
    ginv_dlg *E = NULL;
    ginv_dlg_build_opts bo;
    ginv_dlg_build_opts_init(&bo);
    bo.beta = beta, bo.gd_steps = S, bo.gd_lr = eta, bo.langevin_steps = T, bo.h = h;
    CHECK_OK(ginv_dlg_build(&E, G, &bo, NULL));
    float *xi = calloc((size_t)(S + T) * C * K, sizeof(float));
    float *trace = malloc(sizeof(float) * (S + T) * C * K), z[C * K];
    if (!E || !res.samples || !xi || !trace) goto out;
    for (int c = 0; c < C; c++) {
        ginv_rng r;
        ginv_rng_init(&r, 7, GINV_STREAM_SAMPLE, (uint64_t)c * 4 + 1);
        for (int t = 0; t < T; t++)
            for (int i = 0; i < K; i++) xi[((size_t)(S + t) * C + c) * K + i] = (float)ginv_rng_normal(&r);
    }
    CHECK_OK(ginv_dlg_sample(E, C, x, 1, NULL, xi, 0, z, trace));
    /* GD: the layer-S output is every chain's start */
    double worst_gd = test_max_rel_diff(trace + (size_t)(S - 1) * C * K, res.start, (size_t)C * K, 1e-3);
    CHECK_MSG(worst_gd <= 1e-5, "GD stage: relative difference %.3g", worst_gd);
    double worst = 0;
    for (int t = 0; t < T; t++) {
        double d = test_max_rel_diff(trace + (size_t)(S + t) * C * K, res.samples + (size_t)t * C * K,
                                     (size_t)C * K, 1e-3);
        if (d > worst) worst = d;
    }
    CHECK_MSG(worst <= 1e-5, "Langevin iterates: worst relative difference %.3g", worst);
    CHECK(memcmp(z, trace + (size_t)(S + T - 1) * C * K, sizeof z) == 0);
    /* not a tautology: the chains moved apart (the noise matters), and other noise gives other draws */
    CHECK(fabs(z[0] - z[K]) > 1e-3);
    float z2[C * K];
    CHECK_OK(ginv_dlg_sample(E, C, x, 1, NULL, NULL, 7, z2, NULL));
    CHECK(test_max_rel_diff(z2, z, (size_t)C * K, 1e-3) > 1e-2);
    /* through a file: the activations' slopes travel with it (same draws, bit for bit) */
    char path[512];
    snprintf(path, sizeof path, "%s/reproduce_dlg_%d.safetensors", test_tmpdir(), (int)a1);
    ginv_dlg *E2 = NULL;
    CHECK_OK(ginv_dlg_save(E, path));
    CHECK_OK(ginv_dlg_load(path, &E2));
    float z3[C * K];
    if (E2) CHECK_OK(ginv_dlg_sample(E2, C, x, 1, NULL, NULL, 7, z3, NULL));
    CHECK(E2 && memcmp(z3, z2, sizeof z3) == 0);
    ginv_dlg_free(E2);
    remove(path);
    printf("    %s, %s: built encoder vs ginv_sample_run (GD %d, ULA %d, %d chains): GD point rel. diff %.2g, "
           "worst ULA iterate %.2g\n", ginv_layer_kind_name(a1), ginv_layer_kind_name(a2), S, T, C, worst_gd, worst);
out:
    free(xi);
    free(trace);
    ginv_dlg_free(E);
    ginv_sample_result_release(&res);
    ginv_posterior_free(post);
    ginv_op_free(op);
    ginv_net_free(G);
}

TEST(dlg_build_reproduces_ginv_gd_then_ula_iterates)
{
    check_reproduces(GINV_LAYER_SOFTPLUS, GINV_LAYER_TANH);
    /* the smooth leaky activation of the certified nets: sigma' = a + (1 - a) sigmoid as a network */
    check_reproduces(GINV_LAYER_SMOOTH_LEAKY, GINV_LAYER_SMOOTH_LEAKY);
}

TEST(dlg_build_parameter_count_matches_the_formula_and_the_file)
{
    enum { K = 3, N = 4, Wd = 7, S = 5, T = 9 };
    ginv_net *G = smooth_g(K, N, Wd, GINV_LAYER_SIGMOID, GINV_LAYER_ELU, 5);
    if (!G) return;
    ginv_net_layer(G, 3)->alpha = 1.0;
    /* by hand: G's N = weights + biases, N_W = weights, A = 2 activations */
    size_t Nw = (size_t)K * Wd + (size_t)Wd * Wd + (size_t)Wd * N, Nall = Nw + Wd + Wd + N;
    size_t per = 1 + Nall + Nw + 2 + 6 * 2 + 2, expect = per * (S + T);
    CHECK(Nall == ginv_net_nparams(G));
    ginv_dlg_build_opts bo;
    ginv_dlg_build_opts_init(&bo);
    bo.gd_steps = S, bo.langevin_steps = T;
    ginv_dlg_build_info info;
    ginv_dlg *E = NULL, *E2 = NULL;
    CHECK_OK(ginv_dlg_build(&E, G, &bo, &info));
    if (!E) goto out;
    CHECK(info.params == expect && ginv_dlg_nparams(E) == expect && info.per_gd_layer == per);
    CHECK(info.generator_params == Nall && info.generator_weights == Nw && info.activations == 2);
    CHECK(ginv_dlg_nlayers(E) == S + T && ginv_dlg_in(E) == N && ginv_dlg_out(E) == K);
    char path[512];
    snprintf(path, sizeof path, "%s/built_dlg.safetensors", test_tmpdir());
    CHECK_OK(ginv_dlg_save(E, path));
    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    size_t infile = 0;
    for (size_t i = 0; i < f.ntensors; i++) infile += f.tensors[i].nbytes / sizeof(float);
    CHECK(infile == expect && f.ntensors == 1);
    ginv_st_release(&f);
    CHECK_OK(ginv_dlg_load(path, &E2));
    if (!E2) goto out;
    CHECK(ginv_dlg_nparams(E2) == expect && ginv_dlg_record(E2) && strstr(ginv_dlg_record(E2), "\"gd_steps\":5"));
    float x[N] = {0.3f, -0.2f, 0.1f, 0.5f}, z1[3 * K], z2[3 * K];
    CHECK_OK(ginv_dlg_sample(E, 3, x, 1, NULL, NULL, 4, z1, NULL));
    CHECK_OK(ginv_dlg_sample(E2, 3, x, 1, NULL, NULL, 4, z2, NULL));
    CHECK(memcmp(z1, z2, sizeof z1) == 0);
    printf("    N = %zu, N' = %zu = (S + T) = %d layers x %zu = %.2f N (S + T)\n", Nall, expect, S + T, per,
           (double)expect / ((double)Nall * (S + T)));
out:
    ginv_dlg_free(E);
    ginv_dlg_free(E2);
    ginv_net_free(G);
}

/* 2 x 2 inverse */
static void inv2(const double *a, double *o)
{
    double det = a[0] * a[3] - a[1] * a[2];
    o[0] = a[3] / det, o[1] = -a[1] / det, o[2] = -a[2] / det, o[3] = a[0] / det;
}

TEST(dlg_built_for_a_linear_g_draws_the_closed_form_ula_law)
{
    /* G(z) = W z + c: the posterior is Gaussian with precision P = I + W^T W / beta^2 and
     * mean P^-1 W^T (x - c) / beta^2. ULA with step h on it is an AR(1) chain
     * z' = (I - h P) z + h P m + sqrt(2h) xi whose stationary law is N(m, (P (I - h P / 2))^-1)
     * exactly; after T layers the start is forgotten up to (1 - h)^T. */
    enum { B = 4000, S = 200, T = 1500 };
    const double beta = 0.5, h = 0.01;
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1}};
    ginv_net *G = NULL;
    CHECK_OK(ginv_net_new(&G, 1, spec));
    if (!G) return;
    float *Wf = ginv_net_layer(G, 0)->W, *cf = ginv_net_layer(G, 0)->b;
    const double W[4] = {0.9, 0.4, -0.3, 0.7}, c[2] = {0.2, -0.1}, x[2] = {0.5, 0.8};
    for (int i = 0; i < 4; i++) Wf[i] = (float)W[i];
    cf[0] = (float)c[0], cf[1] = (float)c[1];
    double P[4], Pinv[4], m[2], A[4], Cv[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            P[i * 2 + j] = (i == j) + (W[0 * 2 + i] * W[0 * 2 + j] + W[1 * 2 + i] * W[1 * 2 + j]) / (beta * beta);
    inv2(P, Pinv);
    double wx[2] = {(W[0] * (x[0] - c[0]) + W[2] * (x[1] - c[1])) / (beta * beta),
                    (W[1] * (x[0] - c[0]) + W[3] * (x[1] - c[1])) / (beta * beta)};
    m[0] = Pinv[0] * wx[0] + Pinv[1] * wx[1], m[1] = Pinv[2] * wx[0] + Pinv[3] * wx[1];
    for (int i = 0; i < 4; i++) A[i] = P[i] - h / 2 * (P[0 + (i / 2) * 2] * P[i % 2] + P[1 + (i / 2) * 2] * P[2 + i % 2]);
    inv2(A, Cv);
    ginv_dlg_build_opts bo;
    ginv_dlg_build_opts_init(&bo);
    bo.beta = beta, bo.gd_steps = S, bo.gd_lr = 0.1, bo.langevin_steps = T, bo.h = h;
    ginv_dlg *E = NULL;
    CHECK_OK(ginv_dlg_build(&E, G, &bo, NULL));
    float *z = malloc(sizeof(float) * B * 2), xf[2] = {(float)x[0], (float)x[1]};
    if (!E || !z) goto out;
    CHECK_OK(ginv_dlg_sample(E, B, xf, 1, NULL, NULL, 3, z, NULL));
    double mu[2] = {0, 0}, cv[4] = {0, 0, 0, 0};
    for (int b = 0; b < B; b++) mu[0] += z[2 * b] / B, mu[1] += z[2 * b + 1] / B;
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 4; i++) cv[i] += (z[2 * b + i / 2] - mu[i / 2]) * (z[2 * b + i % 2] - mu[i % 2]) / (B - 1);
    for (int i = 0; i < 2; i++) /* 5 standard errors of the mean */
        CHECK_MSG(fabs(mu[i] - m[i]) <= 5 * sqrt(Cv[i * 3] / B), "mean %d: %.5f, closed form %.5f", i, mu[i], m[i]);
    for (int i = 0; i < 4; i++) { /* a covariance entry's standard error: sqrt((C_ii C_jj + C_ij^2) / B) */
        double se = sqrt((Cv[(i / 2) * 3] * Cv[(i % 2) * 3] + Cv[i] * Cv[i]) / B);
        CHECK_MSG(fabs(cv[i] - Cv[i]) <= 5 * se, "cov %d: %.6f, closed form %.6f (se %.2g)", i, cv[i], Cv[i], se);
    }
    printf("    linear G, %d draws: mean (%.4f, %.4f) vs (%.4f, %.4f); cov (%.5f, %.5f, %.5f) vs (%.5f, %.5f, %.5f)\n",
           B, mu[0], mu[1], m[0], m[1], cv[0], cv[1], cv[3], Cv[0], Cv[1], Cv[3]);
out:
    free(z);
    ginv_dlg_free(E);
    ginv_net_free(G);
}

TEST(dlg_build_refuses_bad_generators_and_options)
{
    ginv_net *G = smooth_g(2, 3, 4, GINV_LAYER_SOFTPLUS, GINV_LAYER_TANH, 1);
    ginv_net *R = smooth_g(2, 3, 4, GINV_LAYER_SOFTPLUS, GINV_LAYER_LEAKY_RELU, 1);
    ginv_net *El = smooth_g(2, 3, 4, GINV_LAYER_ELU, GINV_LAYER_TANH, 1);
    if (!G || !R || !El) goto out;
    ginv_net_layer(El, 1)->alpha = 0.5;
    ginv_dlg_build_opts bo;
    ginv_dlg_build_opts_init(&bo);
    ginv_dlg *E = NULL;
    ginv_dlg_build_info info;
    bo.beta = 0;
    CHECK(ginv_dlg_build(&E, G, &bo, NULL) == GINV_ERR_ARG && !E && strstr(ginv_last_error(), "beta"));
    bo.beta = -1;
    CHECK(ginv_dlg_build(&E, G, &bo, NULL) == GINV_ERR_ARG);
    bo.beta = 0.1;
    CHECK(ginv_dlg_build(&E, R, &bo, NULL) == GINV_ERR_UNSUPPORTED && strstr(ginv_last_error(), "leaky_relu"));
    CHECK(ginv_dlg_build(&E, El, &bo, NULL) == GINV_ERR_UNSUPPORTED && strstr(ginv_last_error(), "alpha"));
    bo.gd_steps = 0, bo.langevin_steps = 0;
    CHECK(ginv_dlg_build(&E, G, &bo, NULL) == GINV_ERR_ARG);
    bo.gd_steps = 1000, bo.langevin_steps = 1000, bo.max_params = 5000;
    CHECK(ginv_dlg_build(&E, G, &bo, &info) == GINV_ERR_ARG && !E);
    char want[64];
    snprintf(want, sizeof want, "N' = %zu", info.params);
    CHECK(info.params > 5000 && strstr(ginv_last_error(), want) && strstr(ginv_last_error(), "5000"));
    bo.max_params = 0, bo.gd_steps = 2, bo.langevin_steps = 1, bo.h = 0;
    CHECK(ginv_dlg_build(&E, G, &bo, NULL) == GINV_ERR_ARG && strstr(ginv_last_error(), "Langevin step"));
    /* a node whose operand is not earlier, or sums of unequal sizes */
    ginv_dlg *g = NULL;
    int gi = 0;
    CHECK_OK(ginv_dlg_new(&g, 3, 2));
    if (g) {
        CHECK_OK(ginv_dlg_graph_add(g, &gi));
        CHECK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = 2}, NULL) == GINV_ERR_ARG);
        CHECK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = 0, .b = 1}, NULL) == GINV_ERR_ARG);
        CHECK(ginv_dlg_layers_add(g, gi, 1) == GINV_ERR_ARG); /* no computed output */
        ginv_dlg_free(g);
    }
out:
    ginv_net_free(G);
    ginv_net_free(R);
    ginv_net_free(El);
}

TEST(encoder_distance_is_small_for_exact_posterior_draws_and_sees_a_shift)
{
    /* G(z) = W z, W diagonal (s1, s2): the posterior is N(m, Sigma) with Sigma_ii = 1 / (1 + s_i^2 / beta^2),
     * m_i = Sigma_ii s_i x_i / beta^2. Exact draws must sit near the MALA reference; draws shifted by one
     * posterior sd along the first axis must show mean error sd_1 / sqrt(tr Sigma) and a larger W1. */
    enum { B = 3000 };
    const double beta = 0.3, s[2] = {1.0, 0.5};
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2}};
    ginv_net *G = NULL;
    CHECK_OK(ginv_net_new(&G, 1, spec));
    if (!G) return;
    float *W = ginv_net_layer(G, 0)->W, x[2] = {0.4f, -0.3f};
    W[0] = (float)s[0], W[1] = 0, W[2] = 0, W[3] = (float)s[1];
    double sd[2], m[2];
    for (int i = 0; i < 2; i++) {
        double v = 1 / (1 + s[i] * s[i] / (beta * beta));
        sd[i] = sqrt(v), m[i] = v * s[i] * x[i] / (beta * beta);
    }
    float *z = malloc(sizeof(float) * B * 2);
    if (!z) goto out;
    ginv_rng r;
    ginv_rng_init(&r, 5, GINV_STREAM_USER, 2);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 2; i++) z[2 * b + i] = (float)(m[i] + sd[i] * ginv_rng_normal(&r));
    ginv_encoder_dist_opts o;
    ginv_encoder_dist_opts_init(&o);
    o.ref_steps = 1500;
    ginv_encoder_dist e0, e1;
    CHECK_OK(ginv_encoder_distance(G, beta, x, B, z, &o, &e0));
    for (int b = 0; b < B; b++) z[2 * b] += (float)sd[0];
    CHECK_OK(ginv_encoder_distance(G, beta, x, B, z, &o, &e1));
    double want = sd[0] / sqrt(sd[0] * sd[0] + sd[1] * sd[1]);
    CHECK_MSG(e0.mean_err < 0.06 && e0.cov_err < 0.1, "exact draws: mean error %.3f, cov error %.3f", e0.mean_err,
              e0.cov_err);
    CHECK_MSG(fabs(e1.mean_err - want) < 0.1 * want, "shifted draws: mean error %.3f, expected %.3f", e1.mean_err, want);
    CHECK_MSG(e0.w1 < 3 * e0.w1_floor + 0.01 && e1.w1 > 5 * e0.w1, "W1 exact %.4f (floor %.4f), shifted %.4f", e0.w1,
              e0.w1_floor, e1.w1);
    CHECK(e0.ref_accept > 0.4 && e0.ref_accept < 0.8);
    /* TV(posterior, its shift by one sd along axis 1) = 2 Phi(1/2) - 1 = 0.383; the 20 x 20 histogram sees
     * at most that plus its sampling noise (the floor) */
    double tv_want = erf(0.5 / sqrt(2.0));
    CHECK_MSG(e0.tv < e0.tv_floor + 0.08 && fabs(e1.tv - tv_want) < 0.08, "TV exact %.3f (floor %.3f), shifted %.3f "
              "(closed form %.3f)", e0.tv, e0.tv_floor, e1.tv, tv_want);
    CHECK_MSG(fabs(e0.mmd2) < 3 * e0.mmd2_se && e1.mmd2 > 5 * e1.mmd2_se, "MMD^2 exact %.2e +- %.1e, shifted %.2e +- "
              "%.1e", e0.mmd2, e0.mmd2_se, e1.mmd2, e1.mmd2_se);
    printf("    linear G: TV exact %.3f (floor %.3f), shifted %.3f (closed form %.3f); MMD^2 exact %.1e +- %.1e "
           "(floor %.1e), shifted %.2e +- %.1e\n", e0.tv, e0.tv_floor, e1.tv, tv_want, e0.mmd2, e0.mmd2_se,
           e0.mmd2_floor, e1.mmd2, e1.mmd2_se);
    printf("    linear G: exact draws W1 %.4f (floor %.4f), mean err %.3f, cov err %.3f; shifted by one sd: W1 %.4f, "
           "mean err %.3f (expected %.3f)\n", e0.w1, e0.w1_floor, e0.mean_err, e0.cov_err, e1.w1, e1.mean_err, want);
out:
    free(z);
    ginv_net_free(G);
}
