/* cmd_recover.c — `ginv recover`: MAP inversion of a generator from
 * measurements y = A G(z0) + noise (Hand & Voroninski eq. 1, solved by
 * gradient descent or Adam with restarts), over many trials. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    if (n == 0) return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static const char *const C = "recover";

/* what the table and the JSON summarise over the trials */
typedef struct {
    int succ, have_truth;
    double secs, med_err, med_loss, spi; /* spi: seconds per iteration */
    long iters;
} recover_summary;

static void summarise(const ginv_recover_opts *ro, const ginv_recover_trial *res, int have_truth, recover_summary *s)
{
    double *errs = malloc(sizeof(double) * ro->trials), *losses = malloc(sizeof(double) * ro->trials);
    *s = (recover_summary){.have_truth = have_truth, .med_err = NAN, .med_loss = NAN};
    for (int t = 0; t < ro->trials; t++) {
        if (errs) errs[t] = res[t].rel_error;
        if (losses) losses[t] = res[t].meas_loss;
        s->succ += res[t].success;
        s->secs += res[t].seconds;
        s->iters += res[t].iters;
    }
    if (errs && have_truth) s->med_err = median(errs, ro->trials);
    if (losses) s->med_loss = median(losses, ro->trials);
    s->spi = s->iters ? s->secs / s->iters : NAN;
    free(errs);
    free(losses);
}

/* the per-trial table (up to 50 trials) and the summary line */
static void print_trials(const ginv_recover_opts *ro, const ginv_recover_trial *res, const recover_summary *s)
{
    int have_truth = s->have_truth;
    ginv_link link = ginv_op_spec_link(ro->op);
    if (have_truth && (link == GINV_LINK_ABS || link == GINV_LINK_CABS))
        printf("rel_error up to sign (phaseless: x and -x give the same y): "
               "min(||z_hat - z0||, ||z_hat + z0||) / ||z0||\n");
    if (have_truth && link == GINV_LINK_CABS)
        printf("signal_rel_error (JSON) up to sign, circular shift and flip of each channel "
               "(phaseless-fourier's ambiguities)\n");
    else if (have_truth && link == GINV_LINK_SIGN)
        printf("rel_error of the directions (1-bit recovers up to scale): "
               "||z_hat/||z_hat|| - z0/||z0|| || = 2 sin(angle/2)\n");
    if (ro->trials <= 50) {
        printf("%5s  %12s  %12s  %12s  %6s  %5s  %7s\n", "trial", have_truth ? "rel_error" : "-",
               "meas_loss", "f", "iters", "flips", have_truth ? "success" : "");
        for (int t = 0; t < ro->trials; t++)
            printf("%5d  %12.4e  %12.4e  %12.4e  %6d  %5d  %7s\n", t, res[t].rel_error, res[t].meas_loss,
                   res[t].f, res[t].iters, res[t].flips, have_truth ? (res[t].success ? "yes" : "no") : "");
    }
    if (have_truth)
        printf("success %d/%d (rel_error < %g), median rel_error %.3e, median meas_loss %.3e, %.3f ms/iter\n",
               s->succ, ro->trials, ro->success_tol, s->med_err, s->med_loss, 1e3 * s->spi);
    else
        printf("fit: meas_loss %.4e, %.3f ms/iter\n", s->med_loss, 1e3 * s->spi);
}

/* --save-z (trials x k) and --save-x (trials x n), each written atomically;
 * one trial: a vector. 0 or an exit code. */
static int save_arrays(const ginv_recover_opts *ro, const ginv_recover_trial *res, const char *save_z,
                       const char *save_x, int k, int n)
{
    int which[2] = {save_z != NULL, save_x != NULL}, rc = 0;
    for (int w = 0; w < 2 && !rc; w++) {
        if (!which[w]) continue;
        int len = w == 0 ? k : n;
        float *buf = malloc(sizeof(float) * (size_t)ro->trials * len);
        if (!buf) return cli_oom(C);
        for (int t = 0; t < ro->trials; t++)
            memcpy(buf + (size_t)t * len, w == 0 ? res[t].z_hat : res[t].x_hat, sizeof(float) * len);
        int64_t shape[2] = {ro->trials, len};
        int64_t shape1[1] = {len};
        ginv_status st = ro->trials == 1 ? ginv_array_write(w == 0 ? save_z : save_x, buf, 1, shape1)
                                         : ginv_array_write(w == 0 ? save_z : save_x, buf, 2, shape);
        free(buf);
        if (st != GINV_OK) rc = cli_lib_error(C, st);
    }
    return rc;
}

static cJSON *trial_json(const ginv_recover_trial *r, int t, int have_truth, int with_y)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "trial", t);
    if (have_truth) {
        cJSON_AddItemToObject(o, "rel_error", cli_json_num(r->rel_error));
        cJSON_AddItemToObject(o, "signal_rel_error", cli_json_num(r->signal_error));
        cJSON_AddBoolToObject(o, "success", r->success);
    }
    cJSON_AddItemToObject(o, "meas_loss", cli_json_num(r->meas_loss));
    cJSON_AddItemToObject(o, "f", cli_json_num(r->f));
    cJSON_AddNumberToObject(o, "iters", r->iters);
    cJSON_AddNumberToObject(o, "best_restart", r->best_restart);
    cJSON_AddNumberToObject(o, "flips", r->flips);
    cJSON_AddNumberToObject(o, "flips_total", r->flips_total);
    cJSON_AddItemToObject(o, "seconds", cli_json_num(r->seconds));
    if (with_y) cJSON_AddItemToObject(o, "y", cJSON_CreateFloatArray(r->y, r->m));
    return o;
}

/* The run as JSON: the parameters (the table's, with the values used),
 * the sizes and files, every trial, the summary. */
static cJSON *recover_json(ginv_recover_params *p, const ginv_recover_setup *su, const ginv_recover_opts *ro,
                           const ginv_recover_trial *res, const recover_summary *s, const char *truth_path,
                           const char *y_path)
{
    cJSON *doc = cli_json_new(C);
    cJSON_AddNumberToObject(doc, "seed", (double)ro->seed);
    ginv_recover_params used = *p;
    used.lr = su->lr;
    used.start_scale = su->start_scale;
    used.m = su->m;
    if (!used.out_act) used.out_act = used.act;
    cJSON *pj = cli_json_table(cJSON_AddObjectToObject(doc, "params"), &ginv_recover_table, &used);
    cJSON_AddNumberToObject(pj, "k", su->k);
    cJSON_AddNumberToObject(pj, "n", su->n);
    cJSON_AddNumberToObject(pj, "trials", ro->trials);
    if (truth_path) cJSON_AddStringToObject(pj, "truth", truth_path);
    if (y_path) cJSON_AddStringToObject(pj, "y", y_path);
    cJSON *arr = cJSON_AddArrayToObject(doc, "trials");
    for (int t = 0; t < ro->trials; t++) cJSON_AddItemToArray(arr, trial_json(&res[t], t, s->have_truth, y_path != NULL));
    cJSON *o = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(o, "trials", ro->trials);
    if (s->have_truth) {
        cJSON_AddStringToObject(o, "error_metric", ginv_link_error_name(ginv_op_spec_link(ro->op)));
        cJSON_AddStringToObject(o, "signal_error_metric",
                                ro->op && ro->op->kind == GINV_OPK_PHASELESS_FOURIER
                                    ? "relative-up-to-sign-shift-flip"
                                    : ginv_link_error_name(ginv_op_spec_link(ro->op)));
        cJSON_AddNumberToObject(o, "successes", s->succ);
        cJSON_AddNumberToObject(o, "success_rate", (double)s->succ / ro->trials);
        cJSON_AddItemToObject(o, "median_rel_error", cli_json_num(s->med_err));
    }
    cJSON_AddItemToObject(o, "median_meas_loss", cli_json_num(s->med_loss));
    cJSON_AddItemToObject(o, "seconds_per_iter", cli_json_num(s->spi));
    cJSON_AddItemToObject(o, "solve_seconds", cli_json_num(s->secs));
    return doc;
}

/* --y: read, and its length checked against the operator's m. 0 or an exit code. */
static int read_y(const char *y_path, ginv_recover_params *p, ginv_array *yarr)
{
    int rc = cli_read_vector(C, "y", y_path, 0, yarr);
    if (!rc && p->m == 0) p->m = (int)ginv_array_count(yarr);
    return rc;
}

int cmd_recover(int argc, char **argv)
{
    const char *truth_path = NULL, *y_path = NULL, *save_z = NULL, *save_x = NULL, *json = NULL;
    int quiet = 0, trials = 1, threads = 0; /* threads: cli_threads() after parsing */
    uint64_t seed = 1;
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    cli_opt own[] = {
        {"trials", 0, OPT_INT, &trials, "N", "independent trials", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"truth", 0, OPT_STRING, &truth_path, "FILE", "z0 (k values, .npy or text) instead of N(0, I)"},
        {"y", 0, OPT_STRING, &y_path, "FILE", "your measurements (m values) instead of simulating"},
        {"save-z", 0, OPT_STRING, &save_z, "FILE", "write the recovered latents (trials x k)"},
        {"save-x", 0, OPT_STRING, &save_x, "FILE", "write the recovered signals G(z) (trials x n)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write results as JSON ('-': stdout)"},
        CLI_THREADS_OPT(threads),
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_opt opts[48];
    if (cli_table_join(&ginv_recover_table, &p, own, opts, 48)) return cli_error(C, "internal: option table too long");
    cli_cmd cmd = {C, "Recover latent codes z0 from measurements y = A G(z0) + noise (MAP inversion).",
                   "ginv recover (--model FILE | --layers K,N1,..,ND) --op gaussian --m M [options]",
                   "Minimises f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2 (Hand & Voroninski 2019,\n"
                   "eq. 1 when lambda = 0) from R random restarts per trial, keeping the restart with\n"
                   "the lowest f. Each trial draws its own generator (with --layers), truth z0 ~ N(0, I),\n"
                   "operator and noise from streams derived from (seed, trial), so results do not\n"
                   "depend on --threads. --op gaussian has entries N(0, 1/m) (gaussian-unit: N(0, 1)).\n"
                   "rel_error = ||z_hat - z0|| / ||z0||; with --y (no truth) the fit is reported instead.\n"
                   "Nonlinear operators use their own loss and metric (docs/operators.md):\n"
                   "phaseless-gaussian fits || |A G(z)| - y ||^2 / 2 and rel_error is up to sign,\n"
                   "min(||z_hat - z0||, ||z_hat + z0||) / ||z0||; onebit-gaussian[:onesided|corr]\n"
                   "fits a scale-free loss and rel_error compares directions, || z_hat/|z_hat| - z0/|z0| ||.\n"
                   "The options above --trials are the parameters a sweep cell may set (same names).\n"
                   "No --resume: trials are independent units; for long runs give them to `ginv sweep`\n"
                   "(command recover, the same numbers per trial), which stores each and resumes.\n"
                   "Exit status: 0 when the run completed (whatever the success rate); failures by\n"
                   "class: 2 usage, 4 input, 5 I/O, 6 divergence (docs/cli.md)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(quiet);

    ginv_status st = ginv_recover_check(&p);
    if (st != GINV_OK) return cli_param_error(C, st);
    if (!strcmp(p.start, "negative") && y_path) return cli_usage_error(C, "--start negative needs a truth, not --y");
    if (y_path && truth_path) return cli_usage_error(C, "--y and --truth exclude each other: with --y there is no truth");
    if (y_path && p.layers) return cli_usage_error(C, "--y needs a fixed generator (--model), not --layers");

    ginv_recover_setup su;
    memset(&su, 0, sizeof su);
    ginv_array truth = {0}, yarr = {0};
    ginv_recover_trial *res = NULL;
    if (y_path && (rc = read_y(y_path, &p, &yarr))) goto out;
    if ((st = ginv_recover_setup_init(&su, &p, seed)) != GINV_OK) {
        rc = cli_param_error(C, st);
        goto out;
    }
    ginv_recover_opts *ro = &su.opts;
    ro->trials = trials;
    ro->threads = cli_threads(threads);
    if (y_path && (size_t)su.m != ginv_array_count(&yarr)) {
        rc = cli_error_code(C, CLI_EXIT_FORMAT, "--y '%s' holds %zu values but the operator makes %d measurements",
                            y_path, ginv_array_count(&yarr), su.m);
        goto out;
    }
    ro->y = y_path ? yarr.data : NULL;
    if (truth_path) {
        if ((rc = cli_read_vector(C, "truth", truth_path, (size_t)su.k, &truth))) goto out;
        ro->truth = truth.data;
    }
    res = calloc((size_t)ro->trials, sizeof *res);
    if (!res) { rc = cli_error_code(C, CLI_EXIT_RESOURCE, "out of memory for %d trials", ro->trials); goto out; }
    ro->ctx = cli_run_ctx(); /* Ctrl-C: cancelled, exit 130, nothing written */
    st = ginv_recover_run(ro, res);
    if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }

    recover_summary sum;
    summarise(ro, res, !y_path, &sum);
    if (!quiet) print_trials(ro, res, &sum);

    /* outputs, each written atomically, only after the run succeeded */
    if (save_z || save_x) rc = save_arrays(ro, res, save_z, save_x, su.k, su.n);
    if (json && !rc) {
        cJSON *doc = recover_json(&p, &su, ro, res, &sum, truth_path, y_path);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    if (res)
        for (int t = 0; t < trials; t++) ginv_recover_trial_release(&res[t]);
    free(res);
    ginv_recover_setup_release(&su);
    ginv_array_release(&truth);
    ginv_array_release(&yarr);
    return rc;
}
