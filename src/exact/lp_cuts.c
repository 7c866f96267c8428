/* lp_cuts.c — the l_p objective (finite p > 1, l2 included; Keles & Hegde 2023
 * §3.1's decision problem with the norms of Theorem 4, p = 3, 5, ..., and
 * Theorem 6, p = 4, ...) of the branch and bound of bnb.c, as an outer
 * approximation (cutting planes) inside its GLPK LP.
 *
 * The epigraph t >= ||s||_p, s_i >= |o_i - x_i|, is written with the power
 * cone: t >= ||s||_p iff some r >= 0 with sum_i r_i = t has
 *     s_i <= f(r_i, t) = r_i^(1/p) t^(1 - 1/p)     for every i
 * (then sum s_i^p <= t^(p-1) sum r_i = t^p; conversely r_i = s_i^p / t^(p-1)).
 * f is concave and positively homogeneous, so each tangent plane at a ratio
 * u = r/t > 0 lies above it everywhere on r, t >= 0:
 *     f(r, t) <= (1/p) u^(1/p - 1) r + (1 - 1/p) u^(1/p) t,
 * and the cut s_i <= that plane keeps every point of the true set. The LP
 * minimises t; with any set of cuts its optimum is a lower bound on the l_p
 * distance over its region, in the distance's own units (no scaling: the
 * cuts are homogeneous, so GLPK's tolerances mean what they mean for the
 * l1 / linf LPs). Separation (ginv_oa_separate) adds, per violated i, the
 * tangent at the LP point's own ratio r_i / t (Kelley's cut, violated by
 * construction) and at (s_i / ||s||_p)^p (the ratio the exact problem would
 * take there). The cuts are valid everywhere, so they stay in the LP for
 * every later node. */
#include "exact_internal.h"

#include <glpk.h>
#include <math.h>
#include <string.h>

#define OA_MIN_RATIO 1e-6 /* tangents at ratios below it only spoil the LP's conditioning
                             (slopes up to u^(1/p - 1) / p: 500 for p = 2, 8e3 for p = 4) */

/* The tangent at ratio u as a row of output i: s_i - a r_i - b t <= 0. */
static void add_cut(ginv_oa *oa, glp_prob *P, int i, double u)
{
    u = fmin(fmax(u, OA_MIN_RATIO), 1);
    double q = 1 / oa->p, a = q * pow(u, q - 1), b = (1 - q) * pow(u, q);
    int ind[4] = {0, oa->scol[i], oa->rcol[i], oa->tcol};
    double val[4] = {0, 1, -a, -b};
    int row = glp_add_rows(P, 1);
    glp_set_mat_row(P, row, 3, ind, val);
    glp_set_row_bnds(P, row, GLP_UP, 0, 0);
    oa->cuts++;
}

/* The plane of the tangent at ratio u, at (r, t). */
static double plane(const ginv_oa *oa, double u, double r, double t)
{
    u = fmin(fmax(u, OA_MIN_RATIO), 1);
    double q = 1 / oa->p;
    return q * pow(u, q - 1) * r + (1 - q) * pow(u, q) * t;
}

ginv_status ginv_oa_build(ginv_oa *oa, glp_prob *P, int n, const int *ocol, const double *x, double p)
{
    memset(oa, 0, sizeof *oa);
    oa->n = n;
    oa->p = p;
    oa->budget = 200L * n + 2000;
    oa->scol = ginv_malloc(sizeof(int) * (n > 0 ? n : 1));
    oa->rcol = ginv_malloc(sizeof(int) * (n > 0 ? n : 1));
    int *ind = ginv_malloc(sizeof(int) * (n + 2));
    double *val = ginv_malloc(sizeof(double) * (n + 2));
    if (!oa->scol || !oa->rcol || !ind || !val) {
        ginv_free(ind);
        ginv_free(val);
        ginv_oa_release(oa);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    oa->tcol = glp_add_cols(P, 1);
    glp_set_col_bnds(P, oa->tcol, GLP_LO, 0, 0);
    glp_set_obj_coef(P, oa->tcol, 1);
    for (int i = 0; i < n; i++) {
        int s = oa->scol[i] = glp_add_cols(P, 1), r = oa->rcol[i] = glp_add_cols(P, 1);
        glp_set_col_bnds(P, s, GLP_LO, 0, 0);
        glp_set_col_bnds(P, r, GLP_LO, 0, 0);
        int ix[3] = {0, ocol[i], s};
        double vx[3] = {0, 1, -1};
        int row = glp_add_rows(P, 2);
        glp_set_mat_row(P, row, 2, ix, vx); /* o - s <= x */
        glp_set_row_bnds(P, row, GLP_UP, 0, x[i]);
        vx[2] = 1;
        glp_set_mat_row(P, row + 1, 2, ix, vx); /* o + s >= x */
        glp_set_row_bnds(P, row + 1, GLP_LO, x[i], 0);
        ind[i + 1] = r;
        val[i + 1] = 1;
        /* tangents at an even spread, at a quarter of it, and at the whole */
        double u0 = 1.0 / (n > 0 ? n : 1);
        add_cut(oa, P, i, u0);
        add_cut(oa, P, i, u0 / 4);
        add_cut(oa, P, i, 1);
    }
    ind[n + 1] = oa->tcol;
    val[n + 1] = -1;
    int row = glp_add_rows(P, 1); /* sum r - t = 0 */
    glp_set_mat_row(P, row, n + 1, ind, val);
    glp_set_row_bnds(P, row, GLP_FX, 0, 0);
    ginv_free(ind);
    ginv_free(val);
    oa->cuts = 0; /* count only the cuts separation adds */
    return GINV_OK;
}

void ginv_oa_release(ginv_oa *oa)
{
    ginv_free(oa->scol);
    ginv_free(oa->rcol);
    oa->scol = oa->rcol = NULL;
}

int ginv_oa_separate(ginv_oa *oa, glp_prob *P, double floor_dist, double min_gap, double *relaxed)
{
    double sum = 0, t = fmax(glp_get_col_prim(P, oa->tcol), 0);
    for (int i = 0; i < oa->n; i++) sum += pow(fmax(glp_get_col_prim(P, oa->scol[i]), 0), oa->p);
    double T = pow(sum, 1 / oa->p);
    if (relaxed) *relaxed = T;
    /* the cuts could not lift the bound past floor_dist, or they would lift it
     * by less than min_gap: none is worth adding */
    if (T <= floor_dist || T - t <= min_gap) return 0;
    int added = 0;
    for (int i = 0; i < oa->n && oa->cuts + 2 <= oa->budget; i++) {
        double s = fmax(glp_get_col_prim(P, oa->scol[i]), 0), r = fmax(glp_get_col_prim(P, oa->rcol[i]), 0);
        if (s <= 0) continue;
        double tol = 1e-12 * T, ut = pow(s / T, oa->p), uk = t > 0 ? r / t : OA_MIN_RATIO;
        if (s - plane(oa, ut, r, t) > tol) {
            add_cut(oa, P, i, ut);
            added++;
        }
        if (fabs(uk - ut) > 1e-9 * ut && s - plane(oa, uk, r, t) > tol) {
            add_cut(oa, P, i, uk);
            added++;
        }
    }
    if (oa->cuts + 2 > oa->budget) oa->budget_hit = 1;
    return added;
}
