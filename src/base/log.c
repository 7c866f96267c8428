/* log.c — the library's only voice: a logging and a progress callback that
 * the caller installs (the CLI prints; tests stay quiet). */
#include "ginv.h"

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

void ginv_log(int level, const char *fmt, ...)
{
    if (!log_fn) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_fn(log_user, level, buf);
}

void ginv_progress(const char *what, long done, long total)
{
    if (progress_fn) progress_fn(progress_user, what, done, total);
}
