/* test_phase_retrieval.c — the classical Fourier phase-retrieval baselines
 * (Fienup 1982: ER and HIO): HIO + ER recovers small random non-negative
 * images from noiseless K = 2 magnitudes up to the trivial ambiguities in
 * most of a fixed set of seeds, ER's Fourier error never increases
 * (Fienup's eqs. 14-16), the numbers do not depend on the thread count, and
 * bad input is refused. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* x (n) uniform in [0, 1) from a stream of its own */
static void rand_image(float *x, int n, uint64_t index)
{
    ginv_rng r;
    ginv_rng_init(&r, 31, GINV_STREAM_USER, index);
    for (int i = 0; i < n; i++) x[i] = (float)ginv_rng_uniform(&r);
}

TEST(phase_retrieval_hio_er_recovers_small_images_up_to_ambiguities)
{
    enum { H = 6, W = 6, K = 2, S = 8 };
    int n = H * W, m = K * K * n, ok = 0;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 1, H, W, K));
    if (!op) return;
    float *x0 = malloc(S * n * sizeof(float)), *y = malloc(S * m * sizeof(float));
    float *x = malloc(S * n * sizeof(float));
    double res[S];
    for (int s = 0; s < S; s++) rand_image(x0 + s * n, n, 100 + s);
    ginv_op_measure(op, S, x0, y);
    ginv_pr_opts o;
    ginv_pr_opts_init(&o);
    o.iters = 400, o.er_iters = 100, o.restarts = 4;
    CHECK_OK(ginv_phase_retrieval_run(1, H, W, K, S, y, &o, x, res));
    for (int s = 0; s < S; s++) {
        double e = ginv_op_rel_error(op, x + s * n, x0 + s * n, n);
        if (e < 1e-3) {
            ok++;
            CHECK_MSG(res[s] < 1e-3, "seed %d: recovered (error %g) with residual %g", s, e, res[s]);
        }
        for (int i = 0; i < n; i++) CHECK(x[s * n + i] >= 0); /* on the object set */
    }
    CHECK_MSG(ok >= 6, "HIO + ER recovered %d of %d images", ok, S);
    /* ER alone from the same starts, for contrast: a weaker algorithm, never better here */
    o.algo = GINV_PR_ER;
    o.iters = 500;
    CHECK_OK(ginv_phase_retrieval_run(1, H, W, K, S, y, &o, x, res));
    int ok_er = 0;
    for (int s = 0; s < S; s++) ok_er += ginv_op_rel_error(op, x + s * n, x0 + s * n, n) < 1e-3;
    CHECK_MSG(ok_er <= ok, "ER recovered %d, HIO + ER %d", ok_er, ok);
    printf("  HIO+ER %d/%d, ER %d/%d recovered (6x6, K = 2, 4 restarts)\n", ok, S, ok_er, S);
    free(x0), free(y), free(x);
    ginv_op_free(op);
}

TEST(phase_retrieval_er_fourier_error_never_increases)
{
    enum { H = 5, W = 7, K = 2, T = 200, R = 3 };
    int n = 2 * H * W, m = K * K * n;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 2, H, W, K)); /* two channels */
    if (!op) return;
    float *x0 = malloc(n * sizeof(float)), *y = malloc(m * sizeof(float));
    double *tr = malloc((size_t)R * T * sizeof(double));
    rand_image(x0, n, 7);
    ginv_op_measure(op, 1, x0, y);
    ginv_add_noise(y, (size_t)m, 0.05, 3, 0); /* inconsistent magnitudes: ER stalls above 0 */
    for (int i = 0; i < m; i++) y[i] = y[i] > 0 ? y[i] : 0;
    ginv_pr_opts o;
    ginv_pr_opts_init(&o);
    o.algo = GINV_PR_ER, o.iters = T, o.restarts = R, o.trace = tr;
    double res;
    CHECK_OK(ginv_phase_retrieval_run(2, H, W, K, 1, y, &o, NULL, &res));
    int rises = 0;
    for (int r = 0; r < R; r++) {
        const double *e = tr + r * T;
        for (int t = 1; t < T; t++) rises += e[t] > e[t - 1] * (1 + 1e-12) + 1e-15;
        CHECK_MSG(e[T - 1] < 0.5 * e[0], "restart %d: E fell only from %g to %g", r, e[0], e[T - 1]);
        CHECK(e[T - 1] > 0.01); /* noisy magnitudes: no exact fit */
    }
    CHECK_MSG(rises == 0, "ER's Fourier error rose %d times", rises);
    /* HIO is not monotone: its trace over the same run rises somewhere */
    o.algo = GINV_PR_HIO, o.iters = T, o.er_iters = 0;
    CHECK_OK(ginv_phase_retrieval_run(2, H, W, K, 1, y, &o, NULL, &res));
    rises = 0;
    for (int t = 1; t < R * T; t++) rises += t % T && tr[t] > tr[t - 1] * (1 + 1e-12) + 1e-15;
    CHECK_MSG(rises > 0, "HIO's error never rose: the trace may not be the Fourier error");
    free(x0), free(y), free(tr);
    ginv_op_free(op);
}

TEST(phase_retrieval_is_bit_identical_for_any_thread_count)
{
    enum { H = 6, W = 5, K = 2, N = 3 };
    int n = H * W, m = K * K * n;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 1, H, W, K));
    if (!op) return;
    float y[N * 120], x0[N * 30], a[N * 30], b[N * 30];
    for (int i = 0; i < N; i++) rand_image(x0 + i * n, n, 40 + i);
    ginv_op_measure(op, N, x0, y);
    ginv_pr_opts o;
    ginv_pr_opts_init(&o);
    o.iters = 50, o.er_iters = 20, o.restarts = 5;
    double ra[N], rb[N];
    CHECK_OK(ginv_phase_retrieval_run(1, H, W, K, N, y, &o, a, ra));
    o.threads = 2;
    CHECK_OK(ginv_phase_retrieval_run(1, H, W, K, N, y, &o, b, rb));
    CHECK(!memcmp(a, b, sizeof a) && !memcmp(ra, rb, sizeof ra));
    o.seed = 2; /* another seed, other starts */
    CHECK_OK(ginv_phase_retrieval_run(1, H, W, K, N, y, &o, b, rb));
    CHECK(memcmp(a, b, sizeof a) != 0);
    (void)m;
    ginv_op_free(op);
}

TEST(phase_retrieval_refuses_bad_input)
{
    float y[64] = {0}, x[16];
    ginv_pr_opts o;
    ginv_pr_opts_init(&o);
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 0, 1, y, &o, x, NULL) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "oversampling factor 0") != NULL);
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 17, 1, y, &o, x, NULL) == GINV_ERR_ARG);
    CHECK(ginv_phase_retrieval_run(0, 4, 4, 2, 1, y, &o, x, NULL) == GINV_ERR_ARG);
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, -1, y, &o, x, NULL) == GINV_ERR_ARG);
    y[5] = -0.5f;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &o, x, NULL) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "magnitude 5 of image 0 is -0.5") != NULL);
    y[5] = NAN;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &o, x, NULL) == GINV_ERR_ARG);
    y[5] = 1;
    ginv_pr_opts bad = o;
    bad.restarts = 0;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &bad, x, NULL) == GINV_ERR_ARG);
    bad = o, bad.beta = 0;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &bad, x, NULL) == GINV_ERR_ARG);
    bad = o, bad.iters = -1;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &bad, x, NULL) == GINV_ERR_ARG);
    bad = o, bad.algo = (ginv_pr_algo)7;
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, y, &bad, x, NULL) == GINV_ERR_ARG);
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 1, NULL, &o, x, NULL) == GINV_ERR_ARG);
    CHECK(ginv_phase_retrieval_run(1, 4, 4, 2, 0, y, &o, x, NULL) == GINV_OK); /* nothing to do */
}

/* cs's method list against its operator: hio/er need phaseless-fourier, the
 * Lasso and ILO a linear operator; csgm takes either */
TEST(phase_retrieval_cs_methods_fit_the_operator)
{
    ginv_cs_params p;
    ginv_cs_params_init(&p);
    p.model = "g.safetensors";
    p.op = "phaseless-fourier:2", p.method = "csgm,hio,er";
    int meth[GINV_CS_NMETHODS], n = 0;
    CHECK_OK(ginv_cs_check(&p, meth, &n));
    CHECK(n == 3 && meth[1] == GINV_CS_HIO && meth[2] == GINV_CS_ER);
    CHECK(!strcmp(ginv_cs_method_name(GINV_CS_HIO), "hio") && !strcmp(ginv_cs_method_name(GINV_CS_ER), "er"));
    p.method = "csgm,lasso-dct";
    CHECK(ginv_cs_check(&p, meth, &n) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "lasso-dct needs a linear operator") != NULL);
    p.method = "csgm,ilo,sgilo"; /* ILO and SGILO compare magnitudes too */
    CHECK_OK(ginv_cs_check(&p, meth, &n));
    p.op = "onebit-gaussian", p.m = 50, p.method = "ilo"; /* but not signs */
    CHECK(ginv_cs_check(&p, meth, &n) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "measures signs") != NULL);
    p.op = "phaseless-gaussian", p.m = 50, p.method = "hio";
    CHECK(ginv_cs_check(&p, meth, &n) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "needs --op phaseless-fourier") != NULL);
    p.op = "gaussian-unit", p.method = "er";
    CHECK(ginv_cs_check(&p, meth, &n) == GINV_ERR_ARG);
    p.method = "csgm,lasso-dct";
    CHECK_OK(ginv_cs_check(&p, meth, &n));
}

/* ginv_op_align undoes the ambiguity the metric finds: a sign-flipped 180°
 * rotation, and a shift inside the box of an image with an empty border,
 * come back to the truth exactly; other operators copy */
TEST(phase_retrieval_align_moves_estimates_onto_the_truth)
{
    enum { H = 5, W = 6 };
    ginv_op *op = NULL, *g = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 1, H, W, 2));
    CHECK_OK(ginv_op_gaussian(&g, 7, H * W, 1, 0));
    if (!op || !g) return;
    float b[H * W], a[H * W], out[H * W];
    rand_image(b, H * W, 5);
    for (int p = 0; p < H; p++)
        for (int q = 0; q < W; q++) a[p * W + q] = -b[(H - 1 - p) * W + (W - 1 - q)];
    CHECK(ginv_op_rel_error(op, a, b, H * W) < 1e-6);
    CHECK_OK(ginv_op_align(op, a, b, out));
    CHECK(!memcmp(out, b, sizeof b));
    for (int q = 0; q < W; q++) b[q] = 0; /* an empty top row: b can move up by one */
    for (int p = 0; p < H; p++) b[p * W + W - 1] = 0; /* ... and an empty right column */
    memset(a, 0, sizeof a);
    for (int p = 1; p < H; p++)
        for (int q = 0; q < W - 1; q++) a[(p - 1) * W + q + 1] = b[p * W + q]; /* up 1, right 1 */
    CHECK(ginv_op_rel_error(op, a, b, H * W) < 1e-6);
    CHECK_OK(ginv_op_align(op, a, b, out));
    CHECK(!memcmp(out, b, sizeof b));
    CHECK_OK(ginv_op_align(g, a, b, out));
    CHECK(!memcmp(out, a, sizeof a));
    ginv_op_free(op);
    ginv_op_free(g);
}
