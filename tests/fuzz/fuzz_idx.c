/* fuzz_idx.c — libFuzzer target: ginv_idx_parse on arbitrary bytes (raw IDX
 * or gzip) must return a status without crashing or leaking; on success the
 * element count is the product of the sizes and every element is readable. */
#include "ginv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_idx x;
    if (ginv_idx_parse(data, size, &x) == GINV_OK) {
        size_t n = 1;
        if (x.ndim < 1 || x.ndim > 4) abort();
        for (int d = 0; d < x.ndim; d++) n *= (size_t)x.dims[d];
        if (n != x.count || !x.data) abort();
        volatile double sum = 0;
        for (size_t i = 0; i < n; i++) sum += ginv_idx_value(&x, i);
    }
    ginv_idx_release(&x);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
