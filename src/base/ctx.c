/* ctx.c — ginv_ctx: a run's thread count, log and progress callbacks and
 * cancel flag, in place of the process-wide settings. A long-running call
 * makes its context current on its thread (thread-local) and on the threads
 * it starts; log.c routes ginv_log/ginv_progress to the current context. */
#include "base/ctx_internal.h"
#include "base/check_internal.h"

#include <stdatomic.h>

struct ginv_ctx {
    int threads;
    int log_set, progress_set;     /* set (even to NULL): replaces the process-wide one */
    ginv_log_fn log_fn;
    void *log_user;
    ginv_progress_fn progress_fn;
    void *progress_user;
    volatile atomic_int cancelled; /* lock-free: set from signal handlers */
};

static _Thread_local ginv_ctx *current;

ginv_status ginv_ctx_new(ginv_ctx **out)
{
    GINV_NONNULL(out);
    *out = ginv_calloc(1, sizeof **out);
    if (!*out) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    atomic_init(&(*out)->cancelled, 0);
    return GINV_OK;
}

void ginv_ctx_free(ginv_ctx *ctx) { ginv_free(ctx); }

void ginv_ctx_set_threads(ginv_ctx *ctx, int n)
{
    if (ctx) ctx->threads = n < 1 ? 0 : n;
}

int ginv_ctx_threads(const ginv_ctx *ctx) { return ctx ? ctx->threads : 0; }

void ginv_ctx_set_log(ginv_ctx *ctx, ginv_log_fn fn, void *user)
{
    if (!ctx) return;
    ctx->log_set = 1;
    ctx->log_fn = fn;
    ctx->log_user = user;
}

void ginv_ctx_set_progress(ginv_ctx *ctx, ginv_progress_fn fn, void *user)
{
    if (!ctx) return;
    ctx->progress_set = 1;
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

void ginv_ctx_cancel(ginv_ctx *ctx)
{
    if (ctx) atomic_store(&ctx->cancelled, 1);
}

void ginv_ctx_reset(ginv_ctx *ctx)
{
    if (ctx) atomic_store(&ctx->cancelled, 0);
}

int ginv_ctx_cancelled(const ginv_ctx *ctx)
{
    return ctx ? atomic_load(&((ginv_ctx *)ctx)->cancelled) != 0 : 0;
}

ginv_ctx *ginv_ctx_current(void) { return current; }

void ginv_ctx_set_current(ginv_ctx *ctx) { current = ctx; }

int ginv_run_enter(ginv_run_scope *sc, ginv_ctx *ctx, int opts_threads)
{
    sc->prev = current;
    sc->blas_threads = ginv_blas_get_threads();
    if (ctx) current = ctx;
    return current && current->threads > 0 ? current->threads : opts_threads;
}

ginv_status ginv_run_leave(ginv_run_scope *sc, ginv_status st)
{
    if (ginv_blas_get_threads() != sc->blas_threads) ginv_blas_set_threads(sc->blas_threads);
    current = sc->prev;
    return st;
}

int ginv_cancel_requested(void) { return current && atomic_load(&current->cancelled); }

ginv_status ginv_check_cancel(const char *where)
{
    if (!ginv_cancel_requested()) return GINV_OK;
    return ginv_fail(GINV_ERR_CANCELLED, "cancelled (%s)", where);
}

int ginv_ctx_callbacks(ginv_log_fn *log, void **log_user, ginv_progress_fn *prog,
                       void **prog_user)
{
    ginv_ctx *c = current;
    if (!c) return 0;
    if (log && c->log_set) *log = c->log_fn, *log_user = c->log_user;
    if (prog && c->progress_set) *prog = c->progress_fn, *prog_user = c->progress_user;
    return 1;
}
