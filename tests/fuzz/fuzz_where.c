/* fuzz_where.c — libFuzzer target: `ginv results --where` (ginv_where_parse
 * and ginv_where_match, src/run/where.c). The input is the filter text, then
 * optionally a NUL byte and a unit's parameters (JSON text) to match; the
 * filter is parsed alone (syntax) and against a fixed canonical spec.
 * Must return a status without crashing or leaking; a parsed filter has
 * 1..GINV_WHERE_MAX conditions with non-empty names and values, and the
 * match runs on the parameters and on a unit of the spec. */
#include "ginv.h"

#include <stdlib.h>
#include <string.h>

static const char *SPEC = "{\"command\":\"recover\",\"fixed\":{\"layers\":\"4,20\",\"algo\":\"gd\"},"
                          "\"grid\":[[\"m\",[\"5\",\"10\",\"20\"]],[\"noise\",[\"0\",\"0.1\"]]],"
                          "\"trials\":3,\"seed\":1,\"seeds\":\"cell\"}";
static const char *UNIT = "{\"algo\":\"gd\",\"layers\":\"4,20\",\"m\":\"10\",\"noise\":\"0.1\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *txt = malloc(size + 1);
    memcpy(txt, data, size);
    txt[size] = 0;
    const char *params = strlen(txt) < size ? txt + strlen(txt) + 1 : UNIT;
    for (int pass = 0; pass < 2; pass++) {
        ginv_where w;
        memset(&w, 0, sizeof w);
        if (ginv_where_parse(txt, pass ? SPEC : NULL, &w) == GINV_OK) {
            if (w.n < 1 || w.n > GINV_WHERE_MAX) abort();
            for (int i = 0; i < w.n; i++)
                if (!w.name[i] || !w.value[i] || !w.name[i][0] || !w.value[i][0]) abort();
            int a = ginv_where_match(&w, params), b = ginv_where_match(&w, UNIT);
            if ((a != 0 && a != 1) || (b != 0 && b != 1)) abort();
        }
        ginv_where_release(&w);
    }
    free(txt);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
