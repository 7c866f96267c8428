/* test_operators_fft.c — the structured operators of issue #17: partial
 * random circulant, Fourier undersampling, blur and colorize. Each one's
 * adjoint identity for every option; each against a dense matrix built here
 * independently (the circulant matrix from the documented stream, the naive
 * DFT sum, the naive blur loop with its own boundary rules, BT.601 by hand);
 * the circulant's normalisation; determinism in seed, trial and threads; and
 * every bad input's message. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* n floats N(0, 1) from the user stream `index` (malloc'd) */
static float *randn(size_t n, uint64_t index)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 1717, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, 1.0);
    return x;
}

/* n floats set to NaN, so an output the operator fails to write shows */
static float *nans(size_t n)
{
    float *x = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < n; i++) x[i] = NAN;
    return x;
}

/* <A x, y> = <x, A^T y> in double for random x (B x n), y (B x m), B = 1, 4;
 * the error relative to the sum of |terms| (a float evaluation is off by
 * ~eps of it, a wrong adjoint by far more). */
static void check_adjoint(const ginv_op *op, const char *what, uint64_t salt)
{
    int m = ginv_op_m(op), n = ginv_op_n(op);
    static const int Bs[] = {1, 4};
    for (int t = 0; t < 2; t++) {
        int B = Bs[t];
        float *x = randn((size_t)B * n, salt * 10 + 2 * t);
        float *y = randn((size_t)B * m, salt * 10 + 2 * t + 1);
        float *Ax = nans((size_t)B * m), *Aty = nans((size_t)B * n);
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
        double rel = fabs(lhs - rhs) / fmax(fmax(lsum, rsum), 1e-30);
        CHECK_MSG(rel < 1e-5, "%s (%d x %d), B = %d: <Ax,y> = %.9g, <x,A^T y> = %.9g, rel %.3g",
                  what, m, n, B, lhs, rhs, rel);
        free(x);
        free(y);
        free(Ax);
        free(Aty);
    }
}

/* apply and adjoint with B = 3 against the products with the m x n matrix
 * E built by the test (double), and each column A e_j against E's */
static void check_against(const ginv_op *op, const char *what, const double *E)
{
    int m = ginv_op_m(op), n = ginv_op_n(op), B = 3;
    float *e = calloc((size_t)n, sizeof(float)), *col = nans((size_t)m);
    double worst = 0;
    for (int j = 0; j < n; j++) {
        e[j] = 1;
        ginv_op_apply(op, 1, e, col);
        e[j] = 0;
        for (int i = 0; i < m; i++) worst = fmax(worst, fabs(col[i] - E[(size_t)i * n + j]));
    }
    CHECK_MSG(worst < 1e-5, "%s: a column differs from the dense matrix by %.3g", what, worst);
    float *x = randn((size_t)B * n, 91), *y = randn((size_t)B * m, 92);
    float *Ax = nans((size_t)B * m), *Aty = nans((size_t)B * n);
    float *Ax_ref = malloc((size_t)B * m * sizeof(float)), *Aty_ref = malloc((size_t)B * n * sizeof(float));
    ginv_op_apply(op, B, x, Ax);
    ginv_op_adjoint(op, B, y, Aty);
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < m; i++) {
            double acc = 0;
            for (int j = 0; j < n; j++) acc += E[(size_t)i * n + j] * x[(size_t)b * n + j];
            Ax_ref[(size_t)b * m + i] = (float)acc;
        }
        for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int i = 0; i < m; i++) acc += E[(size_t)i * n + j] * y[(size_t)b * m + i];
            Aty_ref[(size_t)b * n + j] = (float)acc;
        }
    }
    double ra = test_max_rel_diff(Ax, Ax_ref, (size_t)B * m, 1e-6);
    double rt = test_max_rel_diff(Aty, Aty_ref, (size_t)B * n, 1e-6);
    CHECK_MSG(ra < 1e-5, "%s apply vs dense: rel %.3g", what, ra);
    CHECK_MSG(rt < 1e-5, "%s adjoint vs dense^T: rel %.3g", what, rt);
    free(e);
    free(col);
    free(x);
    free(y);
    free(Ax);
    free(Aty);
    free(Ax_ref);
    free(Aty_ref);
}

/* ------------------------------------------------------------ circulant */

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* The documented matrix: A[i, j] = g[(rows_i - j) mod n] eps_j / sqrt(m),
 * g, eps and the rows drawn here from stream (seed, OP, index) in the
 * documented order. */
static double *circulant_expected(int m, int n, uint64_t seed, uint64_t index)
{
    double *g = malloc((size_t)n * sizeof(double)), *eps = malloc((size_t)n * sizeof(double));
    int *perm = malloc((size_t)n * sizeof(int));
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    for (int i = 0; i < n; i++) g[i] = ginv_rng_normal(&r);
    for (int i = 0; i < n; i++) eps[i] = (ginv_rng_u64(&r) >> 63) ? -1 : 1;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = 0; i < m; i++) {
        int k = i + (int)ginv_rng_below(&r, (uint64_t)(n - i)), t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
    }
    qsort(perm, (size_t)m, sizeof(int), cmp_int);
    double *E = malloc((size_t)m * n * sizeof(double));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            E[(size_t)i * n + j] = g[((perm[i] - j) % n + n) % n] * eps[j] / sqrt((double)m);
    free(g);
    free(eps);
    free(perm);
    return E;
}

TEST(circulant_is_the_documented_partial_circulant_matrix)
{
    static const int cases[][2] = {{5, 12}, {13, 13}, {4, 17}, {1, 1}, {30, 64}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int m = cases[c][0], n = cases[c][1];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_circulant(&op, m, n, 11, c));
        if (!op) continue;
        CHECK(ginv_op_m(op) == m && ginv_op_n(op) == n && !strcmp(ginv_op_name(op), "circulant"));
        double *E = circulant_expected(m, n, 11, c);
        char what[64];
        snprintf(what, sizeof what, "circulant %d x %d", m, n);
        check_against(op, what, E);
        check_adjoint(op, what, c);
        free(E);
        ginv_op_free(op);
    }
}

TEST(circulant_adjoint_holds_at_image_sizes)
{
    static const int cases[][2] = {{196, 784}, {3072, 12288}, {100, 1000}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_circulant(&op, cases[c][0], cases[c][1], 3, 0));
        if (op) check_adjoint(op, "circulant", 40 + c);
        ginv_op_free(op);
    }
}

/* E||Ax||^2 = ||x||^2: the mean of ||Ax||^2/||x||^2 over 1000 operators
 * (fixed x, then a fresh x per draw). For a dense N(0, 1/m) matrix the ratio
 * has variance 2/m = 0.125 at m = 16; 1000 draws give a standard error near
 * 0.011 (more with the circulant's dependent rows); the tolerance 0.06
 * catches 1/sqrt(n) or no scaling (mean 0.25 or 16). */
TEST(circulant_preserves_the_norm_on_average)
{
    int m = 16, n = 64, draws = 1000;
    float *x0 = randn((size_t)n, 5), *y = malloc((size_t)m * sizeof(float));
    for (int fresh = 0; fresh < 2; fresh++) {
        double mean = 0;
        for (int d = 0; d < draws; d++) {
            float *x = fresh ? randn((size_t)n, 1000 + d) : x0;
            ginv_op *op = NULL;
            CHECK_OK(ginv_op_circulant(&op, m, n, 77, d));
            if (!op) break;
            ginv_op_apply(op, 1, x, y);
            double ax = 0, xx = 0;
            for (int i = 0; i < m; i++) ax += (double)y[i] * y[i];
            for (int j = 0; j < n; j++) xx += (double)x[j] * x[j];
            mean += ax / xx / draws;
            ginv_op_free(op);
            if (fresh) free(x);
        }
        CHECK_MSG(fabs(mean - 1) < 0.06, "mean ||Ax||^2/||x||^2 = %.4f (fresh x: %d)", mean, fresh);
    }
    free(x0);
    free(y);
}

TEST(circulant_depends_only_on_seed_and_trial)
{
    int m = 50, n = 200;
    float *x = randn((size_t)n, 8);
    float *y1 = nans((size_t)m), *y2 = nans((size_t)m), *y3 = nans((size_t)m), *y4 = nans((size_t)m);
    ginv_op *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    CHECK_OK(ginv_op_circulant(&a, m, n, 5, 2));
    CHECK_OK(ginv_op_circulant(&b, m, n, 5, 2));
    CHECK_OK(ginv_op_circulant(&c, m, n, 5, 3));
    CHECK_OK(ginv_op_circulant(&d, m, n, 6, 2));
    if (a && b && c && d) {
        ginv_op_apply(a, 1, x, y1);
        ginv_op_apply(b, 1, x, y2);
        ginv_op_apply(c, 1, x, y3);
        ginv_op_apply(d, 1, x, y4);
        CHECK(memcmp(y1, y2, (size_t)m * sizeof(float)) == 0);
        CHECK(memcmp(y1, y3, (size_t)m * sizeof(float)) != 0);
        CHECK(memcmp(y1, y4, (size_t)m * sizeof(float)) != 0);
    }
    ginv_op_free(a);
    ginv_op_free(b);
    ginv_op_free(c);
    ginv_op_free(d);
    free(x);
    free(y1);
    free(y2);
    free(y3);
    free(y4);
}

/* apply and adjoint of op on a batch of 37 with 1 and then 3 threads: the
 * same bits */
static void check_threads_bit_identical(const ginv_op *op, const char *what)
{
    int m = ginv_op_m(op), n = ginv_op_n(op), B = 37;
    float *x = randn((size_t)B * n, 61), *y = randn((size_t)B * m, 62);
    float *Ax[2], *Aty[2];
    int saved = ginv_blas_get_threads();
    for (int t = 0; t < 2; t++) {
        ginv_blas_set_threads(t ? 3 : 1);
        Ax[t] = nans((size_t)B * m);
        Aty[t] = nans((size_t)B * n);
        ginv_op_apply(op, B, x, Ax[t]);
        ginv_op_adjoint(op, B, y, Aty[t]);
    }
    ginv_blas_set_threads(saved);
    CHECK_MSG(memcmp(Ax[0], Ax[1], (size_t)B * m * sizeof(float)) == 0, "%s apply differs", what);
    CHECK_MSG(memcmp(Aty[0], Aty[1], (size_t)B * n * sizeof(float)) == 0, "%s adjoint differs", what);
    for (int t = 0; t < 2; t++) {
        free(Ax[t]);
        free(Aty[t]);
    }
    free(x);
    free(y);
}

TEST(fft_and_blur_operators_are_bit_identical_for_any_thread_count)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_circulant(&op, 196, 784, 1, 0));
    if (op) check_threads_bit_identical(op, "circulant 784");
    ginv_op_free(op);
    op = NULL;
    CHECK_OK(ginv_op_circulant(&op, 30, 100, 1, 0)); /* several signals per chunk */
    if (op) check_threads_bit_identical(op, "circulant 100");
    ginv_op_free(op);
    op = NULL;
    int cells[40];
    for (int i = 0; i < 40; i++) cells[i] = (i * 37) % 256;
    CHECK_OK(ginv_op_fourier_subsample(&op, 3, 16, 16, 40, cells));
    if (op) check_threads_bit_identical(op, "fourier-subsample");
    ginv_op_free(op);
    op = NULL;
    CHECK_OK(ginv_op_blur_gaussian(&op, 2, 20, 24, 1.5, GINV_BOUNDARY_REFLECT));
    if (op) check_threads_bit_identical(op, "blur");
    ginv_op_free(op);
    op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 2, 10, 12, 2));
    if (op) check_threads_bit_identical(op, "phaseless-fourier");
    ginv_op_free(op);
}

/* ------------------------------------------------------ fourier-subsample */

/* The naive DFT rows: per channel, per cell (in the order given), Re and Im
 * of (hw)^(-1/2) sum x[p, q] e^{-2 pi i (kp/h + lq/w)} with (k, l) the cell's
 * frequency on the centred grid. */
static double *fourier_expected(int c, int h, int w, int kept, const int *cells)
{
    int hw = h * w, n = c * hw, m = 2 * c * kept;
    double *E = calloc((size_t)m * n, sizeof(double));
    const double pi = 3.14159265358979323846;
    for (int ch = 0; ch < c; ch++)
        for (int t = 0; t < kept; t++) {
            int r = cells[t] / w, s = cells[t] % w;
            int k = ((r - h / 2) % h + h) % h, l = ((s - w / 2) % w + w) % w;
            double *re = E + (size_t)(ch * 2 * kept + 2 * t) * n, *im = re + n;
            for (int p = 0; p < h; p++)
                for (int q = 0; q < w; q++) {
                    double th = -2 * pi * ((double)k * p / h + (double)l * q / w);
                    re[ch * hw + p * w + q] = cos(th) / sqrt((double)hw);
                    im[ch * hw + p * w + q] = sin(th) / sqrt((double)hw);
                }
        }
    return E;
}

TEST(fourier_subsample_is_the_naive_dft_at_the_listed_cells)
{
    static const struct { int c, h, w, kept; int cells[8]; } cases[] = {
        {1, 4, 4, 3, {10, 0, 5}},        /* DC (cell (2, 2)) first, then a corner */
        {2, 5, 6, 5, {29, 3, 15, 14, 7}}, /* odd height, even width */
        {3, 3, 3, 2, {4, 8}},
        {1, 1, 7, 4, {0, 3, 6, 2}}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_fourier_subsample(&op, cases[i].c, cases[i].h, cases[i].w,
                                           cases[i].kept, cases[i].cells));
        if (!op) continue;
        CHECK(ginv_op_m(op) == 2 * cases[i].c * cases[i].kept &&
              ginv_op_n(op) == cases[i].c * cases[i].h * cases[i].w &&
              !strcmp(ginv_op_name(op), "fourier-subsample"));
        double *E = fourier_expected(cases[i].c, cases[i].h, cases[i].w, cases[i].kept, cases[i].cells);
        char what[64];
        snprintf(what, sizeof what, "fourier %dx%dx%d", cases[i].c, cases[i].h, cases[i].w);
        check_against(op, what, E);
        check_adjoint(op, what, 100 + i);
        free(E);
        ginv_op_free(op);
    }
}

TEST(fourier_subsample_dc_cell_and_full_mask_are_unitary)
{
    /* a constant image has all its energy at DC, cell (h/2, w/2): sqrt(hw) */
    int h = 6, w = 5, hw = 30;
    int dc = (h / 2) * w + w / 2;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_fourier_subsample(&op, 1, h, w, 1, &dc));
    float ones[30], y[2];
    for (int i = 0; i < hw; i++) ones[i] = 1;
    if (op) {
        ginv_op_apply(op, 1, ones, y);
        CHECK_NEAR(y[0], sqrt(30.0), 1e-5);
        CHECK_NEAR(y[1], 0, 1e-6);
    }
    ginv_op_free(op);
    /* every cell kept: ||Ax|| = ||x|| and A^T A x = x */
    int all[30];
    for (int i = 0; i < hw; i++) all[i] = i;
    op = NULL;
    CHECK_OK(ginv_op_fourier_subsample(&op, 2, h, w, hw, all));
    if (op) {
        float *x = randn(60, 3), *Ax = nans(120), *back = nans(60);
        ginv_op_apply(op, 1, x, Ax);
        ginv_op_adjoint(op, 1, Ax, back);
        double nx = 0, nax = 0;
        for (int i = 0; i < 60; i++) nx += (double)x[i] * x[i];
        for (int i = 0; i < 120; i++) nax += (double)Ax[i] * Ax[i];
        CHECK_NEAR(nax / nx, 1, 1e-5);
        CHECK(test_max_rel_diff(back, x, 60, 1e-6) < 1e-5);
        free(x);
        free(Ax);
        free(back);
    }
    ginv_op_free(op);
}

/* ginv_op_spec_parse + ginv_op_from_spec; m, c, h, w of the spec given */
static ginv_status build(ginv_op **op, const char *text, int m, int n, int c, int h, int w,
                         uint64_t trial)
{
    ginv_op_spec spec;
    *op = NULL;
    ginv_status st = ginv_op_spec_parse(&spec, text, m);
    if (st) return st;
    spec.c = c, spec.h = h, spec.w = w;
    st = ginv_op_from_spec(op, &spec, n, 4, trial);
    ginv_op_spec_release(&spec);
    return st;
}

/* The kept cells of a fourier-subsample operator on a 1 x h x w image, read
 * off its adjoint: the unit pair (1, 0) at t back-projects to
 * cos(theta) / sqrt(hw) and (0, 1) to -sin(theta) / sqrt(hw), theta =
 * 2 pi (kp/h + lq/w), which names the frequency (k, l) (the sine tells it
 * from its conjugate). Marks the cells in mark (h x w), returns how many. */
static int kept_cells(const ginv_op *op, int h, int w, char *mark)
{
    const double pi = 3.14159265358979323846;
    int m = ginv_op_m(op), hw = h * w;
    memset(mark, 0, (size_t)hw);
    float *y = calloc((size_t)m, sizeof(float)), *xr = nans((size_t)hw), *xi = nans((size_t)hw);
    for (int t = 0; t < m / 2; t++) {
        y[2 * t] = 1;
        ginv_op_adjoint(op, 1, y, xr);
        y[2 * t] = 0;
        y[2 * t + 1] = 1;
        ginv_op_adjoint(op, 1, y, xi);
        y[2 * t + 1] = 0;
        int found = -1;
        for (int k = 0; k < h && found < 0; k++)
            for (int l = 0; l < w && found < 0; l++) {
                double err = 0;
                for (int p = 0; p < h; p++)
                    for (int q = 0; q < w; q++) {
                        double th = 2 * pi * ((double)k * p / h + (double)l * q / w);
                        err += fabs(xr[p * w + q] - cos(th) / sqrt((double)hw)) +
                               fabs(xi[p * w + q] + sin(th) / sqrt((double)hw));
                    }
                if (err < 1e-4) found = ((k + h / 2) % h) * w + (l + w / 2) % w;
            }
        CHECK_MSG(found >= 0, "pair %d is no single frequency", t);
        if (found >= 0) mark[found] = 1;
    }
    free(xr);
    free(xi);
    free(y);
    int cnt = 0;
    for (int i = 0; i < hw; i++) cnt += mark[i];
    return cnt;
}

TEST(fourier_subsample_specs_keep_the_documented_frequencies)
{
    ginv_op *op = NULL;
    char mark[64 * 64];
    /* radial:1 is the horizontal line through DC: row h/2, every column */
    CHECK_OK(build(&op, "fourier-subsample:radial:1", 0, 64, 0, 0, 0, 0));
    if (op) {
        CHECK(ginv_op_m(op) == 2 * 8);
        CHECK(kept_cells(op, 8, 8, mark) == 8);
        for (int s = 0; s < 8; s++) CHECK(mark[4 * 8 + s]);
        check_adjoint(op, "fourier radial:1", 200);
    }
    ginv_op_free(op);
    /* radial:2 adds the vertical line: 8 + 8 - 1 cells */
    CHECK_OK(build(&op, "fourier-subsample:radial:2", 0, 64, 0, 0, 0, 0));
    if (op) {
        CHECK(ginv_op_m(op) == 2 * 15);
        CHECK(kept_cells(op, 8, 8, mark) == 15);
        for (int r = 0; r < 8; r++) CHECK(mark[r * 8 + 4]);
    }
    ginv_op_free(op);
    /* radial:4 adds both diagonals through (4, 4) (the main one reaches (0, 0)) */
    CHECK_OK(build(&op, "fourier-subsample:radial:4", 0, 64, 0, 0, 0, 0));
    if (op) {
        kept_cells(op, 8, 8, mark);
        for (int d = -4; d < 4; d++) CHECK(mark[(4 + d) * 8 + 4 + d]);
        for (int d = -3; d < 4; d++) CHECK(mark[(4 + d) * 8 + 4 - d]);
        check_adjoint(op, "fourier radial:4", 201);
    }
    ginv_op_free(op);
    /* cartesian:4 on 28 rows: rows 2, 6, .., 26 and the band of
     * round(0.32 * 28 / 4) = 2 rows 13, 14: 8 rows of 28 */
    CHECK_OK(build(&op, "fourier-subsample:cartesian:4", 0, 784, 0, 0, 0, 0));
    if (op) {
        CHECK_MSG(ginv_op_m(op) == 2 * 8 * 28, "cartesian:4 m = %d", ginv_op_m(op));
        check_adjoint(op, "fourier cartesian:4", 202);
    }
    ginv_op_free(op);
    CHECK_OK(build(&op, "fourier-subsample:cartesian:3", 0, 100, 0, 0, 0, 0));
    if (op) { /* 10 rows: 2, 5, 8 and the band round(1.07) = 1 row: 5 */
        CHECK(ginv_op_m(op) == 2 * 3 * 10);
        CHECK(kept_cells(op, 10, 10, mark) == 30);
        for (int s = 0; s < 10; s++) CHECK(mark[2 * 10 + s] && mark[5 * 10 + s] && mark[8 * 10 + s]);
    }
    ginv_op_free(op);
    /* random:M: M cells, fixed by (seed, trial), per channel of a 3-channel image */
    ginv_op *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(build(&a, "fourier-subsample:random:20", 0, 3 * 36, 3, 6, 6, 1));
    CHECK_OK(build(&b, "fourier-subsample:random:20", 0, 3 * 36, 3, 6, 6, 1));
    CHECK_OK(build(&c, "fourier-subsample:random:20", 0, 3 * 36, 3, 6, 6, 2));
    if (a && b && c) {
        CHECK(ginv_op_m(a) == 2 * 3 * 20);
        check_adjoint(a, "fourier random:20", 203);
        float *x = randn(108, 4), *ya = nans(120), *yb = nans(120), *yc = nans(120);
        ginv_op_apply(a, 1, x, ya);
        ginv_op_apply(b, 1, x, yb);
        ginv_op_apply(c, 1, x, yc);
        CHECK(memcmp(ya, yb, 120 * sizeof(float)) == 0);
        CHECK(memcmp(ya, yc, 120 * sizeof(float)) != 0);
        free(x);
        free(ya);
        free(yb);
        free(yc);
    }
    ginv_op_free(a);
    ginv_op_free(b);
    ginv_op_free(c);
    /* circulant:M wins over --m; bare circulant takes --m */
    CHECK_OK(build(&op, "circulant:5", 7, 10, 0, 0, 0, 0));
    CHECK(op && ginv_op_m(op) == 5);
    ginv_op_free(op);
    CHECK_OK(build(&op, "circulant", 7, 10, 0, 0, 0, 0));
    CHECK(op && ginv_op_m(op) == 7);
    ginv_op_free(op);
    /* random with --m: M from m */
    CHECK_OK(build(&op, "fourier-subsample:random", 12, 36, 0, 0, 0, 0));
    CHECK(op && ginv_op_m(op) == 24);
    ginv_op_free(op);
}

TEST(fourier_subsample_mask_file_keeps_its_nonzero_cells)
{
    char path[512];
    snprintf(path, sizeof path, "%s/fmask.npy", test_tmpdir());
    float mask[4 * 5] = {0};
    mask[2 * 5 + 2] = 1; /* DC */
    mask[0] = 3;
    mask[19] = -1;
    int64_t shape[2] = {4, 5};
    CHECK_OK(ginv_array_write(path, mask, 2, shape));
    char spec[600];
    snprintf(spec, sizeof spec, "fourier-subsample:%s", path);
    ginv_op *op = NULL;
    CHECK_OK(build(&op, spec, 0, 2 * 20, 2, 4, 5, 0));
    if (op) {
        int cells[3] = {0, 12, 19};
        double *E = fourier_expected(2, 4, 5, 3, cells);
        check_against(op, "fourier mask", E);
        check_adjoint(op, "fourier mask", 300);
        free(E);
    }
    ginv_op_free(op);
    /* the wrong grid: named with both shapes */
    CHECK(build(&op, spec, 0, 36, 1, 6, 6, 0) == GINV_ERR_SHAPE && !op);
    CHECK(strstr(ginv_last_error(), "mask is 4 x 5 but the image is 6 x 6"));
}

/* ----------------------------------------------------------------- blur */

/* The naive rule for an index outside [0, len): reflect by repeated
 * mirroring at the edges (half-sample: -1 -> 0, len -> len - 1), wrap, or
 * nothing. */
static int naive_index(int i, int len, ginv_boundary b)
{
    if (b == GINV_BOUNDARY_ZERO) return i >= 0 && i < len ? i : -1;
    if (b == GINV_BOUNDARY_CIRCULAR) {
        while (i < 0) i += len;
        while (i >= len) i -= len;
        return i;
    }
    while (i < 0 || i >= len) i = i < 0 ? -i - 1 : 2 * len - 1 - i;
    return i;
}

/* The blur's matrix by the naive loop: y[p, q] += K[u, v] x~[p + kh/2 - u,
 * q + kw/2 - v] (per channel) */
static double *blur_expected(int c, int h, int w, const double *K, int kh, int kw,
                             ginv_boundary b)
{
    int n = c * h * w;
    double *E = calloc((size_t)n * n, sizeof(double));
    for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < h; p++)
            for (int q = 0; q < w; q++)
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++) {
                        int i = naive_index(p + kh / 2 - u, h, b), j = naive_index(q + kw / 2 - v, w, b);
                        if (i < 0 || j < 0) continue;
                        E[(size_t)(ch * h * w + p * w + q) * n + ch * h * w + i * w + j] += K[u * kw + v];
                    }
    return E;
}

TEST(blur_is_the_naive_convolution_for_every_boundary_rule)
{
    /* a lopsided 3 x 5 kernel (a flipped kernel or a shifted centre shows),
     * and a 7 x 7 one wider than the 3 x 4 image (reflect folds twice) */
    float k35[15];
    double k35d[15];
    for (int i = 0; i < 15; i++) k35d[i] = k35[i] = (float)(0.05 * (i + 1) + (i == 3 ? 0.7 : 0));
    float k77[49];
    double k77d[49];
    for (int i = 0; i < 49; i++) k77d[i] = k77[i] = (float)(((i * 7) % 11) - 3) / 20.0f;
    for (int b = GINV_BOUNDARY_REFLECT; b <= GINV_BOUNDARY_CIRCULAR; b++) {
        char what[64];
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_blur(&op, 2, 4, 6, k35, 3, 5, (ginv_boundary)b));
        if (op) {
            CHECK(ginv_op_m(op) == 48 && ginv_op_n(op) == 48 && !strcmp(ginv_op_name(op), "blur"));
            double *E = blur_expected(2, 4, 6, k35d, 3, 5, (ginv_boundary)b);
            snprintf(what, sizeof what, "blur 3x5 %s", ginv_boundary_name((ginv_boundary)b));
            check_against(op, what, E);
            check_adjoint(op, what, 400 + b);
            free(E);
        }
        ginv_op_free(op);
        op = NULL;
        CHECK_OK(ginv_op_blur(&op, 1, 3, 4, k77, 7, 7, (ginv_boundary)b));
        if (op) {
            double *E = blur_expected(1, 3, 4, k77d, 7, 7, (ginv_boundary)b);
            snprintf(what, sizeof what, "blur 7x7 on 3x4 %s", ginv_boundary_name((ginv_boundary)b));
            check_against(op, what, E);
            check_adjoint(op, what, 410 + b);
            free(E);
        }
        ginv_op_free(op);
    }
}

TEST(blur_gaussian_is_the_normalised_2d_gaussian_kernel)
{
    static const double sigmas[] = {0.7, 1.3};
    for (int si = 0; si < 2; si++)
        for (int b = GINV_BOUNDARY_REFLECT; b <= GINV_BOUNDARY_CIRCULAR; b++) {
            double sg = sigmas[si];
            int r = (int)ceil(3 * sg), t = 2 * r + 1;
            double *K = malloc((size_t)t * t * sizeof(double)), sum = 0;
            for (int u = 0; u < t; u++)
                for (int v = 0; v < t; v++)
                    sum += K[u * t + v] = exp(-((u - r) * (u - r) + (v - r) * (v - r)) / (2 * sg * sg));
            for (int i = 0; i < t * t; i++) K[i] /= sum;
            ginv_op *op = NULL;
            CHECK_OK(ginv_op_blur_gaussian(&op, 2, 7, 9, sg, (ginv_boundary)b));
            if (op) {
                char what[64];
                snprintf(what, sizeof what, "gaussian blur %.1f %s", sg, ginv_boundary_name((ginv_boundary)b));
                double *E = blur_expected(2, 7, 9, K, t, t, (ginv_boundary)b);
                check_against(op, what, E);
                check_adjoint(op, what, 500 + 3 * si + b);
                free(E);
                /* reflect and circular keep a constant image constant */
                if (b != GINV_BOUNDARY_ZERO) {
                    float x[126], y[126];
                    for (int i = 0; i < 126; i++) x[i] = 0.25f;
                    ginv_op_apply(op, 1, x, y);
                    for (int i = 0; i < 126; i++) CHECK_NEAR(y[i], 0.25, 1e-6);
                }
            }
            free(K);
            ginv_op_free(op);
        }
}

TEST(blur_specs_read_sigma_kernel_file_and_boundary)
{
    ginv_op *op = NULL, *ref = NULL;
    float x[36], y[36], yr[36];
    for (int i = 0; i < 36; i++) x[i] = (float)((i * 5) % 7);
    /* default reflect */
    CHECK_OK(build(&op, "blur:1.2", 0, 36, 0, 0, 0, 0));
    CHECK_OK(ginv_op_blur_gaussian(&ref, 1, 6, 6, 1.2, GINV_BOUNDARY_REFLECT));
    if (op && ref) {
        ginv_op_apply(op, 1, x, y);
        ginv_op_apply(ref, 1, x, yr);
        CHECK(memcmp(y, yr, sizeof y) == 0);
    }
    ginv_op_free(op);
    ginv_op_free(ref);
    CHECK_OK(build(&op, "blur:1.2,circular", 0, 36, 0, 0, 0, 0));
    CHECK_OK(ginv_op_blur_gaussian(&ref, 1, 6, 6, 1.2, GINV_BOUNDARY_CIRCULAR));
    if (op && ref) {
        ginv_op_apply(op, 1, x, y);
        ginv_op_apply(ref, 1, x, yr);
        CHECK(memcmp(y, yr, sizeof y) == 0);
    }
    ginv_op_free(op);
    ginv_op_free(ref);
    /* a kernel file is divided by its sum */
    char path[512], spec[600];
    snprintf(path, sizeof path, "%s/kern.txt", test_tmpdir());
    float k[3 * 5] = {1, 2, 0, 0, 1, 0, 4, 2, 1, 0, 1, 0, 0, 3, 5};
    int64_t shape[2] = {3, 5};
    CHECK_OK(ginv_array_write(path, k, 2, shape));
    snprintf(spec, sizeof spec, "blur:%s,zero", path);
    CHECK_OK(build(&op, spec, 0, 2 * 36, 2, 6, 6, 0));
    float kn[15];
    for (int i = 0; i < 15; i++) kn[i] = k[i] / 20.0f;
    CHECK_OK(ginv_op_blur(&ref, 2, 6, 6, kn, 3, 5, GINV_BOUNDARY_ZERO));
    if (op && ref) {
        float x2[72], y2[72], yr2[72];
        for (int i = 0; i < 72; i++) x2[i] = (float)((i * 3) % 5);
        ginv_op_apply(op, 1, x2, y2);
        ginv_op_apply(ref, 1, x2, yr2);
        CHECK(test_max_rel_diff(y2, yr2, 72, 1e-6) < 1e-6);
    }
    ginv_op_free(op);
    ginv_op_free(ref);
}

/* ------------------------------------------------------------- colorize */

TEST(colorize_is_bt601_luma_by_hand)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_colorize(&op, 2, 3));
    if (!op) return;
    CHECK(ginv_op_m(op) == 6 && ginv_op_n(op) == 18 && !strcmp(ginv_op_name(op), "colorize"));
    /* pixel 0 pure red, 1 pure green, 2 pure blue, 3 white, 4 grey, 5 mixed */
    float x[18] = {1, 0, 0, 1, 0.5f, 0.2f, /* R */
                   0, 1, 0, 1, 0.5f, 0.4f, /* G */
                   0, 0, 1, 1, 0.5f, 0.6f /* B */};
    float want[6] = {0.299f, 0.587f, 0.114f, 1.0f, 0.5f, 0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f};
    float y[6];
    ginv_op_apply(op, 1, x, y);
    for (int i = 0; i < 6; i++) CHECK_NEAR(y[i], want[i], 1e-6);
    float ys[6] = {1, 2, 3, 4, 5, 6}, xs[18];
    ginv_op_adjoint(op, 1, ys, xs);
    for (int i = 0; i < 6; i++) {
        CHECK_NEAR(xs[i], 0.299 * ys[i], 1e-6);
        CHECK_NEAR(xs[6 + i], 0.587 * ys[i], 1e-6);
        CHECK_NEAR(xs[12 + i], 0.114 * ys[i], 1e-6);
    }
    check_adjoint(op, "colorize", 600);
    ginv_op_free(op);
    /* from the spec: n = 3 s^2 is 3 x s x s without a shape */
    CHECK_OK(build(&op, "colorize", 0, 3 * 64 * 64, 0, 0, 0, 0));
    CHECK(op && ginv_op_m(op) == 64 * 64);
    if (op) check_adjoint(op, "colorize 64x64", 601);
    ginv_op_free(op);
}

TEST(structured_ops_have_a_view_and_a_norm)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_blur_gaussian(&op, 1, 5, 5, 1.0, GINV_BOUNDARY_ZERO));
    float y[25], img[25];
    for (int i = 0; i < 25; i++) y[i] = (float)i;
    if (op) {
        CHECK_OK(ginv_op_view(op, 5, 5, y, img));
        CHECK(memcmp(img, y, sizeof y) == 0); /* the blurred image itself */
        double nrm = 0;
        CHECK_OK(ginv_op_sqnorm(op, 100, &nrm)); /* a blur by a sum-1 kernel: ||A|| <= 1 */
        CHECK(nrm > 0.5 && nrm <= 1.0 + 1e-4);
    }
    ginv_op_free(op);
}

/* --------------------------------------------------------- bad input */

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

TEST(structured_op_constructors_reject_bad_arguments_with_a_message)
{
    int sentinel;
    ginv_op *op;
    const int dup[3] = {1, 4, 1}, out[2] = {0, 16};
    float k3[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0}, kn[9] = {0, 0, 0, 0, NAN, 0, 0, 0, 0};
    CHECK_FAILS(ginv_op_circulant(&op, 11, 10, 1, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(ginv_op_circulant(&op, 0, 10, 1, 0), GINV_ERR_ARG, "m = 0");
    CHECK_FAILS(ginv_op_circulant(&op, 1, 0, 1, 0), GINV_ERR_ARG, "n = 0");
    CHECK_FAILS(ginv_op_fourier_subsample(&op, 1, 4, 4, 3, dup), GINV_ERR_ARG, "repeats");
    CHECK_FAILS(ginv_op_fourier_subsample(&op, 1, 4, 4, 2, out), GINV_ERR_ARG, "outside the 4 x 4 grid");
    CHECK_FAILS(ginv_op_fourier_subsample(&op, 1, 4, 4, 17, dup), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(ginv_op_fourier_subsample(&op, 1, 4, 4, 2, NULL), GINV_ERR_ARG, "idx is NULL");
    CHECK_FAILS(ginv_op_fourier_subsample(&op, 0, 4, 4, 2, out), GINV_ERR_ARG, "is invalid");
    CHECK_FAILS(ginv_op_blur(&op, 1, 4, 4, k3, 2, 4, GINV_BOUNDARY_ZERO), GINV_ERR_ARG, "must be odd");
    CHECK_FAILS(ginv_op_blur(&op, 1, 4, 4, kn, 3, 3, GINV_BOUNDARY_ZERO), GINV_ERR_NUMERIC, "must be finite");
    CHECK_FAILS(ginv_op_blur(&op, 1, 4, 4, NULL, 3, 3, GINV_BOUNDARY_ZERO), GINV_ERR_ARG, "kernel is NULL");
    CHECK_FAILS(ginv_op_blur(&op, 1, 4, 4, k3, 3, 3, (ginv_boundary)7), GINV_ERR_ARG, "unknown boundary rule");
    CHECK_FAILS(ginv_op_blur(&op, 1, 0, 4, k3, 3, 3, GINV_BOUNDARY_ZERO), GINV_ERR_ARG, "is invalid");
    CHECK_FAILS(ginv_op_blur_gaussian(&op, 1, 4, 4, 0, GINV_BOUNDARY_REFLECT), GINV_ERR_ARG, "0 < sigma <= 64");
    CHECK_FAILS(ginv_op_blur_gaussian(&op, 1, 4, 4, 1e6, GINV_BOUNDARY_REFLECT), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(ginv_op_blur_gaussian(&op, 1, 4, 4, NAN, GINV_BOUNDARY_REFLECT), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(ginv_op_colorize(&op, 0, 4), GINV_ERR_ARG, "is invalid");
    CHECK(ginv_op_circulant(NULL, 1, 2, 1, 0) == GINV_ERR_ARG);
    ginv_boundary b = GINV_BOUNDARY_ZERO;
    CHECK(ginv_boundary_parse("mirror", &b) == GINV_ERR_ARG && strstr(ginv_last_error(), "'mirror'"));
    CHECK_OK(ginv_boundary_parse("circular", &b));
    CHECK(b == GINV_BOUNDARY_CIRCULAR && !strcmp(ginv_boundary_name(GINV_BOUNDARY_REFLECT), "reflect"));
}

TEST(structured_op_specs_reject_bad_input_with_one_line)
{
    int sentinel;
    ginv_op *op;
    char zpath[512], kpath[512], epath[512], spec[600];
    snprintf(zpath, sizeof zpath, "%s/zero_sum.npy", test_tmpdir());
    snprintf(kpath, sizeof kpath, "%s/even_kernel.npy", test_tmpdir());
    snprintf(epath, sizeof epath, "%s/empty_mask.npy", test_tmpdir());
    float zs[9] = {1, 0, -1, 2, 0, -2, 1, 0, -1}, ev[6] = {1, 1, 1, 1, 1, 1}, em[16] = {0};
    int64_t s33[2] = {3, 3}, s23[2] = {2, 3}, s44[2] = {4, 4};
    CHECK_OK(ginv_array_write(zpath, zs, 2, s33));
    CHECK_OK(ginv_array_write(kpath, ev, 2, s23));
    CHECK_OK(ginv_array_write(epath, em, 2, s44));
    /* parse-time */
    CHECK_FAILS(build(&op, "circulant", 0, 10, 0, 0, 0, 0), GINV_ERR_ARG, "circulant:M or parameter 'm'");
    CHECK_FAILS(build(&op, "circulant:0", 0, 10, 0, 0, 0, 0), GINV_ERR_ARG, "must be a positive integer");
    CHECK_FAILS(build(&op, "fourier-subsample", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "needs its frequencies");
    CHECK_FAILS(build(&op, "fourier-subsample:radial", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "radial:L");
    CHECK_FAILS(build(&op, "fourier-subsample:random", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "or parameter 'm'");
    CHECK_FAILS(build(&op, "fourier-subsample:cartesian:x", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "positive integer");
    snprintf(spec, sizeof spec, "fourier-subsample:%s", epath);
    CHECK_FAILS(build(&op, spec, 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "keeps nothing");
    CHECK_FAILS(build(&op, "fourier-subsample:/nonexistent/mask.npy", 0, 16, 0, 0, 0, 0), GINV_ERR_IO, "mask");
    CHECK_FAILS(build(&op, "blur", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "needs a kernel");
    CHECK_FAILS(build(&op, "blur:0", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "0 < sigma <= 64");
    CHECK_FAILS(build(&op, "blur:-2", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(build(&op, "blur:1e4", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(build(&op, "blur:1.5,mirror", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "unknown boundary rule 'mirror'");
    snprintf(spec, sizeof spec, "blur:%s", zpath);
    CHECK_FAILS(build(&op, spec, 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "sums to zero");
    snprintf(spec, sizeof spec, "blur:%s,reflect", kpath);
    CHECK_FAILS(build(&op, spec, 0, 16, 0, 0, 0, 0), GINV_ERR_SHAPE, "is 2 x 3; both sides must be odd");
    CHECK_FAILS(build(&op, "colorize:3", 0, 12, 0, 0, 0, 0), GINV_ERR_ARG, "unknown operator");
    /* build-time: shapes and ranges */
    CHECK_FAILS(build(&op, "circulant:11", 0, 10, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(build(&op, "fourier-subsample:radial:4", 0, 50, 0, 0, 0, 0), GINV_ERR_ARG, "not a square");
    CHECK_FAILS(build(&op, "blur:1", 0, 50, 0, 0, 0, 0), GINV_ERR_ARG, "not a square");
    CHECK_FAILS(build(&op, "blur:1", 0, 50, 2, 5, 6, 0), GINV_ERR_SHAPE, "does not match");
    CHECK_FAILS(build(&op, "fourier-subsample:random:17", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(build(&op, "fourier-subsample:cartesian:5", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    CHECK_FAILS(build(&op, "fourier-subsample:radial:99", 0, 16, 0, 0, 0, 0), GINV_ERR_ARG, "out of range");
    snprintf(spec, sizeof spec, "fourier-subsample:%s", zpath);
    CHECK_FAILS(build(&op, spec, 0, 16, 0, 0, 0, 0), GINV_ERR_SHAPE, "mask is 3 x 3 but the image is 4 x 4");
    CHECK_FAILS(build(&op, "colorize", 0, 16, 1, 4, 4, 0), GINV_ERR_ARG, "3-channel");
    CHECK_FAILS(build(&op, "colorize", 0, 50, 0, 0, 0, 0), GINV_ERR_ARG, "not 3 times a square");
    /* every message is one line */
    CHECK(!strchr(ginv_last_error(), '\n'));
}
