/* l1ball.c — exact Euclidean projection onto the l1 ball (Duchi,
 * Shalev-Shwartz, Singer & Chandra 2008, Fig. 1, the O(n log n) sort-based
 * algorithm): the constraint set of ILO's deviation from the range. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <stdlib.h>

static int desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* argmin_w ||w - v||_2 s.t. ||w||_1 <= r: when ||v||_1 <= r, w = v (theta 0);
 * else with u = |v| sorted in decreasing order,
 *   rho   = max { j : u_j - (sum_{i<=j} u_i - r) / j > 0 },
 *   theta = (sum_{i<=rho} u_i - r) / rho,
 *   w_i   = sign(v_i) max(|v_i| - theta, 0)
 * (Duchi et al. 2008, Fig. 1 and Lemma 2 applied to |v|, eq. (4)-(5) for
 * the signs). Sums in double, the result rounded once to float. */
ginv_status ginv_project_l1_ball(float *v, int n, double r, double *theta)
{
    if (theta) *theta = 0;
    GINV_NONNULL(v);
    if (n < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'n' is %d but must be >= 1", n);
    if (!(r >= 0)) return ginv_fail(GINV_ERR_ARG, "parameter 'r' is %g but must be >= 0", r);
    double norm = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "parameter 'v': entry %d is not finite", i);
        norm += fabs((double)v[i]);
    }
    if (norm <= r) return GINV_OK;
    double *u = ginv_malloc((size_t)n * sizeof *u);
    if (!u) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) u[i] = fabs((double)v[i]);
    qsort(u, (size_t)n, sizeof *u, desc);
    /* rho >= 1 always (j = 0 gives u_1 - (u_1 - r) = r >= 0; r = 0 makes
     * theta = max |v| and w = 0) */
    double cum = u[0], th = u[0] - r;
    for (int j = 1; j < n; j++) {
        cum += u[j];
        double t = (cum - r) / (j + 1);
        if (u[j] - t > 0) th = t; /* the last j with a positive gap is rho */
    }
    ginv_free(u);
    for (int i = 0; i < n; i++) {
        double a = fabs((double)v[i]) - th;
        float w = a > 0 ? (float)a : 0.0f;
        v[i] = v[i] < 0 ? -w : w;
    }
    if (theta) *theta = th;
    return GINV_OK;
}
