/* demo_random.c — `ginv demo random`: the recovery table on random expansive ReLU
 * generators (Hand & Voroninski's setting): success rate and median error as
 * the number of Gaussian measurements m grows, for GD and Adam. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int demo_random(int argc, char **argv)
{
    const char *C = "demo random", *layers = "10,250,1000", *json = NULL, *outdir = NULL;
    int trials = 10, iters = 1000, restarts = 2, threads = 0, quiet = 0;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"layers", 0, OPT_STRING, &layers, "K,N1,..,ND", "generator sizes (ReLU, W_i ~ N(0, 1/n_i))"},
        {"trials", 0, OPT_INT, &trials, "N", "trials per cell", 1, 100000},
        {"iters", 0, OPT_INT, &iters, "T", "iterations", 1, 1 << 24},
        {"restarts", 0, OPT_INT, &restarts, "R", "restarts per trial", 1, 4096},
        CLI_THREADS_OPT(threads),
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"out", 0, OPT_STRING, &outdir, "DIR", "write table.md and results.json there"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the table as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Recovery table on random expansive ReLU generators.", "ginv demo random [options]",
                   "Each trial draws a fresh generator with W_i ~ N(0, 1/n_i), a truth z0 ~ N(0, I)\n"
                   "and y = A G(z0) with A ~ N(0, 1/m), then recovers z0 (success: rel_error < 1e-3)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    threads = cli_threads(threads);
    cli_install_callbacks(quiet);
    ginv_layer spec[128];
    int nspec;
    if ((rc = cli_build_spec(C, layers, "relu", NULL, 0, 0, spec, &nspec))) return rc;
    const int ms[] = {5, 10, 20, 40, 100};
    const char *algos[] = {"gd", "adam"};
    const double lrs[] = {1.0, 0.02};
    /* the output set: table.md and results.json appear in --out together */
    ginv_outset *set = NULL;
    if (outdir && ginv_outset_begin(outdir, &set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    if (!quiet) {
        printf("ginv demo: recover z0 from m Gaussian measurements of G(z0), G = ReLU net %s\n", layers);
        printf("%d trials per cell, %d restarts, %d iterations, seed %llu\n\n", trials, restarts, iters,
               (unsigned long long)seed);
        printf("%6s  %-5s  %8s  %16s  %10s\n", "m", "algo", "success", "median rel_error", "ms/iter");
    }
    size_t mdcap = 4096, mdlen = 0;
    char *md = malloc(mdcap);
    if (!md) { ginv_outset_free(set); return cli_oom(C); }
    mdlen += (size_t)snprintf(md, mdcap, "Recovery on random ReLU generators %s (W_i ~ N(0, 1/n_i), A ~ N(0, 1/m)): "
                              "%d trials per cell, %d restarts, %d iterations, seed %llu.\n\n"
                              "| m | algo | success | median rel_error |\n|---:|---|---:|---:|\n",
                              layers, trials, restarts, iters, (unsigned long long)seed);
    cJSON *doc = cli_json_new(C);
    cJSON *jp = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(jp, "layers", layers);
    cJSON_AddStringToObject(jp, "op", "gaussian");
    cJSON_AddNumberToObject(jp, "trials", trials);
    cJSON_AddNumberToObject(jp, "iters", iters);
    cJSON_AddNumberToObject(jp, "restarts", restarts);
    cJSON_AddNumberToObject(jp, "seed", (double)seed);
    cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
    cJSON_AddStringToObject(doc, "layers", layers);
    cJSON_AddNumberToObject(doc, "seed", (double)seed);
    ginv_recover_trial *res = calloc((size_t)trials, sizeof *res);
    double *errs = malloc(sizeof(double) * trials);
    for (size_t mi = 0; mi < sizeof ms / sizeof ms[0] && !rc; mi++)
        for (int a = 0; a < 2 && !rc; a++) {
            ginv_op_spec ops;
            ginv_op_spec_parse(&ops, "gaussian", ms[mi]);
            ginv_recover_opts ro;
            ginv_recover_opts_init(&ro);
            ro.nspec = nspec;
            ro.spec = spec;
            ro.op = &ops;
            ro.solve.type = ginv_solver_find(algos[a]);
            ro.solve.lr = lrs[a];
            ro.solve.iters = iters;
            ro.restarts = restarts;
            ro.trials = trials;
            ro.threads = threads;
            ro.seed = seed;
            ro.ctx = cli_run_ctx(); /* Ctrl-C: exit 130 */
            ginv_status st = ginv_recover_run(&ro, res);
            if (st != GINV_OK) {
                rc = cli_lib_error(C, st);
            } else {
                int succ = 0;
                double secs = 0;
                long it = 0;
                for (int t = 0; t < trials; t++) {
                    succ += res[t].success;
                    errs[t] = res[t].rel_error;
                    secs += res[t].seconds;
                    it += res[t].iters;
                }
                qsort(errs, (size_t)trials, sizeof *errs, cmp_d);
                double med = trials % 2 ? errs[trials / 2] : 0.5 * (errs[trials / 2 - 1] + errs[trials / 2]);
                if (!quiet) {
                    printf("%6d  %-5s  %4d/%-3d  %16.3e  %10.3f\n", ms[mi], algos[a], succ, trials, med,
                           1e3 * secs / (it ? it : 1));
                    fflush(stdout);
                }
                if (mdlen + 256 < mdcap)
                    mdlen += (size_t)snprintf(md + mdlen, mdcap - mdlen, "| %d | %s | %d/%d | %.3e |\n",
                                              ms[mi], algos[a], succ, trials, med);
                cJSON *r = cJSON_CreateObject();
                cJSON_AddNumberToObject(r, "m", ms[mi]);
                cJSON_AddStringToObject(r, "algo", algos[a]);
                cJSON_AddNumberToObject(r, "success_rate", (double)succ / trials);
                cJSON_AddItemToObject(r, "median_rel_error", cli_json_num(med));
                cJSON_AddItemToArray(rows, r);
            }
            for (int t = 0; t < trials; t++) ginv_recover_trial_release(&res[t]);
            ginv_op_spec_release(&ops);
        }
    if (!rc && outdir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/table.md", ginv_outset_dir(set));
        if (ginv_write_atomic(path, md, mdlen) != GINV_OK) rc = cli_fail(C, "%s", ginv_last_error());
        snprintf(path, sizeof path, "%s/results.json", ginv_outset_dir(set));
        if (!rc) rc = cli_json_write(C, doc, path);
        if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
        if (!rc && !quiet) printf("\nwrote %s/table.md and %s/results.json\n", outdir, outdir);
    }
    ginv_outset_free(set);
    free(md);
    if (!rc && json) rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    free(res);
    free(errs);
    return rc;
}
