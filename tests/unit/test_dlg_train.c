/* test_dlg_train.c — amortised deep latent Gaussians trained by the SIVI
 * bound (src/learn/dlg_grad.c, src/learn/dlg_train.c): the layer VJP and the
 * bound's gradient against central finite differences (fixed noise), the
 * bound below the exact log p(x) of a linear-Gaussian model and growing with
 * K, and a trained encoder drawing that model's closed-form posterior. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* G(z) = W z, W (n x k) with orthogonal columns s_c (e_{2c} + e_{2c+1})/sqrt 2:
 * posterior N(Sigma W^T x / beta^2, Sigma), Sigma = diag(1/(1 + s_c^2/beta^2));
 * marginal x ~ N(0, W W^T + beta^2 I) */
static ginv_net *linear_g(int k, int n, const double *s)
{
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = n}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 1, spec));
    if (!g) return NULL;
    float *W = ginv_net_layer(g, 0)->W;
    memset(W, 0, sizeof(float) * n * k);
    for (int c = 0; c < k; c++) {
        W[(2 * c) * k + c] = (float)(s[c] / sqrt(2.0));
        W[(2 * c + 1) * k + c] = (float)(s[c] / sqrt(2.0));
    }
    return g;
}

static double linear_log_px(int k, int n, const double *s, double beta, const float *x)
{
    double q = 0, ld = 0, xx = 0;
    for (int i = 0; i < n; i++) xx += (double)x[i] * x[i];
    for (int c = 0; c < k; c++) {
        double a = ((double)x[2 * c] + x[2 * c + 1]) / sqrt(2.0), e = s[c] * s[c] + beta * beta;
        q += a * a / e - a * a / (beta * beta);
        ld += log(e);
    }
    q += xx / (beta * beta);
    ld += (n - k) * log(beta * beta);
    return -0.5 * n * log(2 * M_PI) - 0.5 * ld - 0.5 * q;
}

static void normals(uint64_t seed, float *v, size_t m, double sd)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, v, m, sd);
}

/* the VJP of one layer w.r.t. z_{l-1}, through AFFINE, SQUARE, LINCOMB, ACT
 * nodes: <gout, F(z)> by central differences (F from ginv_dlg_sample with
 * zero noise and z_0 = z) */
TEST(dlg_layer_vjp_matches_finite_differences_in_z_and_refuses_dact)
{
    enum { N = 3, D = 2, B = 2 };
    ginv_dlg *g = NULL;
    int gi, a, b, c, e;
    CHECK_OK(ginv_dlg_new(&g, N, D));
    if (!g) return;
    CHECK_OK(ginv_dlg_graph_add(g, &gi));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 1, .size = 4, .bias = 1}, &a));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = a}, &b));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 0, .size = 4}, &c));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = b, .b = c}, &e));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_ACT, .a = e, .act = GINV_LAYER_TANH}, &e));
    CHECK_OK(ginv_dlg_node_add(g, gi, &(ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = e, .size = D, .bias = 1}, NULL));
    CHECK_OK(ginv_dlg_layers_add(g, gi, 1));
    size_t np;
    float *p = ginv_dlg_layer_params(g, 0, &np);
    normals(3, p, np, 0.6);
    p[0] = 0.0f; /* gamma: F alone */
    float x[N] = {0.3f, -0.8f, 0.5f}, z[B * D], gout[B * D], gz[B * D], zero[B * D] = {0}, f[B * D];
    normals(4, z, B * D, 1.0);
    normals(5, gout, B * D, 1.0);
    float *gp = calloc(np, sizeof(float));
    CHECK_OK(ginv_dlg_layer_vjp(g, 0, B, x, 1, z, gout, gp, gz));
    double worst = 0;
    for (int i = 0; i < B * D; i++) {
        double fp = 0, fm = 0;
        float keep = z[i], h = 1e-2f;
        z[i] = keep + h;
        CHECK_OK(ginv_dlg_sample(g, B, x, 1, z, zero, 0, f, NULL));
        for (int j = 0; j < B * D; j++) fp += (double)gout[j] * f[j];
        z[i] = keep - h;
        CHECK_OK(ginv_dlg_sample(g, B, x, 1, z, zero, 0, f, NULL));
        for (int j = 0; j < B * D; j++) fm += (double)gout[j] * f[j];
        z[i] = keep;
        double fd = (fp - fm) / (2.0 * h), err = fabs(fd - gz[i]) / fmax(0.05, fabs(fd));
        if (err > worst) worst = err;
    }
    printf("    layer VJP in z: worst relative error %.2e\n", worst);
    CHECK_MSG(worst < 1e-2, "VJP w.r.t. z_{l-1}: worst relative error %g", worst);
    /* a graph with sigma' (dact) cannot be differentiated without sigma'' */
    ginv_dlg *h = NULL;
    CHECK_OK(ginv_dlg_new(&h, N, D));
    CHECK_OK(ginv_dlg_graph_add(h, &gi));
    CHECK_OK(ginv_dlg_node_add(h, gi, &(ginv_dlg_node){.op = GINV_DLG_DACT, .a = 1, .act = GINV_LAYER_TANH}, NULL));
    CHECK_OK(ginv_dlg_layers_add(h, gi, 1));
    CHECK(ginv_dlg_layer_vjp(h, 0, B, x, 1, z, gout, gp, gz) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "sigma''") != NULL);
    CHECK(ginv_dlg_layer_vjp(g, 1, B, x, 1, z, gout, gp, gz) == GINV_ERR_ARG);
    free(gp);
    ginv_dlg_free(h);
    ginv_dlg_free(g);
}

/* d(-L_K)/dtheta for every parameter: gamma of each layer, AFFINE weights
 * and biases, the LINCOMB coefficients; fixed noise, central differences */
TEST(dlg_sivi_bound_gradient_matches_finite_differences)
{
    enum { K = 2, N = 5, D = 2, B = 3, L = 3, H = 4, C = 3 };
    ginv_layer gs[2] = {{.kind = GINV_LAYER_DENSE, .in = D, .out = N, .bias = 1}, {.kind = GINV_LAYER_TANH}};
    ginv_net *G = NULL;
    ginv_dlg *E = NULL;
    CHECK_OK(ginv_net_new(&G, 2, gs));
    CHECK_OK(ginv_net_randomize(G, GINV_INIT_FANIN, 0.3, 4, 0));
    CHECK_OK(ginv_dlg_new_mlp(&E, N, D, L, H, GINV_LAYER_SOFTPLUS, 0, 0.6, 7));
    if (!G || !E) return;
    size_t np = ginv_dlg_nparams(E);
    CHECK(np == (1 + H * N + H + D * H + D) + (L - 1) * (1 + H * N + H + H * D + 2 + D * H + D));
    float x[B * N], xi[L * B * C * D];
    normals(9, x, B * N, 0.7);
    normals(10, xi, L * B * C * D, 1.0);
    float *grad = malloc(np * sizeof(float));
    double bound, bp, bm;
    CHECK_OK(ginv_dlg_sivi_bound(E, G, 0.4, B, K, x, xi, &bound, grad));
    /* parameter kinds by offset within a layer of graph 2: 0 gamma, then A, b1, Bz, c, W2, b2 */
    const char *kind[4] = {"gamma", "affine W", "affine b", "lincomb c"};
    double worst[4] = {0};
    for (int l = 0; l < L; l++) {
        size_t cnt;
        float *p = ginv_dlg_layer_params(E, l, &cnt);
        size_t base = (size_t)(p - ginv_dlg_layer_params(E, 0, NULL));
        for (size_t i = 0; i < cnt; i++) {
            int kd = i == 0 ? 0 : 1;
            if ((i >= 1 + H * N && i < 1 + H * N + H) || i >= cnt - D) kd = 2;
            if (l > 0 && (i == 1 + H * N + H + H * D || i == 2 + H * N + H + H * D)) kd = 3;
            float keep = p[i], h = 1e-2f;
            p[i] = keep + h;
            CHECK_OK(ginv_dlg_sivi_bound(E, G, 0.4, B, K, x, xi, &bp, NULL));
            p[i] = keep - h;
            CHECK_OK(ginv_dlg_sivi_bound(E, G, 0.4, B, K, x, xi, &bm, NULL));
            p[i] = keep;
            double fd = -(bp - bm) / (2.0 * h), err = fabs(fd - grad[base + i]) / fmax(0.05, fabs(fd));
            if (err > worst[kd]) worst[kd] = err;
        }
    }
    for (int kd = 0; kd < 4; kd++) {
        printf("    %-10s worst relative error %.2e\n", kind[kd], worst[kd]);
        CHECK_MSG(worst[kd] < 2e-2, "%s: worst relative gradient error %g", kind[kd], worst[kd]);
    }
    /* the last layer must be Gaussian; K >= 0; sizes must agree */
    ginv_dlg_layer_params(E, L - 1, NULL)[0] = 0.0f;
    CHECK(ginv_dlg_sivi_bound(E, G, 0.4, B, K, x, xi, &bound, grad) == GINV_ERR_NUMERIC);
    CHECK(ginv_dlg_sivi_bound(E, G, 0.4, B, -1, x, xi, &bound, grad) == GINV_ERR_ARG);
    CHECK(ginv_dlg_sivi_bound(E, G, 0.0, B, K, x, xi, &bound, grad) == GINV_ERR_ARG);
    ginv_dlg *F = NULL;
    CHECK_OK(ginv_dlg_new_mlp(&F, N + 1, D, 1, H, GINV_LAYER_TANH, 0, 1, 1));
    CHECK(ginv_dlg_sivi_bound(F, G, 0.4, B, K, x, xi, &bound, grad) == GINV_ERR_SHAPE);
    ginv_dlg_free(F);
    CHECK(ginv_dlg_new_mlp(&F, N, D, 0, H, GINV_LAYER_TANH, 0, 1, 1) == GINV_ERR_ARG);
    CHECK(ginv_dlg_new_mlp(&F, N, D, 1, 0, GINV_LAYER_TANH, 0, 1, 1) == GINV_ERR_ARG);
    free(grad);
    ginv_dlg_free(F);
    ginv_dlg_free(E);
    ginv_net_free(G);
}

/* L_K for K = 0, 2, 16 on one x of a linear-Gaussian model, an untrained
 * 2-layer DLG: 20 batches of 200 rows, common noise (K's chains are the
 * first K + 1 of the K = 16 noise), so the differences have small standard
 * errors. L_K <= log p(x) and L_0 < L_2 < L_16, each by 3 standard errors. */
TEST(dlg_sivi_bound_is_below_log_p_and_grows_with_k)
{
    enum { k = 2, n = 4, L = 2, B = 200, NB = 20, KMAX = 16 };
    const double s[k] = {1.5, 0.7}, beta = 0.3;
    const int Ks[3] = {0, 2, KMAX};
    ginv_net *G = linear_g(k, n, s);
    ginv_dlg *E = NULL;
    CHECK_OK(ginv_dlg_new_mlp(&E, n, k, L, 8, GINV_LAYER_TANH, 0, 0.5, 3));
    if (!G || !E) return;
    float x[n] = {0.9f, 1.3f, -0.2f, 0.1f}, *xr = malloc(sizeof(float) * B * n);
    for (int b = 0; b < B; b++) memcpy(xr + b * n, x, sizeof x);
    size_t lay = (size_t)B * (KMAX + 1) * k;
    float *xi = malloc(sizeof(float) * L * lay), *xk = malloc(sizeof(float) * L * lay);
    double v[3][NB];
    for (int t = 0; t < NB; t++) {
        normals(100 + t, xi, L * lay, 1.0);
        for (int j = 0; j < 3; j++) {
            size_t lk = (size_t)B * (Ks[j] + 1) * k; /* rows k' B + b, k' <= K: a prefix of each layer */
            for (int l = 0; l < L; l++) memcpy(xk + l * lk, xi + l * lay, sizeof(float) * lk);
            CHECK_OK(ginv_dlg_sivi_bound(E, G, beta, B, Ks[j], xr, xk, &v[j][t], NULL));
        }
    }
    double lp = linear_log_px(k, n, s, beta, x), mean[3], se[3], dm[2], dse[2];
    for (int j = 0; j < 3; j++) {
        double a = 0, a2 = 0;
        for (int t = 0; t < NB; t++) a += v[j][t], a2 += v[j][t] * v[j][t];
        mean[j] = a / NB, se[j] = sqrt(fmax(0, a2 / NB - mean[j] * mean[j]) / (NB - 1));
    }
    for (int j = 0; j < 2; j++) {
        double a = 0, a2 = 0;
        for (int t = 0; t < NB; t++) a += v[j + 1][t] - v[j][t], a2 += (v[j + 1][t] - v[j][t]) * (v[j + 1][t] - v[j][t]);
        dm[j] = a / NB, dse[j] = sqrt(fmax(0, a2 / NB - dm[j] * dm[j]) / (NB - 1));
    }
    printf("    log p(x) %.4f; L_0 %.4f (%.4f), L_2 %.4f (%.4f), L_16 %.4f (%.4f); L_2 - L_0 %.4f (%.4f), "
           "L_16 - L_2 %.4f (%.4f)\n", lp, mean[0], se[0], mean[1], se[1], mean[2], se[2], dm[0], dse[0], dm[1], dse[1]);
    for (int j = 0; j < 3; j++) CHECK_MSG(mean[j] + 3 * se[j] < lp, "L_%d %g above log p(x) %g", Ks[j], mean[j], lp);
    CHECK_MSG(dm[0] > 3 * dse[0], "L_2 - L_0 = %g (se %g)", dm[0], dse[0]);
    CHECK_MSG(dm[1] > 3 * dse[1], "L_16 - L_2 = %g (se %g)", dm[1], dse[1]);
    free(xr);
    free(xi);
    free(xk);
    ginv_dlg_free(E);
    ginv_net_free(G);
}

/* mean error ||m_q - m_p|| / sqrt(tr Sigma) and covariance error
 * ||S_q - Sigma||_F / ||Sigma||_F of 4000 draws at x, Sigma diagonal */
static void posterior_errors(ginv_dlg *E, const double *s, double beta, const float *x, double *me, double *ce)
{
    enum { k = 2, M = 4000 };
    float *z = malloc(sizeof(float) * M * k);
    CHECK_OK(ginv_dlg_sample(E, M, x, 1, NULL, NULL, 11, z, NULL));
    double m[k] = {0}, S[k][k] = {{0}}, mp[k], Sp[k], tr = 0, fn = 0, fe = 0;
    for (int i = 0; i < M; i++)
        for (int c = 0; c < k; c++) m[c] += z[i * k + c] / (double)M;
    for (int i = 0; i < M; i++)
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) S[a][b] += (z[i * k + a] - m[a]) * (z[i * k + b] - m[b]) / (M - 1.0);
    for (int c = 0; c < k; c++) { /* W^T x: column c is s_c (e_{2c} + e_{2c+1}) / sqrt 2 */
        Sp[c] = 1.0 / (1.0 + s[c] * s[c] / (beta * beta));
        mp[c] = Sp[c] * s[c] * ((double)x[2 * c] + x[2 * c + 1]) / sqrt(2.0) / (beta * beta);
        tr += Sp[c];
        fn += Sp[c] * Sp[c];
    }
    double d2 = 0;
    for (int a = 0; a < k; a++) {
        d2 += (m[a] - mp[a]) * (m[a] - mp[a]);
        for (int b = 0; b < k; b++) fe += (S[a][b] - (a == b ? Sp[a] : 0)) * (S[a][b] - (a == b ? Sp[a] : 0));
    }
    printf("    covariance (%.4f, %.4f, %.4f) vs (%.4f, 0, %.4f)\n", S[0][0], S[0][1], S[1][1], Sp[0], Sp[1]);
    *me = sqrt(d2 / tr);
    *ce = sqrt(fe / fn);
    free(z);
}

/* Trained by the SIVI bound on the linear-Gaussian model, a 2-layer tanh DLG
 * draws the closed-form posterior at three x: mean error < 0.2, covariance
 * error < 0.2 (the same encoder untrained: about 3 and 1.9); its L_8 comes
 * within 0.2 nats of log p(x). K = 32: with K = 8 (10 000 steps of 64) the
 * wide axis' variance came out 0.107 against 0.155, covariance error 0.31,
 * SIVI's finite-K bias toward under-dispersed implicit mixtures. */
TEST(dlg_trained_by_sivi_draws_the_closed_form_posterior_of_a_linear_gaussian_model)
{
    enum { k = 2, n = 4 };
    const double s[k] = {1.5, 0.7}, beta = 0.3;
    ginv_net *G = linear_g(k, n, s);
    ginv_dlg *E = NULL;
    CHECK_OK(ginv_dlg_new_mlp(&E, n, k, 2, 16, GINV_LAYER_TANH, 0, 0.5, 3));
    if (!G || !E) return;
    const float xs[3][n] = {{0.9f, 1.3f, -0.2f, 0.1f}, {-0.5f, -0.3f, 0.6f, 0.4f}, {0.1f, 0.0f, -0.9f, -0.6f}};
    double me0[3], ce0[3], me[3], ce[3];
    for (int i = 0; i < 3; i++) posterior_errors(E, s, beta, xs[i], &me0[i], &ce0[i]);
    ginv_dlg_train_opts o;
    ginv_dlg_train_opts_init(&o);
    o.steps = 6000, o.batch = 32, o.K = 32, o.lr = 3e-3, o.seed = 2;
    double fb = NAN;
    CHECK_OK(ginv_dlg_train(E, G, beta, &o, &fb));
    CHECK(ginv_dlg_record(E) && strstr(ginv_dlg_record(E), "\"training\"") && strstr(ginv_dlg_record(E), "\"K\":32"));
    for (int i = 0; i < 3; i++) {
        posterior_errors(E, s, beta, xs[i], &me[i], &ce[i]);
        printf("    x %d: mean error %.3f (untrained %.3f), covariance error %.3f (untrained %.3f)\n", i, me[i], me0[i],
               ce[i], ce0[i]);
        CHECK_MSG(me[i] < 0.2 && ce[i] < 0.2, "x %d: mean error %g, covariance error %g", i, me[i], ce[i]);
        CHECK_MSG(me0[i] >= 0.2 || ce0[i] >= 0.2, "x %d: the untrained encoder passes too (%g, %g)", i, me0[i], ce0[i]);
    }
    /* the bound at x 0 after training, against the exact log p(x) */
    enum { B = 500, K = 8 };
    float *xr = malloc(sizeof(float) * B * n), *xi = malloc(sizeof(float) * 2 * B * (K + 1) * k);
    for (int b = 0; b < B; b++) memcpy(xr + b * n, xs[0], sizeof xs[0]);
    normals(77, xi, (size_t)2 * B * (K + 1) * k, 1.0);
    double bound, lp = linear_log_px(k, n, s, beta, xs[0]);
    CHECK_OK(ginv_dlg_sivi_bound(E, G, beta, B, K, xr, xi, &bound, NULL));
    printf("    trained: L_8 %.4f vs log p(x) %.4f; training's final bound %.4f\n", bound, lp, fb);
    CHECK_MSG(bound < lp + 0.05 && bound > lp - 0.2, "L_8 %g vs log p(x) %g", bound, lp);
    free(xr);
    free(xi);
    ginv_dlg_free(E);
    ginv_net_free(G);
}

/* the same run with 1 and 2 threads: bit-identical parameters */
TEST(dlg_training_is_bit_identical_across_thread_counts)
{
    const double s[2] = {1.5, 0.7};
    ginv_net *G = linear_g(2, 4, s);
    ginv_dlg *E[2] = {NULL, NULL};
    ginv_dlg_train_opts o;
    ginv_dlg_train_opts_init(&o);
    o.steps = 100, o.batch = 16, o.K = 3;
    for (int t = 0; t < 2; t++) {
        CHECK_OK(ginv_dlg_new_mlp(&E[t], 4, 2, 3, 12, GINV_LAYER_SOFTPLUS, 0, 0.5, 5));
        o.threads = t + 1;
        if (E[t]) CHECK_OK(ginv_dlg_train(E[t], G, 0.3, &o, NULL));
    }
    if (E[0] && E[1]) {
        size_t np = ginv_dlg_nparams(E[0]);
        CHECK(memcmp(ginv_dlg_layer_params(E[0], 0, NULL), ginv_dlg_layer_params(E[1], 0, NULL), np * sizeof(float)) == 0);
    }
    ginv_dlg_free(E[0]);
    ginv_dlg_free(E[1]);
    ginv_net_free(G);
}
