/* cmd_experiment.c — `ginv experiment recovery`: the recovery experiment of
 * Hand & Voroninski §I-C swept over latent size k, widths/depth, measurements
 * m, noise and algorithm, with phase-transition heat maps (success rate over
 * k x m, one panel per algorithm, one figure per depth), the empirical
 * threshold m*(k, d) next to k d log(prod n_i), and error vs noise. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAXL 64

typedef struct {
    int nw, widths[MAXL];   /* one width chain n_1..n_d */
} chain;

typedef struct {
    int chain, k, m, algo, noise;
    double success_rate, median_rel_error, median_signal_error, mean_flips, seconds;
} cell;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "a,b,c" of non-negative numbers */
static int parse_doubles(const char *C, const char *opt, const char *s, double *out, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || v < 0 || n >= max)
            return cli_usage_error(C, "--%s '%s': expected up to %d non-negative numbers separated by commas", opt, s, max), -1;
        out[n++] = v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return cli_usage_error(C, "--%s '%s': expected numbers separated by commas", opt, s), -1;
    }
    return n;
}

static int experiment_recovery(int argc, char **argv)
{
    const char *C = "experiment recovery";
    const char *ks = "5,10,20", *widths = "250,1000", *ms = "10,20,30,40,60,80,120,160";
    const char *algos = "gd,signflip,adam", *noises = "0", *start = "random", *out = NULL, *json = NULL;
    const char *fig_format = "png";
    int trials = 20, iters = 1000, restarts = 1, threads = 0, quiet = 0;
    double tol = 1e-3, lr_gd = 1.0, lr_adam = 0.01;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"k", 0, OPT_STRING, &ks, "K1,K2,..", "latent sizes"},
        {"widths", 0, OPT_STRING, &widths, "N1,..,ND;..", "width chains after k, ';' between depths (e.g. '250,1000;100,300,1000')"},
        {"m", 0, OPT_STRING, &ms, "M1,M2,..", "numbers of measurements (gaussian: N(0, 1/m) entries)"},
        {"algos", 0, OPT_STRING, &algos, "A1,A2,..", "solvers among gd, signflip, adam"},
        {"noise", 0, OPT_STRING, &noises, "S1,S2,..", "std of the Gaussian noise added to each measurement, one or more levels"},
        {"start", 0, OPT_STRING, &start, "random|negative", "where restarts start (negative: near -z0)"},
        {"trials", 0, OPT_INT, &trials, "N", "trials per cell", 1, 1000000},
        {"iters", 0, OPT_INT, &iters, "T", "iterations", 1, 1 << 24},
        {"restarts", 0, OPT_INT, &restarts, "R", "restarts per trial", 1, 4096},
        {"lr-gd", 0, OPT_DOUBLE, &lr_gd, "ETA", "step of gd and signflip", 1e-12, 1e12},
        {"lr-adam", 0, OPT_DOUBLE, &lr_adam, "ETA", "step of adam", 1e-12, 1e12},
        {"success-tol", 0, OPT_DOUBLE, &tol, "E", "success: rel_error < E", 0, 1e30},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        CLI_THREADS_OPT(threads),
        {"out", 0, OPT_STRING, &out, "DIR", "directory for table.md, results.json and the PNGs (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "also write the results JSON here ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        CLI_FIGURE_OPTS(fig_format),
        {0},
    };
    cli_cmd cmd = {C, "Sweep the recovery experiment over k, depth/widths, m, noise and algorithm.",
                   "ginv experiment recovery --out DIR [--k ..] [--widths ..] [--m ..] [--algos ..] [options]",
                   "Each trial draws a fresh ReLU generator k-n1-..-nd (W_i ~ N(0, 1/n_i), no bias),\n"
                   "z0 ~ N(0, I), A ~ N(0, 1/m), y = A G(z0) + noise, and runs each algorithm from the\n"
                   "same starting points (streams keyed by seed and trial). Success: rel_error < E.\n"
                   "m* is the smallest m of the grid from which on every m has success rate >= 0.9\n(noise 0)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!out) return cli_usage_error(C, "--out DIR is required");
    threads = cli_threads(threads);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    cli_install_callbacks(quiet);

    int kv[MAXL], mv[MAXL], nk, nm, na = 0, nc = 0;
    double nv[MAXL];
    const ginv_solver_type *av[8];
    const char *anames[8];
    chain cv[16];
    if ((nk = cli_parse_sizes(C, "k", ks, kv, MAXL)) < 1) return 2;
    if ((nm = cli_parse_sizes(C, "m", ms, mv, MAXL)) < 1) return 2;
    int nn = parse_doubles(C, "noise", noises, nv, MAXL);
    if (nn < 1) return 2;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", algos);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (na == 8 || !(av[na] = ginv_solver_find(t))) return cli_usage_error(C, "--algos: unknown solver '%s' (gd, signflip, adam)", t);
        anames[na] = ginv_solver_name(av[na]);
        na++;
    }
    snprintf(buf, sizeof buf, "%s", widths);
    for (char *save, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        if (nc == 16) return cli_usage_error(C, "--widths: at most 16 chains");
        if ((cv[nc].nw = cli_parse_sizes(C, "widths", t, cv[nc].widths, MAXL - 1)) < 1) return 2;
        nc++;
    }
    if (!na || !nc) return cli_usage_error(C, "--algos and --widths must not be empty");
    int start_neg = !strcmp(start, "negative");
    if (!start_neg && strcmp(start, "random")) return cli_usage_error(C, "--start must be random or negative");
    /* the output set: table, JSON and figures appear in --out together */
    ginv_outset *set = NULL;
    if (ginv_outset_begin(out, &set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    const char *sd = ginv_outset_dir(set);

    int ncells = nc * nk * nm * na * nn;
    cell *cells = calloc((size_t)ncells, sizeof *cells);
    ginv_recover_trial *res = calloc((size_t)trials, sizeof *res);
    double *errs = malloc(sizeof(double) * trials), *serrs = malloc(sizeof(double) * trials);
    if (!quiet) printf("%-18s %4s %5s %-9s %7s  %8s  %12s  %6s\n", "widths", "k", "m", "algo", "noise", "success", "median err", "flips");
    int ci = 0;
    for (int c = 0; c < nc && !rc; c++)
        for (int ki = 0; ki < nk && !rc; ki++)
            for (int mi = 0; mi < nm && !rc; mi++)
                for (int ni = 0; ni < nn && !rc; ni++)
                    for (int a = 0; a < na && !rc; a++) {
                        ginv_layer spec[2 * MAXL];
                        int ns = 0, prev = kv[ki];
                        for (int i = 0; i < cv[c].nw; i++) {
                            spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = prev, .out = cv[c].widths[i]};
                            spec[ns++] = (ginv_layer){.kind = GINV_LAYER_RELU};
                            prev = cv[c].widths[i];
                        }
                        ginv_op_spec ops;
                        ginv_op_spec_parse(&ops, "gaussian", mv[mi]);
                        ginv_recover_opts ro;
                        ginv_recover_opts_init(&ro);
                        ro.nspec = ns;
                        ro.spec = spec;
                        ro.op = &ops;
                        ro.noise = nv[ni];
                        ro.solve.type = av[a];
                        ro.solve.lr = av[a] == ginv_solver_adam ? lr_adam : lr_gd;
                        ro.solve.iters = iters;
                        ro.restarts = restarts;
                        ro.trials = trials;
                        ro.threads = threads;
                        ro.seed = seed;
                        ro.success_tol = tol;
                        ro.start_negative = start_neg;
                        if (start_neg) ro.init_sd = 0.05;
                        ginv_status st = ginv_recover_run(&ro, res);
                        if (st != GINV_OK) {
                            rc = cli_lib_error(C, st);
                            break;
                        }
                        cell *x = &cells[ci++];
                        *x = (cell){c, kv[ki], mv[mi], a, ni};
                        int succ = 0;
                        double flips = 0, secs = 0;
                        for (int t = 0; t < trials; t++) {
                            succ += res[t].success;
                            errs[t] = res[t].rel_error;
                            serrs[t] = res[t].signal_error;
                            flips += res[t].flips;
                            secs += res[t].seconds;
                            ginv_recover_trial_release(&res[t]);
                        }
                        qsort(errs, (size_t)trials, sizeof *errs, cmp_d);
                        qsort(serrs, (size_t)trials, sizeof *serrs, cmp_d);
                        x->success_rate = (double)succ / trials;
                        x->median_rel_error = trials % 2 ? errs[trials / 2] : 0.5 * (errs[trials / 2 - 1] + errs[trials / 2]);
                        x->median_signal_error = trials % 2 ? serrs[trials / 2] : 0.5 * (serrs[trials / 2 - 1] + serrs[trials / 2]);
                        x->mean_flips = flips / trials;
                        x->seconds = secs;
                        if (!quiet) {
                            char wl[256] = "";
                            for (int i = 0; i < cv[c].nw; i++)
                                snprintf(wl + strlen(wl), sizeof wl - strlen(wl), "%s%d", i ? "," : "", cv[c].widths[i]);
                            printf("%-18s %4d %5d %-9s %7.3g  %3d/%-4d  %12.3e  %6.2f\n", wl, x->k, x->m, anames[a], nv[ni], succ, trials, x->median_rel_error, x->mean_flips);
                            fflush(stdout);
                        }
                    }
    free(res);
    free(errs);
    free(serrs);
    if (rc) {
        free(cells);
        ginv_outset_free(set);
        return rc;
    }

    /* thresholds m*(k, d, algo) at the first noise level, beside k d log prod n_i */
    cJSON *doc = cli_json_new(C);
    {
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON *a = cJSON_AddArrayToObject(p, "k");
        for (int i = 0; i < nk; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(kv[i]));
        cJSON_AddStringToObject(p, "widths", widths);
        cJSON_AddStringToObject(p, "op", "gaussian");
        a = cJSON_AddArrayToObject(p, "m");
        for (int i = 0; i < nm; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(mv[i]));
        a = cJSON_AddArrayToObject(p, "algos");
        for (int i = 0; i < na; i++) cJSON_AddItemToArray(a, cJSON_CreateString(anames[i]));
        a = cJSON_AddArrayToObject(p, "noise");
        for (int i = 0; i < nn; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(nv[i]));
        cJSON_AddStringToObject(p, "start", start);
        cJSON_AddNumberToObject(p, "trials", trials);
        cJSON_AddNumberToObject(p, "iters", iters);
        cJSON_AddNumberToObject(p, "restarts", restarts);
        cJSON_AddNumberToObject(p, "lr_gd", lr_gd);
        cJSON_AddNumberToObject(p, "lr_adam", lr_adam);
        cJSON_AddNumberToObject(p, "success_tol", tol);
        cJSON_AddNumberToObject(p, "seed", (double)seed);
    }
    cJSON *arr = cJSON_AddArrayToObject(doc, "cells");
    cJSON_AddNumberToObject(doc, "seed", (double)seed);
    cJSON_AddNumberToObject(doc, "trials", trials);
    cJSON_AddNumberToObject(doc, "iters", iters);
    cJSON_AddNumberToObject(doc, "success_tol", tol);
    cJSON_AddStringToObject(doc, "start", start);
    for (int i = 0; i < ncells; i++) {
        cell *x = &cells[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "widths", cJSON_CreateIntArray(cv[x->chain].widths, cv[x->chain].nw));
        cJSON_AddNumberToObject(o, "depth", cv[x->chain].nw);
        cJSON_AddNumberToObject(o, "k", x->k);
        cJSON_AddNumberToObject(o, "m", x->m);
        cJSON_AddStringToObject(o, "algo", anames[x->algo]);
        cJSON_AddNumberToObject(o, "noise", nv[x->noise]);
        cJSON_AddNumberToObject(o, "success_rate", x->success_rate);
        cJSON_AddItemToObject(o, "median_rel_error", cli_json_num(x->median_rel_error));
        cJSON_AddItemToObject(o, "median_signal_rel_error", cli_json_num(x->median_signal_error));
        cJSON_AddNumberToObject(o, "mean_flips", x->mean_flips);
        cJSON_AddNumberToObject(o, "solve_seconds", x->seconds);
        cJSON_AddItemToArray(arr, o);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/table.md", sd);
    char *md_text = NULL;
    size_t md_len = 0;
    FILE *md = open_memstream(&md_text, &md_len);
    if (!md) rc = cli_oom(C);
    if (md) {
        fprintf(md, "| widths | d | k | algo | m* (success >= 0.9 from m* on) | k d log(prod n_i) | m* / (k d log prod n_i) |\n|---|---|---|---|---|---|---|\n");
    }
    cJSON *th = cJSON_AddArrayToObject(doc, "thresholds");
    for (int c = 0; c < nc; c++)
        for (int ki = 0; ki < nk; ki++)
            for (int a = 0; a < na; a++) {
                /* m*: the smallest grid m from which on every m succeeds >= 0.9 */
                int mstar = -1;
                for (int mi = nm - 1; mi >= 0; mi--) {
                    double rate = -1;
                    for (int i = 0; i < ncells; i++) {
                        cell *x = &cells[i];
                        if (x->chain == c && x->k == kv[ki] && x->algo == a && x->noise == 0 && x->m == mv[mi]) rate = x->success_rate;
                    }
                    if (rate < 0.9) break;
                    mstar = mv[mi];
                }
                double lp = 0;
                for (int i = 0; i < cv[c].nw; i++) lp += log((double)cv[c].widths[i]);
                double scale = kv[ki] * cv[c].nw * lp;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddItemToObject(o, "widths", cJSON_CreateIntArray(cv[c].widths, cv[c].nw));
                cJSON_AddNumberToObject(o, "k", kv[ki]);
                cJSON_AddStringToObject(o, "algo", anames[a]);
                cJSON_AddItemToObject(o, "m_star", mstar > 0 ? cJSON_CreateNumber(mstar) : cJSON_CreateNull());
                cJSON_AddNumberToObject(o, "k_d_log_prod_n", scale);
                cJSON_AddItemToArray(th, o);
                if (md) {
                    char wl[256] = "";
                    for (int i = 0; i < cv[c].nw; i++) snprintf(wl + strlen(wl), sizeof wl - strlen(wl), "%s%d", i ? "-" : "", cv[c].widths[i]);
                    if (mstar > 0)
                        fprintf(md, "| %s | %d | %d | %s | %d | %.0f | %.4f |\n", wl, cv[c].nw, kv[ki], anames[a], mstar, scale, mstar / scale);
                    else
                        fprintf(md, "| %s | %d | %d | %s | > %d | %.0f | - |\n", wl, cv[c].nw, kv[ki], anames[a], mv[nm - 1], scale);
                }
            }
    if (md && (ferror(md) | fclose(md))) rc = cli_oom(C);
    if (!rc && ginv_write_atomic(path, md_text, md_len) != GINV_OK)
        rc = cli_fail(C, "%s", ginv_last_error());
    free(md_text);
    snprintf(path, sizeof path, "%s/results.json", sd);
    if (!rc) rc = cli_json_write(C, doc, path);
    if (!rc && json) rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);

    /* heat maps: success over k (rows) x m (columns), one panel per algorithm;
     * the grid values are categories (one equal cell each), rates on 0..1 */
    double xs[MAXL], ys[MAXL];
    int nfig = 0;
    for (int i = 0; i < nm; i++) xs[i] = mv[i];
    for (int i = 0; i < nk; i++) ys[i] = kv[i];
    for (int c = 0; c < nc && !rc && nk > 1 && nm > 1; c++) {
        double *z[8] = {0};
        for (int a = 0; a < na && !rc; a++) {
            if (!(z[a] = malloc(sizeof(double) * nk * nm))) { rc = cli_oom(C); break; }
            for (int i = 0; i < nk * nm; i++) z[a][i] = NAN;
            for (int i = 0; i < ncells; i++) {
                cell *x = &cells[i];
                if (x->chain != c || x->algo != a || x->noise != 0) continue;
                int ki = 0, mi = 0;
                while (kv[ki] != x->k) ki++;
                while (mv[mi] != x->m) mi++;
                z[a][ki * nm + mi] = x->success_rate;
            }
        }
        char title[512], wl[256] = "";
        for (int i = 0; i < cv[c].nw; i++) snprintf(wl + strlen(wl), sizeof wl - strlen(wl), "%s%d", i ? "-" : "", cv[c].widths[i]);
        snprintf(title, sizeof title, "success rate (rel. error < %g), ReLU net k-%s, %d trials per cell", tol, wl, trials);
        snprintf(path, sizeof path, "%s/phase_d%d_%s.png", sd, cv[c].nw, wl);
        plot_map_style ms_ = {.title = title, .xlabel = "measurements m", .ylabel = "latent size k",
                              .zlabel = "success rate", .categorical = 1, .zmin = 0, .zmax = 1, .values = 1};
        if (!rc) rc = plot_map(path, &ms_, na, anames, nm, xs, nk, ys, (const double *const *)z);
        nfig += !rc;
        for (int a = 0; a < na; a++) free(z[a]);
    }
    /* error vs noise: first chain and k, largest m, per algorithm */
    if (!rc && nn > 1) {
        double *y[8] = {0};
        const char *names[8];
        for (int a = 0; a < na && !rc; a++) {
            if (!(y[a] = malloc(sizeof(double) * nn))) { rc = cli_oom(C); break; }
            for (int ni = 0; ni < nn; ni++) y[a][ni] = NAN;
            names[a] = anames[a];
            for (int ni = 0; ni < nn; ni++)
                for (int i = 0; i < ncells; i++) {
                    cell *x = &cells[i];
                    if (x->chain == 0 && x->k == kv[0] && x->m == mv[nm - 1] && x->algo == a && x->noise == ni) y[a][ni] = x->median_signal_error;
                }
        }
        snprintf(path, sizeof path, "%s/error_vs_noise.png", sd);
        char title[256];
        snprintf(title, sizeof title, "median ||G(z) - G(z0)|| / ||G(z0)|| vs noise (k = %d, m = %d)", kv[0], mv[nm - 1]);
        /* log-log, linear scaling shows as slope 1; sigma = 0 is drawn as a
         * separate point left of the log axis (labelled 0); an error of 0
         * (exact recovery) cannot show on the log y axis */
        if (!rc) rc = plot_lines(path, title, "noise sigma", "median relative signal error", na, names, nn, nv,
                                 (const double *const *)y, PLOT_LOGX | PLOT_LOGY);
        nfig += !rc;
        for (int a = 0; a < na; a++) free(y[a]);
    }
    if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    ginv_outset_free(set);
    if (!rc && !quiet) {
        if (nfig) printf("wrote %s/table.md, %s/results.json and %d figure%s (.%s, each with .dat and .gp)\n", out,
                         out, nfig, nfig == 1 ? "" : "s", plot_ext());
        else printf("wrote %s/table.md and %s/results.json (no figures: a heat map needs two k and two m, "
                    "the noise plot two noise levels)\n", out, out);
    }
    free(cells);
    return rc;
}

int experiment_cs(int argc, char **argv);
int experiment_hardness(int argc, char **argv);

int cmd_experiment(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "recovery")) return experiment_recovery(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "cs")) return experiment_cs(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "hardness")) return experiment_hardness(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ginv experiment recovery [options]   phase transitions on random ReLU nets\n"
               "       ginv experiment cs [options]         CSGM vs Lasso on Fashion-MNIST\n"
               "       ginv experiment hardness [options]   decide vs minisat, fplll, cliquer, MILP, GD\n"
               "(see 'ginv experiment SUB --help')\n");
        return 0;
    }
    return cli_usage_error("experiment", "expected a subcommand: recovery, cs or hardness");
}
