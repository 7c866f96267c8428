/* test_measure.c — measurement operators and noise: every operator's adjoint
 * identity, apply/adjoint against the operator's explicit matrix, the
 * statistics of the Gaussian matrix and of the noise, determinism of the
 * random streams, and clear failures on bad arguments. */
#include "test.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* n floats N(0, 1) from the user stream `index` (malloc'd) */
static float *rand_floats(size_t n, uint64_t index)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 2024, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, 1.0);
    return x;
}

/* n floats set to NaN, so an output the operator fails to write shows */
static float *nan_floats(size_t n)
{
    float *x = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < n; i++) x[i] = NAN;
    return x;
}

/* The operator's m x n matrix (row-major, double): column j = A e_j */
static double *dense_of(const ginv_op *op)
{
    int m = ginv_op_m(op), n = ginv_op_n(op);
    double *D = malloc((size_t)m * n * sizeof(double));
    float *e = calloc((size_t)n, sizeof(float));
    float *col = malloc((size_t)m * sizeof(float));
    for (int j = 0; j < n; j++) {
        e[j] = 1;
        ginv_op_apply(op, 1, e, col);
        e[j] = 0;
        for (int i = 0; i < m; i++) D[(size_t)i * n + j] = col[i];
    }
    free(e);
    free(col);
    return D;
}

/* <A x, y> = <x, A^T y> in double for random x (B x n), y (B x m), B = 1, 3.
 * The error is relative to the sum of |terms| on either side: a float
 * evaluation can be off by ~eps times that, while a wrong adjoint is off by a
 * fraction of it of order 1/sqrt(B m) or more. */
static void check_adjoint(const ginv_op *op, uint64_t salt)
{
    int m = ginv_op_m(op), n = ginv_op_n(op);
    static const int Bs[] = {1, 3};
    for (int t = 0; t < 2; t++) {
        int B = Bs[t];
        float *x = rand_floats((size_t)B * n, salt * 10 + 2 * t);
        float *y = rand_floats((size_t)B * m, salt * 10 + 2 * t + 1);
        float *Ax = nan_floats((size_t)B * m), *Aty = nan_floats((size_t)B * n);
        ginv_op_apply(op, B, x, Ax);
        ginv_op_adjoint(op, B, y, Aty);
        double lhs = 0, rhs = 0, lsum = 0, rsum = 0;
        for (size_t i = 0; i < (size_t)B * m; i++) {
            lhs += (double)Ax[i] * y[i];
            lsum += fabs((double)Ax[i] * y[i]);
        }
        for (size_t j = 0; j < (size_t)B * n; j++) {
            rhs += (double)x[j] * Aty[j];
            rsum += fabs((double)x[j] * Aty[j]);
        }
        double scale = fmax(fmax(lsum, rsum), 1e-30);
        double rel = fabs(lhs - rhs) / scale;
        CHECK_MSG(rel < 1e-5, "%s (%d x %d), B = %d: <Ax,y> = %.9g, <x,A^T y> = %.9g, rel %.3g",
                  ginv_op_name(op), m, n, B, lhs, rhs, rel);
        free(x);
        free(y);
        free(Ax);
        free(Aty);
    }
}

/* The matrix built from basis vectors equals `expect` (when given), and
 * apply/adjoint with B = 3 equal the plain double products with it. */
static void check_matches_dense(const ginv_op *op, const double *expect /* (m, n) or NULL */)
{
    int m = ginv_op_m(op), n = ginv_op_n(op), B = 3;
    double *D = dense_of(op);
    if (expect) {
        int bad = 0;
        for (size_t k = 0; k < (size_t)m * n; k++)
            if (!(fabs(D[k] - expect[k]) <= 1e-6 * fmax(1.0, fabs(expect[k])))) {
                if (!bad)
                    test_fail(__FILE__, __LINE__, "%s: entry (%zu, %zu) is %.9g, expected %.9g",
                              ginv_op_name(op), k / n, k % n, D[k], expect[k]);
                bad++;
            }
    }
    float *x = rand_floats((size_t)B * n, 77), *y = rand_floats((size_t)B * m, 78);
    float *Ax = nan_floats((size_t)B * m), *Aty = nan_floats((size_t)B * n);
    float *Ax_ref = malloc((size_t)B * m * sizeof(float));
    float *Aty_ref = malloc((size_t)B * n * sizeof(float));
    ginv_op_apply(op, B, x, Ax);
    ginv_op_adjoint(op, B, y, Aty);
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < m; i++) {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += D[(size_t)i * n + j] * x[(size_t)b * n + j];
            Ax_ref[(size_t)b * m + i] = (float)acc;
        }
        for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int i = 0; i < m; i++) acc += D[(size_t)i * n + j] * y[(size_t)b * m + i];
            Aty_ref[(size_t)b * n + j] = (float)acc;
        }
    }
    double ra = test_max_rel_diff(Ax, Ax_ref, (size_t)B * m, 1e-6);
    double rt = test_max_rel_diff(Aty, Aty_ref, (size_t)B * n, 1e-6);
    CHECK_MSG(ra < 1e-5, "%s apply vs dense: rel %.3g", ginv_op_name(op), ra);
    CHECK_MSG(rt < 1e-5, "%s adjoint vs dense^T: rel %.3g", ginv_op_name(op), rt);
    free(D);
    free(x);
    free(y);
    free(Ax);
    free(Aty);
    free(Ax_ref);
    free(Aty_ref);
}

/* The Gaussian matrix as documented: N(0, 1/m) drawn row-major from the OP
 * stream — built here from the RNG directly, independently of the operator */
static double *gaussian_expected(int m, int n, uint64_t seed, uint64_t index)
{
    float *A = malloc((size_t)m * n * sizeof(float));
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    ginv_rng_normal_f32(&r, A, (size_t)m * n, 1.0 / sqrt((double)m));
    double *E = malloc((size_t)m * n * sizeof(double));
    for (size_t k = 0; k < (size_t)m * n; k++) E[k] = A[k];
    free(A);
    return E;
}

/* The block-average matrix for a c x h x w image, built from the layout */
static double *downsample_expected(int c, int h, int w, int f)
{
    int ho = h / f, wo = w / f, m = c * ho * wo, n = c * h * w;
    double *E = calloc((size_t)m * n, sizeof(double));
    for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < h; p++)
            for (int q = 0; q < w; q++) {
                size_t row = (size_t)ch * ho * wo + (size_t)(p / f) * wo + q / f;
                size_t col = (size_t)ch * h * w + (size_t)p * w + q;
                E[row * n + col] = 1.0 / (f * f);
            }
    return E;
}

/* The indices a subsampling operator keeps: apply it to x_j = j */
static void subsample_indices(const ginv_op *op, int *idx)
{
    int m = ginv_op_m(op), n = ginv_op_n(op);
    float *x = malloc((size_t)n * sizeof(float)), *y = malloc((size_t)m * sizeof(float));
    for (int j = 0; j < n; j++) x[j] = (float)j;
    ginv_op_apply(op, 1, x, y);
    for (int i = 0; i < m; i++) idx[i] = (int)y[i];
    free(x);
    free(y);
}

static const int gauss_shapes[][2] = {{7, 11}, {1, 5}, {5, 1}, {20, 13}, {64, 200}};
#define NSHAPES (int)(sizeof gauss_shapes / sizeof gauss_shapes[0])

TEST(measure_gaussian_op_adjoint_holds)
{
    for (int s = 0; s < NSHAPES; s++) {
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_gaussian(&op, gauss_shapes[s][0], gauss_shapes[s][1], 42, (uint64_t)s));
        if (!op) continue;
        check_adjoint(op, (uint64_t)s);
        ginv_op_free(op);
    }
}

TEST(measure_gaussian_op_is_its_documented_matrix)
{
    for (int s = 0; s < NSHAPES; s++) {
        int m = gauss_shapes[s][0], n = gauss_shapes[s][1];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_gaussian(&op, m, n, 42, (uint64_t)s));
        if (!op) continue;
        double *E = gaussian_expected(m, n, 42, (uint64_t)s);
        check_matches_dense(op, E);
        free(E);
        ginv_op_free(op);
    }
}

/* Over N = 200 * 300 = 60000 i.i.d. N(0, s2) entries with s2 = 1/m = 0.005:
 *  - the sample mean has standard error sqrt(s2 / N) = 2.89e-4;
 *  - the sample variance has Var = 2 s2^2 / (N - 1), so standard error
 *    s2 sqrt(2 / (N - 1)) = 2.89e-5 (0.58% of s2).
 * Tolerances are 5 standard errors (a correct matrix fails for fewer than
 * 1 in 10^6 seeds): 1.44e-3 on the mean and 1.44e-4 on the variance. The
 * nearest wrong scale, 1/n = 0.00333, is 58 standard errors away. */
TEST(measure_gaussian_op_entries_have_mean_zero_and_variance_one_over_m)
{
    int m = 200, n = 300;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, m, n, 11, 0));
    if (!op) return;
    double *D = dense_of(op);
    double N = (double)m * n, sum = 0, ss = 0;
    for (size_t k = 0; k < (size_t)m * n; k++) sum += D[k];
    double mean = sum / N;
    for (size_t k = 0; k < (size_t)m * n; k++) ss += (D[k] - mean) * (D[k] - mean);
    double var = ss / (N - 1), s2 = 1.0 / m;
    CHECK_NEAR(mean, 0.0, 5 * sqrt(s2 / N));
    CHECK_NEAR(var, s2, 5 * s2 * sqrt(2 / (N - 1)));
    free(D);
    ginv_op_free(op);
}

TEST(measure_gaussian_op_depends_only_on_seed_and_index)
{
    int m = 6, n = 9;
    size_t mn = (size_t)m * n;
    ginv_op *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    CHECK_OK(ginv_op_gaussian(&a, m, n, 5, 2));
    CHECK_OK(ginv_op_gaussian(&b, m, n, 5, 2));
    CHECK_OK(ginv_op_gaussian(&c, m, n, 5, 3));
    CHECK_OK(ginv_op_gaussian(&d, m, n, 6, 2));
    if (a && b && c && d) {
        double *Da = dense_of(a), *Db = dense_of(b), *Dc = dense_of(c), *Dd = dense_of(d);
        CHECK(memcmp(Da, Db, mn * sizeof(double)) == 0);
        size_t diff_c = 0, diff_d = 0;
        for (size_t k = 0; k < mn; k++) {
            diff_c += Da[k] != Dc[k];
            diff_d += Da[k] != Dd[k];
        }
        CHECK_MSG(diff_c == mn, "index 2 and 3 share %zu of %zu entries", mn - diff_c, mn);
        CHECK_MSG(diff_d == mn, "seed 5 and 6 share %zu of %zu entries", mn - diff_d, mn);
        free(Da);
        free(Db);
        free(Dc);
        free(Dd);
    }
    ginv_op_free(a);
    ginv_op_free(b);
    ginv_op_free(c);
    ginv_op_free(d);
}

TEST(measure_matrix_op_adjoint_holds)
{
    float *A = rand_floats(8 * 5, 300);
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_matrix(&op, 8, 5, A));
    if (op) check_adjoint(op, 3);
    ginv_op_free(op);
    free(A);
}

TEST(measure_matrix_op_is_a_copy_of_the_given_matrix)
{
    int m = 8, n = 5;
    float *A = rand_floats((size_t)m * n, 301);
    double E[8 * 5];
    for (int k = 0; k < m * n; k++) E[k] = A[k];
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_matrix(&op, m, n, A));
    for (int k = 0; k < m * n; k++) A[k] = 1e6f; /* the op must not alias A */
    if (op) check_matches_dense(op, E);
    ginv_op_free(op);
    free(A);
}

TEST(measure_identity_op_adjoint_holds)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 17));
    if (op) check_adjoint(op, 4);
    ginv_op_free(op);
}

TEST(measure_identity_op_is_the_identity_matrix)
{
    int n = 6;
    double E[6 * 6] = {0};
    for (int i = 0; i < n; i++) E[i * n + i] = 1;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, n));
    if (op) check_matches_dense(op, E);
    ginv_op_free(op);
}

static const int sub_idx[] = {7, 2, 9, 0};

TEST(measure_subsample_op_adjoint_holds)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_subsample(&op, 10, 4, sub_idx));
    if (op) check_adjoint(op, 5);
    ginv_op_free(op);
    CHECK_OK(ginv_op_subsample_random(&op, 40, 13, 9, 1));
    if (op) check_adjoint(op, 6);
    ginv_op_free(op);
}

TEST(measure_subsample_op_keeps_the_listed_coordinates_in_order)
{
    int n = 10, m = 4;
    double E[4 * 10] = {0};
    for (int i = 0; i < m; i++) E[i * n + sub_idx[i]] = 1;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_subsample(&op, n, m, sub_idx));
    if (op) check_matches_dense(op, E);
    ginv_op_free(op);
}

TEST(measure_subsample_random_op_is_a_selection_matrix)
{
    int n = 40, m = 13, idx[13];
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_subsample_random(&op, n, m, 9, 1));
    if (!op) return;
    subsample_indices(op, idx);
    double *E = calloc((size_t)m * n, sizeof(double));
    for (int i = 0; i < m; i++)
        if (idx[i] >= 0 && idx[i] < n) E[(size_t)i * n + idx[i]] = 1;
    check_matches_dense(op, E);
    free(E);
    ginv_op_free(op);
}

TEST(measure_subsample_random_gives_m_distinct_sorted_indices)
{
    static const int cases[][2] = {{50, 17}, {8, 8}, {30, 1}, {1, 1}};
    for (int c = 0; c < 4; c++) {
        int n = cases[c][0], m = cases[c][1], idx[50];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_subsample_random(&op, n, m, 3, (uint64_t)c));
        if (!op) continue;
        CHECK(ginv_op_m(op) == m && ginv_op_n(op) == n);
        subsample_indices(op, idx);
        CHECK_MSG(idx[0] >= 0, "n %d m %d: idx[0] = %d", n, m, idx[0]);
        CHECK_MSG(idx[m - 1] < n, "n %d m %d: idx[m-1] = %d", n, m, idx[m - 1]);
        for (int i = 1; i < m; i++)
            CHECK_MSG(idx[i - 1] < idx[i], "n %d m %d: idx[%d] = %d, idx[%d] = %d", n, m, i - 1,
                      idx[i - 1], i, idx[i]);
        ginv_op_free(op);
    }
}

/* Over T = 4000 draws of 3 of 10, each coordinate is kept with probability
 * p = 0.3; its frequency has standard error sqrt(p (1 - p) / T) = 7.2e-3, so
 * 5 standard errors is 0.036. Same (seed, index) gives the same subset. */
TEST(measure_subsample_random_is_uniform_and_reproducible)
{
    int n = 10, m = 3, T = 4000, count[10] = {0}, idx[3];
    for (int t = 0; t < T; t++) {
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_subsample_random(&op, n, m, 123, (uint64_t)t));
        if (!op) return;
        subsample_indices(op, idx);
        for (int i = 0; i < m; i++)
            if (idx[i] >= 0 && idx[i] < n) count[idx[i]]++;
        ginv_op_free(op);
    }
    double p = (double)m / n, tol = 5 * sqrt(p * (1 - p) / T);
    for (int j = 0; j < n; j++) CHECK_NEAR((double)count[j] / T, p, tol);

    ginv_op *a = NULL, *b = NULL, *c = NULL;
    int big_a[10], big_b[10], big_c[10];
    CHECK_OK(ginv_op_subsample_random(&a, 1000, 10, 8, 4));
    CHECK_OK(ginv_op_subsample_random(&b, 1000, 10, 8, 4));
    CHECK_OK(ginv_op_subsample_random(&c, 1000, 10, 8, 5));
    if (a && b && c) {
        subsample_indices(a, big_a);
        subsample_indices(b, big_b);
        subsample_indices(c, big_c);
        CHECK(memcmp(big_a, big_b, sizeof big_a) == 0);
        CHECK(memcmp(big_a, big_c, sizeof big_a) != 0);
    }
    ginv_op_free(a);
    ginv_op_free(b);
    ginv_op_free(c);
}

static const int down_cases[][4] = {{2, 4, 6, 2}, {1, 6, 9, 3}, {3, 2, 2, 1}, {1, 4, 4, 4}};

TEST(measure_downsample_op_adjoint_holds)
{
    for (int k = 0; k < 4; k++) {
        const int *g = down_cases[k];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_downsample(&op, g[0], g[1], g[2], g[3]));
        if (op) check_adjoint(op, 7 + (uint64_t)k);
        ginv_op_free(op);
    }
}

TEST(measure_downsample_op_is_the_block_average_matrix)
{
    for (int k = 0; k < 4; k++) {
        const int *g = down_cases[k];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_downsample(&op, g[0], g[1], g[2], g[3]));
        if (!op) continue;
        CHECK(ginv_op_m(op) == g[0] * (g[1] / g[3]) * (g[2] / g[3]));
        CHECK(ginv_op_n(op) == g[0] * g[1] * g[2]);
        double *E = downsample_expected(g[0], g[1], g[2], g[3]);
        check_matches_dense(op, E);
        free(E);
        ginv_op_free(op);
    }
}

TEST(measure_downsample_of_a_constant_image_is_that_constant)
{
    int c = 3, h = 8, w = 6, f = 2, B = 3, n = c * h * w, m = c * (h / f) * (w / f);
    const float level[3] = {2.5f, -1.75f, 0.3f};
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_downsample(&op, c, h, w, f));
    if (!op) return;
    float *x = malloc((size_t)B * n * sizeof(float)), *y = nan_floats((size_t)B * m);
    for (int b = 0; b < B; b++)
        for (int j = 0; j < n; j++) x[b * n + j] = level[b];
    ginv_op_apply(op, B, x, y);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < m; i++) CHECK_NEAR(y[b * m + i], level[b], 1e-6);
    free(x);
    free(y);
    ginv_op_free(op);
}

TEST(measure_ops_report_their_names_and_sizes)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_gaussian(&op, 7, 11, 1, 0));
    CHECK(op && ginv_op_m(op) == 7 && ginv_op_n(op) == 11 &&
          strcmp(ginv_op_name(op), "gaussian") == 0);
    ginv_op_free(op);
    float A[6] = {1, 2, 3, 4, 5, 6};
    CHECK_OK(ginv_op_matrix(&op, 2, 3, A));
    CHECK(op && ginv_op_m(op) == 2 && ginv_op_n(op) == 3 &&
          strcmp(ginv_op_name(op), "matrix") == 0);
    ginv_op_free(op);
    CHECK_OK(ginv_op_identity(&op, 5));
    CHECK(op && ginv_op_m(op) == 5 && ginv_op_n(op) == 5 &&
          strcmp(ginv_op_name(op), "identity") == 0);
    ginv_op_free(op);
    CHECK_OK(ginv_op_subsample_random(&op, 9, 4, 1, 0));
    CHECK(op && ginv_op_m(op) == 4 && ginv_op_n(op) == 9 &&
          strcmp(ginv_op_name(op), "subsample") == 0);
    ginv_op_free(op);
    CHECK_OK(ginv_op_downsample(&op, 2, 4, 6, 2));
    CHECK(op && ginv_op_m(op) == 12 && ginv_op_n(op) == 48 &&
          strcmp(ginv_op_name(op), "downsample") == 0);
    ginv_op_free(op);
    ginv_op_free(NULL); /* freeing nothing is allowed */
}

/* expr must fail with `want`, leave op NULL and say something containing
 * `needle` */
#define CHECK_FAILS(expr, want, needle)                                        \
    do {                                                                       \
        ginv_clear_error();                                                    \
        op = (ginv_op *)&sentinel;                                             \
        ginv_status got_ = (expr);                                             \
        CHECK_MSG(got_ == (want), "%s returned %s, expected %s", #expr,        \
                  ginv_strerror(got_), ginv_strerror(want));                   \
        CHECK_MSG(op == NULL, "%s left *out set", #expr);                      \
        CHECK_MSG(strstr(ginv_last_error(), (needle)) != NULL,                 \
                  "%s said \"%s\", expected it to mention \"%s\"", #expr,      \
                  ginv_last_error(), (needle));                                \
        if (op && op != (ginv_op *)&sentinel) ginv_op_free(op);                \
    } while (0)

TEST(measure_subsample_rejects_bad_indices_with_a_message)
{
    int sentinel;
    ginv_op *op;
    const int five[5] = {0, 1, 2, 3, 4}, dup[3] = {1, 3, 1}, out_hi[2] = {0, 4},
              out_lo[2] = {-1, 2};
    CHECK_FAILS(ginv_op_subsample(&op, 4, 5, five), GINV_ERR_ARG, "m must be <= n");
    CHECK_FAILS(ginv_op_subsample(&op, 4, 3, dup), GINV_ERR_ARG, "idx[2] = 1 repeats idx[0]");
    CHECK_FAILS(ginv_op_subsample(&op, 4, 2, out_hi), GINV_ERR_ARG, "idx[1] = 4 is outside [0, 4)");
    CHECK_FAILS(ginv_op_subsample(&op, 4, 2, out_lo), GINV_ERR_ARG, "idx[0] = -1 is outside");
    CHECK_FAILS(ginv_op_subsample(&op, 4, 0, five), GINV_ERR_ARG, "m = 0");
    CHECK_FAILS(ginv_op_subsample(&op, 0, 0, five), GINV_ERR_ARG, "n = 0");
    CHECK_FAILS(ginv_op_subsample(&op, 4, 2, NULL), GINV_ERR_ARG, "idx is NULL");
    CHECK_FAILS(ginv_op_subsample_random(&op, 4, 5, 1, 0), GINV_ERR_ARG, "m must be <= n");
    CHECK_FAILS(ginv_op_subsample_random(&op, 4, -1, 1, 0), GINV_ERR_ARG, "m = -1");
    CHECK(ginv_op_subsample(NULL, 4, 2, five) == GINV_ERR_ARG);
}

TEST(measure_downsample_rejects_bad_geometry_with_a_message)
{
    int sentinel;
    ginv_op *op;
    CHECK_FAILS(ginv_op_downsample(&op, 1, 5, 4, 2), GINV_ERR_SHAPE, "height 5");
    CHECK_FAILS(ginv_op_downsample(&op, 1, 4, 5, 2), GINV_ERR_SHAPE, "width 5");
    CHECK_FAILS(ginv_op_downsample(&op, 1, 4, 4, 8), GINV_ERR_SHAPE, "does not divide");
    CHECK_FAILS(ginv_op_downsample(&op, 1, 4, 4, 0), GINV_ERR_ARG, "f = 0");
    CHECK_FAILS(ginv_op_downsample(&op, 0, 4, 4, 2), GINV_ERR_ARG, "must be >= 1");
    CHECK_FAILS(ginv_op_downsample(&op, 1, -4, 4, 2), GINV_ERR_ARG, "must be >= 1");
    CHECK_FAILS(ginv_op_downsample(&op, 65536, 65536, 2, 1), GINV_ERR_ARG, "more than");
    CHECK_FAILS(ginv_op_downsample(&op, 2, INT_MAX, INT_MAX, 1), GINV_ERR_ARG, "more than");
}

TEST(measure_dense_and_identity_reject_bad_arguments_with_a_message)
{
    int sentinel;
    ginv_op *op;
    float A[4] = {1, 2, NAN, 4};
    CHECK_FAILS(ginv_op_gaussian(&op, 0, 5, 1, 0), GINV_ERR_ARG, "m and n must be >= 1");
    CHECK_FAILS(ginv_op_gaussian(&op, 5, -2, 1, 0), GINV_ERR_ARG, "5 x -2");
    CHECK_FAILS(ginv_op_matrix(&op, 2, 2, NULL), GINV_ERR_ARG, "A is NULL");
    CHECK_FAILS(ginv_op_matrix(&op, 2, 2, A), GINV_ERR_NUMERIC, "entry (1, 0)");
    CHECK_FAILS(ginv_op_identity(&op, 0), GINV_ERR_ARG, "n = 0");
    CHECK(ginv_op_gaussian(NULL, 2, 2, 1, 0) == GINV_ERR_ARG);
}

/* n = 200000 draws of N(0, s^2), s = 0.3: the sample mean has standard error
 * s / sqrt(n) = 6.7e-4 and the sample standard deviation s / sqrt(2 n) =
 * 4.7e-4; tolerances are 5 of each. */
TEST(measure_noise_has_the_requested_standard_deviation)
{
    size_t n = 200000;
    double sigma = 0.3;
    float *y = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) y[i] = 1.0f;
    ginv_add_noise(y, n, sigma, 17, 4);
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++) sum += y[i] - 1.0;
    double mean = sum / n;
    for (size_t i = 0; i < n; i++) ss += (y[i] - 1.0 - mean) * (y[i] - 1.0 - mean);
    double sd = sqrt(ss / (n - 1));
    CHECK_NEAR(mean, 0.0, 5 * sigma / sqrt((double)n));
    CHECK_NEAR(sd, sigma, 5 * sigma / sqrt(2.0 * n));
    free(y);
}

TEST(measure_noise_comes_from_the_noise_stream)
{
    size_t n = 64;
    float y[64], y2[64], y3[64];
    for (size_t i = 0; i < n; i++) y[i] = y2[i] = y3[i] = (float)i;
    ginv_add_noise(y, n, 0.5, 17, 4);
    ginv_add_noise(y2, n, 0.5, 17, 4);
    ginv_add_noise(y3, n, 0.5, 17, 5);
    CHECK(memcmp(y, y2, sizeof y) == 0);
    CHECK(memcmp(y, y3, sizeof y) != 0);
    ginv_rng r;
    ginv_rng_init(&r, 17, GINV_STREAM_NOISE, 4);
    for (size_t i = 0; i < n; i++) CHECK_NEAR(y[i], (float)i + 0.5 * ginv_rng_normal(&r), 1e-5);
    float z[4] = {1, 2, 3, 4}, z0[4] = {1, 2, 3, 4};
    ginv_add_noise(z, 4, 0.0, 17, 4); /* sigma <= 0: nothing added */
    ginv_add_noise(z, 4, -1.0, 17, 4);
    CHECK(memcmp(z, z0, sizeof z) == 0);
}

/* The selection matrix of "every pixel of c x h x w but the box", from the
 * layout: row k picks the k-th pixel outside the box in raster order */
static double *inpaint_expected(int c, int h, int w, int r0, int c0, int bh, int bw, int *m)
{
    int n = c * h * w;
    *m = c * (h * w - bh * bw);
    double *E = calloc((size_t)*m * n, sizeof(double));
    int k = 0;
    for (int j = 0; j < n; j++) {
        int y = j / w % h, x = j % w;
        if (!(y >= r0 && y < r0 + bh && x >= c0 && x < c0 + bw)) E[(size_t)k++ * n + j] = 1;
    }
    return E;
}

TEST(measure_inpaint_box_is_the_complement_selection_and_adjoint_holds)
{
    /* explicit box, two channels */
    ginv_op *op = NULL;
    int m;
    CHECK_OK(ginv_op_inpaint_box(&op, 2, 5, 6, 1, 2, 3, 2));
    double *E = inpaint_expected(2, 5, 6, 1, 2, 3, 2, &m);
    CHECK(op && ginv_op_m(op) == m && m == 2 * (30 - 6) && ginv_op_n(op) == 60);
    CHECK(op && !strcmp(ginv_op_name(op), "inpaint-box"));
    if (op) {
        check_matches_dense(op, E);
        check_adjoint(op, 41);
    }
    free(E);
    ginv_op_free(op);
    /* the default: centred box of half the side; 28 x 28 hides rows and
     * columns 7..20, 196 pixels */
    CHECK_OK(ginv_op_inpaint_box(&op, 1, 28, 28, 0, 0, 0, 0));
    E = inpaint_expected(1, 28, 28, 7, 7, 14, 14, &m);
    CHECK(op && ginv_op_m(op) == 784 - 196 && m == 588);
    if (op) {
        check_matches_dense(op, E);
        check_adjoint(op, 42);
    }
    free(E);
    ginv_op_free(op);
    /* through the spec parser: default and explicit */
    ginv_op_spec spec;
    CHECK_OK(ginv_op_spec_parse(&spec, "inpaint-box", 0));
    CHECK(spec.kind == GINV_OPK_INPAINT_BOX);
    CHECK_OK(ginv_op_from_spec(&op, &spec, 784, 1, 0));
    CHECK(op && ginv_op_m(op) == 588);
    ginv_op_free(op);
    ginv_op_spec_release(&spec);
    CHECK_OK(ginv_op_spec_parse(&spec, "inpaint-box:0,3,2,3", 0));
    CHECK(spec.box_r0 == 0 && spec.box_c0 == 3 && spec.box_h == 2 && spec.box_w == 3);
    CHECK_OK(ginv_op_from_spec(&op, &spec, 36, 1, 0));
    E = inpaint_expected(1, 6, 6, 0, 3, 2, 3, &m);
    CHECK(op && ginv_op_m(op) == 30);
    if (op) check_matches_dense(op, E);
    free(E);
    ginv_op_free(op);
    /* the box must fit: 6 x 6 from column 3 has room for width 3, not 4 */
    spec.box_w = 4;
    CHECK(ginv_op_from_spec(&op, &spec, 36, 1, 0) == GINV_ERR_ARG && op == NULL);
    CHECK(strstr(ginv_last_error(), "does not fit inside the 6 x 6 image") != NULL);
    /* a non-square n needs --image */
    CHECK(ginv_op_from_spec(&op, &spec, 35, 1, 0) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "inpaint-box needs an image shape") != NULL);
    ginv_op_spec_release(&spec);
}

TEST(measure_inpaint_box_rejects_bad_boxes_with_a_message)
{
    int sentinel;
    ginv_op *op;
    CHECK_FAILS(ginv_op_inpaint_box(&op, 1, 4, 4, 0, 0, 4, 4), GINV_ERR_ARG, "covers the whole 4 x 4");
    CHECK_FAILS(ginv_op_inpaint_box(&op, 1, 4, 4, 3, 0, 2, 1), GINV_ERR_ARG, "does not fit");
    CHECK_FAILS(ginv_op_inpaint_box(&op, 1, 4, 4, -1, 0, 2, 1), GINV_ERR_ARG, "does not fit");
    CHECK_FAILS(ginv_op_inpaint_box(&op, 1, 1, 1, 0, 0, 0, 0), GINV_ERR_ARG, "too small for the default box");
    CHECK_FAILS(ginv_op_inpaint_box(&op, 0, 4, 4, 0, 0, 1, 1), GINV_ERR_ARG, "image 0 x 4 x 4");
    static const char *bad[] = {"inpaint-box:", "inpaint-box:1,2,3", "inpaint-box:1,2,3,0",
                                "inpaint-box:1,2,3,4,5", "inpaint-box:-1,0,2,2", "inpaint-box:a,b,c,d"};
    for (int i = 0; i < 6; i++) {
        ginv_op_spec spec;
        CHECK_MSG(ginv_op_spec_parse(&spec, bad[i], 0) == GINV_ERR_ARG, "'%s' parsed", bad[i]);
        CHECK_MSG(strstr(ginv_last_error(), "must be R0,C0,H,W"), "%s: %s", bad[i], ginv_last_error());
        ginv_op_spec_release(&spec);
    }
}

/* gaussian-unit draws the same normals as gaussian without the 1/sqrt(m):
 * the same seed gives sqrt(m) times the N(0, 1/m) matrix; entries have
 * variance 1 (m n = 40000 entries: standard error of the variance
 * sqrt(2/40000) = 0.007, tolerance 5 of them) */
TEST(measure_gaussian_unit_is_sqrt_m_times_gaussian_with_unit_variance)
{
    int m = 100, n = 400;
    ginv_op *g = NULL, *u = NULL;
    CHECK_OK(ginv_op_gaussian(&g, m, n, 9, 2));
    CHECK_OK(ginv_op_gaussian_unit(&u, m, n, 9, 2));
    if (!g || !u) {
        ginv_op_free(g);
        ginv_op_free(u);
        return;
    }
    CHECK(!strcmp(ginv_op_name(u), "gaussian-unit"));
    double *G = dense_of(g), *U = dense_of(u);
    double worst = 0, ss = 0;
    for (size_t k = 0; k < (size_t)m * n; k++) {
        worst = fmax(worst, fabs(U[k] - sqrt((double)m) * G[k]) / fmax(1.0, fabs(U[k])));
        ss += U[k] * U[k];
    }
    CHECK_MSG(worst < 1e-6, "unit entries differ from sqrt(m) gaussian ones by %.3g", worst);
    CHECK_NEAR(ss / ((double)m * n), 1.0, 5 * sqrt(2.0 / ((double)m * n)));
    check_adjoint(u, 43);
    free(G);
    free(U);
    ginv_op_free(g);
    ginv_op_free(u);
    ginv_op_spec spec;
    CHECK(ginv_op_spec_parse(&spec, "gaussian-unit", 0) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "gaussian-unit needs parameter 'm'") != NULL);
    CHECK_OK(ginv_op_spec_parse(&spec, "gaussian-unit", 5));
    CHECK(spec.kind == GINV_OPK_GAUSSIAN_UNIT);
    CHECK_OK(ginv_op_from_spec(&u, &spec, 7, 9, 2));
    CHECK(u && ginv_op_m(u) == 5 && ginv_op_n(u) == 7);
    ginv_op_free(u);
    ginv_op_spec_release(&spec);
}

TEST(measure_op_view_draws_what_each_operator_observes)
{
    enum { H = 6, W = 6, N = H * W };
    float x[N], img[N], y[N];
    for (int j = 0; j < N; j++) x[j] = (float)(j % 7) / 7.0f;
    ginv_op *op = NULL;
    /* inpaint: the box is NaN, the rest is x */
    CHECK_OK(ginv_op_inpaint_box(&op, 1, H, W, 1, 2, 3, 2));
    ginv_op_apply(op, 1, x, y);
    CHECK_OK(ginv_op_view(op, H, W, y, img));
    for (int j = 0; j < N; j++) {
        int r = j / W, c = j % W, in_box = r >= 1 && r < 4 && c >= 2 && c < 4;
        CHECK_MSG(in_box ? isnan(img[j]) : img[j] == x[j], "inpaint view pixel %d: %g", j, img[j]);
    }
    CHECK(ginv_op_view(op, 5, 7, y, img) == GINV_ERR_SHAPE);
    ginv_op_free(op);
    /* subsample: observed coordinates keep their value even when it is 0 */
    const int keep[3] = {0, 5, 35};
    CHECK_OK(ginv_op_subsample(&op, N, 3, keep));
    float ys[3] = {0.0f, 0.5f, 1.0f};
    CHECK_OK(ginv_op_view(op, H, W, ys, img));
    int nan_count = 0;
    for (int j = 0; j < N; j++) nan_count += isnan(img[j]);
    CHECK(nan_count == N - 3 && img[0] == 0.0f && img[5] == 0.5f && img[35] == 1.0f);
    ginv_op_free(op);
    /* downsample by 2: each low-res value fills its 2 x 2 block */
    CHECK_OK(ginv_op_downsample(&op, 1, H, W, 2));
    ginv_op_apply(op, 1, x, y);
    CHECK_OK(ginv_op_view(op, H, W, y, img));
    for (int j = 0; j < N; j++) {
        int r = j / W, c = j % W;
        CHECK_NEAR(img[j], y[(r / 2) * (W / 2) + c / 2], 1e-6);
    }
    ginv_op_free(op);
    /* identity: y itself */
    CHECK_OK(ginv_op_identity(&op, N));
    CHECK_OK(ginv_op_view(op, H, W, x, img));
    CHECK(memcmp(img, x, sizeof x) == 0);
    ginv_op_free(op);
    /* gaussian: A^T y min-max scaled, against a double back-projection */
    CHECK_OK(ginv_op_gaussian(&op, 20, N, 3, 0));
    ginv_op_apply(op, 1, x, y);
    CHECK_OK(ginv_op_view(op, H, W, y, img));
    double *D = dense_of(op), bp[N], lo = INFINITY, hi = -INFINITY;
    for (int j = 0; j < N; j++) {
        bp[j] = 0;
        for (int i = 0; i < 20; i++) bp[j] += D[(size_t)i * N + j] * y[i];
        lo = fmin(lo, bp[j]);
        hi = fmax(hi, bp[j]);
    }
    for (int j = 0; j < N; j++) CHECK_NEAR(img[j], (bp[j] - lo) / (hi - lo), 1e-5);
    free(D);
    ginv_op_free(op);
}

/* ginv_op_spec_rows (the parameter checks' sizing): the same m and the same
 * refusals as building the operator, and a Gaussian spec too large to draw
 * quickly is sized without drawing it (a sweep spec with m = 12380815 on
 * 20-vectors took seconds per check under the fuzzer). */
TEST(measure_op_spec_rows_match_the_built_operator_and_do_not_draw_dense_matrices)
{
    const char *texts[] = {"gaussian", "gaussian-unit", "phaseless-gaussian", "onebit-gaussian",
                           "identity", "subsample", "downsample:2", "inpaint-box", "circulant",
                           "fourier-subsample:radial:4", "blur:1.0", "phaseless-fourier",
                           "phaseless-fourier:3", NULL};
    for (int i = 0; texts[i]; i++) {
        ginv_op_spec spec;
        ginv_op *op = NULL;
        int m = -1;
        CHECK_OK(ginv_op_spec_parse(&spec, texts[i], 7));
        CHECK_OK(ginv_op_from_spec(&op, &spec, 64, 3, 0));
        CHECK_OK(ginv_op_spec_rows(&spec, 64, &m));
        CHECK_MSG(op && m == ginv_op_m(op), "%s: rows %d, built %d", texts[i], m, op ? ginv_op_m(op) : -1);
        ginv_op_free(op);
        /* a 63-vector is no 8 x 8 image: the image kinds refuse it both ways */
        ginv_status built = ginv_op_from_spec(&op, &spec, 63, 3, 0);
        ginv_op_free(op);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        ginv_status sized = ginv_op_spec_rows(&spec, 63, &m);
        CHECK_MSG(sized == built, "%s on 63: rows %d, built %d", texts[i], (int)sized, (int)built);
        if (built != GINV_OK) CHECK_MSG(!strcmp(msg, ginv_last_error()), "%s: '%s' vs '%s'", texts[i], msg,
                                        ginv_last_error());
        ginv_op_spec_release(&spec);
    }
    ginv_op_spec spec;
    int m = 0;
    CHECK_OK(ginv_op_spec_parse(&spec, "gaussian", 12380815));
    size_t before = ginv_live_bytes();
    CHECK_OK(ginv_op_spec_rows(&spec, 20, &m));
    CHECK(m == 12380815 && ginv_live_bytes() == before);
    CHECK(ginv_op_spec_rows(&spec, 0, &m) == GINV_ERR_ARG && m == 0);
    CHECK(strstr(ginv_last_error(), "gaussian: size 12380815 x 0 is invalid") != NULL);
    ginv_op_spec_release(&spec);
    /* the phaseless Fourier operator of a 4096 x 4096 image (tables of K^2 n) and a
     * circulant on 2^24 values are sized, not built */
    CHECK_OK(ginv_op_spec_parse(&spec, "phaseless-fourier", 0));
    CHECK_OK(ginv_op_spec_rows(&spec, 1 << 24, &m));
    CHECK(m == 4 << 24 && ginv_live_bytes() == before);
    ginv_op_spec_release(&spec);
    CHECK_OK(ginv_op_spec_parse(&spec, "circulant", 1000));
    CHECK_OK(ginv_op_spec_rows(&spec, 1 << 24, &m));
    CHECK(m == 1000 && ginv_live_bytes() == before);
    ginv_op_spec_release(&spec);
}
