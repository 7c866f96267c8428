/* fuzz_model.c — libFuzzer target: model files (safetensors bytes) through
 * ginv_net_from_st (the "ginv" architecture JSON, tensor shapes against it,
 * the parameter cap by the file's size) and ginv_problem_from_st (the
 * "ginv.problem" JSON and its source). Must return a status without
 * crashing, leaking or allocating beyond a few times the input; on success
 * the net runs forward on one latent and, with a problem, the target has the
 * net's output size and map-back runs on z = 0 / 1. */
#include "ginv.h"

#include <math.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_st_file f;
    if (ginv_st_parse(data, size, &f) != GINV_OK) {
        if (ginv_live_bytes() != 0) abort();
        return 0;
    }
    /* nothing the metadata declares may cost more than the file holds */
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 64 * size + (1 << 20));
    ginv_net *net = NULL;
    if (ginv_net_from_st(&f, &net) == GINV_OK) {
        int k = ginv_net_in(net), n = ginv_net_out(net);
        if (k < 1 || n < 1 || ginv_net_nparams(net) * 4 > f.data_len) abort();
        ginv_net_ws *ws = NULL;
        if (k <= 4096 && ginv_net_ws_new(&ws, net, 1) == GINV_OK) {
            float *z = calloc((size_t)k, sizeof *z);
            for (int i = 0; i < k; i++) z[i] = (float)(i % 3) - 1.0f;
            const float *x = ginv_net_forward(net, ws, 1, z);
            if (!x) abort();
            free(z);
            ginv_net_ws_free(ws);
        }
        ginv_problem pb;
        int found = 0;
        if (ginv_problem_from_st(&f, n, &pb, &found) == GINV_OK && found) {
            if (pb.n != n || !pb.target) abort();
            if (k <= 64) {
                double *z = calloc((size_t)k, sizeof *z);
                for (int v = 0; v < 2; v++) {
                    for (int i = 0; i < k; i++) z[i] = v;
                    ginv_witness w;
                    if (ginv_reduce_map_back(net, &pb, z, &w) == GINV_OK) {
                        if (w.size < 0 || (w.size && !w.object)) abort();
                        ginv_witness_release(&w);
                    }
                }
                free(z);
            }
            (void)ginv_problem_clamp_box(&pb);
            ginv_problem_release(&pb);
        }
        ginv_net_free(net);
    }
    ginv_alloc_limit(old);
    ginv_st_release(&f);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
