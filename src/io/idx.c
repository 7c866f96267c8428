/* idx.c — IDX files (LeCun's MNIST format, also Fashion-MNIST): the bytes
 * 00 00 TYPE NDIM, NDIM big-endian u32 sizes, then the elements big-endian,
 * exactly as many as the sizes multiply to. A file whose first two bytes are
 * the gzip magic 1f 8b is inflated first (zlib; concatenated members
 * allowed); anything else is parsed as raw IDX, whatever its name. */
#include "io/idx_internal.h"

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

/* An IDX header: type, sizes, and the byte counts they imply. */
typedef struct {
    int code, ndim;
    size_t es, hdr;        /* element size; header bytes (4 + 4 ndim) */
    int64_t dims[4];
    uint64_t count, bytes; /* elements and data bytes the sizes declare */
    char ds[96];           /* "3 x 28 x 28", for messages */
} idx_head;

/* Parse the header at the start of buf[0..len). When the bytes end inside
 * the header and more may come (!final), returns GINV_OK with *need (> len)
 * the bytes it takes; otherwise *need = 0 and h is filled. */
static ginv_status parse_head(const unsigned char *buf, size_t len, int final, idx_head *h,
                              size_t *need)
{
    memset(h, 0, sizeof *h);
    *need = 0;
    if (len < 4) {
        if (!final) return *need = 4, GINV_OK;
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the 4-byte IDX magic "
                         "(00 00 type ndim)", len);
    }
    if (buf[0] != 0 || buf[1] != 0)
        return ginv_fail(GINV_ERR_FORMAT, "not an IDX file: it starts with bytes %02x %02x, not "
                         "the IDX magic's two zero bytes", buf[0], buf[1]);
    h->code = buf[2];
    h->ndim = buf[3];
    h->es = elem_size(h->code);
    if (!h->es)
        return ginv_fail(GINV_ERR_FORMAT, "IDX type code 0x%02x is unknown; IDX types are 0x08 "
                         "ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double", h->code);
    if (h->ndim < 1 || h->ndim > 4)
        return ginv_fail(GINV_ERR_FORMAT, "IDX dimension count %d is out of range; ginv reads IDX "
                         "files of 1 to 4 dimensions", h->ndim);
    h->hdr = 4 + 4 * (size_t)h->ndim;
    if (len < h->hdr) {
        if (!final) return *need = h->hdr, GINV_OK;
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the IDX header of %d "
                         "dimension sizes (%zu bytes)", len, h->ndim, h->hdr);
    }
    uint64_t count = 1;
    int overflow = 0;
    for (int d = 0; d < h->ndim; d++) {
        const unsigned char *p = buf + 4 + 4 * d;
        uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        if (v > INT32_MAX)
            return ginv_fail(GINV_ERR_FORMAT, "IDX dimension %d has size %" PRIu32 ", more than "
                             "ginv's limit of %d", d, v, INT32_MAX);
        h->dims[d] = v;
        if (__builtin_mul_overflow(count, (uint64_t)v, &count)) overflow = 1;
    }
    dims_str(h->ndim, h->dims, h->ds, sizeof h->ds);
    if (overflow || __builtin_mul_overflow(count, (uint64_t)h->es, &h->bytes) || h->bytes > IDX_MAX_BYTES ||
        h->bytes > SIZE_MAX - h->hdr)
        return ginv_fail(GINV_ERR_FORMAT, "IDX sizes %s of %s need more than %" PRIu64 " bytes, "
                         "ginv's limit for an IDX file", h->ds, ginv_idx_type_name(h->code),
                         IDX_MAX_BYTES);
    h->count = count;
    return GINV_OK;
}

/* The data bytes of the first rows entries along dimension 0. */
static uint64_t rows_bytes(const idx_head *h, int64_t rows)
{
    return h->dims[0] ? h->bytes / (uint64_t)h->dims[0] * (uint64_t)rows : 0;
}

/* Check that buf[0..len) holds exactly the data the header declares. */
static ginv_status check_length(const idx_head *h, size_t len)
{
    size_t have = len - h->hdr;
    if (have < h->bytes)
        return ginv_fail(GINV_ERR_FORMAT, "IDX data is truncated: sizes %s of %s need %" PRIu64
                         " bytes after the %zu-byte header, but only %zu are there", h->ds,
                         ginv_idx_type_name(h->code), h->bytes, h->hdr, have);
    if (have > h->bytes)
        return ginv_fail(GINV_ERR_FORMAT, "%zu bytes of trailing data after the IDX data: sizes %s "
                         "of %s need exactly %" PRIu64 " bytes after the %zu-byte header",
                         have - (size_t)h->bytes, h->ds, ginv_idx_type_name(h->code), h->bytes, h->hdr);
    return GINV_OK;
}

/* Fill out with the first rows entries of the data after the header (the
 * bytes are there: the caller checked). */
static ginv_status build(const unsigned char *buf, const idx_head *h, int64_t rows, ginv_idx *out)
{
    uint64_t bytes = rows_bytes(h, rows);
    size_t count = (size_t)(bytes / h->es);
    void *data = ginv_malloc(bytes ? (size_t)bytes : 1);
    if (!data)
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %" PRIu64 " bytes for IDX data %s",
                         bytes, h->ds);
    from_big_endian(data, buf + h->hdr, count, h->es);
    out->type = (ginv_idx_type)h->code;
    out->ndim = h->ndim;
    memcpy(out->dims, h->dims, sizeof h->dims);
    out->dims[0] = rows;
    out->count = count;
    out->data = data;
    return GINV_OK;
}

/* How many leading entries to keep: the reader's answer, or all. */
static ginv_status ask_rows(const idx_head *h, ginv_idx_rows_fn fn, void *ctx, int64_t *rows)
{
    *rows = h->dims[0];
    if (!fn) return GINV_OK;
    ginv_idx head;
    memset(&head, 0, sizeof head);
    head.type = (ginv_idx_type)h->code;
    head.ndim = h->ndim;
    memcpy(head.dims, h->dims, sizeof h->dims);
    int64_t r = h->dims[0];
    ginv_status st = fn(&head, ctx, &r);
    if (st != GINV_OK) return st;
    if (r < 0 || r > h->dims[0])
        return ginv_fail(GINV_ERR_ARG, "IDX reader asked for %" PRId64 " of %" PRId64 " entries", r,
                         h->dims[0]);
    *rows = r;
    return GINV_OK;
}

/* Where a failure came from: the gzip layer, the IDX bytes, the reader's
 * callback (whose message names the file). */
enum { FROM_GZIP, FROM_IDX, FROM_FN };

/* Raw IDX bytes: the whole file is checked, the first rows entries kept. */
static ginv_status parse_raw(const unsigned char *buf, size_t len, ginv_idx_rows_fn fn, void *ctx,
                             ginv_idx *out, int *from)
{
    idx_head h;
    size_t need;
    ginv_status st = parse_head(buf, len, 1, &h, &need);
    if (st == GINV_OK) st = check_length(&h, len);
    *from = FROM_IDX;
    if (st != GINV_OK) return st;
    int64_t rows;
    if ((st = ask_rows(&h, fn, ctx, &rows)) != GINV_OK) {
        *from = FROM_FN;
        return st;
    }
    return build(buf, &h, rows, out);
}

/* Inflate gzip data in[0..len) (concatenated members allowed) as an IDX
 * file, only as far as needed: once the header is out, the reader's callback
 * says how many leading entries it wants; the inflation stops after them
 * (the rest of the stream is neither inflated nor checked). When it wants
 * them all, the whole stream is inflated and checked (CRC, trailing bytes),
 * and output beyond the size the header declares is refused as it appears:
 * memory never exceeds the declared size plus one byte. */
static ginv_status gunzip_idx(const unsigned char *in, size_t len, ginv_idx_rows_fn fn, void *ctx,
                              ginv_idx *out, int *from)
{
    size_t cap = 1 << 16;
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
    idx_head h;
    int known = 0, partial = 0, ended = 0;
    int64_t rows = 0;
    size_t want = 0;                      /* partial: hdr + the kept rows' bytes */
    size_t limit = (size_t)IDX_MAX_BYTES; /* output never goes past this */
    size_t pos = 0, olen = 0;             /* input handed to zlib; output produced */
    ginv_status st = GINV_OK;
    for (;;) {
        if (!known && olen >= 4) { /* the header, as soon as it is out */
            size_t need;
            if ((st = parse_head(buf, olen, 0, &h, &need)) != GINV_OK) {
                *from = FROM_IDX;
                break;
            }
            if (need == 0) {
                known = 1;
                if ((st = ask_rows(&h, fn, ctx, &rows)) != GINV_OK) {
                    *from = FROM_FN;
                    break;
                }
                partial = rows < h.dims[0];
                want = h.hdr + (size_t)rows_bytes(&h, rows);
                limit = partial ? want : h.hdr + (size_t)h.bytes + 1; /* +1: room to see excess */
            }
        }
        if (known && partial && olen >= want) break; /* the entries wanted are out */
        if (known && !partial && olen > h.hdr + h.bytes) {
            st = ginv_fail(GINV_ERR_FORMAT, "trailing data after the IDX data: the gzip data inflates to "
                           "more than the %" PRIu64 " bytes after the %zu-byte header that sizes %s of %s "
                           "declare", h.bytes, h.hdr, h.ds, ginv_idx_type_name(h.code));
            *from = FROM_IDX;
            break;
        }
        if (ended) break;
        if (zs.avail_in == 0 && pos < len) {
            size_t chunk = len - pos < UINT_MAX ? len - pos : UINT_MAX;
            zs.next_in = (Bytef *)(in + pos);
            zs.avail_in = (uInt)chunk;
            pos += chunk;
        }
        if (olen == cap) {
            size_t ncap = cap <= limit / 2 ? cap * 2 : limit;
            if (ncap <= cap) {
                st = ginv_fail(GINV_ERR_FORMAT, "gzip data inflates to more than %zu bytes, "
                               "ginv's limit for an IDX file", limit);
                break;
            }
            unsigned char *nb = ginv_realloc(buf, ncap);
            if (!nb) {
                st = ginv_fail(GINV_ERR_NOMEM, "cannot allocate %zu bytes to inflate gzip data", ncap);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t room = (cap < limit ? cap : limit) - olen;
        if (room > UINT_MAX) room = UINT_MAX;
        zs.next_out = buf + olen;
        zs.avail_out = (uInt)room;
        int r = inflate(&zs, Z_NO_FLUSH);
        olen += room - zs.avail_out;
        if (r == Z_STREAM_END) {
            size_t left = (len - pos) + zs.avail_in; /* bytes after this member */
            if (left == 0) {
                ended = 1;
                continue; /* check what came out, then stop */
            }
            const unsigned char *next = in + (len - left);
            if (is_gzip(next, left)) { /* another member follows (as gzip -d accepts) */
                inflateReset(&zs);
                continue;
            }
            if (known && partial && olen >= want) break;
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
    if (st == GINV_OK) {
        *from = FROM_IDX;
        if (!known) { /* the stream ended inside the header */
            size_t need;
            st = parse_head(buf, olen, 1, &h, &need);
        } else if (!partial) {
            st = check_length(&h, olen);
        }
        if (st == GINV_OK) st = build(buf, &h, rows, out);
    }
    ginv_free(buf);
    return st;
}

/* Parse buf (raw or gzip), keeping the rows the callback asks for. */
static ginv_status idx_parse_rows(const unsigned char *buf, size_t len, ginv_idx_rows_fn fn, void *ctx,
                                  ginv_idx *out, int *from)
{
    memset(out, 0, sizeof *out);
    *from = FROM_GZIP;
    if (!is_gzip(buf, len)) return parse_raw(buf ? buf : (const unsigned char *)"", len, fn, ctx, out, from);
    ginv_status s = gunzip_idx(buf, len, fn, ctx, out, from);
    if (s && *from == FROM_IDX) return ginv_fail(s, "inside the gzip data: %s", ginv_last_error());
    return s;
}

ginv_status ginv_idx_parse(const unsigned char *buf, size_t len, ginv_idx *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_idx_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_idx_parse: buf is NULL");
    int from;
    return idx_parse_rows(buf, len, NULL, NULL, out, &from);
}

ginv_status ginv_idx_read_rows(const char *path, ginv_idx_rows_fn fn, void *ctx, ginv_idx *out)
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
    int from;
    s = idx_parse_rows(buf, len, fn, ctx, out, &from);
    ginv_free(buf);
    if (s && from == FROM_FN) return s; /* the reader's message names the file */
    if (s) return ginv_fail(s, "'%s': %s", path, ginv_last_error());
    return GINV_OK;
}

ginv_status ginv_idx_read(const char *path, ginv_idx *out)
{
    return ginv_idx_read_rows(path, NULL, NULL, out);
}
