/* fuzz_sweep_spec.c — libFuzzer target: ginv_sweep_spec_parse (src/run/spec.c:
 * strict JSON, unknown keys and parameters, grids, duplicate cells, every
 * cell checked by its runner) on arbitrary bytes must return a status
 * without crashing or leaking; on success every cell has its text and
 * parameters, and parsing the text again gives the same canonical spec and
 * hash. */
#include "ginv.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192) return 0; /* a grid of many cells is slow, not interesting */
    ginv_sweep_spec *s = NULL;
    if (ginv_sweep_spec_parse((const char *)data, size, &s) == GINV_OK) {
        long n = ginv_sweep_spec_cells(s);
        if (n < 1 || ginv_sweep_spec_trials(s) < 1 || !ginv_sweep_spec_command(s)) abort();
        for (long c = 0; c < n; c++) {
            const ginv_params *p = ginv_sweep_spec_cell(s, c);
            if (!p || !ginv_sweep_spec_cell_text(s, c)) abort();
            for (int i = 0; i < p->n; i++)
                if (!p->name[i] || !p->value[i]) abort();
        }
        /* parsing is deterministic: the same text, the same canonical spec and hash */
        ginv_sweep_spec *again = NULL;
        if (ginv_sweep_spec_parse((const char *)data, size, &again) != GINV_OK) abort();
        if (strcmp(ginv_sweep_spec_canonical(again), ginv_sweep_spec_canonical(s)) ||
            strcmp(ginv_sweep_spec_hash(again), ginv_sweep_spec_hash(s)))
            abort();
        ginv_sweep_spec_free(again);
    }
    ginv_sweep_spec_free(s);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
