/* status.c — status codes and the thread-local failure message. */
#include "ginv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static _Thread_local ginv_status last_status;

const char *ginv_strerror(ginv_status s)
{
    switch (s) {
    case GINV_OK: return "ok";
    case GINV_ERR_ARG: return "invalid argument";
    case GINV_ERR_IO: return "input/output error";
    case GINV_ERR_FORMAT: return "malformed file";
    case GINV_ERR_SHAPE: return "size mismatch";
    case GINV_ERR_NOMEM: return "out of memory";
    case GINV_ERR_NUMERIC: return "numerical failure";
    case GINV_ERR_UNSUPPORTED: return "unsupported";
    case GINV_ERR_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

const char *ginv_last_error(void) { return last_msg; }

ginv_status ginv_last_status(void) { return last_status; }

void ginv_clear_error(void)
{
    last_msg[0] = 0;
    last_status = GINV_OK;
}

ginv_status ginv_fail(ginv_status s, const char *fmt, ...)
{
    /* format into a scratch buffer: the arguments may include ginv_last_error()
     * itself, when a caller adds context to a message from below */
    char buf[sizeof last_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(last_msg, buf, sizeof buf);
    last_status = s;
    return s;
}
