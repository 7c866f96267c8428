/* cmd_import.c — `ginv import MODEL.onnx -o OUT.safetensors`: an ONNX
 * generator (torch.onnx.export) converted to a ginv model file, its layer
 * table and parameter count printed; with --check X --z Z the converted net's
 * G(Z) is compared with the reference X and the file is written only when
 * the largest relative error is within --tol (docs/models.md). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* G(z) against the reference x: the largest |G(z) - x| over the largest |x| */
static int check_outputs(const char *cmd, ginv_net *net, const char *zpath, const char *xpath,
                         int *B_out, double *err)
{
    int k = ginv_net_in(net), n = ginv_net_out(net);
    ginv_array z = {0}, x = {0};
    int rc = cli_read_vector(cmd, "--z", zpath, 0, &z);
    if (rc) return rc;
    size_t cz = ginv_array_count(&z);
    if (cz == 0 || cz % (size_t)k) {
        ginv_array_release(&z);
        return cli_error_code(cmd, CLI_EXIT_FORMAT, "--z %s: %zu values are not a batch of latents "
                              "of size %d", zpath, cz, k);
    }
    int B = (int)(cz / (size_t)k);
    if ((rc = cli_read_vector(cmd, "--check", xpath, (size_t)B * n, &x))) {
        ginv_array_release(&z);
        return rc;
    }
    ginv_net_ws *ws = NULL;
    ginv_status st = ginv_net_ws_new(&ws, net, B);
    if (st != GINV_OK) {
        ginv_array_release(&z);
        ginv_array_release(&x);
        return cli_lib_error(cmd, st);
    }
    const float *y = ginv_net_forward(net, ws, B, z.data);
    double md = 0, mx = 0;
    for (size_t i = 0; i < (size_t)B * n; i++) {
        double d = fabs((double)y[i] - x.data[i]);
        md = d > md || isnan(d) ? d : md;
        mx = fmax(mx, fabs((double)x.data[i]));
    }
    *err = md / fmax(mx, 1e-30);
    *B_out = B;
    ginv_net_ws_free(ws);
    ginv_array_release(&z);
    ginv_array_release(&x);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    const char *out = NULL, *check = NULL, *zpath = NULL, *json = NULL;
    double tol = 1e-5;
    int quiet = 0;
    cli_opt opts[] = {
        {"output", 'o', OPT_STRING, &out, "FILE", "write the converted model here (.safetensors; required)"},
        {"check", 0, OPT_STRING, &check, "FILE", "reference outputs G(z) (B x n array, e.g. from PyTorch) to compare with"},
        {"z", 0, OPT_STRING, &zpath, "FILE", "with --check: the latents, one a row (B x k)"},
        {"tol", 0, OPT_DOUBLE, &tol, "EPS", "with --check: the largest relative error accepted (max |G(z) - x| / max |x|)", 0, 1e30},
        {"json", 0, OPT_STRING, &json, "FILE", "also write the layers and the check as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {"import", "Convert an ONNX generator (torch.onnx.export) to a ginv model file.",
                   "ginv import MODEL.onnx -o OUT.safetensors [--check X --z Z [--tol EPS]] [--json FILE]",
                   "The ONNX graph must be one chain from the latent to the output: Gemm, MatMul (+ Add),\n"
                   "Conv, ConvTranspose, BatchNormalization (folded into the conv before it), activations\n"
                   "(GELU and SiLU also as PyTorch spells them out), Reshape/Flatten, Resize nearest; the\n"
                   "shape arithmetic of view/reshape is folded. Anything else is refused with one line\n"
                   "naming the node (docs/models.md). With --check, OUT is written only when G(Z) matches\n"
                   "X within --tol; the exit status is 1 when it does not.\n"
                   "Every --model option reads .onnx files directly as well."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error("import", "expected one ONNX file (see --help)");
    if (!out) return cli_usage_error("import", "-o FILE is required");
    if (!check != !zpath) return cli_usage_error("import", "--check and --z go together");
    double t0 = now();
    ginv_net *net;
    ginv_status st = ginv_net_load_onnx(pos[0], &net);
    if (st != GINV_OK) return cli_lib_error("import", st);
    double secs = now() - t0;
    int B = 0, pass = 1;
    double err = NAN;
    if (check) {
        if ((rc = check_outputs("import", net, zpath, check, &B, &err))) goto done;
        pass = err <= tol;
    }
    int show = !quiet && !(json && !strcmp(json, "-"));
    if (show) {
        printf("model %s: latent %d -> output %d, %d layers, %zu parameters (read in %.3f s)\n", pos[0],
               ginv_net_in(net), ginv_net_out(net), ginv_net_nlayers(net), ginv_net_nparams(net), secs);
        cli_print_layers(net);
        if (check)
            printf("check: %d latents, max relative error %.3g (tol %g): %s\n", B, err, tol,
                   pass ? "ok" : "FAILED");
    }
    if (!pass) {
        rc = cli_error_code("import", CLI_EXIT_FAIL, "--check %s: max relative error %.3g exceeds "
                            "--tol %g; %s not written", check, err, tol, out);
    } else if ((st = ginv_net_save(net, out)) != GINV_OK) {
        rc = cli_lib_error("import", st);
    } else if (show) {
        fprintf(cli_wrote_stream(out), "wrote %s\n", out);
    }
    if (json && rc == 0) {
        cJSON *doc = cli_json_new("import");
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", pos[0]);
        cJSON_AddStringToObject(p, "output", out);
        if (check) {
            cJSON_AddStringToObject(p, "check", check);
            cJSON_AddStringToObject(p, "z", zpath);
            cJSON_AddNumberToObject(p, "tol", tol);
        }
        cJSON_AddNumberToObject(doc, "latent", ginv_net_in(net));
        cJSON_AddNumberToObject(doc, "output_size", ginv_net_out(net));
        cJSON_AddNumberToObject(doc, "layers", ginv_net_nlayers(net));
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
        cJSON_AddNumberToObject(doc, "seconds", secs);
        char *arch = ginv_net_arch_json(net);
        cJSON_AddItemToObject(doc, "architecture", arch ? cJSON_Parse(arch) : cJSON_CreateNull());
        ginv_free(arch);
        if (check) {
            cJSON *c = cJSON_AddObjectToObject(doc, "check");
            cJSON_AddNumberToObject(c, "latents", B);
            cJSON_AddItemToObject(c, "max_rel_error", cli_json_num(err));
            cJSON_AddBoolToObject(c, "passed", pass);
        }
        rc = cli_json_write("import", doc, json);
        cJSON_Delete(doc);
    }
done:
    ginv_net_free(net);
    return rc;
}
