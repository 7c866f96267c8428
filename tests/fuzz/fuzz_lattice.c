/* fuzz_lattice.c — libFuzzer target: (0,1)-CVP instances from array text
 * (src/io/lattice.c over src/io/text.c). The input is the basis text, a NUL
 * byte, then the target text (no NUL: the target is the basis's first row).
 * Parsing and ginv_cvp_from_arrays must return a status without crashing or
 * leaking; on success the sizes agree and ||B y - t|| is finite or +inf for
 * y = 0 and y = 1. */
#include "ginv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txt = (const char *)data;
    const char *nul = memchr(txt, 0, size);
    size_t blen = nul ? (size_t)(nul - txt) : size;
    ginv_array B = {0}, t = {0};
    if (ginv_text_parse(txt, blen, &B) == GINV_OK) {
        ginv_status ts = nul ? ginv_text_parse(nul + 1, size - blen - 1, &t) : GINV_OK;
        if (!nul && B.ndim >= 1) { /* target: the first row */
            t.ndim = 1;
            t.shape[0] = B.ndim == 2 ? B.shape[1] : B.shape[0];
            t.data = ginv_malloc((size_t)t.shape[0] * sizeof(float) + 1);
            if (t.data) memcpy(t.data, B.data, (size_t)t.shape[0] * sizeof(float));
            else ts = GINV_ERR_NOMEM;
        }
        if (ts == GINV_OK) {
            ginv_cvp c;
            if (ginv_cvp_from_arrays(&B, &t, &c) == GINV_OK) {
                if (c.n < 1 || c.d < 1 || !c.basis || !c.target) abort();
                if ((size_t)c.n * (size_t)c.d != ginv_array_count(&B)) abort();
                int *y = calloc((size_t)c.n, sizeof *y);
                double d0 = ginv_cvp_dist(&c, y, 2);
                for (int i = 0; i < c.n; i++) y[i] = 1;
                double d1 = ginv_cvp_dist(&c, y, INFINITY);
                if (isnan(d0) || isnan(d1) || d0 < 0 || d1 < 0) abort();
                free(y);
                ginv_cvp_release(&c);
            }
        }
    }
    ginv_array_release(&B);
    ginv_array_release(&t);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
