/* fuzz_onnx.c — libFuzzer target: ONNX models (protobuf bytes) through
 * ginv_net_from_onnx: the protobuf-c parse, initializers, graph checks (one
 * input, missing inputs, cycles), constant folding, the chain walk and the
 * net's own checks. Must return a status without crashing, leaking or
 * allocating beyond a few times the input; on success the net runs forward
 * on one latent, and its export reads back to the same parameters. */
#include "ginv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* nothing the graph declares may cost more than the file holds */
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 64 * size + (1 << 20));
    ginv_net *net = NULL;
    if (ginv_net_from_onnx(data, size, &net) == GINV_OK) {
        int k = ginv_net_in(net), n = ginv_net_out(net);
        if (!net || k < 1 || n < 1) abort();
        ginv_net_ws *ws = NULL;
        if (k <= 4096 && n <= (1 << 16) && ginv_net_ws_new(&ws, net, 1) == GINV_OK) {
            float *z = calloc((size_t)k, sizeof *z);
            for (int i = 0; i < k; i++) z[i] = (float)(i % 3) - 1.0f;
            if (!ginv_net_forward(net, ws, 1, z)) abort();
            free(z);
            ginv_net_ws_free(ws);
        }
        unsigned char *buf = NULL;
        size_t len = 0;
        if (ginv_net_to_onnx(net, &buf, &len) == GINV_OK) {
            ginv_net *back = NULL;
            ginv_status st = ginv_net_from_onnx(buf, len, &back);
            if (st == GINV_OK) {
                if (ginv_net_nparams(back) != ginv_net_nparams(net) ||
                    memcmp(ginv_net_params(back), ginv_net_params(net),
                           sizeof(float) * ginv_net_nparams(net)))
                    abort();
                ginv_net_free(back);
            } else if (st != GINV_ERR_NOMEM) {
                fprintf(stderr, "export did not read back: %s\n", ginv_last_error());
                abort(); /* an exported net must read back */
            }
            ginv_free(buf);
        }
        ginv_net_free(net);
    }
    ginv_alloc_limit(old);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
