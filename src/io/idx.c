/* idx.c — IDX files (LeCun's MNIST format, also Fashion-MNIST): the bytes
 * 00 00 TYPE NDIM, NDIM big-endian u32 sizes, then the elements big-endian,
 * exactly as many as the sizes multiply to. A file whose first two bytes are
 * the gzip magic 1f 8b is inflated first (zlib; concatenated members
 * allowed); anything else is parsed as raw IDX, whatever its name. */
#include "ginv.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The largest IDX file (after decompression) ginv reads: 4 GiB. */
#define IDX_MAX_BYTES ((uint64_t)4 << 30)

static int is_gzip(const unsigned char *buf, size_t len)
{
    return len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
}

/* ------------------------------------------------------------------ gzip */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return ginv_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    ginv_free(p);
}

/* Inflate every gzip member of in[0..len) into a new buffer (*out, *outlen).
 * Fails on corrupt data, a stream cut short, bytes after the last member
 * that are not another member, and output above IDX_MAX_BYTES. */
static ginv_status gunzip(const unsigned char *in, size_t len, unsigned char **out,
                          size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    size_t limit = (size_t)(IDX_MAX_BYTES < SIZE_MAX ? IDX_MAX_BYTES : SIZE_MAX);
    /* first guess: the last member's ISIZE (size mod 2^32), bounded by the
     * deflate ratio limit so a forged trailer cannot make us over-allocate */
    size_t cap = 1 << 16;
    if (len >= 18) {
        const unsigned char *t = in + len - 4;
        size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
        size_t bound = len < limit / 1032 ? len * 1032 : limit;
        if (isize > cap && isize <= bound) cap = isize + 1; /* +1: room to see the end */
    }
    unsigned char *buf = ginv_malloc(cap);
    if (!buf) return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %zu bytes to inflate gzip data", cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        ginv_free(buf);
        return ginv_fail(GINV_ERR_NOMEM, "cannot start zlib's inflate");
    }
    size_t pos = 0, olen = 0; /* input handed to zlib; output produced */
    ginv_status st = GINV_OK;
    for (;;) {
        if (zs.avail_in == 0 && pos < len) {
            size_t chunk = len - pos < UINT_MAX ? len - pos : UINT_MAX;
            zs.next_in = (Bytef *)(in + pos);
            zs.avail_in = (uInt)chunk;
            pos += chunk;
        }
        if (olen == cap) {
            if (cap >= limit) {
                st = ginv_fail(GINV_ERR_FORMAT, "gzip data inflates to more than %zu bytes, "
                               "ginv's limit for an IDX file", limit);
                break;
            }
            size_t ncap = cap <= limit / 2 ? cap * 2 : limit;
            unsigned char *nb = ginv_realloc(buf, ncap);
            if (!nb) {
                st = ginv_fail(GINV_ERR_NOMEM, "cannot allocate %zu bytes to inflate gzip data", ncap);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t room = cap - olen < UINT_MAX ? cap - olen : UINT_MAX;
        zs.next_out = buf + olen;
        zs.avail_out = (uInt)room;
        int r = inflate(&zs, Z_NO_FLUSH);
        olen += room - zs.avail_out;
        if (r == Z_STREAM_END) {
            size_t left = (len - pos) + zs.avail_in; /* bytes after this member */
            if (left == 0) break;
            const unsigned char *next = in + (len - left);
            if (is_gzip(next, left)) { /* another member follows (as gzip -d accepts) */
                inflateReset(&zs);
                continue;
            }
            st = ginv_fail(GINV_ERR_FORMAT, "%zu bytes of trailing data after the end of the gzip "
                           "stream (at byte %zu); the .gz file has junk appended: recompress it",
                           left, len - left);
            break;
        }
        if (r == Z_OK) continue;
        if (r == Z_BUF_ERROR && zs.avail_out == 0) continue; /* grow and go on */
        if (r == Z_BUF_ERROR) {
            st = ginv_fail(GINV_ERR_FORMAT, "gzip stream ends early after %zu compressed bytes "
                           "(%zu inflated): the .gz file is truncated; download it again", len,
                           olen);
            break;
        }
        if (r == Z_MEM_ERROR) {
            st = ginv_fail(GINV_ERR_NOMEM, "zlib ran out of memory inflating gzip data");
            break;
        }
        st = ginv_fail(GINV_ERR_FORMAT, "gzip data is corrupt (zlib: %s) near compressed byte "
                       "%zu; the .gz file is damaged", zs.msg ? zs.msg : "invalid data",
                       (size_t)(pos - zs.avail_in));
        break;
    }
    inflateEnd(&zs);
    if (st != GINV_OK) {
        ginv_free(buf);
        return st;
    }
    *out = buf;
    *outlen = olen;
    return GINV_OK;
}

/* ------------------------------------------------------------------- IDX */

/* Bytes per element of a type code, or 0 if the code is not an IDX type. */
static size_t elem_size(int code)
{
    switch (code) {
    case GINV_IDX_U8: case GINV_IDX_I8: return 1;
    case GINV_IDX_I16: return 2;
    case GINV_IDX_I32: case GINV_IDX_F32: return 4;
    case GINV_IDX_F64: return 8;
    }
    return 0;
}

const char *ginv_idx_type_name(ginv_idx_type t)
{
    switch (t) {
    case GINV_IDX_U8: return "ubyte";
    case GINV_IDX_I8: return "byte";
    case GINV_IDX_I16: return "short";
    case GINV_IDX_I32: return "int";
    case GINV_IDX_F32: return "float";
    case GINV_IDX_F64: return "double";
    }
    return "unknown";
}

void ginv_idx_release(ginv_idx *x)
{
    if (!x) return;
    ginv_free(x->data);
    memset(x, 0, sizeof *x);
}

double ginv_idx_value(const ginv_idx *x, size_t i)
{
    switch (x->type) {
    case GINV_IDX_U8: return ((const uint8_t *)x->data)[i];
    case GINV_IDX_I8: return ((const int8_t *)x->data)[i];
    case GINV_IDX_I16: return ((const int16_t *)x->data)[i];
    case GINV_IDX_I32: return ((const int32_t *)x->data)[i];
    case GINV_IDX_F32: return ((const float *)x->data)[i];
    case GINV_IDX_F64: return ((const double *)x->data)[i];
    }
    return 0;
}

/* "3 x 28 x 28" into buf */
static void dims_str(int ndim, const int64_t *dims, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = 0;
    for (int d = 0; d < ndim && k < size; d++)
        k += (size_t)snprintf(buf + k, size - k, d ? " x %" PRId64 : "%" PRId64, dims[d]);
}

/* Copy count big-endian elements of size es from src into host order. */
static void from_big_endian(void *dst, const unsigned char *src, size_t count, size_t es)
{
    unsigned char *d = dst;
    if (es == 1) {
        memcpy(d, src, count);
        return;
    }
    for (size_t i = 0; i < count; i++, src += es, d += es) {
        uint64_t v = 0;
        for (size_t b = 0; b < es; b++) v = v << 8 | src[b];
        switch (es) {
        case 2: { uint16_t u = (uint16_t)v; memcpy(d, &u, 2); break; }
        case 4: { uint32_t u = (uint32_t)v; memcpy(d, &u, 4); break; }
        default: memcpy(d, &v, 8); break;
        }
    }
}

/* Parse raw (uncompressed) IDX bytes. */
static ginv_status parse_raw(const unsigned char *buf, size_t len, ginv_idx *out)
{
    if (len < 4)
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the 4-byte IDX magic "
                         "(00 00 type ndim)", len);
    if (buf[0] != 0 || buf[1] != 0)
        return ginv_fail(GINV_ERR_FORMAT, "not an IDX file: it starts with bytes %02x %02x, not "
                         "the IDX magic's two zero bytes", buf[0], buf[1]);
    int code = buf[2], ndim = buf[3];
    size_t es = elem_size(code);
    if (!es)
        return ginv_fail(GINV_ERR_FORMAT, "IDX type code 0x%02x is unknown; IDX types are 0x08 "
                         "ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double", code);
    if (ndim < 1 || ndim > 4)
        return ginv_fail(GINV_ERR_FORMAT, "IDX dimension count %d is out of range; ginv reads IDX "
                         "files of 1 to 4 dimensions", ndim);
    size_t hdr = 4 + 4 * (size_t)ndim;
    if (len < hdr)
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the IDX header of %d "
                         "dimension sizes (%zu bytes)", len, ndim, hdr);
    int64_t dims[4] = {0};
    uint64_t count = 1, bytes;
    int overflow = 0;
    for (int d = 0; d < ndim; d++) {
        const unsigned char *p = buf + 4 + 4 * d;
        uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (v > INT32_MAX)
            return ginv_fail(GINV_ERR_FORMAT, "IDX dimension %d has size %" PRIu32 ", more than "
                             "ginv's limit of %d", d, v, INT32_MAX);
        dims[d] = v;
        if (__builtin_mul_overflow(count, (uint64_t)v, &count)) overflow = 1;
    }
    char ds[96];
    dims_str(ndim, dims, ds, sizeof ds);
    if (overflow || __builtin_mul_overflow(count, (uint64_t)es, &bytes) || bytes > IDX_MAX_BYTES ||
        bytes > SIZE_MAX)
        return ginv_fail(GINV_ERR_FORMAT, "IDX sizes %s of %s need more than %" PRIu64 " bytes, "
                         "ginv's limit for an IDX file", ds, ginv_idx_type_name(code),
                         IDX_MAX_BYTES);
    size_t have = len - hdr;
    if (have < bytes)
        return ginv_fail(GINV_ERR_FORMAT, "IDX data is truncated: sizes %s of %s need %" PRIu64
                         " bytes after the %zu-byte header, but only %zu are there", ds,
                         ginv_idx_type_name(code), bytes, hdr, have);
    if (have > bytes)
        return ginv_fail(GINV_ERR_FORMAT, "%zu bytes of trailing data after the IDX data: sizes %s "
                         "of %s need exactly %" PRIu64 " bytes after the %zu-byte header",
                         have - (size_t)bytes, ds, ginv_idx_type_name(code), bytes, hdr);
    void *data = ginv_malloc(bytes ? (size_t)bytes : 1);
    if (!data)
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %" PRIu64 " bytes for IDX data %s",
                         bytes, ds);
    from_big_endian(data, buf + hdr, (size_t)count, es);
    out->type = (ginv_idx_type)code;
    out->ndim = ndim;
    memcpy(out->dims, dims, sizeof dims);
    out->count = (size_t)count;
    out->data = data;
    return GINV_OK;
}

ginv_status ginv_idx_parse(const unsigned char *buf, size_t len, ginv_idx *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_idx_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_idx_parse: buf is NULL");
    if (!is_gzip(buf, len)) return parse_raw(buf ? buf : (const unsigned char *)"", len, out);
    unsigned char *raw;
    size_t rlen;
    ginv_status s = gunzip(buf, len, &raw, &rlen);
    if (s) return s;
    s = parse_raw(raw, rlen, out);
    ginv_free(raw);
    if (s) return ginv_fail(s, "inside the gzip data: %s", ginv_last_error());
    return GINV_OK;
}

ginv_status ginv_idx_read(const char *path, ginv_idx *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_idx_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return ginv_fail(GINV_ERR_ARG, "ginv_idx_read: path is NULL");
    unsigned char *buf;
    size_t len;
    size_t maxlen = (size_t)(IDX_MAX_BYTES < SIZE_MAX ? IDX_MAX_BYTES : SIZE_MAX);
    ginv_status s = ginv_read_file(path, maxlen, &buf, &len);
    if (s) return s;
    size_t pl = strlen(path);
    if (pl > 3 && !strcasecmp(path + pl - 3, ".gz") && !is_gzip(buf, len))
        ginv_log(GINV_LOG_WARN, "'%s' is named .gz but is not gzip-compressed (no 1f 8b magic); "
                 "reading it as a raw IDX file", path);
    else if ((pl <= 3 || strcasecmp(path + pl - 3, ".gz")) && is_gzip(buf, len))
        ginv_log(GINV_LOG_WARN, "'%s' is gzip-compressed but not named .gz; decompressing it",
                 path);
    s = ginv_idx_parse(buf, len, out);
    ginv_free(buf);
    if (s) return ginv_fail(s, "'%s': %s", path, ginv_last_error());
    return GINV_OK;
}
