/* experiment_cs.c — `ginv experiment cs`: the CSGM experiment of Bora et al.
 * (2017, §6.1, Fig. 1) on Fashion-MNIST: per-pixel MSE vs the number of
 * Gaussian measurements m for CSGM (each lambda), the Lasso baselines and,
 * with --generators, ILO and SGILO tuned per m (experiment_cs_gen.c),
 * with 1.96-SE error bars; a markdown table, JSON, the plot, and where the
 * best Lasso catches up with CSGM. */
#include "cs_pipeline.h"
#include "experiment_cs_gen.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAXM = 32, MAXL = 4, MAXS = MAXL + CS_NMETHODS };

static int parse_doubles(const char *C, const char *opt, const char *text, double *out, int max)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || v < 0 || n >= max || (*end && *end != ',')) {
            cli_usage_error(C, "--%s '%s': expected at most %d numbers >= 0 separated by commas",
                            opt, text, max);
            return -1;
        }
        out[n++] = v;
        p = *end ? end + 1 : end;
    }
    return n;
}

/* The experiment's grid and its results: the m values, the CSGM lambdas and
 * the Lasso methods; series s is CSGM with lams[s] for s < nl, then each Lasso. */
typedef struct {
    double msd[MAXM], lams[MAXL];
    int nm, nl, lasso[CS_NMETHODS], nlasso, ns;
    int gen[2], ngen;                  /* GINV_CS_ILO / GINV_CS_SGILO series, after the Lasso */
    excs_cell tuned[2][MAXM];          /* their tuned settings per m */
    char names[MAXS][64];
    double mean[MAXS][MAXM], ci[MAXS][MAXM], lamu[MAXS][MAXM], secs[MAXS][MAXM];
} cs_grid;

/* --m, --lambdas and --lasso into g: 0, or the exit code. */
static int parse_grid(const char *C, const char *ms_s, const char *lam_s, const char *lasso_s, cs_grid *g)
{
    g->nm = parse_doubles(C, "m", ms_s, g->msd, MAXM), g->nl = parse_doubles(C, "lambdas", lam_s, g->lams, MAXL);
    if (g->nm < 1 || g->nl < 0) return 2;
    g->nlasso = cs_parse_methods(C, lasso_s, g->lasso);
    if (g->nlasso < 0) return 2;
    for (int i = 0; i < g->nlasso; i++)
        if (g->lasso[i] == CS_CSGM) return cli_usage_error(C, "--lasso lists Lasso methods only");
    for (int i = 0; i < g->nm; i++)
        if (g->msd[i] < 1 || g->msd[i] != floor(g->msd[i]))
            return cli_usage_error(C, "--m: %g is not a positive integer", g->msd[i]);
    return 0;
}

/* Every cell of the grid: each m, each series. 0, or the exit code. */
static int run_cells(const char *C, ginv_net *net, const ginv_images *truth, cs_config *cfg, cs_grid *g,
                     int quiet, const char *model, const ginv_images *held, int layer)
{
    /* series: CSGM per lambda, then each Lasso */
    int nl = g->nl, code = 0;
    g->ns = nl + g->nlasso + g->ngen;
    for (int s = 0; s < nl; s++) snprintf(g->names[s], 64, "CSGM, lambda = %g", g->lams[s]);
    for (int s = 0; s < g->nlasso; s++) snprintf(g->names[nl + s], 64, "%s", ginv_cs_method_name(g->lasso[s]));
    for (int s = 0; s < g->ngen; s++)
        snprintf(g->names[nl + g->nlasso + s], 64, "%s (tuned)", g->gen[s] == GINV_CS_ILO ? "ILO" : "SGILO");
    for (int i = 0; !code && i < g->nm; i++) {
        cfg->m = (int)g->msd[i];
        for (int s = 0; !code && s < g->ns; s++) {
            cs_result res;
            if (s >= nl + g->nlasso) { /* ILO / SGILO, tuned on held (experiment_cs_gen.c) */
                int q = s - nl - g->nlasso;
                excs_cell *t = &g->tuned[q][i];
                code = excs_run_generator(C, net, model, truth, held, cfg, g->gen[q], layer, t);
                if (code) break;
                g->mean[s][i] = t->mean, g->ci[s][i] = t->ci, g->secs[s][i] = t->seconds;
                g->lamu[s][i] = cfg->csgm.lambda;
                if (!quiet)
                    fprintf(stderr, "ginv: m = %d  %-20s MSE %.5f +- %.5f  (radius %g, weight %g, scale %g)\n",
                            cfg->m, g->names[s], t->mean, t->ci, t->radius, t->weight, t->scale);
                continue;
            }
            if (s < nl) {
                cfg->nmethods = 1, cfg->methods[0] = CS_CSGM, cfg->csgm.lambda = g->lams[s];
            } else {
                cfg->nmethods = 1, cfg->methods[0] = g->lasso[s - nl];
            }
            code = cs_run(C, net, truth, cfg, &res);
            if (code) break;
            cs_summary(&res, cfg->methods[0], &g->mean[s][i], &g->ci[s][i]);
            g->lamu[s][i] = res.lambda[cfg->methods[0]];
            g->secs[s][i] = res.seconds[cfg->methods[0]];
            if (!quiet)
                fprintf(stderr, "ginv: m = %d  %-20s MSE %.5f +- %.5f  (%.1f s)\n", cfg->m,
                        g->names[s], g->mean[s][i], g->ci[s][i], g->secs[s][i]);
            cs_result_release(&res);
        }
    }
    return code;
}

/* The table, and the first m where the best Lasso is within CSGM's mean: to
 * stdout and to path. 0, or the exit code. */
static int write_table(const char *C, const cs_grid *g, const char *path)
{
    int nl = g->nl, ns = g->ns, nm = g->nm;
    size_t cap = 1 << 16, len = 0;
    char *md = malloc(cap);
    len += snprintf(md + len, cap - len, "| m |");
    for (int s = 0; s < ns; s++) len += snprintf(md + len, cap - len, " %s |", g->names[s]);
    len += snprintf(md + len, cap - len, "\n|---|");
    for (int s = 0; s < ns; s++) len += snprintf(md + len, cap - len, "---|");
    len += snprintf(md + len, cap - len, "\n");
    int cross = -1, csgm_s = nl > 1 ? 1 : 0;
    for (int i = 0; i < nm; i++) {
        len += snprintf(md + len, cap - len, "| %d |", (int)g->msd[i]);
        double bl = INFINITY;
        for (int s = 0; s < ns; s++) {
            len += snprintf(md + len, cap - len, " %.3g ± %.2g |", g->mean[s][i], g->ci[s][i]);
            if (s >= nl) bl = fmin(bl, g->mean[s][i]);
        }
        len += snprintf(md + len, cap - len, "\n");
        if (cross < 0 && nl && g->nlasso && bl <= g->mean[csgm_s][i]) cross = i;
    }
    if (nl && g->nlasso) {
        if (cross >= 0)
            len += snprintf(md + len, cap - len, "\nThe best Lasso reaches CSGM (%s) at m = %d.\n",
                            g->names[csgm_s], (int)g->msd[cross]);
        else
            len += snprintf(md + len, cap - len, "\nThe best Lasso stays above CSGM (%s) for "
                            "every m up to %d.\n", g->names[csgm_s], (int)g->msd[nm - 1]);
    }
    fputs(md, stdout);
    int code = 0;
    if (ginv_write_atomic(path, md, len) != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
    free(md);
    return code;
}

/* The parameters and every cell's mean, CI and lambda into doc. */
static void json_cells(cJSON *doc, const char *model, int nimg, int in_range, const cs_config *cfg, uint64_t seed,
                       const cs_grid *g)
{
    int nl = g->nl;
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(p, "model", model);
    cJSON_AddNumberToObject(p, "images", nimg);
    cJSON_AddBoolToObject(p, "in_range", in_range);
    cJSON_AddStringToObject(p, "op", cfg->op);
    cJSON *mm = cJSON_AddArrayToObject(p, "m");
    for (int i = 0; i < g->nm; i++) cJSON_AddItemToArray(mm, cJSON_CreateNumber(g->msd[i]));
    cJSON *ll = cJSON_AddArrayToObject(p, "lambdas");
    for (int i = 0; i < nl; i++) cJSON_AddItemToArray(ll, cJSON_CreateNumber(g->lams[i]));
    cJSON_AddNumberToObject(p, "noise", cfg->noise);
    cJSON_AddNumberToObject(p, "restarts", cfg->csgm.restarts);
    cJSON_AddNumberToObject(p, "iters", cfg->csgm.iters);
    cJSON_AddNumberToObject(p, "lr", cfg->csgm.lr);
    cJSON_AddNumberToObject(p, "seed", (double)seed);
    cJSON *cells = cJSON_AddArrayToObject(doc, "cells");
    for (int s = 0; s < g->ns; s++)
        for (int i = 0; i < g->nm; i++) {
            cJSON *o = cJSON_CreateObject();
            int q = s - nl - g->nlasso;
            cJSON_AddStringToObject(o, "method", s < nl ? "csgm" : q < 0 ? ginv_cs_method_name(g->lasso[s - nl])
                                                                    : ginv_cs_method_name(g->gen[q]));
            if (q >= 0) {
                if (isinf(g->tuned[q][i].radius)) cJSON_AddStringToObject(o, "ilo_radius", "inf");
                else cJSON_AddNumberToObject(o, "ilo_radius", g->tuned[q][i].radius);
                if (g->gen[q] == GINV_CS_SGILO) {
                    cJSON_AddItemToObject(o, "sgilo_prior_weight", cli_json_num(g->tuned[q][i].weight));
                    cJSON_AddItemToObject(o, "sgilo_step_scale", cli_json_num(g->tuned[q][i].scale));
                }
            }
            cJSON_AddNumberToObject(o, "m", g->msd[i]);
            cJSON_AddItemToObject(o, "lambda", cli_json_num(g->lamu[s][i]));
            cJSON_AddItemToObject(o, "mse_mean", cli_json_num(g->mean[s][i]));
            cJSON_AddItemToObject(o, "mse_ci95", cli_json_num(g->ci[s][i]));
            cJSON_AddItemToObject(o, "seconds", cli_json_num(g->secs[s][i]));
            cJSON_AddItemToArray(cells, o);
        }
}

int experiment_cs(int argc, char **argv)
{
    const char *C = "experiment cs", *model = NULL, *ms_s = "10,25,50,100,200,300,400,500,750";
    const char *lam_s = "0,0.1", *lasso_s = "lasso-pixel,lasso-dct,lasso-wavelet";
    const char *outdir = NULL, *json = NULL, *fig_format = "png";
    const char *gen_s = NULL;
    int nimg = 300, in_range = 0, quiet = 0, layer = 2;
    uint64_t seed = 1;
    cs_config cfg = {.op = "gaussian-unit", .noise = 0.1, .nlambdas = 16};
    ginv_csgm_opts_init(&cfg.csgm);
    cfg.csgm.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator (required)"},
        {"images", 0, OPT_INT, &nimg, "N", "the first N Fashion-MNIST test images", 1, 10000},
        {"in-range", 0, OPT_FLAG, &in_range, "", "truth x = G(z*), z* ~ N(0, I) instead of test images (no representation error)"},
        {"m", 0, OPT_STRING, &ms_s, "M1,M2,..", "numbers of measurements, one curve point each"},
        {"lambdas", 0, OPT_STRING, &lam_s, "L1,..", "CSGM lambdas (one curve each)"},
        {"lasso", 0, OPT_STRING, &lasso_s, "LIST", "Lasso baselines (lambda tuned on 8 training images per m)"},
        {"generators", 0, OPT_STRING, &gen_s, "LIST", "also ilo and/or sgilo (comma list), each tuned per m on 8 held-out images (Daras et al. 2022's protocol); sgilo needs a prior in --model (ginv train score)"},
        {"layer", 0, OPT_INT, &layer, "L", "ilo, sgilo: the input of layer L (the prior's layer for sgilo)", 1, 255},
        {"noise", 0, OPT_DOUBLE, &cfg.noise, "SIGMA", "std of the Gaussian noise added to each measurement (A: gaussian-unit, N(0, 1) entries; 0.1 as in Bora et al.)", 0, 1e6},
        {"restarts", 0, OPT_INT, &cfg.csgm.restarts, "R", "CSGM random starts", 1, 1 << 16},
        {"iters", 0, OPT_INT, &cfg.csgm.iters, "T", "CSGM Adam iterations", 1, 1 << 24},
        {"lr", 0, OPT_DOUBLE, &cfg.csgm.lr, "ETA", "CSGM Adam learning rate", 0, 1e3},
        {"seed", 0, OPT_U64, &seed, "S", "seed of A, noise, restarts"},
        CLI_THREADS_OPT(cfg.threads),
        {"out", 0, OPT_STRING, &outdir, "DIR", "table.md and mse_vs_m.png (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "every cell's mean, CI and lambda as JSON"},
        CLI_QUIET_OPT(quiet),
        CLI_FIGURE_OPTS(fig_format),
        CLI_ALIAS("ms", "m"),
        {0}};
    cli_cmd cmd = {C, "CSGM vs Lasso: per-pixel MSE against m (Bora et al. 2017, Fig. 1)",
                   "ginv experiment cs --model vae.safetensors --out DIR [options]",
                   "For each m, every image is measured with the same A (gaussian-unit: N(0,1) entries) and "
                   "noise, then reconstructed by CSGM with each lambda and by each Lasso "
                   "baseline. The Lasso's lambda is tuned per m on 8 training images (a grid "
                   "lambda_max 1e-5..1). --generators ilo,sgilo adds ILO (radius tuned over 1, 4, 16, inf) and "
                   "SGILO (prior weight over 0.1, 1 and step scale over 0.1, 0.5, from the tuned ILO), tuned "
                   "per m on the last 8 test images (8 in-range truths of seed + 1 with --in-range). "
                   "Writes DIR/table.md and DIR/mse_vs_m.png (for image grids run ginv cs --out at one m)."};
    int npos_ = 0, rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos_);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    if (!model || !outdir) return cli_usage_error(C, "--model and --out are required");
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    cs_grid g;
    if ((rc = parse_grid(C, ms_s, lam_s, lasso_s, &g))) return rc;
    if ((g.ngen = gen_s ? excs_parse_generators(C, gen_s, g.gen) : 0) < 0) return 2;
    if (nimg > 9992 && g.ngen && !in_range)
        return cli_usage_error(C, "--images %d would overlap the 8 held-out tuning images (at most 9992 with --generators)", nimg);
    for (int q = 0; q < g.ngen; q++)
        if (g.gen[q] == GINV_CS_SGILO && !(cfg.noise > 0))
            return cli_usage_error(C, "sgilo's likelihood needs --noise > 0");
    cfg.seed = cfg.csgm.seed = seed;
    cfg.threads = cli_threads(cfg.threads);
    cfg.csgm.threads = cfg.threads;
    cli_install_callbacks(quiet);
    /* the output set: table.md and the figure appear in --out together */
    ginv_outset *set = NULL;
    if (ginv_outset_begin(outdir, &set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    const char *sd = ginv_outset_dir(set);
    ginv_net *net = NULL;
    if (ginv_net_load(model, &net) != GINV_OK) {
        ginv_outset_free(set);
        return cli_fail(C, "--model: %s", ginv_last_error());
    }
    ginv_images truth = {0}, tune = {0}, held = {0};
    int code = 0;
    char spec[64];
    snprintf(spec, sizeof spec, "fashion-mnist:test[0:%d]", nimg);
    if (in_range) {
        code = cs_in_range_truth(C, net, nimg, seed, &truth);
    } else if (ginv_images_load(spec, &truth) != GINV_OK) {
        code = cli_fail(C, "%s", ginv_last_error());
    }
    if (!code && g.nlasso && ginv_images_load("fashion-mnist:train[0:8]", &tune) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    cfg.tune = &tune;
    if (!code && g.ngen) {
        if (in_range) code = cs_in_range_truth(C, net, 8, seed + 1, &held);
        else if (ginv_images_load("fashion-mnist:test[9992:10000]", &held) != GINV_OK)
            code = cli_fail(C, "%s", ginv_last_error());
    }

    if (!code) code = run_cells(C, net, &truth, &cfg, &g, quiet, model, &held, layer);
    if (!code) {
        char path[4096];
        snprintf(path, sizeof path, "%s/table.md", sd);
        code = write_table(C, &g, path);
        const double *y[MAXS], *e[MAXS];
        const char *nm_[MAXS];
        for (int s = 0; s < g.ns; s++) y[s] = g.mean[s], e[s] = g.ci[s], nm_[s] = g.names[s];
        snprintf(path, sizeof path, "%s/mse_vs_m.png", sd);
        char title[160];
        snprintf(title, sizeof title, "%s: per-pixel MSE vs m (%d images, noise %g, mean +- 1.96 SE)",
                 in_range ? "In range, x = G(z*)" : "Fashion-MNIST test", nimg, cfg.noise);
        if (!code) code = plot_errorbars(path, title, "measurements m", "per-pixel MSE", g.ns, nm_,
                                         g.nm, g.msd, y, e, PLOT_LOGY | PLOT_LOGX);
        if (!code && ginv_outset_commit(set) != GINV_OK)
            code = cli_fail(C, "--out: %s", ginv_last_error());
    }
    ginv_outset_free(set);
    if (!code && json) {
        cJSON *doc = cli_json_new(C);
        json_cells(doc, model, nimg, in_range, &cfg, seed, &g);
        code = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    ginv_images_release(&truth);
    ginv_images_release(&tune);
    ginv_images_release(&held);
    ginv_net_free(net);
    return code;
}
