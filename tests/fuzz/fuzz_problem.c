/* fuzz_problem.c — libFuzzer target: the "source" of a reduced problem (the
 * JSON map-back reads: kind, theorem, sizes, the embedded CNF, lattice or
 * graph) on arbitrary text. The harness builds a dense net whose latent size
 * is the one the source's kind and "n" imply (so map-back gets past the size
 * check), then runs ginv_reduce_map_back on a few binary latents and
 * ginv_reduce_encode on a certificate. Must return a status without
 * crashing or leaking; a witness's object has its size. */
#include "ginv.h"
#include "io/json_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    char *txt = malloc(size + 1);
    memcpy(txt, data, size);
    txt[size] = 0;
    cJSON *src = NULL;
    int k = 0, n = 0;
    if (ginv_json_parse_strict(txt, size, "source", &src) == GINV_OK) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(src, "kind");
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(src, "n");
        if (cJSON_IsNumber(jn) && jn->valuedouble >= 1 && jn->valuedouble <= 24) {
            n = (int)jn->valuedouble;
            k = cJSON_IsString(kind) && !strcmp(kind->valuestring, "cvp") ? 2 * n : n;
        }
        cJSON_Delete(src);
    }
    if (k >= 1) {
        ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = 2, .bias = 1},
                              {.kind = GINV_LAYER_RELU}};
        ginv_net *net = NULL;
        if (ginv_net_new(&net, 2, spec) != GINV_OK) abort();
        double target[2] = {0, 0};
        ginv_problem pb = {.n = 2, .target = target, .p = GINV_NORM_EXACT, .latent = GINV_LATENT_01,
                           .source_json = txt};
        double *z = calloc((size_t)k, sizeof *z);
        int *obj = calloc((size_t)n, sizeof *obj);
        for (int v = 0; v < 3; v++) {
            for (int i = 0; i < k; i++) z[i] = v == 2 ? (i % 2 ? 1 : -1) : v;
            ginv_witness w;
            if (ginv_reduce_map_back(net, &pb, z, &w) == GINV_OK) {
                if (w.size < 0 || (w.size && !w.object)) abort();
                ginv_witness_release(&w);
            }
        }
        for (int i = 0; i < n; i++) obj[i] = i % 2;
        (void)ginv_reduce_encode(&pb, n, obj, z, k);
        (void)ginv_problem_clamp_box(&pb);
        free(z);
        free(obj);
        ginv_net_free(net);
    }
    free(txt);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
