/* cmd_export.c — `ginv export MODEL -o OUT.onnx`: a ginv model (or an ONNX
 * one, normalised) as a standard ONNX model, opset 13, for other runtimes. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
    const char *out = NULL;
    int quiet = 0;
    cli_opt opts[] = {
        {"output", 'o', OPT_STRING, &out, "FILE", "write the ONNX model here (required)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {"export", "Write a model file as a standard ONNX model (opset 13).",
                   "ginv export MODEL -o OUT.onnx",
                   "Input \"z\" [N, k] (or [N, C, H, W] when the first layer takes an image), output \"x\";\n"
                   "dense layers as Gemm, conv layers as Conv/ConvTranspose, batchnorm2d as Mul + Add\n"
                   "per channel, reshape as Reshape, upsample_nearest as Resize, gelu and silu spelt out\n"
                   "(Erf, Sigmoid) as PyTorch exports them; float32 weights. `ginv import` of the file\n"
                   "gives back the same parameters and bit-identical outputs (docs/models.md)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error("export", "expected one model file (see --help)");
    if (!out) return cli_usage_error("export", "-o FILE is required");
    ginv_net *net;
    ginv_status st = ginv_net_load(pos[0], &net);
    if (st != GINV_OK) return cli_lib_error("export", st);
    st = ginv_net_save_onnx(net, out);
    if (st != GINV_OK) rc = cli_lib_error("export", st);
    else if (!quiet)
        fprintf(cli_wrote_stream(out), "wrote %s: ONNX opset 13, %d -> %d, %d layers, %zu parameters\n",
                out, ginv_net_in(net), ginv_net_out(net), ginv_net_nlayers(net), ginv_net_nparams(net));
    ginv_net_free(net);
    return rc;
}
