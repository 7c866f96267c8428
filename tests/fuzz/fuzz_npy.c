/* fuzz_npy.c — libFuzzer target: ginv_npy_parse and ginv_text_parse on
 * arbitrary bytes must return a status without crashing or leaking; on
 * success the element count matches the shape. */
#include "ginv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_array a;
    if (ginv_npy_parse(data, size, &a) == GINV_OK) {
        volatile float sum = 0;
        size_t n = ginv_array_count(&a);
        for (size_t i = 0; i < n; i++) sum += a.data[i];
    }
    ginv_array_release(&a);
    if (ginv_text_parse((const char *)data, size, &a) == GINV_OK) {
        size_t n = ginv_array_count(&a);
        if (a.ndim < 1 || a.ndim > 2 || n == 0) abort();
        volatile float sum = 0;
        for (size_t i = 0; i < n; i++) sum += a.data[i];
    }
    ginv_array_release(&a);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
