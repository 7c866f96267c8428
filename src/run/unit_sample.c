/* unit_sample.c — the `sample` unit runner: one run of `ginv sample` with the
 * cell's parameters (ginv_sample_table: the same names, defaults and checks
 * as the command) on trial TRIAL's problem, its chains seeded SEED + TRIAL,
 * so unit (seed, trial) gives exactly the numbers of
 * `ginv sample [options] --seed SEED --trial TRIAL`. It reports the
 * diagnostics of Vehtari et al. (2021) over the latent coordinates, the
 * posterior mean's error and Stan's convergence verdict as "converged". */
#include "ginv.h"
#include "infer/problem_rows.h"

#include <math.h>
#include <string.h>

/* The cell's values over the table's defaults, checked. */
static ginv_status read_cell(const ginv_params *cell, ginv_sample_params *p)
{
    ginv_sample_params_init(p);
    ginv_status st = ginv_params_apply(cell, &ginv_sample_table, p);
    return st != GINV_OK ? st : ginv_sample_check(p);
}

/* What the command checks before drawing anything, without drawing: the
 * generator's output size and the operator on it (ginv_problem_sizes). */
static ginv_status sample_check(const ginv_params *cell)
{
    ginv_sample_params p;
    ginv_status st = read_cell(cell, &p);
    int k, n, m;
    return st != GINV_OK ? st : ginv_problem_sizes(&GINV_PROBLEM_VIEW(p), &k, &n, &m);
}

/* The worst coordinate's R-hat and ESS over the chains (NaN: unknown, as a
 * constant coordinate gives), and the posterior mean's relative error. */
static ginv_status diagnose(const ginv_sample_result *r, const float *z0, ginv_metrics *out)
{
    int S = r->S, C = r->C, k = r->k;
    double *x = ginv_malloc(sizeof(double) * (size_t)S * C);
    if (!x) return ginv_fail(GINV_ERR_NOMEM, "out of memory for the diagnostics");
    double rhat = 0, bulk = INFINITY, tail = INFINITY, d2 = 0, z2 = 0;
    ginv_status st = GINV_OK;
    for (int j = 0; j < k && st == GINV_OK; j++) {
        double mean = 0;
        for (size_t i = 0; i < (size_t)S * C; i++) mean += x[i] = r->samples[i * k + j];
        mean /= (double)S * C;
        ginv_diag d;
        if ((st = ginv_diag_compute(S, C, x, &d)) != GINV_OK) break;
        rhat = isnan(d.rhat) || isnan(rhat) ? NAN : fmax(rhat, d.rhat);
        bulk = isnan(d.ess_bulk) || isnan(bulk) ? NAN : fmin(bulk, d.ess_bulk);
        tail = isnan(d.ess_tail) || isnan(tail) ? NAN : fmin(tail, d.ess_tail);
        if (z0) d2 += (mean - z0[j]) * (mean - z0[j]), z2 += (double)z0[j] * z0[j];
    }
    ginv_free(x);
    if (st != GINV_OK) return st;
    long div = 0;
    for (int c = 0; c < C; c++) div += r->divergences[c];
    double steps = 0;
    for (int c = 0; c < C; c++) steps += r->step_size[c] / C;
    /* Stan's checks (the command's warnings): R-hat <= 1.01, ESS >= 100 per chain, no divergences */
    int converged = rhat <= 1.01 && bulk >= 100.0 * C && tail >= 100.0 * C && div == 0;
    ginv_metrics_add(out, "converged", converged);
    ginv_metrics_add(out, "max_rhat", rhat);
    ginv_metrics_add(out, "min_ess_bulk", bulk);
    ginv_metrics_add(out, "min_ess_tail", tail);
    ginv_metrics_add(out, "mean_rel_error", z0 ? (z2 > 0 ? sqrt(d2 / z2) : sqrt(d2)) : NAN);
    ginv_metrics_add(out, "accept_rate", r->accept_rate);
    ginv_metrics_add(out, "divergences", (double)div);
    ginv_metrics_add(out, "step_size", steps);
    ginv_metrics_add(out, "seconds", r->seconds);
    ginv_metrics_add(out, "ess_per_second", bulk / r->seconds);
    return GINV_OK;
}

static ginv_status sample_run(const ginv_params *cell, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    ginv_sample_params p;
    ginv_sample_setup s;
    ginv_sample_result res;
    memset(&res, 0, sizeof res);
    memset(&s, 0, sizeof s);
    ginv_status st = read_cell(cell, &p);
    if (st == GINV_OK) st = ginv_sample_setup_init(&s, &p, seed, trial, NULL, 0, NULL, 0);
    if (st == GINV_OK) {
        s.opts.seed = seed + trial; /* `ginv sample --trial T`'s default chain seed */
        st = ginv_sample_run(s.post, &s.opts, &res);
    }
    if (st == GINV_OK) st = diagnose(&res, s.z0, out);
    ginv_sample_result_release(&res);
    ginv_sample_setup_release(&s);
    return st;
}

const ginv_unit_runner ginv_unit_sample = {
    .command = "sample",
    .check = sample_check,
    .run = sample_run,
    .success = "converged",
    .table = &ginv_sample_table,
};
