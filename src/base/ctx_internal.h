/* ctx_internal.h — the running context of a thread (see ctx.c): the
 * long-running calls enter a scope that makes their ginv_ctx current on the
 * calling thread (and on the threads they start), sets the linear-algebra
 * threads, and restores both on the way out. */
#ifndef GINV_CTX_INTERNAL_H
#define GINV_CTX_INTERNAL_H

#include "ginv.h"

typedef struct {
    ginv_ctx *prev;   /* the thread's context before the scope */
    int blas_threads; /* the linear-algebra threads before the scope */
} ginv_run_scope;

/* The context current on this thread (NULL: none). */
ginv_ctx *ginv_ctx_current(void);
/* Make ctx current on this thread (worker threads call it with their
 * parent's context on entry). */
void ginv_ctx_set_current(ginv_ctx *ctx);
/* Enter a run: ctx (NULL: keep the current one) becomes current and the
 * effective thread count is returned (the context's when it sets one, else
 * opts_threads). Saves the linear-algebra threads for ginv_run_leave. */
int ginv_run_enter(ginv_run_scope *sc, ginv_ctx *ctx, int opts_threads);
/* Leave: restores the thread's context and the linear-algebra threads;
 * returns st. */
ginv_status ginv_run_leave(ginv_run_scope *sc, ginv_status st);
/* 1 when the current context was cancelled. */
int ginv_cancel_requested(void);
/* GINV_ERR_CANCELLED with a message naming `where` when the current context
 * was cancelled, else GINV_OK. */
ginv_status ginv_check_cancel(const char *where);
/* The context's callbacks, for log.c: 1 and the callbacks when a context is
 * current. */
int ginv_ctx_callbacks(ginv_log_fn *log, void **log_user, ginv_progress_fn *prog,
                       void **prog_user);

#endif
