/* unit_recover.c — the `recover` unit runner: one trial of `ginv recover`
 * with the cell's parameters (ginv_recover_table: the same names, defaults
 * and checks as the command), run through ginv_recover_run as trial TRIAL of
 * seed SEED, so unit (seed, trial) gives exactly the numbers of
 * `ginv recover [options] --seed SEED --trials TRIAL+1` for that trial. */
#include "ginv.h"

/* The cell's values over the table's defaults. */
static ginv_status read_cell(const ginv_params *cell, ginv_recover_params *p)
{
    ginv_recover_params_init(p);
    ginv_status st = ginv_params_apply(cell, &ginv_recover_table, p);
    return st != GINV_OK ? st : ginv_recover_check(p);
}

static ginv_status recover_check(const ginv_params *cell)
{
    ginv_recover_params p;
    ginv_recover_setup s;
    ginv_status st = read_cell(cell, &p);
    if (st != GINV_OK) return st;
    st = ginv_recover_setup_init(&s, &p, 0); /* loads the model, sizes trial 0's operator */
    ginv_recover_setup_release(&s);
    return st;
}

static ginv_status recover_run(const ginv_params *cell, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    ginv_recover_params p;
    ginv_recover_setup s;
    ginv_recover_trial res = {0};
    ginv_status st = read_cell(cell, &p);
    if (st != GINV_OK) return st;
    st = ginv_recover_setup_init(&s, &p, seed);
    if (st == GINV_OK) {
        s.opts.first_trial = trial;
        st = ginv_recover_run(&s.opts, &res);
    }
    if (st == GINV_OK) {
        ginv_metrics_add(out, "rel_error", res.rel_error);
        ginv_metrics_add(out, "signal_rel_error", res.signal_error);
        ginv_metrics_add(out, "success", res.success);
        ginv_metrics_add(out, "meas_loss", res.meas_loss);
        ginv_metrics_add(out, "f", res.f);
        ginv_metrics_add(out, "iters", res.iters);
        ginv_metrics_add(out, "best_restart", res.best_restart);
        ginv_metrics_add(out, "flips", res.flips);
        ginv_metrics_add(out, "flips_total", res.flips_total);
    }
    ginv_recover_trial_release(&res);
    ginv_recover_setup_release(&s);
    return st;
}

const ginv_unit_runner ginv_unit_recover = {
    .command = "recover",
    .check = recover_check,
    .run = recover_run,
    .success = "success",
    .table = &ginv_recover_table,
};
