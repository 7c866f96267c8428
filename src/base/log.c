/* log.c — the library's only voice: a logging and a progress callback that
 * the caller installs (the CLI prints; tests stay quiet). */
#include "base/ctx_internal.h"

#include <stdarg.h>
#include <stdio.h>

static ginv_log_fn log_fn;
static void *log_user;
static ginv_progress_fn progress_fn;
static void *progress_user;

void ginv_set_log(ginv_log_fn fn, void *user)
{
    log_fn = fn;
    log_user = user;
}

void ginv_set_progress(ginv_progress_fn fn, void *user)
{
    progress_fn = fn;
    progress_user = user;
}

/* A run with a context (ctx.c) uses the context's callbacks instead. */
void ginv_log(int level, const char *fmt, ...)
{
    ginv_log_fn fn = log_fn;
    void *user = log_user;
    ginv_ctx_callbacks(&fn, &user, NULL, NULL);
    if (!fn) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(user, level, buf);
}

void ginv_progress(const char *what, long done, long total)
{
    ginv_progress_fn fn = progress_fn;
    void *user = progress_user;
    ginv_ctx_callbacks(NULL, NULL, &fn, &user);
    if (fn) fn(user, what, done, total);
}
