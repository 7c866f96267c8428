/* demo_images.c — `ginv demo`: compressed sensing on Fashion-MNIST with the
 * shipped VAE decoder (models/), the CSGM setting of Bora et al. 2017: 16
 * test images at m = 25, 100, 400 Gaussian measurements (noise 0.1 per
 * measurement), CSGM against the best of the Lasso baselines; a table, one
 * image grid per m and the error-vs-m plot in out/demo/. */
#include "cs_pipeline.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEMO_MODEL "models/fmnist-vae-k20.safetensors"

static int mkdirs(const char *C, const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return cli_error_code(C, CLI_EXIT_IO, "cannot create %s: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return cli_error_code(C, CLI_EXIT_IO, "cannot create %s: %s", buf, strerror(errno));
    return 0;
}

int demo_images(int argc, char **argv)
{
    const char *C = "demo", *model = DEMO_MODEL, *outdir = "out/demo", *json = NULL, *fig_format = "png";
    int nimg = 16, quiet = 0, png_scale = CS_PNG_SCALE;
    uint64_t seed = 1;
    cs_config cfg = {.op = "gaussian-unit", .noise = 0.1, .nlambdas = 16};
    ginv_csgm_opts_init(&cfg.csgm);
    cfg.csgm.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator (default: the shipped " DEMO_MODEL ")"},
        {"images", 0, OPT_INT, &nimg, "N", "Fashion-MNIST test images (the first N)", 1, 10000},
        {"restarts", 0, OPT_INT, &cfg.csgm.restarts, "R", "CSGM random starts per image", 1, 1 << 16},
        {"iters", 0, OPT_INT, &cfg.csgm.iters, "T", "CSGM Adam iterations", 1, 1 << 24},
        CLI_THREADS_OPT(cfg.threads),
        {"seed", 0, OPT_U64, &seed, "S", "seed of A, noise and restarts"},
        {"out", 0, OPT_STRING, &outdir, "DIR", "where the PNGs go"},
        {"json", 0, OPT_STRING, &json, "FILE", "the table as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        CLI_PNG_SCALE_OPT(png_scale),
        CLI_FIGURE_OPTS(fig_format),
        {0}};
    cli_cmd cmd = {C, "compressed sensing on Fashion-MNIST: CSGM with the shipped VAE vs the Lasso",
                   "ginv demo [options]   (ginv demo random: the random-ReLU recovery table)",
                   "Recovers the first N Fashion-MNIST test images from m = 25, 100 and 400 "
                   "Gaussian measurements (A with N(0, 1) entries, noise 0.1 per measurement, as "
                   "in Bora et al. 2017) by CSGM (Adam, lr 0.01, lambda 0.1, R restarts) and by "
                   "the Lasso in the DCT and Haar-wavelet bases (lambda tuned on 8 training "
                   "images), and prints the per-pixel MSE of CSGM and of the better Lasso. "
                   "Writes DIR/grid_m<M>.png (rows: truth, A^T y, CSGM, Lasso-DCT, "
                   "Lasso-wavelet) and DIR/mse_vs_m.png."};
    int npos_ = 0;
    int rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos_);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    cfg.seed = cfg.csgm.seed = seed;
    cfg.threads = cli_threads(cfg.threads);
    cfg.csgm.threads = cfg.threads;
    cfg.nmethods = 3;
    cfg.methods[0] = CS_CSGM, cfg.methods[1] = GINV_CS_LASSO_DCT, cfg.methods[2] = GINV_CS_LASSO_WAVELET;
    cli_install_callbacks(quiet);
    ginv_net *net = NULL;
    if (ginv_net_load(model, &net) != GINV_OK)
        return cli_fail(C, "%s (train one with 'ginv train vae' or give --model)",
                         ginv_last_error());
    char spec[64];
    snprintf(spec, sizeof spec, "fashion-mnist:test[0:%d]", nimg);
    ginv_images truth = {0}, tune = {0};
    int code = 0;
    if (ginv_images_load(spec, &truth) != GINV_OK ||
        ginv_images_load("fashion-mnist:train[0:8]", &tune) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    cfg.tune = &tune;
    if (!code) code = mkdirs(C, outdir);
    /* the output set: the grids and the figure appear in --out together */
    ginv_outset *set = NULL;
    if (!code && ginv_outset_begin(outdir, &set) != GINV_OK)
        code = cli_fail(C, "--out: %s", ginv_last_error());
    enum { NM = 3 };
    const int ms[NM] = {25, 100, 400};
    double mean[NM][3], ci[NM][3], ratio[NM];
    const char *best[NM];
    if (!code && !quiet)
        printf("ginv demo: %d Fashion-MNIST test images, Gaussian A (gaussian-unit: N(0,1) entries), noise 0.1, "
               "generator %s\n\n%6s  %-22s  %-30s  %s\n", nimg, model, "m", "CSGM MSE/pixel",
               "best Lasso MSE/pixel", "Lasso/CSGM");
    cJSON *doc = cli_json_new("demo");
    cJSON *jp = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(jp, "model", model);
    cJSON_AddNumberToObject(jp, "images", nimg);
    cJSON_AddStringToObject(jp, "op", cfg.op);
    cJSON_AddNumberToObject(jp, "noise", cfg.noise);
    cJSON_AddNumberToObject(jp, "lambda", cfg.csgm.lambda);
    cJSON_AddNumberToObject(jp, "restarts", cfg.csgm.restarts);
    cJSON_AddNumberToObject(jp, "iters", cfg.csgm.iters);
    cJSON_AddNumberToObject(jp, "seed", (double)seed);
    cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
    for (int i = 0; !code && i < NM; i++) {
        cfg.m = ms[i];
        cs_result res;
        code = cs_run(C, net, &truth, &cfg, &res);
        if (code) break;
        for (int t = 0; t < 3; t++) cs_summary(&res, cfg.methods[t], &mean[i][t], &ci[i][t]);
        int bl = mean[i][1] <= mean[i][2] ? 1 : 2;
        best[i] = ginv_cs_method_name(cfg.methods[bl]);
        ratio[i] = mean[i][bl] / mean[i][0];
        char a[64], b[64];
        snprintf(a, sizeof a, "%.4f +- %.4f", mean[i][0], ci[i][0]);
        snprintf(b, sizeof b, "%.4f +- %.4f (%s)", mean[i][bl], ci[i][bl], best[i]);
        if (!quiet) printf("%6d  %-22s  %-30s  %.2fx\n", ms[i], a, b, ratio[i]);
        fflush(stdout);
        char path[4096];
        snprintf(path, sizeof path, "%s/grid_m%d.png", ginv_outset_dir(set), ms[i]);
        char title[96];
        snprintf(title, sizeof title, "m = %d Gaussian measurements, noise 0.1", ms[i]);
        code = cs_write_grid(C, path, &truth, &res, 16, png_scale, cfg.op, title);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "m", ms[i]);
        for (int t = 0; t < 3; t++) {
            cJSON *o = cJSON_AddObjectToObject(r, ginv_cs_method_name(cfg.methods[t]));
            cJSON_AddItemToObject(o, "mse_mean", cli_json_num(mean[i][t]));
            cJSON_AddItemToObject(o, "mse_ci95", cli_json_num(ci[i][t]));
            cJSON_AddItemToObject(o, "lambda", cli_json_num(res.lambda[cfg.methods[t]]));
        }
        cJSON_AddStringToObject(r, "best_lasso", best[i]);
        cJSON_AddItemToObject(r, "lasso_over_csgm", cli_json_num(ratio[i]));
        cJSON_AddItemToArray(rows, r);
        cs_result_release(&res);
    }
    if (!code) {
        double x[NM], *y[3], *e[3], yv[3][NM], ev[3][NM];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < NM; i++) yv[t][i] = mean[i][t], ev[t][i] = ci[i][t];
            y[t] = yv[t], e[t] = ev[t];
        }
        for (int i = 0; i < NM; i++) x[i] = ms[i];
        const char *names[3] = {"CSGM (VAE, k = 20)", "Lasso, DCT", "Lasso, Haar wavelet"};
        char path[4096];
        snprintf(path, sizeof path, "%s/mse_vs_m.png", ginv_outset_dir(set));
        code = plot_errorbars(path, "Fashion-MNIST: per-pixel MSE vs measurements (mean +- 1.96 SE)",
                              "measurements m", "per-pixel MSE", 3, names, NM, x,
                              (const double *const *)y, (const double *const *)e,
                              PLOT_LOGY | PLOT_LOGX);
        if (!code && ginv_outset_commit(set) != GINV_OK)
            code = cli_fail(C, "--out: %s", ginv_last_error());
        if (!code && !quiet) printf("\nwrote %s/grid_m{25,100,400}.png and %s/mse_vs_m.%s (.dat, .gp beside)\n", outdir, outdir,
                                     plot_ext());
    }
    ginv_outset_free(set);
    if (!code && json) code = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    ginv_images_release(&truth);
    ginv_images_release(&tune);
    ginv_net_free(net);
    return code;
}
