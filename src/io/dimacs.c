/* dimacs.c — tokens, numbers and text output shared by the DIMACS CNF and
 * graph readers and writers (see dimacs.h). */
#include "io/dimacs.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

int ginv_dimacs_next(dimacs_line *L, char *tok, size_t size)
{
    while (L->pos < L->len && is_blank(L->p[L->pos])) L->pos++;
    if (L->pos >= L->len) return 0;
    size_t n = 0;
    while (L->pos < L->len && !is_blank(L->p[L->pos])) {
        if (n + 1 < size) tok[n++] = L->p[L->pos] ? L->p[L->pos] : '\x01'; /* NUL shows as '?' */
        L->pos++;
    }
    tok[n] = 0;
    return 1;
}

int ginv_dimacs_is_int(const char *tok)
{
    const char *p = tok + (tok[0] == '-');
    if (!*p) return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return 1;
}

int ginv_dimacs_int(const char *tok, long long *v)
{
    if (!ginv_dimacs_is_int(tok) || strlen(tok) > 20) return 0;
    errno = 0;
    long long x = strtoll(tok, NULL, 10);
    if (errno || x > INT_MAX || x < -INT_MAX) return 0;
    *v = x;
    return 1;
}

int ginv_dimacs_count(const char *tok, long long max, long long *v)
{
    if (tok[0] == '-' || !ginv_dimacs_is_int(tok) || strlen(tok) > 18) return 0;
    long long x = strtoll(tok, NULL, 10);
    if (x > max) return 0;
    *v = x;
    return 1;
}

const char *ginv_dimacs_show(const char *tok, char *buf)
{
    size_t n = 0;
    for (; tok[n] && n < 24; n++) {
        unsigned char c = (unsigned char)tok[n];
        buf[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    buf[n] = 0;
    if (tok[n]) strcat(buf, "...");
    return buf;
}

ginv_status ginv_dimacs_prefix_path(ginv_status st, const char *path)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ginv_last_error());
    return ginv_fail(st, "'%s': %s", path, msg);
}

void ginv_dimacs_printf(dimacs_text *t, const char *fmt, ...)
{
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->n;
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) { t->failed = 1; return; }
        if (t->s && (size_t)k < room) { t->n += (size_t)k; return; }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap - t->n <= (size_t)k) cap *= 2;
        char *s = ginv_realloc(t->s, cap);
        if (!s) { t->failed = 1; return; }
        t->s = s;
        t->cap = cap;
    }
}

void ginv_dimacs_comment(dimacs_text *t, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        ginv_dimacs_printf(t, "c %.*s\n", (int)n, p);
        p += n + (e != NULL);
    }
}

ginv_status ginv_dimacs_text_save(dimacs_text *t, const char *path)
{
    ginv_status st = t->failed ? ginv_fail(GINV_ERR_NOMEM, "out of memory writing '%s'", path)
                               : ginv_write_atomic(path, t->s ? t->s : "", t->n);
    ginv_free(t->s);
    memset(t, 0, sizeof *t);
    return st;
}
