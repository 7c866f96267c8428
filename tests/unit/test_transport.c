/* test_transport.c — the exact OT between point clouds and the synchronous
 * coupling distance (src/sample/transport.c): both 0 on identical clouds,
 * the assignment's cost equal to the brute-force minimum over all n!
 * permutations for n <= 7, OT >= the sliced W1 of the same clouds, the
 * coupling distance >= the OT W1 (the identity is one plan), a shift's W2. */
#include "test.h"

#include <math.h>

/* min over permutations of sum_i ||a_i - b_perm(i)||^p by Heap's algorithm */
static double brute_ot(int k, int n, const float *a, const float *b, int p)
{
    int perm[8], c[8] = {0};
    for (int i = 0; i < n; i++) perm[i] = i;
    double best = INFINITY;
    for (int i = 0;;) {
        double tot = 0;
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int l = 0; l < k; l++) {
                double d = (double)a[r * k + l] - b[perm[r] * k + l];
                s += d * d;
            }
            tot += p == 1 ? sqrt(s) : s;
        }
        if (tot < best) best = tot;
        while (i < n && c[i] >= i) c[i++] = 0;
        if (i >= n) break;
        int j = i % 2 ? c[i] : 0, t = perm[j];
        perm[j] = perm[i];
        perm[i] = t;
        c[i]++;
        i = 0;
    }
    return p == 1 ? best / n : sqrt(best / n);
}

static void cloud(ginv_rng *r, int n, int k, double shift, float *x)
{
    for (int i = 0; i < n * k; i++) x[i] = (float)(shift + ginv_rng_normal(r));
}

TEST(ot_exact_matches_brute_force_over_permutations)
{
    ginv_rng r;
    ginv_rng_init(&r, 11, GINV_STREAM_USER, 0);
    float a[7 * 3], b[7 * 3];
    for (int n = 1; n <= 7; n++)
        for (int rep = 0; rep < 6; rep++) {
            int k = 1 + rep % 3;
            cloud(&r, n, k, 0, a);
            cloud(&r, n, k, 0.5 * rep, b);
            for (int p = 1; p <= 2; p++) {
                double w;
                int match[7];
                CHECK_OK(ginv_ot_exact(k, n, a, b, p, match, &w));
                CHECK_NEAR(w, brute_ot(k, n, a, b, p), 1e-9 * (1 + w));
                int seen[7] = {0};
                for (int i = 0; i < n; i++) {
                    CHECK(match[i] >= 0 && match[i] < n && !seen[match[i]]);
                    seen[match[i]] = 1;
                }
            }
        }
}

TEST(ot_and_coupling_of_identical_clouds_are_zero)
{
    ginv_rng r;
    ginv_rng_init(&r, 12, GINV_STREAM_USER, 0);
    enum { N = 40, K = 4 };
    float a[N * K];
    cloud(&r, N, K, 1, a);
    double w1, w2, cp;
    CHECK_OK(ginv_ot_exact(K, N, a, a, 1, NULL, &w1));
    CHECK_OK(ginv_ot_exact(K, N, a, a, 2, NULL, &w2));
    CHECK_OK(ginv_coupling_distance(K, N, a, a, &cp));
    CHECK(w1 == 0 && w2 == 0 && cp == 0);
    /* a permuted copy: OT still 0, the coupling (rows paired as given) not */
    float b[N * K];
    for (int i = 0; i < N; i++)
        for (int l = 0; l < K; l++) b[i * K + l] = a[((i + 7) % N) * K + l];
    CHECK_OK(ginv_ot_exact(K, N, a, b, 1, NULL, &w1));
    CHECK_OK(ginv_coupling_distance(K, N, a, b, &cp));
    CHECK(w1 == 0);
    CHECK(cp > 0.5);
}

TEST(ot_bounds_sliced_w1_and_is_bounded_by_the_coupling)
{
    ginv_rng r;
    ginv_rng_init(&r, 13, GINV_STREAM_USER, 0);
    enum { N = 120, K = 5 };
    static float a[N * K], b[N * K];
    for (int rep = 0; rep < 4; rep++) {
        cloud(&r, N, K, 0, a);
        cloud(&r, N, K, 0.3 * rep, b);
        double ot, ot2, sl, cp;
        CHECK_OK(ginv_ot_exact(K, N, a, b, 1, NULL, &ot));
        CHECK_OK(ginv_ot_exact(K, N, a, b, 2, NULL, &ot2));
        CHECK_OK(ginv_w1_sliced(K, N, a, N, b, 32, 3, &sl));
        CHECK_OK(ginv_coupling_distance(K, N, a, b, &cp));
        CHECK_MSG(sl <= ot + 1e-9, "sliced %g > OT %g", sl, ot);
        CHECK_MSG(ot <= cp + 1e-9, "OT %g > coupling %g", ot, cp);
        CHECK(ot <= ot2 + 1e-9); /* W1 <= W2 (Jensen) */
        CHECK(sl < ot);          /* strict in k = 5 for these clouds */
    }
}

TEST(ot_w2_of_a_shift_is_the_shift)
{
    /* b = a + s: the identity is optimal for W2 (cyclical monotonicity of a
     * translation), W2 = ||s|| */
    enum { N = 30, K = 3 };
    float a[N * K], b[N * K];
    const double s[K] = {0.4, -0.2, 1.1};
    ginv_rng r;
    ginv_rng_init(&r, 14, GINV_STREAM_USER, 0);
    cloud(&r, N, K, 0, a);
    for (int i = 0; i < N * K; i++) b[i] = (float)(a[i] + s[i % K]);
    double w2;
    int match[N];
    CHECK_OK(ginv_ot_exact(K, N, a, b, 2, match, &w2));
    CHECK_NEAR(w2, sqrt(0.16 + 0.04 + 1.21), 1e-5);
    CHECK(ginv_ot_exact(K, N, a, b, 3, NULL, &w2) == GINV_ERR_ARG);
    CHECK(ginv_ot_exact(K, 0, a, b, 1, NULL, &w2) == GINV_ERR_ARG);
    a[5] = NAN;
    CHECK(ginv_ot_exact(K, N, a, b, 1, NULL, &w2) == GINV_ERR_NUMERIC);
    CHECK(ginv_coupling_distance(K, N, a, b, &w2) == GINV_ERR_NUMERIC);
}
