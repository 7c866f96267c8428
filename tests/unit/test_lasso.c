/* test_lasso.c — the FISTA Lasso baseline: its answer satisfies the Lasso
 * optimality (KKT) conditions, matches the closed form where there is one
 * (a selection operator in the pixel basis: soft thresholding), recovers an
 * exactly sparse DCT image from enough noiseless Gaussian measurements,
 * gives c = 0 once lambda >= ||Psi^T A^T y||_inf; the power-iteration
 * ||A||^2 against eigenvalues; lambda tuning by held-out MSE. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static float *rand_floats(size_t n, uint64_t index, double sd)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 99, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, sd);
    return x;
}

/* n uniform [0, 1) pixels */
static float *rand_pixels(size_t n, uint64_t index)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 98, GINV_STREAM_USER, index);
    for (size_t i = 0; i < n; i++) x[i] = (float)ginv_rng_uniform(&r);
    return x;
}

/* g (N x n) = Psi^T A^T (y - A Psi c): the negative gradient of the smooth
 * part at c */
static void neg_grad(const ginv_op *op, ginv_basis b, int h, int w, int N, const float *Y,
                     const float *C, float *g)
{
    size_t n = (size_t)h * w, m = (size_t)ginv_op_m(op);
    float *x = malloc(N * n * 4), *r = malloc(N * m * 4), *u = malloc(N * n * 4);
    CHECK_OK(ginv_basis_synthesize(b, h, w, N, C, x));
    ginv_op_apply(op, N, x, r);
    for (size_t i = 0; i < N * m; i++) r[i] = Y[i] - r[i];
    ginv_op_adjoint(op, N, r, u);
    CHECK_OK(ginv_basis_analyze(b, h, w, N, u, g));
    free(x);
    free(r);
    free(u);
}

/* KKT of min 1/2||y - A Psi c||^2 + lambda ||c||_1: |g_i| <= lambda
 * everywhere, g_i = lambda sign(c_i) on the support (|c_i| > 1e-5), for
 * g = Psi^T A^T (y - A Psi c); tolerance 2% of lambda */
TEST(lasso_answer_satisfies_the_kkt_conditions)
{
    int h = 8, w = 8, n = 64, m = 40, N = 3;
    double lambda = 0.05;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 5, 0));
    if (!op) return;
    float *X0 = rand_pixels((size_t)N * n, 1), *Y = malloc((size_t)N * m * 4);
    ginv_op_apply(op, N, X0, Y);
    ginv_add_noise(Y, (size_t)N * m, 0.01, 5, 0);
    static const ginv_basis bases[] = {GINV_BASIS_PIXEL, GINV_BASIS_DCT, GINV_BASIS_DB4};
    for (int bi = 0; bi < 3; bi++) {
        ginv_lasso_opts o;
        ginv_lasso_opts_init(&o);
        o.lambda = lambda;
        o.clip = 0;
        o.tol = 0;
        o.iters = 3000;
        float *X = malloc((size_t)N * n * 4), *C = malloc((size_t)N * n * 4), *g = malloc((size_t)N * n * 4);
        ginv_lasso_info info;
        CHECK_OK(ginv_lasso_run_ex(op, bases[bi], h, w, N, Y, &o, X, C, &info));
        CHECK(info.iters == 3000 && !info.converged);
        neg_grad(op, bases[bi], h, w, N, Y, C, g);
        double worst_out = 0, worst_on = 0;
        int support = 0;
        for (int i = 0; i < N * n; i++) {
            if (fabs(C[i]) > 1e-5) {
                support++;
                worst_on = fmax(worst_on, fabs(g[i] - lambda * (C[i] > 0 ? 1 : -1)));
            } else worst_out = fmax(worst_out, fabs(g[i]) - lambda);
        }
        CHECK_MSG(support > 0 && support < N * n, "%s: support %d of %d", ginv_basis_name(bases[bi]),
                  support, N * n);
        CHECK_MSG(worst_on < 0.02 * lambda, "%s: on the support |g - lambda sign c| up to %.3g",
                  ginv_basis_name(bases[bi]), worst_on);
        CHECK_MSG(worst_out < 0.02 * lambda, "%s: off the support |g| exceeds lambda by %.3g",
                  ginv_basis_name(bases[bi]), worst_out);
        /* X is Psi C (no clipping asked) */
        float *Xc = malloc((size_t)N * n * 4);
        CHECK_OK(ginv_basis_synthesize(bases[bi], h, w, N, C, Xc));
        CHECK(test_max_rel_diff(X, Xc, (size_t)N * n, 1.0) < 1e-6);
        free(Xc);
        free(X);
        free(C);
        free(g);
    }
    free(X0);
    free(Y);
    ginv_op_free(op);
}

/* A selection operator in the pixel basis separates: the Lasso answer is
 * soft(y_i, lambda) at observed pixels and 0 elsewhere */
TEST(lasso_on_inpainting_in_pixels_is_soft_thresholding)
{
    int h = 6, w = 6, n = 36, N = 2;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_inpaint_box(&op, 1, h, w, 2, 1, 2, 3));
    if (!op) return;
    int m = ginv_op_m(op);
    float *Y = rand_floats((size_t)N * m, 7, 0.5), *X = malloc((size_t)N * n * 4), *back = malloc((size_t)N * n * 4);
    ginv_lasso_opts o;
    ginv_lasso_opts_init(&o);
    o.lambda = 0.2;
    o.clip = 0;
    o.tol = 1e-7;
    o.iters = 200;
    ginv_lasso_info info;
    CHECK_OK(ginv_lasso_run_ex(op, GINV_BASIS_PIXEL, h, w, N, Y, &o, X, NULL, &info));
    CHECK_NEAR(info.L, 1.0, 1e-6);
    float *soft = malloc((size_t)N * m * 4);
    for (int i = 0; i < N * m; i++)
        soft[i] = Y[i] > 0.2f ? Y[i] - 0.2f : Y[i] < -0.2f ? Y[i] + 0.2f : 0.0f;
    ginv_op_adjoint(op, N, soft, back); /* soft at observed pixels, 0 in the box */
    CHECK_MSG(test_max_rel_diff(X, back, (size_t)N * n, 1.0) < 1e-5, "not soft thresholding");
    /* with clipping, X is the same clipped to [0, 1] */
    o.clip = 1;
    CHECK_OK(ginv_lasso_run(op, GINV_BASIS_PIXEL, h, w, N, Y, &o, X));
    int bad = 0;
    for (int i = 0; i < N * n; i++) bad += fabs(X[i] - fmin(1.0, fmax(0.0, back[i]))) > 1e-5;
    CHECK(bad == 0);
    free(Y);
    free(X);
    free(back);
    free(soft);
    ginv_op_free(op);
}

/* A 16 x 16 image with 8 nonzero DCT coefficients, m = 100 noiseless
 * Gaussian measurements (well above 2 k log(n/k) = 55): the Lasso with a
 * small lambda recovers it to 1% relative error */
TEST(lasso_recovers_an_exactly_sparse_dct_image)
{
    int h = 16, w = 16, n = 256, m = 100, k = 8;
    float c0[256] = {0}, x0[256], y[100], x[256];
    static const int where[8] = {0, 3, 17, 40, 77, 128, 200, 255};
    for (int i = 0; i < k; i++) c0[where[i]] = (i % 2 ? -1.0f : 1.0f) * (1.0f + 0.25f * i);
    CHECK_OK(ginv_basis_synthesize(GINV_BASIS_DCT, h, w, 1, c0, x0));
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 11, 0));
    if (!op) return;
    ginv_op_apply(op, 1, x0, y);
    ginv_lasso_opts o;
    ginv_lasso_opts_init(&o);
    o.lambda = 1e-4;
    o.clip = 0;
    o.tol = 1e-7;
    o.iters = 5000;
    ginv_lasso_info info;
    CHECK_OK(ginv_lasso_run_ex(op, GINV_BASIS_DCT, h, w, 1, y, &o, x, NULL, &info));
    double e = 0, s = 0;
    for (int i = 0; i < n; i++) {
        e += (x[i] - x0[i]) * (double)(x[i] - x0[i]);
        s += x0[i] * (double)x0[i];
    }
    CHECK_MSG(sqrt(e / s) < 0.01, "relative error %.3g after %d iterations", sqrt(e / s), info.iters);
    /* the pixel basis, where the image is not sparse, does much worse */
    CHECK_OK(ginv_lasso_run(op, GINV_BASIS_PIXEL, h, w, 1, y, &o, x));
    double e2 = 0;
    for (int i = 0; i < n; i++) e2 += (x[i] - x0[i]) * (double)(x[i] - x0[i]);
    CHECK_MSG(sqrt(e2 / s) > 0.2, "pixel-basis relative error %.3g", sqrt(e2 / s));
    ginv_op_free(op);
}

/* c = 0 is optimal iff lambda >= ||Psi^T A^T y||_inf (the KKT condition at 0) */
TEST(lasso_large_lambda_gives_zero)
{
    int h = 8, w = 8, n = 64, m = 30;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 3, 0));
    if (!op) return;
    float *x0 = rand_pixels((size_t)n, 3), y[30], u[64], g[64], X[64], C[64];
    ginv_op_apply(op, 1, x0, y);
    ginv_op_adjoint(op, 1, y, u);
    CHECK_OK(ginv_basis_analyze(GINV_BASIS_HAAR, h, w, 1, u, g));
    double lmax = 0;
    for (int i = 0; i < n; i++) lmax = fmax(lmax, fabs(g[i]));
    ginv_lasso_opts o;
    ginv_lasso_opts_init(&o);
    o.clip = 0;
    o.lambda = 1.001 * lmax;
    CHECK_OK(ginv_lasso_run_ex(op, GINV_BASIS_HAAR, h, w, 1, y, &o, X, C, NULL));
    int nz = 0;
    for (int i = 0; i < n; i++) nz += C[i] != 0 || X[i] != 0;
    CHECK_MSG(nz == 0, "%d nonzero entries at lambda = 1.001 lambda_max", nz);
    o.lambda = 0.9 * lmax;
    CHECK_OK(ginv_lasso_run_ex(op, GINV_BASIS_HAAR, h, w, 1, y, &o, X, C, NULL));
    nz = 0;
    for (int i = 0; i < n; i++) nz += C[i] != 0;
    CHECK_MSG(nz >= 1, "nothing nonzero at lambda = 0.9 lambda_max");
    free(x0);
    ginv_op_free(op);
}

TEST(op_sqnorm_matches_the_largest_eigenvalue)
{
    int m = 30, n = 50;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 8, 0));
    if (!op) return;
    /* A^T A in double from the operator's columns */
    double *AtA = calloc((size_t)n * n, sizeof(double)), eig[50];
    float *e = calloc(n, 4), *cols = malloc((size_t)n * m * 4);
    for (int j = 0; j < n; j++) {
        e[j] = 1;
        ginv_op_apply(op, 1, e, cols + (size_t)j * m);
        e[j] = 0;
    }
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            for (int i = 0; i < m; i++) AtA[a * n + b] += (double)cols[a * m + i] * cols[b * m + i];
    CHECK_OK(ginv_sym_eigvals(n, AtA, eig));
    double L;
    CHECK_OK(ginv_op_sqnorm(op, 500, &L));
    CHECK_MSG(fabs(L - eig[n - 1]) < 1e-4 * eig[n - 1], "power iteration %.9g, eigenvalue %.9g", L,
              eig[n - 1]);
    CHECK(L <= eig[n - 1] * (1 + 1e-6)); /* from below */
    ginv_op_free(op);
    CHECK_OK(ginv_op_downsample(&op, 1, 8, 8, 2)); /* block mean: ||A||^2 = 1/4 */
    CHECK_OK(ginv_op_sqnorm(op, 50, &L));
    CHECK_NEAR(L, 0.25, 1e-6);
    ginv_op_free(op);
    free(AtA);
    free(e);
    free(cols);
}

TEST(lasso_tune_picks_the_lambda_with_least_heldout_mse)
{
    int h = 8, w = 8, n = 64, m = 32, N = 4;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 21, 0));
    if (!op) return;
    /* smooth images (sparse in the DCT) plus measurement noise */
    float *X0 = malloc((size_t)N * n * 4), *Y = malloc((size_t)N * m * 4), *X = malloc((size_t)N * n * 4);
    for (int b = 0; b < N; b++)
        for (int i = 0; i < n; i++)
            X0[b * n + i] = 0.5f + 0.3f * (float)sin(0.4 * (i / w) + b) * (float)cos(0.3 * (i % w));
    ginv_op_apply(op, N, X0, Y);
    ginv_add_noise(Y, (size_t)N * m, 0.05, 21, 0);
    const double lambdas[4] = {1.0, 0.1, 0.01, 0.001};
    double mse[4], best;
    ginv_lasso_opts o;
    ginv_lasso_opts_init(&o);
    o.iters = 300;
    CHECK_OK(ginv_lasso_tune(op, GINV_BASIS_DCT, h, w, N, X0, Y, lambdas, 4, &o, &best, mse));
    int arg = 0;
    for (int k = 0; k < 4; k++) {
        o.lambda = lambdas[k];
        CHECK_OK(ginv_lasso_run(op, GINV_BASIS_DCT, h, w, N, Y, &o, X));
        double se = 0;
        for (int i = 0; i < N * n; i++) se += (X[i] - X0[i]) * (double)(X[i] - X0[i]);
        CHECK_NEAR(mse[k], se / (N * n), 1e-6 * mse[k]); /* float sums in another order */
        if (mse[k] < mse[arg]) arg = k;
    }
    CHECK(best == lambdas[arg]);
    /* the extremes lose: lambda = 1 kills everything, the choice is interior */
    CHECK_MSG(arg != 0, "mse %g %g %g %g", mse[0], mse[1], mse[2], mse[3]);
    free(X0);
    free(Y);
    free(X);
    ginv_op_free(op);
}

TEST(lasso_rejects_bad_arguments)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, 4, 16, 1, 0));
    float Y[4] = {0, 1, NAN, 0}, X[16];
    ginv_lasso_opts o;
    ginv_lasso_opts_init(&o);
    CHECK(ginv_lasso_run(op, GINV_BASIS_DCT, 4, 4, 1, Y, &o, X) == GINV_ERR_NUMERIC);
    CHECK(strstr(ginv_last_error(), "measurement 2 of image 0") != NULL);
    Y[2] = 0;
    CHECK(ginv_lasso_run(op, GINV_BASIS_DCT, 4, 5, 1, Y, &o, X) == GINV_ERR_SHAPE);
    o.lambda = -1;
    CHECK(ginv_lasso_run(op, GINV_BASIS_DCT, 4, 4, 1, Y, &o, X) == GINV_ERR_ARG);
    o.lambda = 0.1;
    o.safety = 0.5;
    CHECK(ginv_lasso_run(op, GINV_BASIS_DCT, 4, 4, 1, Y, &o, X) == GINV_ERR_ARG);
    ginv_op_free(op);
}
