/* cmd_cs.c — `ginv cs`: compressed sensing on images (Bora et al. 2017):
 * recover images from y = A x + noise with CSGM on a trained generator and
 * with the Lasso in the pixel, DCT and wavelet bases, side by side. */
#include "cs_pipeline.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The run's configuration from the parsed parameters: 0, or the exit code. */
static int cs_configure(const char *C, const ginv_cs_params *p, int in_range, uint64_t seed, int threads,
                        int samples, const cli_opt *opts, cs_config *cfg)
{
    const char *model = p->model;
    if (in_range && !model) return cli_usage_error(C, "--model is required for csgm and --in-range");
    *cfg = (cs_config){.op = p->op, .m = p->m, .noise = p->noise, .lasso_iters = p->lasso_iters, .nlambdas = 16};
    cfg->lasso_lambda = isnan(p->lasso_lambda) ? 0 : p->lasso_lambda;
    ginv_status pst = ginv_cs_check(p, cfg->methods, &cfg->nmethods);
    ginv_ilo_opts_init(&cfg->ilo);
    if (pst == GINV_OK) pst = ginv_cs_ilo_opts(p, &cfg->ilo);
    if (pst != GINV_OK) return cli_param_error(C, pst);
    ginv_csgm_opts_init(&cfg->csgm);
    cfg->csgm.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
    cfg->csgm.lambda = p->lambda, cfg->csgm.restarts = p->restarts, cfg->csgm.iters = p->iters, cfg->csgm.lr = p->lr;
    cfg->seed = cfg->csgm.seed = seed;
    cfg->threads = cli_threads(threads);
    cfg->csgm.threads = cfg->threads;
    ginv_pr_opts_init(&cfg->pr);
    cfg->pr.iters = p->pr_iters, cfg->pr.er_iters = p->er_iters, cfg->pr.beta = p->hio_beta;
    cfg->pr.restarts = p->pr_restarts;
    cs_sgilo_configure(p, cfg);
    cfg->samples = samples;
    int sgilo = 0;
    for (int t = 0; t < cfg->nmethods; t++) sgilo |= cfg->methods[t] == GINV_CS_SGILO;
    if (samples && !sgilo) return cli_usage_error(C, "--samples needs --method sgilo (the only sampler of cs)");
    if ((long)samples > (long)p->sgilo_chains * p->sgilo_draws)
        return cli_usage_error(C, "--samples %d: the chains record only %ld draws (--sgilo-chains x --sgilo-draws)",
                               samples, (long)p->sgilo_chains * p->sgilo_draws);
    if (cli_find(opts, "op")->seen && !strcmp(cfg->op, "gaussian"))
        fprintf(stderr, "ginv cs: note: --op gaussian now has entries N(0, 1/m) as in every command; "
                        "Bora et al.'s N(0, 1), this command's default, is --op gaussian-unit\n");
    int need_net = in_range != 0;
    for (int t = 0; t < cfg->nmethods; t++) need_net |= cfg->methods[t] == CS_CSGM;
    if (need_net && !model) return cli_usage_error(C, "--model is required for csgm and --in-range");
    return 0;
}

/* The Lasso's held-out images when it runs and --lasso-lambda is not given
 * (cfg->tune then points at *tune): 0, or the exit code. */
static int cs_load_tune(const char *C, const char *tune_spec, int in_range, const char *data,
                        const ginv_images *truth, cs_config *cfg, ginv_images *tune)
{
    int code = 0, uses_lasso = 0;
    for (int t = 0; t < cfg->nmethods; t++)
        uses_lasso |= ginv_cs_method_name(cfg->methods[t])[0] == 'l'; /* lasso-* */
    if (uses_lasso && !(cfg->lasso_lambda > 0)) {
        const char *ts = tune_spec;
        if (!ts && (in_range || !strncmp(data, "fashion-mnist", 13))) ts = "fashion-mnist:train[0:8]";
        if (!ts) code = cli_usage_error(C, "the Lasso needs --lasso-lambda or --tune-data");
        else if (ginv_images_load(ts, tune) != GINV_OK)
            code = cli_fail(C, "--tune-data: %s", ginv_last_error());
        else if (tune->h * tune->w != truth->h * truth->w)
            code = cli_error_code(C, CLI_EXIT_FORMAT, "--tune-data images are %dx%d but the data %dx%d", tune->h,
                             tune->w, truth->h, truth->w);
        cfg->tune = tune;
    }
    return code;
}

/* The summary table: per method the mean MSE, its CI, the mean PSNR. */
static void cs_print_table(const cs_config *cfg, const ginv_images *truth, const cs_result *res)
{
    printf("%d images %dx%d, op %s, m = %d, noise %.3g per measurement\n", truth->count,
           truth->h, truth->w, cfg->op, res->m, cfg->noise);
    if (strcmp(res->error_metric, "mse"))
        printf("MSE measured %s (the operator cannot tell these apart)\n",
               res->error_metric + 4);    printf("%-14s %12s %10s %9s %10s %9s\n", "method", "MSE/pixel", "+-1.96SE", "PSNR dB",
           "lambda", "seconds");
    for (int t = 0; t < cfg->nmethods; t++) {
        int mt = cfg->methods[t];
        double mu, ci, ps = 0;
        cs_summary(res, mt, &mu, &ci);
        for (int i = 0; i < res->N; i++) ps += 10 * log10(1.0 / fmax(res->mse[mt][i], 1e-12));
        printf("%-14s %12.5f %10.5f %9.2f %10.3g %9.2f\n", ginv_cs_method_name(mt), mu, ci,
               ps / res->N, res->lambda[mt], res->seconds[mt]);
    }
}

/* grid.png, y.npy, truth.npy and <method>.npy into the output set, then
 * committed to outdir: 0, or the exit code. */
static int cs_write_out(const char *C, ginv_outset *set, const char *outdir, const ginv_images *truth,
                        const cs_result *res, const cs_config *cfg, int png_scale, int quiet)
{
    char path[4096];
    const char *sd = ginv_outset_dir(set);
    int64_t shape[2] = {res->N, res->n};
    snprintf(path, sizeof path, "%s/grid.png", sd);
    char title[160];
    snprintf(title, sizeof title, "op %s, m = %d, noise %.3g", cfg->op, res->m, cfg->noise);
    int code = cs_write_grid(C, path, truth, res, 16, png_scale, cfg->op, title);
    int64_t yshape[2] = {res->N, res->m};
    snprintf(path, sizeof path, "%s/y.npy", sd);
    if (!code && ginv_array_write(path, res->y, 2, yshape) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    for (int i = -1; !code && i < CS_NMETHODS; i++) {
        const float *a = i < 0 ? truth->pix : res->xhat[i];
        if (!a) continue;
        snprintf(path, sizeof path, "%s/%s.npy", sd, i < 0 ? "truth" : ginv_cs_method_name(i));
        if (ginv_array_write(path, a, 2, shape) != GINV_OK)
            code = cli_fail(C, "%s", ginv_last_error());
    }
    if (!code && res->sgilo_std) {
        snprintf(path, sizeof path, "%s/sgilo_std.npy", sd);
        if (ginv_array_write(path, res->sgilo_std, 2, shape) != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
        snprintf(path, sizeof path, "%s/sgilo_std.png", sd);
        if (!code) code = cs_write_std_grid(C, path, res, 16, png_scale);
    }
    if (!code && res->sgilo_draws) {
        int64_t dshape[3] = {res->N, cfg->samples, res->n};
        snprintf(path, sizeof path, "%s/sgilo_draws.npy", sd);
        if (ginv_array_write(path, res->sgilo_draws, 3, dshape) != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
    }
    if (!code && ginv_outset_commit(set) != GINV_OK)
        code = cli_fail(C, "--out: %s", ginv_last_error());
    if (!code && !quiet) printf("wrote %s/grid.png (rows: truth, measurements, each method)\n", outdir);
    return code;
}

/* sgilo's summary: the worst R-hat, the smallest ESS, the steps, the work. */
static void cs_json_sgilo_summary(cJSON *o, const cs_result *res, const cs_config *cfg)
{
    double rmax = 0, emin = INFINITY, step = 0;
    for (int i = 0; i < res->N; i++) {
        if (res->sgilo_rhat[i] > rmax) rmax = res->sgilo_rhat[i];
        if (res->sgilo_ess[i] < emin) emin = res->sgilo_ess[i];
        step += res->sgilo_step[i] / res->N;
    }
    cJSON_AddItemToObject(o, "max_rhat", cli_json_num(rmax > 0 ? rmax : NAN));
    cJSON_AddItemToObject(o, "min_ess_bulk", cli_json_num(isfinite(emin) ? emin : NAN));
    cJSON_AddItemToObject(o, "mean_step", cli_json_num(step));
    cJSON_AddNumberToObject(o, "chains", cfg->sgilo.chains);
    cJSON_AddNumberToObject(o, "gradient_evaluations_per_chain", (double)res->sgilo_grad_evals);
    cJSON_AddNumberToObject(o, "score_evaluations_per_chain", (double)res->sgilo_score_evals);
    cJSON_AddStringToObject(o, "estimate", "posterior mean of G2(h) over the recorded draws of all chains");
}

/* The JSON document: the parameters used, the summary and every image's
 * MSE and PSNR per method. */
static cJSON *cs_json(const ginv_cs_params *p, int in_range, uint64_t seed, const cs_config *cfg,
                      const ginv_images *truth, const cs_result *res)
{
    cJSON *doc = cli_json_new("cs");
    ginv_cs_params used = *p;
    used.m = res->m;
    if (in_range) used.data = NULL;
    cJSON *pj = cli_json_table(cJSON_AddObjectToObject(doc, "params"), &ginv_cs_table, &used);
    if (in_range) cJSON_AddNumberToObject(pj, "in_range", in_range);
    cJSON_AddStringToObject(pj, "a_convention", !strcmp(cfg->op, "gaussian") ? "gaussian entries N(0,1/m), noise per measurement" : "gaussian-unit entries N(0,1), noise per measurement");
    cJSON_AddNumberToObject(pj, "seed", (double)seed);
    /* mse: plain, or up to the trivial ambiguities of a nonlinear operator */
    cJSON_AddStringToObject(doc, "error_metric", res->error_metric);
    cJSON *summ = cJSON_AddObjectToObject(doc, "summary");
    for (int t = 0; t < cfg->nmethods; t++) {
        int mt = cfg->methods[t];
        double mu, ci;
        cs_summary(res, mt, &mu, &ci);
        cJSON *o = cJSON_AddObjectToObject(summ, ginv_cs_method_name(mt));
        cJSON_AddItemToObject(o, "mse_mean", cli_json_num(mu));
        cJSON_AddItemToObject(o, "mse_ci95", cli_json_num(ci));
        cJSON_AddItemToObject(o, "psnr_of_mean_mse", cli_json_num(10 * log10(1.0 / mu)));
        cJSON_AddItemToObject(o, "lambda", cli_json_num(res->lambda[mt]));
        cJSON_AddItemToObject(o, "seconds", cli_json_num(res->seconds[mt]));
        if (mt == GINV_CS_SGILO && res->sgilo_rhat) cs_json_sgilo_summary(o, res, cfg);
    }
    cJSON *imgs = cJSON_AddArrayToObject(doc, "images");
    for (int i = 0; i < res->N; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", i);
        if (truth->labels) cJSON_AddNumberToObject(o, "label", truth->labels[i]);
        for (int t = 0; t < cfg->nmethods; t++) {
            int mt = cfg->methods[t];
            cJSON *q = cJSON_AddObjectToObject(o, ginv_cs_method_name(mt));
            cJSON_AddItemToObject(q, "mse", cli_json_num(res->mse[mt][i]));
            cJSON_AddItemToObject(q, "psnr", cli_json_num(10 * log10(1.0 / res->mse[mt][i])));
            if (mt == GINV_CS_SGILO && res->sgilo_rhat) {
                cJSON_AddItemToObject(q, "max_rhat", cli_json_num(res->sgilo_rhat[i]));
                cJSON_AddItemToObject(q, "min_ess_bulk", cli_json_num(res->sgilo_ess[i]));
                cJSON_AddItemToObject(q, "step", cli_json_num(res->sgilo_step[i]));
            }
        }
        cJSON_AddItemToArray(imgs, o);
    }
    return doc;
}

int cmd_cs(int argc, char **argv)
{
    const char *C = "cs";
    const char *outdir = NULL, *json = NULL, *tune_spec = NULL;
    int in_range = 0, quiet = 0, png_scale = CS_PNG_SCALE, threads = 0, samples = 0;
    uint64_t seed = 1;
    ginv_cs_params p;
    ginv_cs_params_init(&p);
    cli_opt own[] = {
        {"in-range", 0, OPT_INT, &in_range, "N", "instead of --data: N images G(z*), z* ~ N(0, I) (no representation error)", 1, 1 << 20},
        {"tune-data", 0, OPT_STRING, &tune_spec, "SPEC", "held-out images the Lasso's lambda is tuned on (default fashion-mnist:train[0:8] for Fashion-MNIST)"},
        {"samples", 0, OPT_INT, &samples, "S", "sgilo: keep S posterior draws of each image (sgilo_draws.npy in --out)", 0, 1 << 20},
        {"seed", 0, OPT_U64, &seed, "S", "seed of A, the noise, the restarts, the chains and --in-range"},
        CLI_THREADS_OPT(threads),
        {"out", 0, OPT_STRING, &outdir, "DIR", "write grid.png (rows: truth, a view of y, then each method run), truth.npy, y.npy and <method>.npy there; sgilo adds sgilo_std.npy/.png and sgilo_draws.npy"},
        {"json", 0, OPT_STRING, &json, "FILE", "per-image MSE/PSNR and the summary as JSON ('-': stdout)"},
        CLI_PNG_SCALE_OPT(png_scale),
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_opt opts[64];
    if (cli_table_join(&ginv_cs_table, &p, own, opts, 64)) return cli_error(C, "internal: option table too long");
    cli_cmd cmd = {C, "compressed sensing on images: CSGM vs the Lasso (per-pixel MSE, PSNR)",
                   "ginv cs --model vae.safetensors --data fashion-mnist:test[0:300] --op gaussian-unit --m 100 [options]",
                   "Measures every image with one operator, y = A x + noise, and reconstructs it "
                   "by each --method: csgm minimises ||A G(z) - y||^2 + lambda ||z||^2 by Adam "
                   "from --restarts random starts (Bora et al. 2017, eq. 2) and keeps the lowest "
                   "loss; the lasso-* methods run FISTA on 1/2 ||y - A Psi c||^2 + lambda ||c||_1 "
                   "with x = Psi c in the pixel, DCT or wavelet basis, clipped to [0, 1]; ilo (Daras et al. 2021) "
                   "runs CSGM, then one stage per --layer L_s: Adam on (u, d) with h = G_s(u) + d at the input of "
                   "layer L_s, ||d||_1 <= its --ilo-radius, u = z free (--ilo-fix-z: fixed) in the first stage and "
                   "within the previous stage's radius of its centre after (docs/ilo.md); sgilo runs Langevin chains "
                   "at the last --layer with a learned score prior (Daras et al. 2022; 'ginv train score') from "
                   "ILO's answer and reports the posterior mean, its per-pixel std and R-hat/ESS. The "
                   "default operator, gaussian-unit, has N(0, 1) entries and the noise is per measurement, "
                   "as in Bora et al.; --op gaussian (N(0, 1/m), every command's gaussian) is A/sqrt(m), "
                   "the same problem as gaussian-unit with noise SIGMA*sqrt(m) and lambda*m. "
                   "With --op phaseless-fourier[:K] (y = max(0, |F x| + noise), Fourier phase retrieval) csgm "
                   "minimises the amplitude loss || |A G(z)| - y ||^2 + lambda ||z||^2, and hio and er run Fienup's "
                   "hybrid input-output (then --er-iters of error reduction) and error reduction with the known "
                   "support and x >= 0 from --pr-restarts random starts; the Lasso and ilo need a linear operator. "
                   "The summary is the mean per-pixel MSE +- 1.96 standard errors; for a nonlinear operator the MSE is "
                   "measured up to the ambiguities its measurements cannot resolve (phaseless-fourier: sign, "
                   "circular shift, flip; the JSON's error_metric says which). "
                   "The options above --in-range are the parameters a cs sweep cell may set (same names).\n"
                   "No --resume: for long runs give the images to `ginv sweep` (command cs, image t of "
                   "the slice per trial, the same numbers), which stores each and resumes."};
    int npos_ = 0;
    int rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos_);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    const char *model = p.model, *data = p.data;
    cs_config cfg;
    if ((rc = cs_configure(C, &p, in_range, seed, threads, samples, opts, &cfg))) return rc;
    cli_install_callbacks(quiet);

    ginv_net *net = NULL;
    if (model && ginv_net_load(model, &net) != GINV_OK)
        return cli_fail(C, "--model: %s", ginv_last_error());
    ginv_images truth = {0}, tune = {0};
    int code = 0;
    if (in_range) code = cs_in_range_truth(C, net, in_range, seed, &truth);
    else if (ginv_images_load(data, &truth) != GINV_OK)
        code = cli_fail(C, "--data: %s", ginv_last_error());
    if (!code) code = cs_load_tune(C, tune_spec, in_range, data, &truth, &cfg, &tune);
    /* the output set: grid.png and the arrays appear in --out together */
    ginv_outset *set = NULL;
    if (!code && outdir && ginv_outset_begin(outdir, &set) != GINV_OK)
        code = cli_fail(C, "--out: %s", ginv_last_error());
    cs_result res = {0};
    if (!code) code = cs_run(C, net, &truth, &cfg, &res);
    if (!code && !quiet) cs_print_table(&cfg, &truth, &res);
    if (!code && outdir) code = cs_write_out(C, set, outdir, &truth, &res, &cfg, png_scale, quiet);
    ginv_outset_free(set);
    if (!code && json) {
        cJSON *doc = cs_json(&p, in_range, seed, &cfg, &truth, &res);
        code = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    cs_result_release(&res);
    ginv_images_release(&truth);
    ginv_images_release(&tune);
    ginv_net_free(net);
    return code;
}
