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

/* The options, the grids read from them and the cells measured. */
typedef struct {
    const char *ks, *widths, *ms, *algos, *noises, *start, *out, *json, *fig_format;
    int trials, iters, restarts, threads, quiet, start_neg;
    double tol, lr_gd, lr_adam;
    uint64_t seed;
    int kv[MAXL], mv[MAXL], nk, nm, na, nc, nn;
    double nv[MAXL];
    const ginv_solver_type *av[8];
    const char *anames[8];
    chain cv[16];
    cell *cells;
    int ncells;
} recovery_exp;

/* "250-1000": chain c's widths joined by sep */
static void chain_label(const chain *ch, const char *sep, char *wl, size_t len)
{
    wl[0] = 0;
    for (int i = 0; i < ch->nw; i++) snprintf(wl + strlen(wl), len - strlen(wl), "%s%d", i ? sep : "", ch->widths[i]);
}

/* --k, --m, --noise, --algos, --widths and --start into the grids. 0 or an exit code. */
static int parse_grids(const char *C, recovery_exp *e)
{
    if ((e->nk = cli_parse_sizes(C, "k", e->ks, e->kv, MAXL)) < 1) return 2;
    if ((e->nm = cli_parse_sizes(C, "m", e->ms, e->mv, MAXL)) < 1) return 2;
    if ((e->nn = parse_doubles(C, "noise", e->noises, e->nv, MAXL)) < 1) return 2;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", e->algos);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (e->na == 8 || !(e->av[e->na] = ginv_solver_find(t)))
            return cli_usage_error(C, "--algos: unknown solver '%s' (gd, signflip, adam)", t);
        e->anames[e->na] = ginv_solver_name(e->av[e->na]);
        e->na++;
    }
    snprintf(buf, sizeof buf, "%s", e->widths);
    for (char *save, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        if (e->nc == 16) return cli_usage_error(C, "--widths: at most 16 chains");
        if ((e->cv[e->nc].nw = cli_parse_sizes(C, "widths", t, e->cv[e->nc].widths, MAXL - 1)) < 1) return 2;
        e->nc++;
    }
    if (!e->na || !e->nc) return cli_usage_error(C, "--algos and --widths must not be empty");
    e->start_neg = !strcmp(e->start, "negative");
    if (!e->start_neg && strcmp(e->start, "random")) return cli_usage_error(C, "--start must be random or negative");
    return 0;
}

/* The option table into e. CLI_OK, CLI_HELP or an exit code. */
static int parse_recovery_options(const char *C, recovery_exp *e, int argc, char **argv)
{
    cli_opt opts[] = {
        {"k", 0, OPT_STRING, &e->ks, "K1,K2,..", "latent sizes"},
        {"widths", 0, OPT_STRING, &e->widths, "N1,..,ND;..", "width chains after k, ';' between depths (e.g. '250,1000;100,300,1000')"},
        {"m", 0, OPT_STRING, &e->ms, "M1,M2,..", "numbers of measurements (gaussian: N(0, 1/m) entries)"},
        {"algos", 0, OPT_STRING, &e->algos, "A1,A2,..", "solvers among gd, signflip, adam"},
        {"noise", 0, OPT_STRING, &e->noises, "S1,S2,..", "std of the Gaussian noise added to each measurement, one or more levels"},
        {"start", 0, OPT_STRING, &e->start, "random|negative", "where restarts start (negative: near -z0)"},
        {"trials", 0, OPT_INT, &e->trials, "N", "trials per cell", 1, 1000000},
        {"iters", 0, OPT_INT, &e->iters, "T", "iterations", 1, 1 << 24},
        {"restarts", 0, OPT_INT, &e->restarts, "R", "restarts per trial", 1, 4096},
        {"lr-gd", 0, OPT_DOUBLE, &e->lr_gd, "ETA", "step of gd and signflip", 1e-12, 1e12},
        {"lr-adam", 0, OPT_DOUBLE, &e->lr_adam, "ETA", "step of adam", 1e-12, 1e12},
        {"success-tol", 0, OPT_DOUBLE, &e->tol, "E", "success: rel_error < E", 0, 1e30},
        {"seed", 0, OPT_U64, &e->seed, "S", "random seed"},
        CLI_THREADS_OPT(e->threads),
        {"out", 0, OPT_STRING, &e->out, "DIR", "directory for table.md, results.json and the PNGs (required)"},
        {"json", 0, OPT_STRING, &e->json, "FILE", "also write the results JSON here ('-': stdout)"},
        CLI_QUIET_OPT(e->quiet),
        CLI_FIGURE_OPTS(e->fig_format),
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
    if (rc) return rc;
    if (!e->out) return cli_usage_error(C, "--out DIR is required");
    e->threads = cli_threads(e->threads);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", e->fig_format))) return rc;
    cli_install_callbacks(e->quiet);
    return parse_grids(C, e);
}

/* One cell: every trial of ginv_recover_run, summarised into x (its grid
 * position already set). res, errs and serrs hold `trials` entries. */
static ginv_status run_cell(const recovery_exp *e, cell *x, ginv_recover_trial *res, double *errs, double *serrs,
                            int *succ)
{
    /* the cell as `ginv recover` parameters, set up as the command and the
     * sweep's recover units do (ginv_recover_setup) */
    char layers[64 * MAXL] = "";
    const chain *ch = &e->cv[x->chain];
    snprintf(layers, sizeof layers, "%d", x->k);
    for (int i = 0; i < ch->nw; i++) snprintf(layers + strlen(layers), sizeof layers - strlen(layers), ",%d", ch->widths[i]);
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    p.layers = layers;
    p.m = x->m;
    p.noise = e->nv[x->noise];
    p.algo = e->anames[x->algo];
    p.lr = e->av[x->algo] == ginv_solver_adam ? e->lr_adam : e->lr_gd;
    p.iters = e->iters;
    p.restarts = e->restarts;
    p.start = e->start;
    p.success_tol = e->tol;
    ginv_recover_setup su;
    ginv_status st = ginv_recover_setup_init(&su, &p, e->seed);
    if (st == GINV_OK) {
        su.opts.trials = e->trials;
        su.opts.threads = e->threads;
        su.opts.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
        st = ginv_recover_run(&su.opts, res);
        if (st != GINV_OK) /* a failed or cancelled run leaves its started trials to release */
            for (int t = 0; t < e->trials; t++) ginv_recover_trial_release(&res[t]);
    }
    ginv_recover_setup_release(&su);
    if (st != GINV_OK) return st;
    int trials = e->trials;
    double flips = 0, secs = 0;
    *succ = 0;
    for (int t = 0; t < trials; t++) {
        *succ += res[t].success;
        errs[t] = res[t].rel_error;
        serrs[t] = res[t].signal_error;
        flips += res[t].flips;
        secs += res[t].seconds;
        ginv_recover_trial_release(&res[t]);
    }
    qsort(errs, (size_t)trials, sizeof *errs, cmp_d);
    qsort(serrs, (size_t)trials, sizeof *serrs, cmp_d);
    x->success_rate = (double)*succ / trials;
    x->median_rel_error = trials % 2 ? errs[trials / 2] : 0.5 * (errs[trials / 2 - 1] + errs[trials / 2]);
    x->median_signal_error = trials % 2 ? serrs[trials / 2] : 0.5 * (serrs[trials / 2 - 1] + serrs[trials / 2]);
    x->mean_flips = flips / trials;
    x->seconds = secs;
    return GINV_OK;
}

/* Every cell of the grid, a table line each unless quiet. 0 or an exit code. */
static int run_sweep(const char *C, recovery_exp *e)
{
    e->cells = calloc((size_t)e->nc * e->nk * e->nm * e->na * e->nn, sizeof *e->cells);
    ginv_recover_trial *res = calloc((size_t)e->trials, sizeof *res);
    double *errs = malloc(sizeof(double) * e->trials), *serrs = malloc(sizeof(double) * e->trials);
    int rc = 0;
    if (!e->cells || !res || !errs || !serrs) rc = cli_oom(C);
    if (!rc && !e->quiet) printf("%-18s %4s %5s %-9s %7s  %8s  %12s  %6s\n", "widths", "k", "m", "algo", "noise", "success", "median err", "flips");
    for (int c = 0; c < e->nc && !rc; c++)
        for (int ki = 0; ki < e->nk && !rc; ki++)
            for (int mi = 0; mi < e->nm && !rc; mi++)
                for (int ni = 0; ni < e->nn && !rc; ni++)
                    for (int a = 0; a < e->na && !rc; a++) {
                        cell *x = &e->cells[e->ncells];
                        *x = (cell){c, e->kv[ki], e->mv[mi], a, ni};
                        int succ;
                        ginv_status st = run_cell(e, x, res, errs, serrs, &succ);
                        if (st != GINV_OK) { rc = cli_lib_error(C, st); break; }
                        e->ncells++;
                        if (!e->quiet) {
                            char wl[256];
                            chain_label(&e->cv[c], ",", wl, sizeof wl);
                            printf("%-18s %4d %5d %-9s %7.3g  %3d/%-4d  %12.3e  %6.2f\n", wl, x->k, x->m, e->anames[a], e->nv[ni], succ, e->trials, x->median_rel_error, x->mean_flips);
                            fflush(stdout);
                        }
                    }
    free(res);
    free(errs);
    free(serrs);
    return rc;
}

/* the JSON's "params", run fields and "cells" */
static cJSON *recovery_json(const char *C, const recovery_exp *e)
{
    cJSON *doc = cli_json_new(C);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON *a = cJSON_AddArrayToObject(p, "k");
    for (int i = 0; i < e->nk; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(e->kv[i]));
    cJSON_AddStringToObject(p, "widths", e->widths);
    cJSON_AddStringToObject(p, "op", "gaussian");
    a = cJSON_AddArrayToObject(p, "m");
    for (int i = 0; i < e->nm; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(e->mv[i]));
    a = cJSON_AddArrayToObject(p, "algos");
    for (int i = 0; i < e->na; i++) cJSON_AddItemToArray(a, cJSON_CreateString(e->anames[i]));
    a = cJSON_AddArrayToObject(p, "noise");
    for (int i = 0; i < e->nn; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(e->nv[i]));
    cJSON_AddStringToObject(p, "start", e->start);
    cJSON_AddNumberToObject(p, "trials", e->trials);
    cJSON_AddNumberToObject(p, "iters", e->iters);
    cJSON_AddNumberToObject(p, "restarts", e->restarts);
    cJSON_AddNumberToObject(p, "lr_gd", e->lr_gd);
    cJSON_AddNumberToObject(p, "lr_adam", e->lr_adam);
    cJSON_AddNumberToObject(p, "success_tol", e->tol);
    cJSON_AddNumberToObject(p, "seed", (double)e->seed);
    cJSON *arr = cJSON_AddArrayToObject(doc, "cells");
    cJSON_AddNumberToObject(doc, "seed", (double)e->seed);
    cJSON_AddNumberToObject(doc, "trials", e->trials);
    cJSON_AddNumberToObject(doc, "iters", e->iters);
    cJSON_AddNumberToObject(doc, "success_tol", e->tol);
    cJSON_AddStringToObject(doc, "start", e->start);
    for (int i = 0; i < e->ncells; i++) {
        const cell *x = &e->cells[i];
        const chain *ch = &e->cv[x->chain];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "widths", cJSON_CreateIntArray(ch->widths, ch->nw));
        cJSON_AddNumberToObject(o, "depth", ch->nw);
        cJSON_AddNumberToObject(o, "k", x->k);
        cJSON_AddNumberToObject(o, "m", x->m);
        cJSON_AddStringToObject(o, "algo", e->anames[x->algo]);
        cJSON_AddNumberToObject(o, "noise", e->nv[x->noise]);
        cJSON_AddNumberToObject(o, "success_rate", x->success_rate);
        cJSON_AddItemToObject(o, "median_rel_error", cli_json_num(x->median_rel_error));
        cJSON_AddItemToObject(o, "median_signal_rel_error", cli_json_num(x->median_signal_error));
        cJSON_AddNumberToObject(o, "mean_flips", x->mean_flips);
        cJSON_AddNumberToObject(o, "solve_seconds", x->seconds);
        cJSON_AddItemToArray(arr, o);
    }
    return doc;
}

/* m*: the smallest grid m from which on every m succeeds >= 0.9 (noise
 * level 0), -1 when none */
static int m_star(const recovery_exp *e, int c, int k, int a)
{
    int mstar = -1;
    for (int mi = e->nm - 1; mi >= 0; mi--) {
        double rate = -1;
        for (int i = 0; i < e->ncells; i++) {
            const cell *x = &e->cells[i];
            if (x->chain == c && x->k == k && x->algo == a && x->noise == 0 && x->m == e->mv[mi]) rate = x->success_rate;
        }
        if (rate < 0.9) break;
        mstar = e->mv[mi];
    }
    return mstar;
}

/* thresholds m*(k, d, algo) at the first noise level, beside k d log prod
 * n_i: into the JSON's "thresholds" and table.md (md may be NULL) */
static void thresholds(const recovery_exp *e, cJSON *doc, FILE *md)
{
    if (md)
        fprintf(md, "| widths | d | k | algo | m* (success >= 0.9 from m* on) | k d log(prod n_i) | m* / (k d log prod n_i) |\n|---|---|---|---|---|---|---|\n");
    cJSON *th = cJSON_AddArrayToObject(doc, "thresholds");
    for (int c = 0; c < e->nc; c++)
        for (int ki = 0; ki < e->nk; ki++)
            for (int a = 0; a < e->na; a++) {
                const chain *ch = &e->cv[c];
                int mstar = m_star(e, c, e->kv[ki], a);
                double lp = 0;
                for (int i = 0; i < ch->nw; i++) lp += log((double)ch->widths[i]);
                double scale = e->kv[ki] * ch->nw * lp;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddItemToObject(o, "widths", cJSON_CreateIntArray(ch->widths, ch->nw));
                cJSON_AddNumberToObject(o, "k", e->kv[ki]);
                cJSON_AddStringToObject(o, "algo", e->anames[a]);
                cJSON_AddItemToObject(o, "m_star", mstar > 0 ? cJSON_CreateNumber(mstar) : cJSON_CreateNull());
                cJSON_AddNumberToObject(o, "k_d_log_prod_n", scale);
                cJSON_AddItemToArray(th, o);
                if (!md) continue;
                char wl[256];
                chain_label(ch, "-", wl, sizeof wl);
                if (mstar > 0)
                    fprintf(md, "| %s | %d | %d | %s | %d | %.0f | %.4f |\n", wl, ch->nw, e->kv[ki], e->anames[a], mstar, scale, mstar / scale);
                else
                    fprintf(md, "| %s | %d | %d | %s | > %d | %.0f | - |\n", wl, ch->nw, e->kv[ki], e->anames[a], e->mv[e->nm - 1], scale);
            }
}

/* table.md and results.json in sd, and --json. 0 or an exit code. */
static int write_results(const char *C, const recovery_exp *e, const char *sd)
{
    int rc = 0;
    cJSON *doc = recovery_json(C, e);
    char path[4096];
    snprintf(path, sizeof path, "%s/table.md", sd);
    char *md_text = NULL;
    size_t md_len = 0;
    FILE *md = open_memstream(&md_text, &md_len);
    if (!md) rc = cli_oom(C);
    thresholds(e, doc, md);
    if (md && (ferror(md) | fclose(md))) rc = cli_oom(C);
    if (!rc && ginv_write_atomic(path, md_text, md_len) != GINV_OK) rc = cli_fail(C, "%s", ginv_last_error());
    free(md_text);
    snprintf(path, sizeof path, "%s/results.json", sd);
    if (!rc) rc = cli_json_write(C, doc, path);
    if (!rc && e->json) rc = cli_json_write(C, doc, e->json);
    cJSON_Delete(doc);
    return rc;
}

/* heat maps: success over k (rows) x m (columns), one panel per algorithm,
 * one figure per width chain; the grid values are categories (one equal
 * cell each), rates on 0..1. 0 or an exit code; *nfig counts figures. */
static int write_heat_maps(const char *C, const recovery_exp *e, const char *sd, int *nfig)
{
    int nk = e->nk, nm = e->nm, rc = 0;
    double xs[MAXL], ys[MAXL];
    for (int i = 0; i < nm; i++) xs[i] = e->mv[i];
    for (int i = 0; i < nk; i++) ys[i] = e->kv[i];
    for (int c = 0; c < e->nc && !rc && nk > 1 && nm > 1; c++) {
        double *z[8] = {0};
        for (int a = 0; a < e->na && !rc; a++) {
            if (!(z[a] = malloc(sizeof(double) * nk * nm))) { rc = cli_oom(C); break; }
            for (int i = 0; i < nk * nm; i++) z[a][i] = NAN;
            for (int i = 0; i < e->ncells; i++) {
                const cell *x = &e->cells[i];
                if (x->chain != c || x->algo != a || x->noise != 0) continue;
                int ki = 0, mi = 0;
                while (e->kv[ki] != x->k) ki++;
                while (e->mv[mi] != x->m) mi++;
                z[a][ki * nm + mi] = x->success_rate;
            }
        }
        char title[512], wl[256], path[4096];
        chain_label(&e->cv[c], "-", wl, sizeof wl);
        snprintf(title, sizeof title, "success rate (rel. error < %g), ReLU net k-%s, %d trials per cell", e->tol, wl, e->trials);
        snprintf(path, sizeof path, "%s/phase_d%d_%s.png", sd, e->cv[c].nw, wl);
        plot_map_style ms_ = {.title = title, .xlabel = "measurements m", .ylabel = "latent size k",
                              .zlabel = "success rate", .categorical = 1, .zmin = 0, .zmax = 1, .values = 1};
        if (!rc) rc = plot_map(path, &ms_, e->na, e->anames, nm, xs, nk, ys, (const double *const *)z);
        *nfig += !rc;
        for (int a = 0; a < e->na; a++) free(z[a]);
    }
    return rc;
}

/* error vs noise: first chain and k, largest m, per algorithm. 0 or an exit code. */
static int write_noise_plot(const char *C, const recovery_exp *e, const char *sd, int *nfig)
{
    int rc = 0, na = e->na, nn = e->nn;
    double *y[8] = {0};
    const char *names[8];
    for (int a = 0; a < na && !rc; a++) {
        if (!(y[a] = malloc(sizeof(double) * nn))) { rc = cli_oom(C); break; }
        for (int ni = 0; ni < nn; ni++) y[a][ni] = NAN;
        names[a] = e->anames[a];
        for (int ni = 0; ni < nn; ni++)
            for (int i = 0; i < e->ncells; i++) {
                const cell *x = &e->cells[i];
                if (x->chain == 0 && x->k == e->kv[0] && x->m == e->mv[e->nm - 1] && x->algo == a && x->noise == ni)
                    y[a][ni] = x->median_signal_error;
            }
    }
    char path[4096], title[256];
    snprintf(path, sizeof path, "%s/error_vs_noise.png", sd);
    snprintf(title, sizeof title, "median ||G(z) - G(z0)|| / ||G(z0)|| vs noise (k = %d, m = %d)", e->kv[0], e->mv[e->nm - 1]);
    /* log-log, linear scaling shows as slope 1; sigma = 0 is drawn as a
     * separate point left of the log axis (labelled 0); an error of 0
     * (exact recovery) cannot show on the log y axis */
    if (!rc) rc = plot_lines(path, title, "noise sigma", "median relative signal error", na, names, nn, e->nv,
                             (const double *const *)y, PLOT_LOGX | PLOT_LOGY);
    *nfig += !rc;
    for (int a = 0; a < na; a++) free(y[a]);
    return rc;
}

static int experiment_recovery(int argc, char **argv)
{
    const char *C = "experiment recovery";
    recovery_exp *e = calloc(1, sizeof *e);
    if (!e) return cli_oom(C);
    *e = (recovery_exp){.ks = "5,10,20", .widths = "250,1000", .ms = "10,20,30,40,60,80,120,160",
                        .algos = "gd,signflip,adam", .noises = "0", .start = "random", .fig_format = "png",
                        .trials = 20, .iters = 1000, .restarts = 1, .tol = 1e-3, .lr_gd = 1.0, .lr_adam = 0.01,
                        .seed = 1};
    int rc = parse_recovery_options(C, e, argc, argv), nfig = 0;
    if (rc) {
        free(e);
        return rc == CLI_HELP ? 0 : rc;
    }
    /* the output set: table, JSON and figures appear in --out together */
    ginv_outset *set = NULL;
    if (ginv_outset_begin(e->out, &set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    const char *sd = set ? ginv_outset_dir(set) : NULL;
    if (!rc) rc = run_sweep(C, e);
    if (!rc) rc = write_results(C, e, sd);
    if (!rc) rc = write_heat_maps(C, e, sd, &nfig);
    if (!rc && e->nn > 1) rc = write_noise_plot(C, e, sd, &nfig);
    if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    ginv_outset_free(set);
    if (!rc && !e->quiet) {
        if (nfig) printf("wrote %s/table.md, %s/results.json and %d figure%s (.%s, each with .dat and .gp)\n", e->out,
                         e->out, nfig, nfig == 1 ? "" : "s", plot_ext());
        else printf("wrote %s/table.md and %s/results.json (no figures: a heat map needs two k and two m, "
                    "the noise plot two noise levels)\n", e->out, e->out);
    }
    free(e->cells);
    free(e);
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
