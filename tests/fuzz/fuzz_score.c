/* fuzz_score.c — libFuzzer target: score-prior files (ginv_score_load: the
 * "ginv.score" metadata, the net under "score.", the frequencies and the
 * standardisation, the optimizer state and "ginv.score.train") from
 * arbitrary bytes written to a scratch file. Must return a status without
 * crashing, leaking or allocating beyond a few times the file; a loaded
 * model must evaluate a finite or refused score at one point. */
#include "ginv.h"
#include "scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    fuzz_scratch_write("score.safetensors", data, size, path, sizeof path);
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 64 * size + (1 << 20));
    ginv_score *s = NULL;
    if (ginv_score_load(path, &s) == GINV_OK) {
        const ginv_score_arch *a = ginv_score_get_arch(s);
        if (a->p < 1 || ginv_net_out(ginv_score_net(s)) != a->p) abort();
        float *h = ginv_calloc((size_t)a->p, sizeof(float)), *g = ginv_malloc((size_t)a->p * sizeof(float));
        if (h && g) (void)ginv_score_eval(s, 1, h, 0.5, g);
        ginv_free(h);
        ginv_free(g);
        ginv_score_free(s);
    }
    ginv_alloc_limit(old);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
