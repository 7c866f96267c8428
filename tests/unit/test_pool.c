/* test_pool.c — the thread pool runs every chunk of every job exactly once,
 * across many back-to-back jobs of varying sizes (the pattern of a solver). */
#include "linalg/pool.h"
#include "test.h"

#include <stdatomic.h>
#include <string.h>

typedef struct {
    atomic_int hits[64];
} counts;

static void bump(void *ctx, int c) { atomic_fetch_add(&((counts *)ctx)->hits[c], 1); }

TEST(pool_runs_each_chunk_exactly_once_per_job)
{
    ginv_blas_set_threads(2);
    counts cnt;
    int bad = 0;
    for (int job = 0; job < 20000 && !bad; job++) {
        int n = 1 + job % 64;
        for (int c = 0; c < 64; c++) atomic_init(&cnt.hits[c], 0);
        ginv_pool_run(n, bump, &cnt);
        for (int c = 0; c < 64; c++)
            if (atomic_load(&cnt.hits[c]) != (c < n)) bad = 1;
    }
    ginv_blas_set_threads(1);
    CHECK(!bad);
}
