/* cs_pipeline.c — one compressed-sensing run on a batch of images: the
 * operator, the noisy measurements, CSGM (Bora et al. 2017 eq. 2) and the
 * Lasso baselines (FISTA in the pixel, DCT or wavelet basis), for Fourier
 * phase retrieval HIO and ER (Fienup 1982), per-pixel MSE (up to the
 * trivial ambiguities of a nonlinear operator). */
#include "cs_pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int cs_parse_methods(const char *cmd, const char *text, int *methods)
{
    ginv_cs_params p;
    ginv_cs_params_init(&p);
    p.method = text;
    p.model = "-"; /* the model is checked by the command */
    int n = 0;
    ginv_status st = ginv_cs_check(&p, methods, &n);
    return st == GINV_OK ? n : (cli_param_error(cmd, st), -1);
}

/* y_i = the link's noisy measurement of x_i (ginv_op_observe: A x_i + e_i,
 * max(0, |A x_i| + e_i), ..), e_i from stream (seed, NOISE, offset + i). */
static void measure(const ginv_op *op, int N, const float *X, double sigma, uint64_t seed,
                    uint64_t offset, float *Y)
{
    ginv_op_observe(op, N, X, sigma > 0 ? sigma : 0, seed, offset, Y);
}

/* Per-pixel squared error of a against the truth b: plain for a linear
 * operator; for a nonlinear one up to what its measurements cannot tell
 * apart (ginv_op_rel_error: sign; phaseless-fourier also shift and flip;
 * 1-bit the scale, a rescaled to ||b||), ||b||^2 rel^2 / n. */
static double mse(const ginv_op *op, const float *a, const float *b, int n)
{
    double s = 0;
    if (ginv_op_link(op) != GINV_LINK_LINEAR) {
        double bb = 0, rel = ginv_op_rel_error(op, a, b, (size_t)n);
        for (int i = 0; i < n; i++) bb += (double)b[i] * b[i];
        return (bb > 0 ? rel * rel * bb : rel * rel) / n;
    }
    for (int i = 0; i < n; i++) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s / n;
}

/* The name of mse()'s metric for the op, from ginv_op_error_name's. */
static const char *mse_name(const ginv_op *op)
{
    const char *e = ginv_op_error_name(op);
    if (!strcmp(e, "relative-up-to-sign-shift-flip")) return "mse-up-to-sign-shift-flip";
    if (!strcmp(e, "relative-up-to-sign")) return "mse-up-to-sign";
    if (!strcmp(e, "direction")) return "mse-up-to-scale";
    return "mse";
}

/* hio / er on the phaseless-fourier magnitudes: K from m = K^2 n */
static ginv_status run_pr(const ginv_op *op, int meth, int h, int w, int N, const float *Y,
                          const cs_config *cfg, float *X)
{
    int K = (int)lround(sqrt((double)ginv_op_m(op) / ginv_op_n(op)));
    ginv_pr_opts po = cfg->pr;
    po.algo = meth == GINV_CS_HIO ? GINV_PR_HIO : GINV_PR_ER;
    po.seed = cfg->seed, po.threads = cfg->threads, po.ctx = cfg->csgm.ctx;
    return ginv_phase_retrieval_run(1, h, w, K, N, Y, &po, X, NULL);
}

int cs_run(const char *C, ginv_net *net, const ginv_images *truth, const cs_config *cfg,
           cs_result *res)
{
    memset(res, 0, sizeof *res);
    int N = truth->count, h = truth->h, w = truth->w, n = h * w;
    if (net && ginv_net_out(net) != n)
        return cli_error_code(C, CLI_EXIT_FORMAT, "the generator makes %d pixels but the images have %dx%d = %d",
                         ginv_net_out(net), h, w, n);
    ginv_op *op = NULL;
    ginv_cs_params op_params; /* gaussian-unit: N(0, 1) entries, noise per measurement as Bora et al. */
    ginv_cs_params_init(&op_params);
    op_params.op = cfg->op, op_params.m = cfg->m;
    ginv_status ost = ginv_cs_op(&op_params, 1, h, w, cfg->seed, &op);
    if (ost != GINV_OK) return cli_param_error(C, ost);
    int m = ginv_op_m(op), code = 0;
    res->N = N, res->n = n, res->h = h, res->w = w, res->m = m;
    res->error_metric = mse_name(op);
    float *Y = malloc((size_t)N * m * sizeof(float));
    res->view = malloc((size_t)N * n * sizeof(float));
    if (!Y || !res->view) {
        free(Y);
        ginv_op_free(op);
        return cli_oom(C);
    }
    measure(op, N, truth->pix, cfg->noise, cfg->seed, 0, Y);
    for (int i = 0; i < N; i++)
        ginv_op_view(op, h, w, Y + (size_t)i * m, res->view + (size_t)i * n);

    for (int t = 0; !code && t < cfg->nmethods; t++) {
        int meth = cfg->methods[t];
        float *X = malloc((size_t)N * n * sizeof(float));
        res->xhat[meth] = X;
        res->mse[meth] = malloc((size_t)N * sizeof(double));
        if (!X || !res->mse[meth]) {
            code = cli_oom(C);
            break;
        }
        double t0 = now();
        ginv_status st = GINV_OK;
        if (meth == GINV_CS_HIO || meth == GINV_CS_ER) {
            st = run_pr(op, meth, h, w, N, Y, cfg, X);
        } else if (meth == CS_CSGM || meth == GINV_CS_ILO) {
            if (!net) {
                code = cli_error_code(C, CLI_EXIT_USAGE, "%s needs a generator (--model)", ginv_cs_method_name(meth));
                break;
            }
            if (meth == CS_CSGM) {
                st = ginv_csgm_run(net, op, N, Y, &cfg->csgm, NULL, X, NULL);
            } else { /* ILO: CSGM's z-hat, then the stages at --layer (docs/ilo.md) */
                ginv_ilo_opts io = cfg->ilo;
                io.csgm = cfg->csgm;
                io.lr = cfg->csgm.lr, io.threads = cfg->csgm.threads, io.ctx = cfg->csgm.ctx;
                st = ginv_ilo_run(net, op, N, Y, &io, NULL, NULL, X, NULL, NULL, NULL, NULL);
            }
            res->lambda[meth] = cfg->csgm.lambda;
        } else if (meth == GINV_CS_SGILO) { /* Langevin in the input of layer L (docs/ilo-sgilo.md) */
            if (!net) {
                code = cli_error_code(C, CLI_EXIT_USAGE, "sgilo needs a generator (--model)");
                break;
            }
            code = cs_run_sgilo(C, net, op, N, Y, cfg, X, res);
            if (code) break;
            res->lambda[meth] = NAN;
        } else {
            ginv_lasso_opts lo;
            ginv_lasso_opts_init(&lo);
            if (cfg->lasso_iters > 0) lo.iters = cfg->lasso_iters;
            lo.lambda = cfg->lasso_lambda;
            if (!(lo.lambda > 0)) {
                if (!cfg->tune || !cfg->tune->count) {
                    code = cli_error_code(C, CLI_EXIT_USAGE, "%s: give --lasso-lambda or held-out images to tune it "
                                        "on (--tune-data)", ginv_cs_method_name(meth));
                    break;
                }
                int nt = cfg->tune->count, nl = cfg->nlambdas > 1 ? cfg->nlambdas : 16;
                double *grid = malloc((size_t)nl * sizeof(double));
                float *Yt = malloc((size_t)nt * m * sizeof(float));
                float *at = malloc((size_t)nt * n * sizeof(float));
                float *ct = malloc((size_t)nt * n * sizeof(float));
                if (grid && Yt && at && ct) {
                    /* held-out images get noise streams of their own */
                    measure(op, nt, cfg->tune->pix, cfg->noise, cfg->seed, 1u << 30, Yt);
                    /* the grid spans 1e-5..1 times lambda_max = ||Psi^T A^T y||_inf, the
                     * smallest lambda whose Lasso solution is c = 0 */
                    ginv_op_adjoint(op, nt, Yt, at);
                    double lmax = 0;
                    if (ginv_basis_analyze(ginv_cs_method_basis(meth), h, w, nt, at, ct) == GINV_OK)
                        for (size_t q = 0; q < (size_t)nt * n; q++) lmax = fmax(lmax, fabs(ct[q]));
                    if (!(lmax > 0)) lmax = 1;
                    for (int j = 0; j < nl; j++) grid[j] = lmax * pow(10.0, -5.0 + 5.0 * j / (nl - 1));
                    st = ginv_lasso_tune(op, ginv_cs_method_basis(meth), h, w, nt, cfg->tune->pix, Yt, grid, nl, &lo,
                                         &lo.lambda, NULL);
                } else {
                    st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
                }
                free(grid);
                free(Yt);
                free(at);
                free(ct);
            }
            if (st == GINV_OK) st = ginv_lasso_run(op, ginv_cs_method_basis(meth), h, w, N, Y, &lo, X);
            res->lambda[meth] = lo.lambda;
        }
        if (st != GINV_OK) {
            code = cli_fail(C, "%s: %s", ginv_cs_method_name(meth), ginv_last_error());
            break;
        }
        res->seconds[meth] = now() - t0;
        for (int i = 0; i < N; i++)
            res->mse[meth][i] = mse(op, X + (size_t)i * n, truth->pix + (size_t)i * n, n);
        if (ginv_op_link(op) == GINV_LINK_CABS && (res->shown[meth] = malloc((size_t)N * n * sizeof(float))))
            for (int i = 0; i < N; i++) /* the grid shows it on the truth's sign, shift and flip */
                ginv_op_align(op, X + (size_t)i * n, truth->pix + (size_t)i * n, res->shown[meth] + (size_t)i * n);
    }
    res->y = Y;
    ginv_op_free(op);
    if (code) cs_result_release(res);
    return code;
}

void cs_result_release(cs_result *res)
{
    free(res->y);
    free(res->view);
    for (int i = 0; i < CS_NMETHODS; i++) {
        free(res->xhat[i]);
        free(res->mse[i]);
        free(res->shown[i]);
    }
    free(res->sgilo_std), free(res->sgilo_draws);
    free(res->sgilo_rhat), free(res->sgilo_ess), free(res->sgilo_step);
    memset(res, 0, sizeof *res);
}

void cs_summary(const cs_result *res, int method, double *mean, double *ci95)
{
    double s = 0, s2 = 0;
    int N = res->N;
    const double *e = res->mse[method];
    for (int i = 0; i < N; i++) s += e[i];
    double mu = N ? s / N : NAN;
    for (int i = 0; i < N; i++) s2 += (e[i] - mu) * (e[i] - mu);
    *mean = mu;
    *ci95 = N > 1 ? 1.96 * sqrt(s2 / (N - 1) / N) : NAN;
}

/* What the measurement row of the grid shows, by the operator's text. */
static const char *view_label(const char *op)
{
    if (!op) return "y";
    /* as ginv_op_view draws them: back-projections, observed pixels, y itself */
    if (!strncmp(op, "gaussian", 8) || !strncmp(op, "matrix", 6) || !strncmp(op, "circulant", 9))
        return "A^T y";
    if (!strncmp(op, "fourier-subsample", 17)) return "A^T y (zero-filled)";
    if (!strncmp(op, "subsample", 9) || !strncmp(op, "inpaint-box", 11)) return "observed";
    if (!strncmp(op, "downsample", 10)) return "low-res y";
    if (!strncmp(op, "blur", 4)) return "blurred y";
    if (!strncmp(op, "phaseless", 9)) return "A^T y (no phase)";
    return "y";
}

int cs_write_grid(const char *C, const char *path, const ginv_images *truth,
                  const cs_result *res, int maxcols, int scale, const char *op, const char *title)
{
    int cols = res->N < maxcols ? res->N : maxcols, n = res->n, rows = 2;
    for (int t = 0; t < CS_NMETHODS; t++) rows += res->xhat[t] != NULL;
    float *tiles = malloc((size_t)rows * cols * n * sizeof(float));
    char (*clab)[16] = malloc((size_t)cols * sizeof *clab);
    const char **cl = malloc((size_t)cols * sizeof *cl);
    if (!tiles || !clab || !cl) {
        free(tiles), free(clab), free(cl);
        return cli_oom(C);
    }
    int r = 0;
    const float *src[2 + CS_NMETHODS] = {truth->pix, res->view};
    const char *rl[2 + CS_NMETHODS] = {"truth", view_label(op)};
    for (int t = 0; t < CS_NMETHODS; t++)
        if (res->xhat[t])
            rl[2 + r] = ginv_cs_method_name(t), src[2 + r++] = res->shown[t] ? res->shown[t] : res->xhat[t];
    for (int i = 0; i < rows; i++)
        memcpy(tiles + (size_t)i * cols * n, src[i], (size_t)cols * n * sizeof(float));
    for (int c = 0; c < cols; c++) snprintf(clab[c], sizeof clab[c], "#%d", c), cl[c] = clab[c];
    ginv_grid_style gs;
    ginv_grid_style_init(&gs);
    gs.scale = scale, gs.row_labels = rl, gs.col_labels = cl, gs.title = title;
    ginv_status st = ginv_png_write_grid_styled(path, rows, cols, res->h, res->w, tiles, &gs);
    free(tiles), free(clab), free(cl);
    if (st != GINV_OK) return cli_fail(C, "%s", ginv_last_error());
    return 0;
}

/* The in-range variant: truth x_i = G(z_i), z_i ~ N(0, I) from stream
 * (seed, GINV_STREAM_TRUTH, i): no representation error, only optimisation
 * (and measurement) error is left. */
int cs_in_range_truth(const char *C, ginv_net *net, int N, uint64_t seed, ginv_images *im)
{
    int k = ginv_net_in(net), n = ginv_net_out(net), s = (int)lround(sqrt((double)n));
    float *z = malloc((size_t)N * k * sizeof(float));
    im->pix = ginv_malloc((size_t)N * n * sizeof(float));
    ginv_net_ws *ws = NULL;
    if (!z || !im->pix || ginv_net_ws_new(&ws, net, N) != GINV_OK) {
        free(z);
        return cli_oom(C);
    }
    for (int i = 0; i < N; i++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_TRUTH, (uint64_t)i);
        ginv_rng_normal_f32(&r, z + (size_t)i * k, (size_t)k, 1.0);
    }
    memcpy(im->pix, ginv_net_forward(net, ws, N, z), (size_t)N * n * sizeof(float));
    ginv_net_ws_free(ws);
    free(z);
    im->count = N;
    im->h = s * s == n ? s : 1;
    im->w = s * s == n ? s : n;
    return 0;
}
