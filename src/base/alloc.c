/* alloc.c — counted allocation: a 16-byte header before each block holds its
 * size, so live bytes and blocks can be asserted zero at the end of tests. */
#include "ginv.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16

static atomic_size_t live_bytes, live_blocks, max_live;

/* Reserve n more live bytes, unless that passes the cap. */
static int reserve(size_t n)
{
    size_t cap = atomic_load(&max_live);
    size_t now = atomic_fetch_add(&live_bytes, n);
    if (cap && (now > cap || n > cap - now)) {
        atomic_fetch_sub(&live_bytes, n);
        return 0;
    }
    return 1;
}

size_t ginv_alloc_limit(size_t cap) { return atomic_exchange(&max_live, cap); }

void *ginv_malloc(size_t n)
{
    if (n > SIZE_MAX - HDR) return NULL;
    if (!reserve(n)) return NULL;
    unsigned char *p = malloc(n + HDR);
    if (!p) {
        atomic_fetch_sub(&live_bytes, n);
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    atomic_fetch_add(&live_blocks, 1);
    return p + HDR;
}

void *ginv_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = ginv_malloc(count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *ginv_realloc(void *q, size_t n)
{
    if (!q) return ginv_malloc(n);
    if (n > SIZE_MAX - HDR) return NULL;
    unsigned char *base = (unsigned char *)q - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    if (n > old && !reserve(n - old)) return NULL;
    unsigned char *p = realloc(base, n + HDR);
    if (!p) {
        if (n > old) atomic_fetch_sub(&live_bytes, n - old);
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    if (n < old) atomic_fetch_sub(&live_bytes, old - n);
    return p + HDR;
}

void ginv_free(void *q)
{
    if (!q) return;
    unsigned char *base = (unsigned char *)q - HDR;
    size_t n;
    memcpy(&n, base, sizeof n);
    atomic_fetch_sub(&live_bytes, n);
    atomic_fetch_sub(&live_blocks, 1);
    free(base);
}

char *ginv_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ginv_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

size_t ginv_live_bytes(void) { return atomic_load(&live_bytes); }
size_t ginv_live_blocks(void) { return atomic_load(&live_blocks); }
