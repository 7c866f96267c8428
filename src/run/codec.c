/* codec.c — a finished unit as bytes, for the messages between MPI ranks:
 * integers little-endian, every double as its 64-bit pattern (so a metric
 * arrives bit for bit), metric names as text. */
#include "ginv.h"
#include "run/run_internal.h"

#include <string.h>

static size_t put(unsigned char *buf, size_t at, size_t cap, const void *p, size_t n)
{
    if (at + n <= cap) memcpy(buf + at, p, n);
    return at + n;
}

static int get(const unsigned char *buf, size_t len, size_t *at, void *p, size_t n)
{
    if (*at + n > len) return -1;
    memcpy(p, buf + *at, n);
    *at += n;
    return 0;
}

size_t ginv_run_result_encode(const ginv_run_result *r, unsigned char *buf, size_t cap)
{
    int64_t cell = r->cell;
    int32_t head[4] = {r->trial, (int32_t)r->status, r->rank, r->metrics.n};
    size_t at = 0;
    at = put(buf, at, cap, &cell, sizeof cell);
    at = put(buf, at, cap, head, sizeof head);
    at = put(buf, at, cap, &r->started, sizeof r->started);
    at = put(buf, at, cap, &r->seconds, sizeof r->seconds);
    uint16_t el = (uint16_t)strnlen(r->error, sizeof r->error - 1);
    at = put(buf, at, cap, &el, sizeof el);
    at = put(buf, at, cap, r->error, el);
    for (int i = 0; i < r->metrics.n; i++) {
        uint8_t nl = (uint8_t)strnlen(r->metrics.name[i], 255);
        at = put(buf, at, cap, &nl, 1);
        at = put(buf, at, cap, r->metrics.name[i], nl);
        at = put(buf, at, cap, &r->metrics.value[i], sizeof(double));
    }
    return at;
}

/* Metric names point at the runner's own metric names when they match one
 * seen before in this process, else at an interned copy (kept for the
 * process's life: a handful of short strings). */
static const char *intern(const char *name, size_t n)
{
    static char pool[GINV_METRICS_MAX * 4][64];
    static int npool;
    for (int i = 0; i < npool; i++)
        if (strlen(pool[i]) == n && !memcmp(pool[i], name, n)) return pool[i];
    if (npool == GINV_METRICS_MAX * 4 || n >= 64) return "?";
    memcpy(pool[npool], name, n);
    pool[npool][n] = 0;
    return pool[npool++];
}

int ginv_run_result_decode(const unsigned char *buf, size_t len, const ginv_unit_runner *runner,
                           ginv_run_result *r)
{
    (void)runner;
    memset(r, 0, sizeof *r);
    int64_t cell;
    int32_t head[4];
    uint16_t el;
    size_t at = 0;
    if (get(buf, len, &at, &cell, sizeof cell) || get(buf, len, &at, head, sizeof head) ||
        get(buf, len, &at, &r->started, sizeof r->started) ||
        get(buf, len, &at, &r->seconds, sizeof r->seconds) || get(buf, len, &at, &el, sizeof el) ||
        el >= sizeof r->error || get(buf, len, &at, r->error, el))
        return -1;
    r->cell = (long)cell;
    r->trial = head[0];
    r->status = (ginv_status)head[1];
    r->rank = head[2];
    if (head[3] < 0 || head[3] > GINV_METRICS_MAX) return -1;
    for (int i = 0; i < head[3]; i++) {
        uint8_t nl;
        char name[256];
        double v;
        if (get(buf, len, &at, &nl, 1) || get(buf, len, &at, name, nl) || get(buf, len, &at, &v, sizeof v))
            return -1;
        r->metrics.name[i] = intern(name, nl);
        r->metrics.value[i] = v;
    }
    r->metrics.n = head[3];
    return at == len ? 0 : -1;
}
