/* test_twosample.c — the two-sample distances of src/sample/twosample.c:
 * the RBF MMD^2 is ~0 within its standard error for two samples of one law
 * and clearly positive for shifted laws; the grid TV between samples of two
 * Gaussians matches the closed-form TV, 2 Phi(|mu| / 2) - 1 for N(0, I) and
 * N(mu, I), in 1-D and 2-D. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* n draws of N(shift e_1, I_k) from stream (seed, USER + 95, idx) */
static float *gauss(int n, int k, double shift, uint64_t seed, uint64_t idx)
{
    float *z = malloc(sizeof(float) * (size_t)n * k);
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER + 95, idx);
    for (int i = 0; i < n * k; i++) z[i] = (float)(ginv_rng_normal(&r) + (i % k == 0 ? shift : 0));
    return z;
}

TEST(mmd_rbf_is_zero_within_its_error_for_one_law_and_positive_for_shifted_laws)
{
    enum { N = 1000 };
    for (int k = 1; k <= 8; k *= 8) {
        float *a = gauss(N, k, 0, 1, 0), *b = gauss(N, k, 0, 1, 1), *c = gauss(N, k, 0.5, 1, 2), *e = gauss(N, k, 1.0, 1, 3);
        ginv_mmd same, diff, fixed;
        CHECK_OK(ginv_mmd_rbf(k, N, a, N, b, 0, &same));
        CHECK_OK(ginv_mmd_rbf(k, N, a, N, e, 0, &diff));
        CHECK_OK(ginv_mmd_rbf(k, N, a, N, c, 1.0, &fixed));
        /* the median pairwise distance of N(0, I_k) draws: sqrt(2 median(chi^2_k)), 0.954 (k = 1), 3.832 (k = 8) */
        double med = k == 1 ? 0.954 : 3.832;
        CHECK_MSG(fabs(same.bandwidth - med) < 0.1 * med, "k %d: bandwidth %g, expected about %g", k, same.bandwidth,
                  med);
        CHECK_MSG(fabs(same.mmd2) < 3 * same.se, "k %d: one law: MMD^2 %.3g, se %.3g", k, same.mmd2, same.se);
        CHECK_MSG(diff.mmd2 > 5 * diff.se, "k %d: shifted: MMD^2 %.3g, se %.3g", k, diff.mmd2, diff.se);
        CHECK(fixed.bandwidth == 1.0);
        /* the population MMD^2 of N(0, I) and N(mu, I) with kernel width s (Gaussian integrals):
         * 2 (s^2 / (s^2 + 2))^{k/2} (1 - exp(-|mu|^2 / (2 (s^2 + 2)))) */
        double s2 = 1.0, want = 2 * pow(s2 / (s2 + 2), k / 2.0) * (1 - exp(-0.25 / (2 * (s2 + 2))));
        CHECK_MSG(fabs(fixed.mmd2 - want) < 4 * fixed.se + 1e-4, "k %d: MMD^2 %.4g, closed form %.4g (se %.2g)", k,
                  fixed.mmd2, want, fixed.se);
        printf("    k %d: one law MMD^2 %.2e (se %.1e); shifted by 1: %.2e (se %.1e); width 1: %.3e, closed form %.3e\n",
               k, same.mmd2, same.se, diff.mmd2, diff.se, fixed.mmd2, want);
        free(a);
        free(b);
        free(c);
        free(e);
    }
    float z[32] = {0};
    ginv_mmd m;
    CHECK(ginv_mmd_rbf(1, 16, z, 16, z, 0, &m) == GINV_ERR_NUMERIC); /* every distance 0 */
    CHECK(ginv_mmd_rbf(1, 8, z, 16, z, 0, &m) == GINV_ERR_ARG);
    CHECK(ginv_mmd_rbf(1, 16, z, 16, z, -1, &m) == GINV_ERR_ARG);
}

TEST(tv_grid_matches_the_closed_form_tv_of_two_gaussians)
{
    /* TV(N(0, I), N(mu, I)) = 2 Phi(|mu| / 2) - 1 in any dimension */
    enum { N = 200000 };
    const double mu = 1.0, want = erf(mu / 2 / sqrt(2.0));
    for (int k = 1; k <= 2; k++) {
        float *a = gauss(N, k, 0, 2, 0), *b = gauss(N, k, mu, 2, 1), *c = gauss(N, k, 0, 2, 2);
        double lo[2] = {-5, -5}, hi[2] = {6, 5}, tv, tv0;
        int bins = k == 1 ? 100 : 40;
        CHECK_OK(ginv_tv_grid(k, N, a, N, b, bins, lo, hi, &tv));
        CHECK_OK(ginv_tv_grid(k, N, a, N, c, bins, lo, hi, &tv0));
        CHECK_MSG(fabs(tv - want) < 0.02, "k %d: grid TV %.4f, closed form %.4f", k, tv, want);
        CHECK_MSG(tv0 < 0.03, "k %d: one law: grid TV %.4f", k, tv0);
        printf("    k %d: grid TV %.4f (closed form %.4f); one law %.4f\n", k, tv, want, tv0);
        free(a);
        free(b);
        free(c);
    }
    float u[2] = {-100, 100}, v[2] = {0.5f, 0.5f};
    double lo[1] = {0}, hi[1] = {1}, tv;
    CHECK_OK(ginv_tv_grid(1, 2, u, 2, v, 2, lo, hi, &tv)); /* outside points go to the edge cells */
    CHECK_NEAR(tv, 0.5, 1e-12);
    CHECK(ginv_tv_grid(3, 2, u, 2, v, 2, lo, hi, &tv) == GINV_ERR_ARG);
    CHECK(ginv_tv_grid(1, 2, u, 2, v, 2, hi, lo, &tv) == GINV_ERR_ARG);
}
