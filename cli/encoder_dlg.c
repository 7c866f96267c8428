/* encoder_dlg.c — `ginv encoder build` (Pareek & Risteski's Theorem 1: the
 * GD -> Langevin encoder as an explicit deep latent Gaussian, built from a
 * generator; src/learn/dlg_build.c) and `ginv encoder sample` (draws of a
 * deep latent Gaussian encoder file for given x). docs/encoders.md. */
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

/* per x: the draws' mean and standard deviation (JSON) */
static void json_draws(cJSON *doc, const float *z, int rows, int B, int d)
{
    cJSON *arr = cJSON_AddArrayToObject(doc, "per_x");
    double *m = calloc((size_t)d, sizeof(double)), *v = calloc((size_t)d, sizeof(double));
    for (int r = 0; m && v && r < rows; r++) {
        const float *zr = z + (size_t)r * B * d;
        memset(m, 0, sizeof(double) * d), memset(v, 0, sizeof(double) * d);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < d; j++) m[j] += zr[(size_t)b * d + j] / B;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < d; j++) v[j] += pow(zr[(size_t)b * d + j] - m[j], 2) / (B > 1 ? B - 1 : 1);
        cJSON *o = cJSON_CreateObject(), *mm = cJSON_AddArrayToObject(o, "mean"), *sd = cJSON_AddArrayToObject(o, "sd");
        for (int j = 0; j < d; j++) {
            cJSON_AddItemToArray(mm, cli_json_num(m[j]));
            cJSON_AddItemToArray(sd, cli_json_num(sqrt(v[j])));
        }
        cJSON_AddItemToArray(arr, o);
    }
    free(m);
    free(v);
}

int cli_encoder_sample(int argc, char **argv)
{
    const char *C = "encoder sample", *enc = NULL, *xpath = NULL, *out = NULL, *json = NULL;
    int B = 1000, quiet = 0;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"encoder", 0, OPT_STRING, &enc, "FILE", "a deep latent Gaussian encoder (ginv encoder build -o; required)"},
        {"obs", 0, OPT_STRING, &xpath, "FILE", "the observations x: an array of rows of n values (.npy or text; required)"},
        {"draws", 0, OPT_INT, &B, "B", "draws per observation", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (draw b's noise: stream (S, DLG, b))"},
        {"output", 'o', OPT_STRING, &out, "FILE", "write the draws: (rows x B) x d, observation-major (.npy or text)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write each observation's draw mean and sd as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "Draw from a deep latent Gaussian encoder q(z | x) for given observations.",
                   "ginv encoder sample --encoder E.safetensors --obs X.npy [--draws B] [--seed S] -o Z.npy",
                   "Ancestral sampling through the encoder's layers, B draws per row of --obs. Draw b of every\n"
                   "observation uses the noise stream (S, DLG, b), so the same seed gives the same draws."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!enc || !xpath) return cli_usage_error(C, "--encoder FILE and --obs FILE are required");
    if (!out && !json) return cli_usage_error(C, "nothing to write: give -o FILE and/or --json FILE");
    ginv_dlg *E = NULL;
    ginv_status st = ginv_dlg_load(enc, &E);
    if (st != GINV_OK) return cli_lib_error(C, st);
    int n = ginv_dlg_in(E), d = ginv_dlg_out(E);
    ginv_array xa = {0};
    if ((rc = cli_read_vector(C, "obs", xpath, 0, &xa))) {
        ginv_dlg_free(E);
        return rc;
    }
    size_t cnt = ginv_array_count(&xa);
    int rows = (int)(cnt / n);
    float *z = NULL;
    if (cnt == 0 || cnt % n) {
        rc = cli_error_code(C, CLI_EXIT_FORMAT, "--obs '%s' holds %zu values: not rows of the encoder's n = %d", xpath, cnt, n);
    } else if ((double)rows * B * d > 1e9) {
        rc = cli_error_code(C, CLI_EXIT_RESOURCE, "%d observations x %d draws x %d values is over 10^9", rows, B, d);
    } else if (!(z = malloc(sizeof(float) * (size_t)rows * B * d))) {
        rc = cli_oom(C);
    }
    for (int r = 0; !rc && r < rows; r++)
        if ((st = ginv_dlg_sample(E, B, xa.data + (size_t)r * n, 1, NULL, NULL, seed, z + (size_t)r * B * d, NULL)) != GINV_OK)
            rc = cli_lib_error(C, st);
    int64_t shape[2] = {(int64_t)rows * B, d};
    if (!rc && out && (st = ginv_array_write(out, z, 2, shape)) != GINV_OK) rc = cli_lib_error(C, st);
    if (!rc && !quiet)
        printf("%d draws for each of %d observations from a %d-layer deep latent Gaussian (%zu parameters)%s%s\n", B,
               rows, ginv_dlg_nlayers(E), ginv_dlg_nparams(E), out ? " -> " : "", out ? out : "");
    if (!rc && json) {
        cJSON *doc = cli_json_new(C);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "encoder", enc);
        cJSON_AddStringToObject(p, "obs", xpath);
        cJSON_AddNumberToObject(p, "draws", B);
        cJSON_AddNumberToObject(p, "seed", (double)seed);
        cJSON_AddNumberToObject(doc, "layers", ginv_dlg_nlayers(E));
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_dlg_nparams(E));
        json_draws(doc, z, rows, B, d);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    free(z);
    ginv_array_release(&xa);
    ginv_dlg_free(E);
    return rc;
}
