/* cmd_generate.c — `ginv generate --model G (--z FILE | --n N) -o X`: G on
 * given latents or on N latents z ~ N(0, I), the outputs as an array (B x C x
 * H x W for an image generator, B x n otherwise) and optionally as a PNG grid:
 * the way to compare a converted model with PyTorch and to look at what a
 * generator makes. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 256 /* latents per forward pass */

/* the grid: ceil(sqrt(B)) columns, a sample's channels stacked vertically,
 * gray levels over [-1, 1] after tanh, [0, 1] after sigmoid, else the data's
 * range */
static ginv_status write_grid(const char *path, const ginv_net *net, const float *x, int B, int scale)
{
    const ginv_layer *last = ginv_net_layer_c(net, ginv_net_nlayers(net) - 1);
    int c = last->c_out, h = last->h_out, w = last->w_out, n = c * h * w;
    int s = (int)lround(sqrt((double)n));
    if (h * w == 1 && s * s == n) c = 1, h = w = s; /* a flat square output: an s x s image */
    int cols = (int)ceil(sqrt((double)B)), rows = (B + cols - 1) / cols;
    double lo = 0, hi = 1;
    if (last->kind == GINV_LAYER_TANH) lo = -1;
    else if (last->kind != GINV_LAYER_SIGMOID) {
        lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < (size_t)B * n; i++)
            if (isfinite(x[i])) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
        if (!(hi > lo)) lo = isfinite(lo) ? lo - 1 : 0, hi = lo + 2;
    }
    float *tiles = malloc(sizeof(float) * (size_t)rows * cols * n);
    if (!tiles) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    memcpy(tiles, x, sizeof(float) * (size_t)B * n);
    for (size_t i = (size_t)B * n; i < (size_t)rows * cols * n; i++) tiles[i] = NAN;
    ginv_grid_style gs;
    ginv_grid_style_init(&gs);
    gs.scale = scale, gs.lo = lo, gs.hi = hi;
    ginv_status st = ginv_png_write_grid_styled(path, rows, cols, c * h, w, tiles, &gs);
    free(tiles);
    return st;
}

int cmd_generate(int argc, char **argv)
{
    const char *model = NULL, *zpath = NULL, *out = NULL, *png = NULL, *json = NULL;
    const char *hpath = NULL;
    int nz = 0, scale = 3, quiet = 0, threads = 0, score_steps = 0;
    double t = 0.3;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the model file holding the generator (.safetensors or .onnx)"},
        {"z", 0, OPT_STRING, &zpath, "FILE", "the latents, one a row (B x k)"},
        {"n", 0, OPT_INT, &nz, "N", "instead of --z: N latents z ~ N(0, I) from --seed", 1, 1 << 20},
        {"seed", 0, OPT_U64, &seed, "S", "random seed of the --n latents (and of the score prior's noise)"},
        {"score-steps", 0, OPT_INT, &score_steps, "S", "draw the input of the score prior's layer by S reverse-SDE steps from t = 1 (the prior stored by 'ginv train score' in --model; Daras et al. Fig. 4), then run the rest of G", 1, 1 << 20},
        {"h", 0, OPT_STRING, &hpath, "FILE", "with --score-steps: start from these intermediate representations (N x p), perturbed to --t (their Fig. 6 projection)"},
        {"t", 0, OPT_DOUBLE, &t, "T", "with --h: the time the representations are perturbed to", 1e-6, 1},
        {"output", 'o', OPT_STRING, &out, "FILE", "write G(z) here (.npy or text; B x C x H x W for images; required)"},
        {"png", 0, OPT_STRING, &png, "FILE", "also a PNG grid of the images (channels stacked vertically)"},
        {"png-scale", 0, OPT_INT, &scale, "S", "the grid upscaled S times (nearest neighbour)", 1, 64},
        {"json", 0, OPT_STRING, &json, "FILE", "write JSON (command, version, params, shapes; '-': stdout)"},
        CLI_THREADS_OPT(threads),
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {"generate", "Evaluate a generator on given or random latents.",
                   "ginv generate --model G (--z Z | --n N [--seed S]) -o X [--png GRID.png] [--png-scale S]",
                   "X holds G(z) for every latent: B x C x H x W when the net's output is an image (its\n"
                   "last layer's shape), B x n otherwise. The --n latents come from stream (seed,\n"
                   "GENERATE, 0), so the same seed gives the same latents. The grid's gray levels span\n"
                   "[-1, 1] after a final tanh, [0, 1] after a sigmoid, the outputs' range otherwise."};
    int npos;
    int rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model) return cli_usage_error("generate", "--model FILE is required");
    if (!out) return cli_usage_error("generate", "-o FILE is required");
    if (score_steps && zpath) return cli_usage_error("generate", "--score-steps draws its own inputs: give --n N or --h FILE, not --z");
    if (hpath && !score_steps) return cli_usage_error("generate", "--h needs --score-steps");
    if (score_steps && !nz == !hpath) return cli_usage_error("generate", "--score-steps needs one of --n N and --h FILE");
    if (!score_steps && !zpath == !nz) return cli_usage_error("generate", "give one of --z FILE and --n N");
    ginv_blas_set_threads(cli_threads(threads));
    ginv_net *net;
    ginv_status st = ginv_net_load(model, &net);
    if (st != GINV_OK) return cli_lib_error("generate", st);
    int k = ginv_net_in(net), n = ginv_net_out(net), B = nz;
    ginv_array z = {0};
    float *x = NULL;
    ginv_net_ws *ws = NULL;
    if (score_steps) {
        if ((rc = generate_from_score(model, net, nz, seed, score_steps, hpath, t, &x, &B))) goto done;
    } else if (zpath) {
        if ((rc = cli_read_vector("generate", "--z", zpath, 0, &z))) goto done;
        size_t cz = ginv_array_count(&z);
        if (cz == 0 || cz % (size_t)k || cz / (size_t)k > (1u << 20)) {
            rc = cli_error_code("generate", CLI_EXIT_FORMAT, "--z %s: %zu values are not a batch of "
                                "latents of size %d", zpath, cz, k);
            goto done;
        }
        B = (int)(cz / (size_t)k);
    } else {
        z.data = ginv_malloc(sizeof(float) * (size_t)B * k);
        if (!z.data) {
            rc = cli_oom("generate");
            goto done;
        }
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_GENERATE, 0);
        ginv_rng_normal_f32(&r, z.data, (size_t)B * k, 1.0);
    }
    if ((size_t)B * n > ((size_t)1 << 31)) {
        rc = cli_error_code("generate", CLI_EXIT_RESOURCE, "%d x %d outputs: over 2^31 values", B, n);
        goto done;
    }
    int cap = B < CHUNK ? B : CHUNK;
    if (!x) x = malloc(sizeof(float) * (size_t)B * n);
    else cap = 0; /* made by the score prior */
    if (!x || (cap && (st = ginv_net_ws_new(&ws, net, cap)) != GINV_OK)) {
        rc = x ? cli_lib_error("generate", st) : cli_oom("generate");
        goto done;
    }
    for (int b0 = 0; cap && b0 < B; b0 += cap) {
        int nb = B - b0 < cap ? B - b0 : cap;
        const float *y = ginv_net_forward(net, ws, nb, z.data + (size_t)b0 * k);
        memcpy(x + (size_t)b0 * n, y, sizeof(float) * (size_t)nb * n);
    }
    for (size_t i = 0; i < (size_t)B * n; i++)
        if (!isfinite(x[i])) {
            rc = cli_error_code("generate", CLI_EXIT_NUMERIC, "G(z) of latent %zu is not finite; "
                                "nothing written", i / (size_t)n);
            goto done;
        }
    const ginv_layer *last = ginv_net_layer_c(net, ginv_net_nlayers(net) - 1);
    int image = last->h_out * last->w_out > 1;
    int64_t shape[4] = {B, image ? last->c_out : n, last->h_out, last->w_out};
    if ((st = ginv_array_write(out, x, image ? 4 : 2, shape)) != GINV_OK) {
        rc = cli_lib_error("generate", st);
        goto done;
    }
    if (png && (st = write_grid(png, net, x, B, scale)) != GINV_OK) {
        rc = cli_lib_error("generate", st);
        goto done;
    }
    if (!quiet) {
        FILE *f = cli_wrote_stream(out);
        if (image)
            fprintf(f, "wrote %s: %d x %d x %d x %d\n", out, B, last->c_out, last->h_out, last->w_out);
        else
            fprintf(f, "wrote %s: %d x %d\n", out, B, n);
        if (png) fprintf(cli_wrote_stream(png), "wrote %s\n", png);
    }
    if (json) {
        cJSON *doc = cli_json_new("generate");
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", model);
        if (zpath) cJSON_AddStringToObject(p, "z", zpath);
        else if (hpath) cJSON_AddStringToObject(p, "h", hpath), cJSON_AddNumberToObject(p, "t", t);
        else cJSON_AddNumberToObject(p, "n", nz), cJSON_AddNumberToObject(p, "seed", (double)seed);
        if (score_steps) cJSON_AddNumberToObject(p, "score_steps", score_steps);
        cJSON_AddStringToObject(p, "output", out);
        if (png) cJSON_AddStringToObject(p, "png", png);
        cJSON_AddNumberToObject(doc, "latents", B);
        cJSON_AddNumberToObject(doc, "latent", k);
        cJSON *s = cJSON_AddArrayToObject(doc, "shape");
        for (int i = 0; i < (image ? 4 : 2); i++) cJSON_AddItemToArray(s, cJSON_CreateNumber((double)shape[i]));
        rc = cli_json_write("generate", doc, json);
        cJSON_Delete(doc);
    }
done:
    ginv_net_ws_free(ws);
    free(x);
    ginv_array_release(&z);
    ginv_net_free(net);
    return rc;
}
