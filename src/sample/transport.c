/* transport.c — the two estimates of W(Z_t, mu) beside the sliced W1 (a lower
 * bound, wasserstein.c) that Daras et al. (2022) Thm 3.1 / App. A Thm A.4
 * need to be measured from above:
 *   - the exact optimal transport between two equal-size point clouds with
 *     uniform weights, W_p(a_hat, b_hat) for p = 1, 2: by Birkhoff's theorem
 *     an optimal plan is a permutation, found as a minimum-cost assignment
 *     by successive shortest augmenting paths with dual potentials (the
 *     Hungarian method of Kuhn 1955 in the O(n^3) form of Jonker & Volgenant
 *     1987 without their initialisation heuristics);
 *   - the synchronous coupling: the mean ||a_i - b_i|| over paired rows. Two
 *     Langevin chains driven by the same noise from different starts form a
 *     coupling of their laws, so E||Z_t - Z'_t|| >= W1(law Z_t, law Z'_t)
 *     (the infimum over couplings); with Z'_0 ~ mu and mu stationary,
 *     Z'_t ~ mu and the mean is an upper-bound estimate of W1(Z_t, mu).
 * The empirical OT between n-point samples of two laws is a biased estimate
 * of their W_p: between two samples of the same law it is > 0 (of order
 * n^{-1/k} for k > 2); the experiment measures that floor beside it. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

enum { OT_MAX_POINTS = 4096 };

/* Minimum-cost perfect assignment for the n x n cost c (row-major):
 * row_of[j] = the row assigned to column j. Rows are added one at a time;
 * each addition grows a Dijkstra tree over columns with reduced costs
 * c[i][j] - u[i] - v[j] >= 0 until a free column is reached, then flips the
 * path and updates the potentials (index 0 is the virtual start column). */
static void assign_min_cost(int n, const double *c, int *row_of, double *work, int *iwork)
{
    double *u = work, *v = u + n + 1, *minv = v + n + 1;
    int *p = iwork, *way = p + n + 1, *used = way + n + 1;
    for (int j = 0; j <= n; j++) u[j] = v[j] = 0, p[j] = 0, way[j] = 0;
    for (int i = 1; i <= n; i++) {
        p[0] = i;
        int j0 = 0;
        for (int j = 0; j <= n; j++) minv[j] = INFINITY, used[j] = 0;
        do {
            used[j0] = 1;
            int i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= n; j++) {
                if (used[j]) continue;
                double cur = c[(size_t)(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j]) minv[j] = cur, way[j] = j0;
                if (minv[j] < delta) delta = minv[j], j1 = j;
            }
            for (int j = 0; j <= n; j++)
                if (used[j]) u[p[j]] += delta, v[j] -= delta;
                else minv[j] -= delta;
            j0 = j1;
        } while (p[j0] != 0);
        do { /* flip the augmenting path back to the start */
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    for (int j = 1; j <= n; j++) row_of[j - 1] = p[j] - 1;
}

ginv_status ginv_ot_exact(int k, int n, const float *a, const float *b, int p, int *match,
                          double *out)
{
    GINV_NONNULL(a);
    GINV_NONNULL(b);
    GINV_NONNULL(out);
    if (k < 1 || n < 1 || n > OT_MAX_POINTS)
        return ginv_fail(GINV_ERR_ARG, "exact OT needs k >= 1 and 1 <= n <= %d points (k %d, n %d)",
                         OT_MAX_POINTS, k, n);
    if (p != 1 && p != 2) return ginv_fail(GINV_ERR_ARG, "exact OT: p must be 1 or 2, not %d", p);
    double *c = ginv_malloc(((size_t)n * n + 3 * (size_t)(n + 1)) * sizeof(double));
    int *iw = ginv_malloc((4 * (size_t)(n + 1)) * sizeof(int));
    if (!c || !iw) {
        ginv_free(c);
        ginv_free(iw);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the exact OT of %d points", n);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int l = 0; l < k; l++) {
                double d = (double)a[(size_t)i * k + l] - b[(size_t)j * k + l];
                s += d * d;
            }
            if (!isfinite(s)) {
                ginv_free(c);
                ginv_free(iw);
                return ginv_fail(GINV_ERR_NUMERIC, "exact OT: point %d or %d is not finite", i, j);
            }
            c[(size_t)i * n + j] = p == 1 ? sqrt(s) : s;
        }
    int *row_of = iw + 3 * (n + 1);
    assign_min_cost(n, c, row_of, c + (size_t)n * n, iw);
    double tot = 0;
    for (int j = 0; j < n; j++) {
        tot += c[(size_t)row_of[j] * n + j];
        if (match) match[row_of[j]] = j;
    }
    *out = p == 1 ? tot / n : sqrt(tot / n);
    ginv_free(c);
    ginv_free(iw);
    return GINV_OK;
}

ginv_status ginv_coupling_distance(int k, int n, const float *a, const float *b, double *out)
{
    GINV_NONNULL(a);
    GINV_NONNULL(b);
    GINV_NONNULL(out);
    if (k < 1 || n < 1) return ginv_fail(GINV_ERR_ARG, "coupling distance needs k >= 1 and n >= 1 (k %d, n %d)", k, n);
    double tot = 0;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int l = 0; l < k; l++) {
            double d = (double)a[(size_t)i * k + l] - b[(size_t)i * k + l];
            s += d * d;
        }
        tot += sqrt(s);
    }
    if (!isfinite(tot)) return ginv_fail(GINV_ERR_NUMERIC, "coupling distance: a point is not finite");
    *out = tot / n;
    return GINV_OK;
}
