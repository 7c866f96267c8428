/* unit_landscape.c — the `landscape` unit runner: trial TRIAL's problem
 * (ginv_landscape_table: the command's names and defaults), measured as
 * `ginv landscape --seed SEED --trial TRIAL` measures it (the basins' starts
 * seeded SEED + TRIAL), without the line and the plane that only draw the
 * figures: the negative stationary point against rho_d (Hand & Voroninski
 * 2019, Lemma 10), the Hessian there, and where plain GD ends. A sweep over
 * depths and widths is then a table of how closely finite nets follow the
 * theorem. */
#include "ginv.h"
#include "infer/problem_rows.h"

#include <math.h>
#include <string.h>

/* The cell's values over the table's defaults, checked. */
static ginv_status read_cell(const ginv_params *cell, ginv_landscape_params *p)
{
    ginv_landscape_params_init(p);
    ginv_status st = ginv_params_apply(cell, &ginv_landscape_table, p);
    return st != GINV_OK ? st : ginv_landscape_check(p);
}

/* The sizes without drawing (ginv_problem_sizes), and k >= 2 for the plane. */
static ginv_status landscape_check(const ginv_params *cell)
{
    ginv_landscape_params p;
    ginv_status st = read_cell(cell, &p);
    int k, n, m;
    if (st == GINV_OK) st = ginv_problem_sizes(&GINV_PROBLEM_VIEW(p), &k, &n, &m);
    if (st == GINV_OK && k < 2)
        st = ginv_fail(GINV_ERR_ARG, "the plane needs a latent size k >= 2 (the generator has k = %d)", k);
    return st;
}

/* The negative ray's minimiser and slope zero, the Hessian there at step
 * 1e-2 ||z0|| (its extreme eigenvalues), the basins. */
static ginv_status measure(const ginv_landscape_params *p, ginv_landscape_setup *s, uint64_t seed,
                           ginv_metrics *out)
{
    int k = s->k;
    ginv_landscape_negative neg;
    ginv_status st = ginv_landscape_negative_point(s->ls, p->range, &neg);
    if (st != GINV_OK) return st;
    double t_neg = neg.t_min, f_neg = neg.f_min, t_slope = neg.t_slope_zero;
    int interior = neg.interior;
    float *z = ginv_malloc(sizeof(float) * k);
    double *H = ginv_malloc(sizeof(double) * k * k), *eig = ginv_malloc(sizeof(double) * k);
    ginv_landscape_basins bas = {0};
    if (!z || !H || !eig) st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the Hessian (k = %d)", k);
    for (int i = 0; st == GINV_OK && i < k; i++) z[i] = (float)(t_neg * s->z0[i]);
    if (st == GINV_OK && (st = ginv_landscape_hessian(s->ls, z, 1e-2 * s->z0_norm, H)) == GINV_OK)
        st = ginv_landscape_eigvals(k, H, eig);
    double f0 = NAN; /* f(0) = 1/2 ||A G(0) - y||^2: the scale of f_neg */
    if (st == GINV_OK) {
        memset(z, 0, sizeof(float) * k);
        st = ginv_landscape_eval(s->ls, 1, z, &f0, NULL);
    }
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_gd;
    so.lr = p->lr;
    so.iters = p->iters;
    if (st == GINV_OK)
        st = ginv_landscape_basins_run(s->ls, &so, p->inits, seed, interior ? t_neg : NAN, p->radius, &bas);
    if (st == GINV_OK) {
        ginv_metrics_add(out, "measured_rho", -t_neg);
        ginv_metrics_add(out, "rho_d", s->rho);
        ginv_metrics_add(out, "rel_diff", (-t_neg - s->rho) / s->rho);
        ginv_metrics_add(out, "interior", interior);
        ginv_metrics_add(out, "slope_zero", -t_slope);
        ginv_metrics_add(out, "f_ratio", f_neg / f0);
        ginv_metrics_add(out, "hess_min_eig", eig[0]);
        ginv_metrics_add(out, "hess_max_eig", eig[k - 1]);
        ginv_metrics_add(out, "frac_near_z0", (double)bas.n_pos / p->inits);
        ginv_metrics_add(out, "frac_near_negative", (double)bas.n_neg / p->inits);
        ginv_metrics_add(out, "frac_elsewhere", (double)bas.n_other / p->inits);
    }
    ginv_landscape_basins_release(&bas);
    ginv_free(z);
    ginv_free(H);
    ginv_free(eig);
    return st;
}

static ginv_status landscape_run(const ginv_params *cell, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    ginv_landscape_params p;
    ginv_landscape_setup s;
    memset(&s, 0, sizeof s);
    ginv_status st = read_cell(cell, &p);
    if (st == GINV_OK) st = ginv_landscape_setup_init(&s, &p, seed, trial, NULL, 0);
    if (st == GINV_OK) st = measure(&p, &s, seed + trial, out); /* `ginv landscape --trial T`'s basins */
    ginv_landscape_setup_release(&s);
    return st;
}

const ginv_unit_runner ginv_unit_landscape = {
    .command = "landscape",
    .check = landscape_check,
    .run = landscape_run,
    .table = &ginv_landscape_table,
};
