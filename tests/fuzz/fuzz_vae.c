/* fuzz_vae.c — libFuzzer target: VAE checkpoints (ginv_vae_load: the
 * "ginv.vae" metadata, the generator and the encoder under their keys, the
 * Adam state) from arbitrary bytes written to a scratch file. Must return a
 * status without crashing, leaking or allocating beyond a few times the
 * file; on success the generator comes out with the data size. */
#include "ginv.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    fuzz_scratch_write("vae.safetensors", data, size, path, sizeof path);
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 64 * size + (1 << 20));
    ginv_vae *v = NULL;
    if (ginv_vae_load(path, &v) == GINV_OK) {
        const ginv_vae_arch *a = ginv_vae_get_arch(v);
        ginv_net *g = NULL;
        if (ginv_vae_generator(v, &g) == GINV_OK) {
            if (ginv_net_in(g) != a->k || ginv_net_out(g) != a->n) abort();
            ginv_net_free(g);
        }
        ginv_vae_free(v);
    }
    ginv_alloc_limit(old);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
