/* encoder_sample.c — `ginv encoder sample`: draws of an encoder file, a deep
 * latent Gaussian (ginv encoder build) or an amortised Gaussian encoder
 * (ginv encoder train), for given observations, and with --logpdf each
 * draw's log q(z | x) where it has a closed form (ginv_encoder_logpdf,
 * ginv_dlg_logpdf). docs/encoders.md. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* per x: the draws' mean and standard deviation, and with lq the mean log q (JSON) */
static void json_draws(cJSON *doc, const float *z, const double *lq, int rows, int B, int d)
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
        if (lq) {
            double s = 0;
            for (int b = 0; b < B; b++) s += lq[(size_t)r * B + b] / B;
            cJSON_AddItemToObject(o, "logpdf_mean", cli_json_num(s)); /* minus an entropy estimate */
        }
        cJSON_AddItemToArray(arr, o);
    }
    free(m);
    free(v);
}

static void json_params(cJSON *doc, const char *enc, const char *xpath, int B, uint64_t seed, const char *lpath)
{
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(p, "encoder", enc);
    cJSON_AddStringToObject(p, "obs", xpath);
    cJSON_AddNumberToObject(p, "draws", B);
    cJSON_AddNumberToObject(p, "seed", (double)seed);
    if (lpath) cJSON_AddStringToObject(p, "logpdf", lpath);
}

int cli_encoder_sample(int argc, char **argv)
{
    const char *C = "encoder sample", *enc = NULL, *xpath = NULL, *out = NULL, *json = NULL, *lpath = NULL;
    int B = 1000, quiet = 0, n = 0, d = 0;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"encoder", 0, OPT_STRING, &enc, "FILE", "the encoder: a deep latent Gaussian (ginv encoder build -o) or an amortised Gaussian one (ginv encoder train -o; required)"},
        {"obs", 0, OPT_STRING, &xpath, "FILE", "the observations x: an array of rows of n values (.npy or text; required)"},
        {"draws", 0, OPT_INT, &B, "B", "draws per observation", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (draw b's noise: stream (S, DLG, b))"},
        {"output", 'o', OPT_STRING, &out, "FILE", "write the draws: (rows x B) x d, observation-major (.npy or text)"},
        {"logpdf", 0, OPT_STRING, &lpath, "FILE", "also write log q(z | x) of every draw (rows x B, observation-major; .npy or text): Gaussian encoders and deep latent Gaussians with one stochastic layer, the last"},
        {"json", 0, OPT_STRING, &json, "FILE", "write each observation's draw mean and sd (and mean log q) as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "Draw from an encoder q(z | x) for given observations.",
                   "ginv encoder sample --encoder E.safetensors --obs X.npy [--draws B] [--seed S] -o Z.npy [--logpdf LQ.npy]",
                   "Ancestral sampling through a deep latent Gaussian's layers, or z = mu(x) + sigma(x) xi for an\n"
                   "amortised Gaussian encoder, B draws per row of --obs. Draw b of every observation uses the noise\n"
                   "stream (S, DLG, b), so the same seed gives the same draws. --logpdf: log q(z | x) =\n"
                   "log N(z; mu(x), diag sigma^2(x)) for a Gaussian encoder, log N(z; F_L(z_{L-1}, x), gamma_L^2 I) for\n"
                   "a deep latent Gaussian whose only stochastic layer is the last; any other is refused (exit 8):\n"
                   "its density integrates over the earlier layers' noise."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!enc || !xpath) return cli_usage_error(C, "--encoder FILE and --obs FILE are required");
    if (!out && !json && !lpath) return cli_usage_error(C, "nothing to write: give -o FILE, --logpdf FILE and/or --json FILE");
    ginv_dlg *E = NULL;
    ginv_net *A = NULL;
    ginv_net_ws *ws = NULL;
    ginv_array xa = {0};
    float *z = NULL;
    double *lq = NULL;
    ginv_status st;
    if ((rc = cli_load_encoder(C, enc, NULL, &E, &A, &ws, &n, &d)) || (rc = cli_read_vector(C, "obs", xpath, 0, &xa))) goto out;
    size_t cnt = ginv_array_count(&xa);
    int rows = (int)(cnt / n);
    if (cnt == 0 || cnt % n) {
        rc = cli_error_code(C, CLI_EXIT_FORMAT, "--obs '%s' holds %zu values: not rows of the encoder's n = %d", xpath, cnt, n);
    } else if ((double)rows * B * d > 1e9) {
        rc = cli_error_code(C, CLI_EXIT_RESOURCE, "%d observations x %d draws x %d values is over 10^9", rows, B, d);
    } else if (!(z = malloc(sizeof(float) * (size_t)rows * B * d)) || (lpath && !(lq = malloc(sizeof(double) * (size_t)rows * B)))) {
        rc = cli_oom(C);
    }
    for (int r = 0; !rc && r < rows; r++) {
        const float *x = xa.data + (size_t)r * n;
        float *zr = z + (size_t)r * B * d;
        if ((st = cli_encoder_draws(E, A, ws, x, B, d, seed, zr)) == GINV_OK && lq)
            st = E ? ginv_dlg_logpdf(E, B, x, 1, zr, lq + (size_t)r * B) : ginv_encoder_logpdf(A, B, x, 1, zr, lq + (size_t)r * B);
        if (st != GINV_OK) rc = cli_lib_error(C, st);
    }
    int64_t shape[2] = {(int64_t)rows * B, d}, lshape[2] = {rows, B};
    if (!rc && out && (st = ginv_array_write(out, z, 2, shape)) != GINV_OK) rc = cli_lib_error(C, st);
    if (!rc && lpath) { /* written as float32, as every array ginv writes */
        float *lf = malloc(sizeof(float) * (size_t)rows * B);
        for (size_t i = 0; lf && i < (size_t)rows * B; i++) lf[i] = (float)lq[i];
        if (!lf) rc = cli_oom(C);
        else if ((st = ginv_array_write(lpath, lf, 2, lshape)) != GINV_OK) rc = cli_lib_error(C, st);
        free(lf);
    }
    if (!rc && !quiet && !(json && !strcmp(json, "-")))
        printf("%d draws for each of %d observations from %s%s%s%s%s\n", B, rows,
               E ? "a deep latent Gaussian" : "an amortised Gaussian encoder", out ? " -> " : "", out ? out : "",
               lpath ? ", log q -> " : "", lpath ? lpath : "");
    if (!rc && json) {
        cJSON *doc = cli_json_new(C);
        json_params(doc, enc, xpath, B, seed, lpath);
        cJSON_AddStringToObject(doc, "encoder_kind", E ? "dlg" : "gaussian");
        cJSON_AddNumberToObject(doc, "layers", E ? ginv_dlg_nlayers(E) : ginv_net_nlayers(A));
        cJSON_AddNumberToObject(doc, "parameters", (double)(E ? ginv_dlg_nparams(E) : ginv_net_nparams(A)));
        json_draws(doc, z, lq, rows, B, d);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    free(z);
    free(lq);
    ginv_array_release(&xa);
    ginv_net_ws_free(ws);
    ginv_net_free(A);
    ginv_dlg_free(E);
    return rc;
}
