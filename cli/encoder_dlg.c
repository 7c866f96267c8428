/* encoder_dlg.c — `ginv encoder build` (Pareek & Risteski's Theorem 1: the
 * GD -> Langevin encoder as an explicit deep latent Gaussian, built from a
 * generator; src/learn/dlg_build.c) and `ginv encoder distance` (any
 * encoder's draws against the MALA posterior). `encoder sample`:
 * cli/encoder_sample.c. docs/encoders.md. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_build(cJSON *doc, const ginv_dlg_build_opts *o, const ginv_dlg_build_info *in, int n, int d)
{
    double N = (double)in->generator_params, L = (double)o->gd_steps + o->langevin_steps;
    cJSON_AddNumberToObject(doc, "n", n);
    cJSON_AddNumberToObject(doc, "d", d);
    cJSON_AddBoolToObject(doc, "theorem_setting", n == d);
    cJSON_AddNumberToObject(doc, "layers", L);
    cJSON_AddNumberToObject(doc, "parameters", (double)in->params);
    cJSON_AddNumberToObject(doc, "parameters_per_layer", (double)in->per_gd_layer);
    cJSON_AddNumberToObject(doc, "generator_parameters", N);
    cJSON_AddNumberToObject(doc, "generator_weights", (double)in->generator_weights);
    cJSON_AddNumberToObject(doc, "generator_activations", in->activations);
    cJSON_AddItemToObject(doc, "ratio_to_N_times_layers", cli_json_num((double)in->params / (N * L)));
    cJSON_AddNumberToObject(doc, "lemma20_form", N * d * d * L);
    cJSON_AddItemToObject(doc, "ratio_to_lemma20_form", cli_json_num((double)in->params / (N * d * d * L)));
}

int cli_encoder_build(int argc, char **argv)
{
    const char *C = "encoder build", *model = NULL, *out = NULL, *json = NULL;
    int quiet = 0;
    double maxp = (double)(1 << 26);
    ginv_dlg_build_opts o;
    ginv_dlg_build_opts_init(&o);
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator G: dense layers and differentiable activations (required)"},
        {"beta", 0, OPT_DOUBLE, &o.beta, "B", "noise level of the model x = G(z) + beta xi (> 0)", -1e300, 1e300},
        {"gd-steps", 0, OPT_INT, &o.gd_steps, "S", "GD layers z <- z - eta J_G^T (G(z) - x), from z = 0", 0, 1 << 24},
        {"gd-lr", 0, OPT_DOUBLE, &o.gd_lr, "ETA", "the GD step eta", -1e300, 1e300},
        {"langevin-steps", 0, OPT_INT, &o.langevin_steps, "T", "Langevin (ULA) layers after the GD ones", 0, 1 << 24},
        {"h", 0, OPT_DOUBLE, &o.h, "H", "the Langevin step h (noise sqrt(2h) per layer)", -1e300, 1e300},
        {"max-params", 0, OPT_DOUBLE, &maxp, "P", "refuse an encoder of more than P parameters", 1, 1e15},
        {"output", 'o', OPT_STRING, &out, "FILE", "the encoder's model file to write (safetensors; required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the sizes as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "Build the encoder of Pareek & Risteski's Theorem 1 (GD then Langevin) as a network.",
                   "ginv encoder build --model G.safetensors --beta B --gd-steps S --gd-lr ETA --langevin-steps T --h H -o E.safetensors",
                   "A deep latent Gaussian whose S + T layers are the steps of GD on 1/2 ||G(z) - x||^2 from\n"
                   "z = 0 and then of the unadjusted Langevin algorithm on p(z | x) for x = G(z) + beta xi,\n"
                   "z ~ N(0, I): z <- z - h [z + J_G(z)^T (G(z) - x) / beta^2] + sqrt(2h) xi. Each layer is a\n"
                   "graph of G's forward, G's backpropagation network (Lemma 6: the W^T, and sigma' times\n"
                   "delta as 1/4 (a + b)^2 - 1/4 (a - b)^2 with the square activation) and sums. G must be\n"
                   "dense with differentiable activations (tanh, sigmoid, softplus, silu, gelu, gelu_tanh,\n"
                   "elu with alpha 1, identity). Prints N' (every stored parameter) against G's N and the\n"
                   "theorem's O(N (S + T)). Draws: ginv encoder sample. See docs/encoders.md."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model || !out) return cli_usage_error(C, "--model FILE and -o FILE are required");
    o.max_params = (size_t)maxp;
    ginv_net *G = NULL;
    ginv_dlg *E = NULL;
    ginv_dlg_build_info in = {0};
    ginv_status st = ginv_net_load(model, &G);
    if (st != GINV_OK) return cli_lib_error(C, st);
    st = ginv_dlg_build(&E, G, &o, &in);
    if (st == GINV_ERR_ARG && in.params > o.max_params) {
        rc = cli_error_code(C, CLI_EXIT_RESOURCE, "%s (--max-params)", ginv_last_error());
    } else if (st == GINV_OK && (st = ginv_dlg_save(E, out)) != GINV_OK) {
        rc = cli_lib_error(C, st);
    } else if (st != GINV_OK) {
        rc = cli_lib_error(C, st);
    } else {
        int n = ginv_net_out(G), d = ginv_net_in(G);
        double L = (double)o.gd_steps + o.langevin_steps;
        if (!quiet) {
            printf("built Theorem 1's encoder: %d GD + %d Langevin layers, N' = %zu parameters (%zu a layer); "
                   "G: N = %zu; N' / (N (S + T)) = %.3f; Lemma 20's N d^2 (S + T) = %.4g\n",
                   o.gd_steps, o.langevin_steps, in.params, in.per_gd_layer, in.generator_params,
                   (double)in.params / ((double)in.generator_params * L), (double)in.generator_params * d * d * L);
            if (n != d)
                printf("note: G maps %d -> %d; Theorem 1's guarantee is for equal sizes (the construction runs all "
                       "the same)\n", d, n);
        }
        if (json) {
            cJSON *doc = cli_json_new(C);
            cJSON *p = cJSON_AddObjectToObject(doc, "params");
            cJSON_AddStringToObject(p, "model", model);
            cJSON_AddNumberToObject(p, "beta", o.beta);
            cJSON_AddNumberToObject(p, "gd_steps", o.gd_steps);
            cJSON_AddNumberToObject(p, "gd_lr", o.gd_lr);
            cJSON_AddNumberToObject(p, "langevin_steps", o.langevin_steps);
            cJSON_AddNumberToObject(p, "h", o.h);
            cJSON_AddNumberToObject(p, "max_params", (double)o.max_params);
            cJSON_AddStringToObject(doc, "file", out);
            json_build(doc, &o, &in, n, d);
            rc = cli_json_write(C, doc, json);
            cJSON_Delete(doc);
        }
    }
    ginv_dlg_free(E);
    ginv_net_free(G);
    return rc;
}

/* B draws of q(. | x) for one x: a deep latent Gaussian (E) or an amortised
 * Gaussian encoder net (A: x -> (mu, log sigma^2)), noise of draw b from
 * (seed, DLG, b) */
ginv_status cli_encoder_draws(ginv_dlg *E, ginv_net *A, ginv_net_ws *ws, const float *x, int B, int k,
                              uint64_t seed, float *z)
{
    if (E) return ginv_dlg_sample(E, B, x, 1, NULL, NULL, seed, z, NULL);
    const float *ml = ginv_net_forward(A, ws, 1, x);
    for (int b = 0; b < B; b++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_DLG, (uint64_t)b);
        for (int j = 0; j < k; j++)
            z[(size_t)b * k + j] = (float)(ml[j] + exp(0.5 * ml[k + j]) * ginv_rng_normal(&r));
    }
    return GINV_OK;
}

/* the encoder file: a deep latent Gaussian, else an amortised Gaussian encoder net (n -> 2k); with G
 * (may be NULL) its sizes must fit G (n = G's output, k = G's latent); *n, *d (may be NULL) its sizes. The
 * one loader of `encoder sample` and `encoder distance`. */
int cli_load_encoder(const char *C, const char *path, const ginv_net *G, ginv_dlg **E, ginv_net **A,
                     ginv_net_ws **ws, int *n, int *d)
{
    ginv_status st = ginv_dlg_load(path, E);
    int gn = G ? ginv_net_out(G) : 0, gk = G ? ginv_net_in(G) : 0, en, ek;
    if (st == GINV_OK) {
        en = ginv_dlg_in(*E), ek = ginv_dlg_out(*E);
        if (G && (en != gn || ek != gk))
            return cli_error_code(C, CLI_EXIT_FORMAT, "the encoder maps %d -> %d; G needs %d -> %d", en, ek, gn, gk);
    } else {
        /* ginv_dlg_load's "not a deep latent Gaussian encoder" (dlg_io.c): no ginv.dlg metadata, so try a net */
        if (st != GINV_ERR_FORMAT || !strstr(ginv_last_error(), "not a deep latent Gaussian")) return cli_lib_error(C, st);
        if ((st = ginv_net_load(path, A)) != GINV_OK) return cli_lib_error(C, st);
        en = ginv_net_in(*A), ek = ginv_net_out(*A) / 2;
        if (G && (en != gn || ginv_net_out(*A) != 2 * gk))
            return cli_error_code(C, CLI_EXIT_FORMAT, "the encoder maps %d -> %d; a Gaussian encoder for G maps %d -> %d "
                                  "(mu, log sigma^2)", en, ginv_net_out(*A), gn, 2 * gk);
        if (ginv_net_out(*A) % 2)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--encoder '%s' is not a deep latent Gaussian encoder, nor a "
                                  "Gaussian encoder net: %d outputs, not (mu, log sigma^2)", path, ginv_net_out(*A));
        if ((st = ginv_net_ws_new(ws, *A, 1)) != GINV_OK) return cli_lib_error(C, st);
    }
    if (n) *n = en;
    if (d) *d = ek;
    return 0;
}

/* the distances for x_1..x_N (N = nx): the rows of obs when given, else each x_i = G(z_i) + beta xi_i from
 * (seed, DLG_EVAL, i); the draws from the encoder (E or A), or rows [i B, (i + 1) B) of pre (given draws) */
static int distances(const char *C, ginv_net *G, ginv_dlg *E, ginv_net *A, ginv_net_ws *aws, double beta, int nx,
                     int B, const ginv_encoder_dist_opts *o, int quiet, const float *obs, const float *pre,
                     ginv_encoder_dist *res)
{
    int n = ginv_net_out(G), k = ginv_net_in(G), rc = 0;
    float *z = malloc(sizeof(float) * (size_t)B * k), *x = malloc(sizeof(float) * n), *z0 = malloc(sizeof(float) * k);
    ginv_net_ws *gws = NULL;
    ginv_status st = z && x && z0 ? ginv_net_ws_new(&gws, G, 1) : GINV_ERR_NOMEM;
    if (st != GINV_OK) rc = st == GINV_ERR_NOMEM ? cli_oom(C) : cli_lib_error(C, st);
    for (int i = 0; !rc && i < nx; i++) {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_DLG_EVAL, (uint64_t)i);
        for (int j = 0; j < k; j++) z0[j] = (float)ginv_rng_normal(&r);
        const float *gz = ginv_net_forward(G, gws, 1, z0);
        for (int j = 0; j < n; j++) x[j] = obs ? obs[(size_t)i * n + j] : gz[j] + (float)(beta * ginv_rng_normal(&r));
        if (pre) memcpy(z, pre + (size_t)i * B * k, sizeof(float) * (size_t)B * k), st = GINV_OK;
        else st = cli_encoder_draws(E, A, aws, x, B, k, o->seed + (uint64_t)i, z);
        if (st == GINV_OK) st = ginv_encoder_distance(G, beta, x, B, z, o, &res[i]);
        if (st != GINV_OK) rc = cli_lib_error(C, st);
        else if (!quiet)
            printf("x %3d: sliced W1 %.4f (reference floor %.4f), MMD^2 %.2e +- %.1e (floor %.1e), TV %.4f (floor "
                   "%.4f), mean error %.4f, covariance error %.4f, MALA acceptance %.3f\n", i, res[i].w1, res[i].w1_floor,
                   res[i].mmd2, res[i].mmd2_se, res[i].mmd2_floor, res[i].tv, res[i].tv_floor, res[i].mean_err,
                   res[i].cov_err, res[i].ref_accept);
    }
    ginv_net_ws_free(gws);
    free(z);
    free(x);
    free(z0);
    return rc;
}

/* --data images as the observations (their count replaces --n) and --draws-file draws (nx x B x k, any
 * shape of that count: observation-major, as encoder sample writes; ginv sample's samples.npy for one x) */
static int load_inputs(const char *C, const char *data, const char *dfile, const ginv_net *G, int *nx, int *B,
                       ginv_images *im, ginv_array *dr)
{
    int n = ginv_net_out(G), k = ginv_net_in(G);
    ginv_status st;
    if (data) {
        if ((st = ginv_images_load(data, im)) != GINV_OK) return cli_lib_error(C, st);
        if ((long long)im->h * im->w != n)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--data: images of %d x %d = %d values; G gives %d", im->h, im->w,
                                  im->h * im->w, n);
        *nx = im->count;
    }
    if (!dfile) return 0;
    if ((st = ginv_array_read(dfile, dr)) != GINV_OK) return cli_lib_error(C, st);
    size_t cnt = ginv_array_count(dr), per = (size_t)*nx * k;
    if (cnt % per || cnt / per < 16 || cnt / per > (1u << 22))
        return cli_error_code(C, CLI_EXIT_FORMAT, "--draws-file: %zu values are not %d observations x B draws x %d "
                              "(B from 16 to 2^22)", cnt, *nx, k);
    for (size_t i = 0; i < cnt; i++)
        if (!isfinite(dr->data[i]))
            return cli_error_code(C, CLI_EXIT_NUMERIC, "--draws-file: value %zu is not finite", i);
    *B = (int)(cnt / per);
    return 0;
}

int cli_encoder_distance(int argc, char **argv)
{
    const char *C = "encoder distance", *model = NULL, *enc = NULL, *json = NULL, *data = NULL, *dfile = NULL;
    double beta = 0.1;
    int nx = 10, B = 2000, quiet = 0;
    ginv_encoder_dist_opts o;
    ginv_encoder_dist_opts_init(&o);
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator G (required)"},
        {"encoder", 0, OPT_STRING, &enc, "FILE", "the encoder: ginv encoder build -o, or ginv encoder train -o (required)"},
        {"beta", 0, OPT_DOUBLE, &beta, "B", "noise level of the model x = G(z) + beta xi", 1e-12, 1e6},
        {"n", 0, OPT_INT, &nx, "N", "fresh model samples x to evaluate on (with --data: its images instead)", 1, 1 << 20},
        {"data", 0, OPT_STRING, &data, "SPEC", "observations x: these images (fashion-mnist:test[0:20], ...), not model samples"},
        {"draws-file", 0, OPT_STRING, &dfile, "FILE", "given draws (N x B x k, observation-major, .npy or text) instead of --encoder: another sampler's output"},
        {"draws", 0, OPT_INT, &B, "B", "draws of the encoder per observation", 16, 1 << 22},
        {"ref-chains", 0, OPT_INT, &o.ref_chains, "C", "MALA reference: chains (an even number: the floor compares halves)", 2, 1 << 16},
        {"ref-steps", 0, OPT_INT, &o.ref_steps, "R", "MALA reference: burn-in steps, then kept steps, per chain", 16, 1 << 24},
        {"tv-bins", 0, OPT_INT, &o.tv_bins, "N", "d <= 2: histogram TV grid cells per axis (0: 50 for d = 1, 20 for d = 2)", 0, 4096},
        {"mmd-ref", 0, OPT_INT, &o.mmd_ref, "N", "MMD: the reference thinned evenly to N draws", 16, 1 << 20},
        {"seed", 0, OPT_U64, &o.seed, "S", "random seed (the x, the draws, the reference)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write per-x and mean distances as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "How far an encoder's draws are from the posterior p(z | x), against long MALA.",
                   "ginv encoder distance --model G.safetensors --encoder E.safetensors --beta B [--n N] [--draws B]",
                   "For N model samples x = G(z) + beta xi: B draws of the encoder (a deep latent Gaussian from\n"
                   "ginv encoder build, or a Gaussian one from ginv encoder train) against a MALA reference\n"
                   "(GD start, adapted step, --ref-chains chains of --ref-steps kept steps): sliced W1 (128\n"
                   "directions) with the reference's own floor (its two halves), the unbiased MMD^2 (Gaussian RBF\n"
                   "kernel, median-heuristic bandwidth) with a block standard error and a floor, for d <= 2 the\n"
                   "histogram TV on a grid (--tv-bins) with a floor, and the errors of the mean\n"
                   "||m_q - m_p|| / sqrt(tr S_p) and covariance ||S_q - S_p||_F / ||S_p||_F. docs/encoders.md."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model || !enc == !dfile) return cli_usage_error(C, "--model FILE and one of --encoder FILE, --draws-file FILE are required");
    if (o.ref_chains % 2) return cli_usage_error(C, "--ref-chains %d must be even (the floor compares two halves)", o.ref_chains);
    ginv_net *G = NULL, *A = NULL;
    ginv_net_ws *aws = NULL;
    ginv_dlg *E = NULL;
    ginv_images im = {0};
    ginv_array dr = {0};
    ginv_encoder_dist *res = NULL;
    ginv_status st = ginv_net_load(model, &G);
    if (st != GINV_OK) rc = cli_lib_error(C, st);
    else if (!(rc = load_inputs(C, data, dfile, G, &nx, &B, &im, &dr)) && enc) rc = cli_load_encoder(C, enc, G, &E, &A, &aws, NULL, NULL);
    if (!rc && !(res = calloc((size_t)nx, sizeof *res))) rc = cli_oom(C);
    if (!rc) rc = distances(C, G, E, A, aws, beta, nx, B, &o, quiet, data ? im.pix : NULL, dfile ? dr.data : NULL, res);
    if (!rc) {
        ginv_encoder_dist mean = {0};
        for (int i = 0; i < nx; i++) {
            mean.w1 += res[i].w1 / nx, mean.w1_floor += res[i].w1_floor / nx, mean.mean_err += res[i].mean_err / nx;
            mean.cov_err += res[i].cov_err / nx, mean.ref_accept += res[i].ref_accept / nx;
            mean.tv += res[i].tv / nx, mean.tv_floor += res[i].tv_floor / nx, mean.mmd2 += res[i].mmd2 / nx;
            mean.mmd2_se += res[i].mmd2_se * res[i].mmd2_se / ((double)nx * nx); /* se of the mean: summed variances */
            mean.mmd2_floor += res[i].mmd2_floor / nx, mean.mmd_bandwidth += res[i].mmd_bandwidth / nx;
        }
        mean.mmd2_se = sqrt(mean.mmd2_se);
        size_t np = E ? ginv_dlg_nparams(E) : A ? ginv_net_nparams(A) : 0;
        if (!quiet)
            printf("mean over %d x (%s encoder, %zu parameters): sliced W1 %.4f (floor %.4f), MMD^2 %.2e +- %.1e "
                   "(floor %.1e), TV %.4f (floor %.4f), mean error %.4f, covariance error %.4f\n", nx,
                   E ? "deep latent Gaussian" : A ? "Gaussian" : "given draws", np, mean.w1, mean.w1_floor, mean.mmd2, mean.mmd2_se,
                   mean.mmd2_floor, mean.tv, mean.tv_floor, mean.mean_err, mean.cov_err);
        if (json) {
            cJSON *doc = cli_json_new(C), *p = cJSON_AddObjectToObject(doc, "params");
            cJSON_AddStringToObject(p, "model", model);
            if (enc) cJSON_AddStringToObject(p, "encoder", enc);
            if (dfile) cJSON_AddStringToObject(p, "draws_file", dfile);
            if (data) cJSON_AddStringToObject(p, "data", data);
            cJSON_AddNumberToObject(p, "beta", beta);
            cJSON_AddNumberToObject(p, "n", nx);
            cJSON_AddNumberToObject(p, "draws", B);
            cJSON_AddNumberToObject(p, "ref_chains", o.ref_chains);
            cJSON_AddNumberToObject(p, "ref_steps", o.ref_steps);
            cJSON_AddNumberToObject(p, "seed", (double)o.seed);
            cJSON_AddNumberToObject(p, "tv_bins", o.tv_bins);
            cJSON_AddNumberToObject(p, "mmd_ref", o.mmd_ref);
            cJSON_AddStringToObject(p, "mmd_kernel", "exp(-|u-v|^2/(2 s^2)), s: median pairwise distance");
            cJSON_AddStringToObject(doc, "encoder_kind", E ? "dlg" : A ? "gaussian" : "draws");
            cJSON_AddNumberToObject(doc, "encoder_parameters", (double)np);
            cJSON_AddNumberToObject(doc, "generator_parameters", (double)ginv_net_nparams(G));
            cJSON *arr = cJSON_AddArrayToObject(doc, "per_x");
            for (int i = 0; i <= nx; i++) {
                const ginv_encoder_dist *r = i < nx ? &res[i] : &mean;
                cJSON *e = cJSON_CreateObject();
                cJSON_AddItemToObject(e, "w1", cli_json_num(r->w1));
                cJSON_AddItemToObject(e, "w1_floor", cli_json_num(r->w1_floor));
                cJSON_AddItemToObject(e, "mean_err", cli_json_num(r->mean_err));
                cJSON_AddItemToObject(e, "cov_err", cli_json_num(r->cov_err));
                cJSON_AddItemToObject(e, "ref_accept", cli_json_num(r->ref_accept));
                cJSON_AddItemToObject(e, "mmd2", cli_json_num(r->mmd2));
                cJSON_AddItemToObject(e, "mmd2_se", cli_json_num(r->mmd2_se));
                cJSON_AddItemToObject(e, "mmd2_floor", cli_json_num(r->mmd2_floor));
                cJSON_AddItemToObject(e, "mmd_bandwidth", cli_json_num(r->mmd_bandwidth));
                cJSON_AddItemToObject(e, "tv", cli_json_num(r->tv));
                cJSON_AddItemToObject(e, "tv_floor", cli_json_num(r->tv_floor));
                if (i < nx) cJSON_AddItemToArray(arr, e);
                else cJSON_AddItemToObject(doc, "mean", e);
            }
            rc = cli_json_write(C, doc, json);
            cJSON_Delete(doc);
        }
    }
    free(res);
    ginv_images_release(&im);
    ginv_array_release(&dr);
    ginv_net_ws_free(aws);
    ginv_net_free(A);
    ginv_dlg_free(E);
    ginv_net_free(G);
    return rc;
}
