/* test_wdc.c — the Weight Distribution Condition (Hand & Voroninski Def. 2,
 * eq. 2, footnote 1), the symmetric eigen-solver behind its spectral norms,
 * and the Range Restricted Isometry Condition (Def. 3). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

enum { TEST_STREAM_WDC = GINV_STREAM_USER + 31 }; /* this file's random draws */

static double dot(int k, const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < k; i++) s += a[i] * b[i];
    return s;
}

static void unit(int k, double *a)
{
    double n = sqrt(dot(k, a, a));
    for (int i = 0; i < k; i++) a[i] /= n;
}

/* A = H diag(lam) H with the Householder reflection H = I - 2 v v^T (orthogonal). */
static void conjugated_diag(int k, const double *lam, const double *v, double *A)
{
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int t = 0; t < k; t++) {
                double hi = (i == t) - 2 * v[i] * v[t], hj = (j == t) - 2 * v[j] * v[t];
                s += hi * lam[t] * hj;
            }
            A[(size_t)i * k + j] = s;
        }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

TEST(wdc_eigensolver_recovers_known_spectra)
{
    ginv_rng r;
    ginv_rng_init(&r, 7, TEST_STREAM_WDC, 0);
    static double A[120 * 120], lam[120], eig[120], v[120];
    int sizes[] = {1, 2, 3, 7, 30, 120};
    for (int si = 0; si < 6; si++) {
        int k = sizes[si];
        /* reflected diagonals with negative, repeated and spread eigenvalues */
        for (int i = 0; i < k; i++) lam[i] = i % 4 == 3 ? lam[i - 1] : 10 * ginv_rng_normal(&r);
        for (int i = 0; i < k; i++) v[i] = ginv_rng_normal(&r);
        unit(k, v);
        conjugated_diag(k, lam, v, A);
        CHECK_OK(ginv_sym_eigvals(k, A, eig));
        qsort(lam, (size_t)k, sizeof *lam, cmp_d);
        for (int i = 0; i < k; i++) CHECK_NEAR(eig[i], lam[i], 1e-10 * 10 * k);
        double nrm;
        CHECK_OK(ginv_sym_norm(k, A, &nrm));
        CHECK_NEAR(nrm, fmax(fabs(lam[0]), fabs(lam[k - 1])), 1e-9 * k);
        /* the second-difference matrix tridiag(-1, 2, -1): 2 - 2 cos(j pi / (k + 1)) */
        memset(A, 0, sizeof(double) * k * k);
        for (int i = 0; i < k; i++) {
            A[(size_t)i * k + i] = 2;
            if (i > 0) A[(size_t)i * k + i - 1] = A[(size_t)(i - 1) * k + i] = -1;
        }
        CHECK_OK(ginv_sym_eigvals(k, A, eig));
        for (int j = 1; j <= k; j++) CHECK_NEAR(eig[j - 1], 2 - 2 * cos(j * M_PI / (k + 1)), 1e-12 * k);
        /* the all-ones matrix: k once, 0 k - 1 times */
        for (int i = 0; i < k * k; i++) A[i] = 1;
        CHECK_OK(ginv_sym_eigvals(k, A, eig));
        for (int i = 0; i < k - 1; i++) CHECK_NEAR(eig[i], 0, 1e-12 * k);
        CHECK_NEAR(eig[k - 1], k, 1e-12 * k);
    }
    /* the norm is max |lambda|, here a dominant negative eigenvalue */
    double B[4] = {-3, 0, 0, 1}, nrm;
    CHECK_OK(ginv_sym_norm(2, B, &nrm));
    CHECK_NEAR(nrm, 3, 0);
    double bad[1] = {NAN};
    CHECK(ginv_sym_eigvals(1, bad, eig) == GINV_ERR_NUMERIC);
}

TEST(wdc_swap_matrix_maps_x_to_y_y_to_x_and_kills_the_complement)
{
    enum { K = 6 };
    double angles[] = {0, 1e-7, 1e-4, 0.5, M_PI / 2, 2.0, M_PI - 1e-4, M_PI - 1e-7, M_PI};
    ginv_rng r;
    ginv_rng_init(&r, 11, TEST_STREAM_WDC, 1);
    for (int ai = 0; ai < 9; ai++)
        for (int rep = 0; rep < 5; rep++) {
            double x[K], u[K], y[K], z[K], M[K * K], out[K];
            for (int i = 0; i < K; i++) x[i] = ginv_rng_normal(&r), u[i] = ginv_rng_normal(&r);
            unit(K, x);
            double p = dot(K, x, u);
            for (int i = 0; i < K; i++) u[i] -= p * x[i];
            unit(K, u);
            double th = angles[ai], sx = 0.5 + 3 * ginv_rng_uniform(&r), sy = 0.1 + 5 * ginv_rng_uniform(&r);
            for (int i = 0; i < K; i++) y[i] = sy * (cos(th) * x[i] + sin(th) * u[i]);
            double xs[K], yh[K];
            for (int i = 0; i < K; i++) xs[i] = sx * x[i], yh[i] = y[i] / sy;
            CHECK_OK(ginv_wdc_swap_matrix(K, xs, y, M));
            /* x^ -> y^ and y^ -> x^ */
            for (int i = 0; i < K; i++) out[i] = dot(K, M + i * K, x);
            for (int i = 0; i < K; i++) CHECK_NEAR(out[i], yh[i], 1e-9);
            for (int i = 0; i < K; i++) out[i] = dot(K, M + i * K, yh);
            for (int i = 0; i < K; i++) CHECK_NEAR(out[i], x[i], 1e-9);
            /* z in span{x, y}^perp -> 0 (at 0 and pi the span is span{x}) */
            for (int i = 0; i < K; i++) z[i] = ginv_rng_normal(&r);
            double px = dot(K, z, x), pu = dot(K, z, u);
            int degenerate = th == 0 || th == M_PI;
            for (int i = 0; i < K; i++) z[i] -= px * x[i] + (degenerate ? 0 : pu * u[i]);
            for (int i = 0; i < K; i++) CHECK_NEAR(dot(K, M + i * K, z), 0, 1e-9);
            /* symmetric; at 0 and pi exactly +-x^x^T (footnote 1) */
            for (int i = 0; i < K; i++)
                for (int j = 0; j < K; j++) {
                    CHECK_NEAR(M[i * K + j], M[j * K + i], 1e-15);
                    if (degenerate) CHECK_NEAR(M[i * K + j], (th == 0 ? 1 : -1) * x[i] * x[j], 1e-12);
                }
        }
    double zero[K] = {0}, one[K] = {1}, M[K * K];
    CHECK(ginv_wdc_swap_matrix(K, zero, one, M) == GINV_ERR_ARG);
    CHECK(ginv_wdc_q(K, one, zero, M) == GINV_ERR_ARG);
}

TEST(wdc_q_is_the_expectation_of_the_active_gram_matrix_for_a_wide_gaussian_layer)
{
    /* Rows w_i ~ N(0, I/n), n = 20000, k = 3. Each entry of S = sum_i 1 1 w_i w_i^T
     * is a sum of n independent terms of variance <= E[w_a^2 w_b^2] <= 3/n^2, so
     * E ||S - E S||_F^2 <= (3k + k(k - 1))/n; we allow 4 times its square root
     * (0.11). The sin(th)/(2 pi) M term, 1/(2 pi) = 0.16 at th = pi/2, is larger:
     * the check would catch Q without it. */
    enum { N = 20000, K = 3 };
    static float W[N * K];
    ginv_rng r;
    ginv_rng_init(&r, 5, TEST_STREAM_WDC, 2);
    ginv_rng_normal_f32(&r, W, (size_t)N * K, 1 / sqrt((double)N));
    double tol = 4 * sqrt((3.0 * K + K * (K - 1)) / N);
    double angles[] = {0, 0.05, M_PI / 3, M_PI / 2, 2.5, M_PI - 0.05, M_PI};
    double x[K] = {1, 0.5, -0.2}, u[K] = {0.3, -0.4, 1.0};
    unit(K, x);
    double p = dot(K, x, u);
    for (int i = 0; i < K; i++) u[i] -= p * x[i];
    unit(K, u);
    for (int ai = 0; ai < 7; ai++) {
        double th = angles[ai], y[K], S[K * K] = {0}, Q[K * K], D[K * K], dev, direct;
        for (int i = 0; i < K; i++) y[i] = cos(th) * x[i] + sin(th) * u[i];
        CHECK_OK(ginv_wdc_deviation(N, K, W, x, y, &dev));
        CHECK_MSG(dev <= tol, "deviation %g at angle %g exceeds %g", dev, th, tol);
        /* the same number from an independent sum */
        for (int n = 0; n < N; n++) {
            const float *w = W + n * K;
            double a = w[0] * x[0] + w[1] * x[1] + w[2] * x[2], b = w[0] * y[0] + w[1] * y[1] + w[2] * y[2];
            if (a > 0 && b > 0)
                for (int i = 0; i < K; i++)
                    for (int j = 0; j < K; j++) S[i * K + j] += (double)w[i] * w[j];
        }
        CHECK_OK(ginv_wdc_q(K, x, y, Q));
        for (int i = 0; i < K * K; i++) D[i] = S[i] - Q[i];
        CHECK_OK(ginv_sym_norm(K, D, &direct));
        CHECK_NEAR(dev, direct, 1e-9);
        if (ai == 3) { /* without the M term the gap is well beyond tol */
            for (int i = 0; i < K * K; i++) D[i] = S[i] - (i % (K + 1) == 0 ? 0.25 : 0);
            CHECK_OK(ginv_sym_norm(K, D, &direct));
            CHECK_MSG(direct > tol, "dropping M gives %g, not beyond %g", direct, tol);
        }
    }
    /* at angle pi no row is active on both and Q = 0: exactly 0 */
    double y[K];
    for (int i = 0; i < K; i++) y[i] = -2 * x[i];
    double dev;
    CHECK_OK(ginv_wdc_deviation(N, K, W, x, y, &dev));
    CHECK_NEAR(dev, 0, 1e-15);
}

TEST(wdc_estimate_shrinks_as_the_layer_widens)
{
    /* k = 5, W n x k with N(0, 1/n) entries: n = 50, 500, 5000. Proposition 6
     * predicts eps ~ sqrt(k/n) up to logs, a factor ~3 per step; ask for 1.5. */
    enum { K = 5 };
    int ns[3] = {50, 500, 5000};
    double eps[3];
    static float W[5000 * K];
    for (int t = 0; t < 3; t++) {
        ginv_rng r;
        ginv_rng_init(&r, 3, TEST_STREAM_WDC, 10 + t);
        ginv_rng_normal_f32(&r, W, (size_t)ns[t] * K, 1 / sqrt((double)ns[t]));
        ginv_wdc_opts o;
        ginv_wdc_opts_init(&o);
        o.pairs = 300;
        o.ascent_steps = 60;
        o.ascent_starts = 3;
        o.seed = 9;
        ginv_wdc_result res, again;
        CHECK_OK(ginv_wdc_estimate(ns[t], K, W, &o, &res));
        CHECK(res.max >= res.max_sampled && res.max_sampled >= res.mean && res.mean > 0);
        CHECK(res.angle >= 0 && res.angle <= M_PI);
        CHECK(res.evaluated == 300 + 3 * 60);
        CHECK_OK(ginv_wdc_estimate(ns[t], K, W, &o, &again));
        CHECK_MSG(again.max == res.max && again.mean == res.mean, "same seed, different estimate");
        eps[t] = res.max;
    }
    CHECK_MSG(eps[0] > 1.5 * eps[1] && eps[1] > 1.5 * eps[2], "eps %g, %g, %g not shrinking",
              eps[0], eps[1], eps[2]);
    ginv_wdc_opts o;
    ginv_wdc_opts_init(&o);
    o.pairs = 0;
    ginv_wdc_result res;
    CHECK(ginv_wdc_estimate(50, K, W, &o, &res) == GINV_ERR_ARG);
}

static ginv_net *small_net(int k, int n1, int n2, uint64_t seed)
{
    ginv_layer spec[4] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = n1}, {.kind = GINV_LAYER_RELU},
                          {.kind = GINV_LAYER_DENSE, .in = n1, .out = n2}, {.kind = GINV_LAYER_RELU}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 4, spec));
    if (net) ginv_net_randomize(net, GINV_INIT_PAPER, 0, seed, 0);
    return net;
}

TEST(wdc_on_the_range_relu_inputs_are_at_most_a_right_angle_apart)
{
    /* Layer 2's inputs are ReLU outputs (nonnegative), so the worst pair on the
     * range is at most pi/2 apart; layer 1 on the range is Def. 2 over R^k. */
    ginv_net *net = small_net(4, 40, 200, 2);
    if (!net) return;
    ginv_wdc_opts o;
    ginv_wdc_opts_init(&o);
    o.pairs = 150;
    o.ascent_steps = 30;
    ginv_wdc_result res;
    CHECK_OK(ginv_wdc_estimate_range(net, 2, &o, &res));
    CHECK(res.max > 0 && res.angle <= M_PI / 2 + 1e-9);
    CHECK_OK(ginv_wdc_estimate_range(net, 0, &o, &res));
    CHECK(res.max > 0);
    CHECK(ginv_wdc_estimate_range(net, 1, &o, &res) == GINV_ERR_ARG); /* a ReLU */
    ginv_net_free(net);
}

TEST(rric_is_zero_for_the_identity_operator)
{
    ginv_net *net = small_net(4, 30, 80, 4);
    if (!net) return;
    ginv_op *op;
    CHECK_OK(ginv_op_identity(&op, 80));
    ginv_rric_opts o;
    ginv_rric_opts_init(&o);
    o.quads = 120;
    o.ascent_steps = 5;
    ginv_rric_result res;
    CHECK_OK(ginv_rric_estimate(net, op, &o, &res));
    CHECK_NEAR(res.max, 0, 1e-12);
    CHECK(res.evaluated == 120 + 4 * 5 * 32);
    ginv_op_free(op);
    CHECK_OK(ginv_op_identity(&op, 81));
    CHECK(ginv_rric_estimate(net, op, &o, &res) == GINV_ERR_SHAPE);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(rric_deviation_of_an_equal_pair_is_the_norm_distortion)
{
    /* x3 = x1, x4 = x2: |<Ad, Ad> - <d, d>| / ||d||^2 with d = G(x1) - G(x2) */
    ginv_net *net = small_net(3, 20, 50, 6);
    if (!net) return;
    ginv_op *op;
    CHECK_OK(ginv_op_gaussian(&op, 10, 50, 1, 0));
    float x[12] = {1, -0.5f, 0.3f, 0.2f, 0.9f, -1.1f};
    memcpy(x + 6, x, 6 * sizeof(float));
    double dev;
    CHECK_OK(ginv_rric_deviation(net, op, 1, x, &dev));
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, 2));
    const float *G = ginv_net_forward(net, ws, 2, x);
    float d[50], Ad[10];
    double dd = 0, aa = 0;
    for (int i = 0; i < 50; i++) d[i] = G[i] - G[50 + i], dd += (double)d[i] * d[i];
    ginv_op_apply(op, 1, d, Ad);
    for (int i = 0; i < 10; i++) aa += (double)Ad[i] * Ad[i];
    CHECK_NEAR(dev, fabs(aa - dd) / dd, 1e-6); /* float products: GEMM vs GEMV */
    CHECK(dev > 0);
    ginv_net_ws_free(ws);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(rric_shrinks_as_m_grows_for_gaussian_operators)
{
    /* A ~ N(0, 1/m): eps ~ sqrt(k log(n1 n2) / m) up to constants, a factor ~2
     * per 4x in m; ask for 1.3. */
    ginv_net *net = small_net(4, 40, 200, 8);
    if (!net) return;
    int ms[3] = {20, 80, 320};
    double eps[3];
    for (int t = 0; t < 3; t++) {
        ginv_op *op;
        CHECK_OK(ginv_op_gaussian(&op, ms[t], 200, 5, 0));
        ginv_rric_opts o;
        ginv_rric_opts_init(&o);
        o.quads = 120;
        o.ascent_steps = 10;
        o.ascent_batch = 16;
        ginv_rric_result res;
        CHECK_OK(ginv_rric_estimate(net, op, &o, &res));
        CHECK(res.max >= res.max_sampled && res.max_sampled >= res.mean && res.mean > 0);
        eps[t] = res.max;
        ginv_op_free(op);
    }
    CHECK_MSG(eps[0] > 1.3 * eps[1] && eps[1] > 1.3 * eps[2], "eps %g, %g, %g not shrinking",
              eps[0], eps[1], eps[2]);
    ginv_net_free(net);
}
