/* fuzz_store.c — libFuzzer target: the SQLite store reader (ginv_store_read:
 * opened read-only, checked, meta and every unit read) on arbitrary bytes
 * written to a scratch file. Must return a status without crashing or
 * leaking; every row it hands over has its strings, and the metrics their
 * names. The seeds are real stores (tests/fuzz/corpus/store). */
#include "ginv.h"
#include "scratch.h"

static int on_row(void *user, const ginv_store_row *r)
{
    long *rows = user;
    if (!r->params || !r->status || !r->error || !r->metrics) abort();
    for (int i = 0; i < r->metrics->n; i++)
        if (!r->metrics->name[i]) abort();
    return ++*rows > 100000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], side[600];
    fuzz_scratch_write("store.db", data, size, path, sizeof path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    char *spec = NULL, *command = NULL;
    long rows = 0;
    if (ginv_store_read(path, 0, &spec, &command, on_row, &rows) == GINV_OK && (!spec || !command)) abort();
    ginv_free(spec);
    ginv_free(command);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
