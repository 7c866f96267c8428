/* fuzz_safetensors.c — libFuzzer target: ginv_st_parse on arbitrary bytes
 * must return a status without crashing or leaking; on success every tensor
 * lies inside the data buffer and F32/F64 ones read back. */
#include "ginv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_st_file f;
    if (ginv_st_parse(data, size, &f) == GINV_OK) {
        for (size_t i = 0; i < f.ntensors; i++) {
            const ginv_st_tensor *t = &f.tensors[i];
            if (t->offset > f.data_len || t->nbytes > f.data_len - t->offset) abort();
            if (ginv_st_find(&f, t->name) != t) abort();
            if (t->dtype == GINV_DT_F32 || t->dtype == GINV_DT_F64) {
                size_t n = t->nbytes / (t->dtype == GINV_DT_F32 ? 4 : 8);
                float *x = NULL;
                if (ginv_st_get_f32(&f, t->name, n, &x) == GINV_OK) ginv_free(x);
            }
        }
    }
    ginv_st_release(&f);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
