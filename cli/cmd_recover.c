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

/* the option texts the JSON repeats */
typedef struct {
    const char *model, *layers, *act, *out_act, *init, *opspec, *algo, *start, *kink, *truth_path, *y_path;
} recover_names;

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

static cJSON *recover_json(const recover_names *nm, const ginv_recover_opts *ro, const ginv_recover_trial *res,
                           const recover_summary *s, int bias, int k, int n, int m)
{
    cJSON *doc = cli_json_new(C);
    cJSON_AddNumberToObject(doc, "seed", (double)ro->seed);
    cli_problem pr = {nm->model, nm->layers, nm->act, nm->out_act, "weights", nm->init, nm->opspec, bias, k, n, m};
    cJSON *p = cli_json_problem(doc, &pr);
    cJSON_AddNumberToObject(p, "noise", ro->noise);
    cJSON_AddNumberToObject(p, "lambda", ro->lambda);
    cJSON_AddStringToObject(p, "algo", nm->algo);
    cJSON_AddNumberToObject(p, "lr", ro->solve.lr);
    cJSON_AddNumberToObject(p, "iters", ro->solve.iters);
    cJSON_AddNumberToObject(p, "tol", ro->solve.tol);
    cJSON_AddNumberToObject(p, "restarts", ro->restarts);
    cJSON_AddNumberToObject(p, "start_scale", ro->init_sd);
    cJSON_AddStringToObject(p, "start", nm->start);
    cJSON_AddStringToObject(p, "kink", nm->kink);
    cJSON_AddNumberToObject(p, "trials", ro->trials);
    cJSON_AddNumberToObject(p, "success_tol", ro->success_tol);
    if (nm->truth_path) cJSON_AddStringToObject(p, "truth", nm->truth_path);
    if (nm->y_path) cJSON_AddStringToObject(p, "y", nm->y_path);
    cJSON *arr = cJSON_AddArrayToObject(doc, "trials");
    for (int t = 0; t < ro->trials; t++) cJSON_AddItemToArray(arr, trial_json(&res[t], t, s->have_truth, nm->y_path != NULL));
    cJSON *o = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(o, "trials", ro->trials);
    if (s->have_truth) {
        cJSON_AddNumberToObject(o, "successes", s->succ);
        cJSON_AddNumberToObject(o, "success_rate", (double)s->succ / ro->trials);
        cJSON_AddItemToObject(o, "median_rel_error", cli_json_num(s->med_err));
    }
    cJSON_AddItemToObject(o, "median_meas_loss", cli_json_num(s->med_loss));
    cJSON_AddItemToObject(o, "seconds_per_iter", cli_json_num(s->spi));
    cJSON_AddItemToObject(o, "solve_seconds", cli_json_num(s->secs));
    return doc;
}

/* Sizes checked before running: trial 0's operator on n-vectors, its m
 * (into *m) against --y's length. 0 or an exit code. */
static int check_op_size(const ginv_op_spec *ops, int n, uint64_t seed, const char *y_path, const ginv_array *yarr, int *m)
{
    ginv_op *op0;
    if (ginv_op_from_spec(&op0, ops, n, seed, 0) != GINV_OK) return cli_fail(C, "--op: %s", ginv_last_error());
    int m0 = ginv_op_m(op0);
    ginv_op_free(op0);
    if (y_path && (size_t)m0 != ginv_array_count(yarr))
        return cli_error_code(C, CLI_EXIT_FORMAT, "--y '%s' holds %zu values but the operator makes %d measurements",
                              y_path, ginv_array_count(yarr), m0);
    *m = m0;
    return 0;
}

int cmd_recover(int argc, char **argv)
{
    const char *model = NULL, *layers = NULL, *act = "relu", *out_act = NULL, *init = "paper";
    const char *opspec = "gaussian", *algo = "adam", *kink = "zero", *image = NULL, *start = "random";
    const char *truth_path = NULL, *y_path = NULL, *save_z = NULL, *save_x = NULL, *json = NULL;
    int bias = 0, m = 0, quiet = 0;
    double alpha = 0.2, bias_sd = 0;
    ginv_recover_opts ro;
    ginv_recover_opts_init(&ro);
    ro.threads = 0; /* cli_threads() after parsing */
    double lr = -1;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "generator model file (.safetensors)"},
        {"layers", 0, OPT_STRING, &layers, "K,N1,..,ND", "instead of --model: a fresh random generator per trial"},
        CLI_LAYERS_OPTS(act, out_act, alpha, bias, bias_sd),
        {"weights", 0, OPT_STRING, &init, "paper|fanin|orthogonal", "with --layers: weight scaling"},
        CLI_OP_OPTS(opspec, m, image),
        {"noise", 0, OPT_DOUBLE, &ro.noise, "SIGMA", "std of the Gaussian noise added to each measurement (0: the noiseless problem of Hand & Voroninski)", 0, 1e30},
        {"lambda", 0, OPT_DOUBLE, &ro.lambda, "L", "weight of the prior term lambda ||z||^2 (0: eq. 1 of Hand & Voroninski)", 0, 1e30},
        {"algo", 0, OPT_STRING, &algo, "gd|adam|signflip", "solver (signflip: GD with the negation check)"},
        {"lr", 0, OPT_DOUBLE, &lr, "ETA", "step size (default: adam 0.01, gd and signflip 1)", 0, 1e30},
        {"iters", 0, OPT_INT, &ro.solve.iters, "T", "iterations (exactly T unless --tol)", 0, 1 << 30},
        {"tol", 0, OPT_DOUBLE, &ro.solve.tol, "EPS", "stop when f changes by < EPS relative (0: never)", 0, 1},
        {"restarts", 0, OPT_INT, &ro.restarts, "R", "random initialisations per trial, solved in one batch", 1, 1 << 20},
        {"start", 0, OPT_STRING, &start, "random|negative", "restarts start at N(0, S^2 I), or near -z0: -z0 + N(0, (S ||z0||)^2 I/k)"},
        {"start-scale", 0, OPT_DOUBLE, &ro.init_sd, "S", "scale S of the starting points (default 1 random, 0.05 negative)", 0, 1e6},
        {"kink", 0, OPT_STRING, &kink, "zero|onesided", "ReLU derivative at 0: zero, or eq. (5)'s one-sided limit"},
        {"trials", 0, OPT_INT, &ro.trials, "N", "independent trials", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"success-tol", 0, OPT_DOUBLE, &ro.success_tol, "E", "success: rel_error below E", 0, 1e30},
        {"truth", 0, OPT_STRING, &truth_path, "FILE", "z0 (k values, .npy or text) instead of N(0, I)"},
        {"y", 0, OPT_STRING, &y_path, "FILE", "your measurements (m values) instead of simulating"},
        {"save-z", 0, OPT_STRING, &save_z, "FILE", "write the recovered latents (trials x k)"},
        {"save-x", 0, OPT_STRING, &save_x, "FILE", "write the recovered signals G(z) (trials x n)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write results as JSON ('-': stdout)"},
        CLI_THREADS_OPT(ro.threads),
        CLI_QUIET_OPT(quiet),
        CLI_ALIAS("init", "weights"),
        CLI_ALIAS("init-scale", "start-scale"),
        {0},
    };
    cli_cmd cmd = {C, "Recover latent codes z0 from measurements y = A G(z0) + noise (MAP inversion).",
                   "ginv recover (--model FILE | --layers K,N1,..,ND) --op gaussian --m M [options]",
                   "Minimises f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2 (Hand & Voroninski 2019,\n"
                   "eq. 1 when lambda = 0) from R random restarts per trial, keeping the restart with\n"
                   "the lowest f. Each trial draws its own generator (with --layers), truth z0 ~ N(0, I),\n"
                   "operator and noise from streams derived from (seed, trial), so results do not\n"
                   "depend on --threads. --op gaussian has entries N(0, 1/m) (gaussian-unit: N(0, 1)).\n"
                   "rel_error = ||z_hat - z0|| / ||z0||; with --y (no truth) the fit is reported instead.\n"
                   "Exit status: 0 when the run completed (whatever the success rate); failures by\n"
                   "class: 2 usage, 4 input, 5 I/O, 6 divergence (docs/cli.md)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    ro.seed = seed;
    ro.threads = cli_threads(ro.threads);
    cli_install_callbacks(quiet);

    if (!!model == !!layers) return cli_usage_error(C, "give exactly one of --model FILE or --layers K,N1,..,ND");
    if ((ro.solve.type = ginv_solver_find(algo)) == NULL)
        return cli_usage_error(C, "--algo '%s' must be gd, adam or signflip", algo);
    ro.solve.lr = lr > 0 ? lr : (!strcmp(algo, "adam") ? 0.01 : 1.0);
    if (lr == 0) return cli_usage_error(C, "--lr must be positive");
    if (!strcmp(kink, "zero")) ro.kink = GINV_KINK_ZERO;
    else if (!strcmp(kink, "onesided")) ro.kink = GINV_KINK_ONESIDED;
    else return cli_usage_error(C, "--kink '%s' must be zero or onesided", kink);
    if (ginv_init_parse(init, &ro.init) != GINV_OK)
        return cli_usage_error(C, "--weights '%s' must be paper, fanin or orthogonal", init);
    if (!strcmp(start, "negative")) {
        ro.start_negative = 1;
        if (!cli_find(opts, "start-scale")->seen) ro.init_sd = 0.05;
        if (y_path) return cli_usage_error(C, "--start negative needs a truth, not --y");
    } else if (strcmp(start, "random")) {
        return cli_usage_error(C, "--start '%s' must be random or negative", start);
    }
    if (y_path && truth_path) return cli_usage_error(C, "--y and --truth exclude each other: with --y there is no truth");
    if (y_path && layers) return cli_usage_error(C, "--y needs a fixed generator (--model), not --layers");
    ro.bias_sd = bias_sd;

    ginv_layer spec[128];
    if (layers && (rc = cli_build_spec(C, layers, act, out_act, alpha, bias, spec, &ro.nspec)))
        return rc;
    ro.spec = spec;

    ginv_net *net = NULL;
    ginv_op_spec ops;
    ginv_array truth = {0}, yarr = {0};
    ginv_recover_trial *res = NULL;
    int have_ops = 0;
    ginv_status st;
    if (model) {
        if ((st = ginv_net_load(model, &net)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        ro.net = net;
    }
    int k = net ? ginv_net_in(net) : spec[0].in;
    int n = net ? ginv_net_out(net) : 0;
    if (!net)
        for (int i = 0; i < ro.nspec; i++) if (spec[i].kind == GINV_LAYER_DENSE) n = spec[i].out;
    if (y_path) {
        if ((rc = cli_read_vector(C, "y", y_path, 0, &yarr))) goto out;
        if (m == 0) m = (int)ginv_array_count(&yarr);
        ro.y = yarr.data;
    }
    if ((st = ginv_op_spec_parse(&ops, opspec, m)) != GINV_OK) { rc = cli_fail(C, "--op: %s", ginv_last_error()); goto out; }
    have_ops = 1;
    if (image) {
        if (sscanf(image, "%dx%dx%d", &ops.c, &ops.h, &ops.w) != 3 || ops.c < 1 || ops.h < 1 || ops.w < 1) {
            rc = cli_usage_error(C, "--image '%s' must be CxHxW, e.g. 1x28x28", image);
            goto out;
        }
    }
    ro.op = &ops;
    if ((rc = check_op_size(&ops, n, seed, y_path, &yarr, &m))) goto out;
    if (truth_path) {
        if ((rc = cli_read_vector(C, "truth", truth_path, (size_t)k, &truth))) goto out;
        ro.truth = truth.data;
    }
    res = calloc((size_t)ro.trials, sizeof *res);
    if (!res) { rc = cli_error_code(C, CLI_EXIT_RESOURCE, "out of memory for %d trials", ro.trials); goto out; }
    ro.ctx = cli_run_ctx(); /* Ctrl-C: cancelled, exit 130, nothing written */
    st = ginv_recover_run(&ro, res);
    if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }

    /* summary */
    recover_summary sum;
    summarise(&ro, res, !y_path, &sum);
    if (!quiet) print_trials(&ro, res, &sum);

    /* outputs, each written atomically, only after the run succeeded */
    if (save_z || save_x) rc = save_arrays(&ro, res, save_z, save_x, k, n);
    if (json && !rc) {
        recover_names nm = {model, layers, act, out_act, init, opspec, algo, start, kink, truth_path, y_path};
        cJSON *doc = recover_json(&nm, &ro, res, &sum, bias, k, n, m);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    if (res)
        for (int t = 0; t < ro.trials; t++) ginv_recover_trial_release(&res[t]);
    free(res);
    if (have_ops) ginv_op_spec_release(&ops);
    ginv_array_release(&truth);
    ginv_array_release(&yarr);
    ginv_net_free(net);
    return rc;
}
