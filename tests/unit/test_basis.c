/* test_basis.c — the sparsifying bases: each is orthonormal (its full
 * matrix Psi has Psi^T Psi = I; synthesis inverts analysis; Parseval), the
 * analysis is the adjoint of the synthesis, the DCT is the textbook
 * formula, and the wavelets are what they claim (Haar kills constants,
 * db4 also linear ramps; the level rule). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static const ginv_basis all[] = {GINV_BASIS_PIXEL, GINV_BASIS_DCT, GINV_BASIS_HAAR, GINV_BASIS_DB4};
static const int sizes[][2] = {{28, 28}, {8, 12}, {5, 7}, {16, 16}, {12, 4}};

static float *rand_floats(size_t n, uint64_t index)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 77, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, 1.0);
    return x;
}

TEST(basis_synthesis_inverts_analysis_and_keeps_the_norm)
{
    int N = 3;
    for (int bi = 0; bi < 4; bi++)
        for (int si = 0; si < 5; si++) {
            int h = sizes[si][0], w = sizes[si][1];
            size_t n = (size_t)N * h * w;
            float *x = rand_floats(n, (uint64_t)(bi * 10 + si)), *c = malloc(n * 4), *x2 = malloc(n * 4);
            CHECK_OK(ginv_basis_analyze(all[bi], h, w, N, x, c));
            CHECK_OK(ginv_basis_synthesize(all[bi], h, w, N, c, x2));
            double rel = test_max_rel_diff(x2, x, n, 1.0);
            CHECK_MSG(rel < 2e-6, "%s %d x %d: reconstruction error %.3g", ginv_basis_name(all[bi]),
                      h, w, rel);
            for (int b = 0; b < N; b++) {
                double nx = 0, nc = 0;
                for (size_t i = 0; i < (size_t)h * w; i++) {
                    nx += (double)x[b * h * w + i] * x[b * h * w + i];
                    nc += (double)c[b * h * w + i] * c[b * h * w + i];
                }
                CHECK_MSG(fabs(nc - nx) <= 2e-6 * nx, "%s %d x %d image %d: ||c||^2 %.9g vs ||x||^2 %.9g",
                          ginv_basis_name(all[bi]), h, w, b, nc, nx);
            }
            free(x);
            free(c);
            free(x2);
        }
}

/* The full matrix of synthesis (columns Psi e_j) is orthogonal in double:
 * max |Psi^T Psi - I| small, for each basis on an 8 x 12 and a 4 x 6 grid */
TEST(basis_matrices_are_orthogonal)
{
    static const int grids[][2] = {{8, 12}, {4, 6}};
    for (int bi = 0; bi < 4; bi++)
        for (int g = 0; g < 2; g++) {
            int h = grids[g][0], w = grids[g][1], n = h * w;
            float *E = calloc((size_t)n * n, sizeof(float)), *P = malloc((size_t)n * n * 4);
            for (int j = 0; j < n; j++) E[(size_t)j * n + j] = 1;
            /* row j of P = Psi e_j = column j of Psi (batched: N = n) */
            CHECK_OK(ginv_basis_synthesize(all[bi], h, w, n, E, P));
            double worst = 0;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) {
                    double d = 0;
                    for (int i = 0; i < n; i++) d += (double)P[(size_t)a * n + i] * P[(size_t)b * n + i];
                    worst = fmax(worst, fabs(d - (a == b)));
                }
            CHECK_MSG(worst < 1e-6, "%s %d x %d: max |Psi^T Psi - I| = %.3g", ginv_basis_name(all[bi]), h,
                      w, worst);
            free(E);
            free(P);
        }
}

/* <Psi^T x, c> = <x, Psi c> against double sums */
TEST(basis_analysis_is_the_adjoint_of_synthesis)
{
    int N = 2;
    for (int bi = 0; bi < 4; bi++)
        for (int si = 0; si < 5; si++) {
            int h = sizes[si][0], w = sizes[si][1];
            size_t n = (size_t)N * h * w;
            float *x = rand_floats(n, 100 + bi), *c = rand_floats(n, 200 + si);
            float *Ax = malloc(n * 4), *Sc = malloc(n * 4);
            CHECK_OK(ginv_basis_analyze(all[bi], h, w, N, x, Ax));
            CHECK_OK(ginv_basis_synthesize(all[bi], h, w, N, c, Sc));
            double l = 0, r = 0, ls = 0;
            for (size_t i = 0; i < n; i++) {
                l += (double)Ax[i] * c[i];
                r += (double)x[i] * Sc[i];
                ls += fabs((double)Ax[i] * c[i]);
            }
            CHECK_MSG(fabs(l - r) <= 1e-5 * ls, "%s %d x %d: <Psi^T x, c> %.9g vs <x, Psi c> %.9g",
                      ginv_basis_name(all[bi]), h, w, l, r);
            free(x);
            free(c);
            free(Ax);
            free(Sc);
        }
}

TEST(basis_dct_is_the_orthonormal_dct_ii_formula)
{
    int h = 6, w = 5, n = h * w;
    float *x = rand_floats((size_t)n, 300), c[30];
    CHECK_OK(ginv_basis_analyze(GINV_BASIS_DCT, h, w, 1, x, c));
    for (int k = 0; k < h; k++)
        for (int l = 0; l < w; l++) {
            double s = 0;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    s += x[i * w + j] * cos(M_PI * (2 * i + 1) * k / (2.0 * h)) *
                         cos(M_PI * (2 * j + 1) * l / (2.0 * w));
            s *= (k ? sqrt(2.0 / h) : sqrt(1.0 / h)) * (l ? sqrt(2.0 / w) : sqrt(1.0 / w));
            CHECK_NEAR(c[k * w + l], s, 1e-5);
        }
    free(x);
}

/* One level on 6 x 6 (6 -> 3) of the ramp x[i][j] = j: every row is the
 * same line, so the row transform's details d[k] sit in columns 3..5 of
 * rows 0..2, and the column details (rows 3..5) vanish. db4 has two
 * vanishing moments: d[0], d[1] of a line are 0 (no wrap-around), d[2]
 * straddles the periodic seam and is not. Haar kills only constants: its
 * details of the ramp are all -1/sqrt 2 (times sqrt 2 from the columns). */
TEST(basis_db4_kills_ramps_and_haar_kills_constants)
{
    float x[36], c[36];
    for (int i = 0; i < 36; i++) x[i] = (float)(i % 6);
    CHECK(ginv_basis_levels(GINV_BASIS_DB4, 6, 6) == 1 && ginv_basis_levels(GINV_BASIS_HAAR, 6, 6) == 1);
    CHECK_OK(ginv_basis_analyze(GINV_BASIS_DB4, 6, 6, 1, x, c));
    for (int r = 0; r < 3; r++) {
        CHECK_NEAR(c[r * 6 + 3], 0, 1e-5);
        CHECK_NEAR(c[r * 6 + 4], 0, 1e-5);
        CHECK(fabs(c[r * 6 + 5]) > 0.5);
    }
    for (int i = 18; i < 36; i++) CHECK_NEAR(c[i], 0, 1e-5);
    CHECK_OK(ginv_basis_analyze(GINV_BASIS_HAAR, 6, 6, 1, x, c));
    for (int r = 0; r < 3; r++)
        for (int q = 3; q < 6; q++) CHECK_NEAR(c[r * 6 + q], -1.0, 1e-5); /* sqrt2 * -1/sqrt2 */
    for (int i = 18; i < 36; i++) CHECK_NEAR(c[i], 0, 1e-5);
    /* a constant image: every wavelet coefficient but the coarsest vanishes */
    float one[28 * 28], cc[28 * 28];
    for (int i = 0; i < 784; i++) one[i] = 0.5f;
    for (int b = 2; b < 4; b++) {
        CHECK_OK(ginv_basis_analyze(all[b], 28, 28, 1, one, cc));
        int bad = 0;
        for (int r = 0; r < 28; r++)
            for (int q = 0; q < 28; q++) {
                double want = r < 7 && q < 7 ? 0.5 * 4.0 : 0.0; /* 2 levels: x sqrt(2)^4 */
                if (fabs(cc[r * 28 + q] - want) > 1e-5) bad++;
            }
        CHECK_MSG(bad == 0, "%s: %d coefficients of a constant image are wrong", ginv_basis_name(all[b]), bad);
    }
}

TEST(basis_levels_names_and_bad_arguments)
{
    CHECK(ginv_basis_levels(GINV_BASIS_HAAR, 28, 28) == 2);
    CHECK(ginv_basis_levels(GINV_BASIS_DB4, 28, 28) == 2);
    CHECK(ginv_basis_levels(GINV_BASIS_HAAR, 32, 32) == 5);
    CHECK(ginv_basis_levels(GINV_BASIS_DB4, 32, 32) == 4);
    CHECK(ginv_basis_levels(GINV_BASIS_HAAR, 32, 12) == 2);
    CHECK(ginv_basis_levels(GINV_BASIS_DCT, 32, 32) == 0);
    ginv_basis b;
    CHECK_OK(ginv_basis_parse("db2", &b));
    CHECK(b == GINV_BASIS_DB4);
    for (int i = 0; i < 4; i++) {
        CHECK_OK(ginv_basis_parse(ginv_basis_name(all[i]), &b));
        CHECK(b == all[i]);
    }
    CHECK(ginv_basis_parse("fourier", &b) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "unknown basis 'fourier'") != NULL);
    float v[4] = {0};
    CHECK(ginv_basis_analyze(GINV_BASIS_DCT, 0, 2, 1, v, v) == GINV_ERR_ARG);
    CHECK(ginv_basis_analyze(GINV_BASIS_DCT, 2, 2, 1, v, v) == GINV_ERR_ARG); /* in == out */
}
