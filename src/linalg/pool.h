/* pool.h — the thread pool behind ginv_gemm (see pool.c). The pool is global
 * and is driven from one thread at a time: the thread that owns the solve. */
#ifndef GINV_LINALG_POOL_H
#define GINV_LINALG_POOL_H

#include "ginv.h"

typedef void (*ginv_chunk_fn)(void *ctx, int chunk);
void ginv_pool_set_threads(int n);
int ginv_pool_threads(void);
/* Run fn(ctx, c) for c in [0, nchunks) on the pool; returns when all ran.
 * Every chunk runs with denormal floats flushed to zero (x86 FTZ and DAZ),
 * on the workers and, for the call's duration only, on the caller. */
void ginv_pool_run(int nchunks, ginv_chunk_fn fn, void *ctx);

#endif
