/* safetensors.c — reading and writing the safetensors format: an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON naming each tensor's
 * dtype, shape and byte range, then the data buffer.
 *
 * The reader enforces the format's rules strictly (header size limit, UTF-8,
 * known dtypes, integral shapes and offsets, sizes that agree, byte ranges
 * that tile the data buffer exactly, unique names, string-valued metadata),
 * so a file it accepts can be used without further checks.
 *
 * The writer lays tensors out in insertion order and pads the header with
 * spaces so the data buffer starts at a multiple of 8 bytes. */
#include "ginv.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_HEADER 100000000ull
#define ST_MAX_DIMS 8
/* The largest integer a JSON number (a double in cJSON) holds exactly. */
#define ST_MAX_INT 9007199254740992.0
/* ginv_st_read reads whole files of at most this many bytes. */
#define ST_MAX_FILE (SIZE_MAX > ((uint64_t)4 << 30) ? (size_t)((uint64_t)4 << 30) : SIZE_MAX)

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [GINV_DT_F32] = {"F32", 4}, [GINV_DT_F64] = {"F64", 8}, [GINV_DT_F16] = {"F16", 2},
    [GINV_DT_BF16] = {"BF16", 2}, [GINV_DT_I64] = {"I64", 8}, [GINV_DT_I32] = {"I32", 4},
    [GINV_DT_I16] = {"I16", 2}, [GINV_DT_I8] = {"I8", 1}, [GINV_DT_U8] = {"U8", 1},
    [GINV_DT_BOOL] = {"BOOL", 1},
};
#define NDTYPES ((int)(sizeof dtypes / sizeof dtypes[0]))

/* ------------------------------------------------------------- helpers */

/* Read a little-endian u64 from 8 bytes. */
static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* Write v as 8 little-endian bytes. */
static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Whether this machine stores numbers little-endian, as the format does. */
static int host_is_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Reverse the bytes of each esz-byte element of p[0..n). */
static void swap_elems(unsigned char *p, size_t n, size_t esz)
{
    for (size_t i = 0; i + esz <= n; i += esz)
        for (size_t a = 0, b = esz - 1; a < b; a++, b--) {
            unsigned char t = p[i + a];
            p[i + a] = p[i + b];
            p[i + b] = t;
        }
}

/* Check that s[0..n) is valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF); on failure describe the problem and its byte offset in
 * why (which must hold 96 bytes) and return 0. */
static int utf8_valid(const unsigned char *s, size_t n, char *why)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        int len;
        uint32_t cp, min;
        if (c >= 0xC0 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF7) { len = 4; cp = c & 0x07; min = 0x10000; }
        else if (c < 0xC0) {
            snprintf(why, 96, "stray continuation byte 0x%02x at byte %zu", c, i);
            return 0;
        } else {
            snprintf(why, 96, "invalid byte 0x%02x at byte %zu", c, i);
            return 0;
        }
        if ((size_t)len > n - i) {
            snprintf(why, 96, "sequence cut short at byte %zu", i);
            return 0;
        }
        for (int k = 1; k < len; k++) {
            unsigned d = s[i + (size_t)k];
            if ((d & 0xC0) != 0x80) {
                snprintf(why, 96, "sequence cut short at byte %zu", i);
                return 0;
            }
            cp = (cp << 6) | (d & 0x3F);
        }
        if (cp < min) {
            snprintf(why, 96, "overlong %d-byte encoding at byte %zu", len, i);
            return 0;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            snprintf(why, 96, "UTF-16 surrogate U+%04" PRIX32 " at byte %zu", cp, i);
            return 0;
        }
        if (cp > 0x10FFFF) {
            snprintf(why, 96, "code point above U+10FFFF at byte %zu", i);
            return 0;
        }
        i += (size_t)len;
    }
    return 1;
}

/* Check the header bytes before JSON parsing: UTF-8, no raw control bytes
 * (JSON allows none but tab/CR/LF between tokens) and no \u0000 escape (which
 * would cut names short in C). */
static ginv_status check_header_text(const unsigned char *h, size_t n)
{
    char why[96];
    if (!utf8_valid(h, n, why))
        return ginv_fail(GINV_ERR_FORMAT, "header is not valid UTF-8: %s of the header", why);
    for (size_t i = 0; i < n; i++) {
        unsigned c = h[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return ginv_fail(GINV_ERR_FORMAT,
                             "header has raw control byte 0x%02x at byte %zu; JSON needs it escaped", c, i);
        if (c == '\\' && i + 1 < n) {
            if (h[i + 1] == 'u' && n - i >= 6 && memcmp(h + i + 2, "0000", 4) == 0)
                return ginv_fail(GINV_ERR_FORMAT,
                                 "header has the escape \\u0000 at byte %zu; names and metadata may not "
                                 "contain NUL", i);
            if (h[i + 1] < 0x80) i++; /* skip the escaped character */
        }
    }
    return GINV_OK;
}

/* Describe a JSON value briefly for error messages: its number or its type. */
static const char *json_desc(const cJSON *v, char *buf, size_t n)
{
    if (!v) return "missing";
    if (cJSON_IsNumber(v)) {
        snprintf(buf, n, "%.17g", v->valuedouble);
        return buf;
    }
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "not a value";
}

/* Read a JSON number that must be an integer in [0, 2^53]. */
static int json_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= ST_MAX_INT) || d != floor(d)) return 0;
    *out = (uint64_t)d;
    return 1;
}

/* Why v is not an integer in [0, 2^53], for "FIELD is ..." messages: its
 * value and either "too large" with the limit, or "not a non-negative
 * integer". */
static const char *json_uint_why(const cJSON *v, char *buf, size_t n)
{
    char d[40];
    if (cJSON_IsNumber(v) && v->valuedouble > ST_MAX_INT && isfinite(v->valuedouble) &&
        v->valuedouble == floor(v->valuedouble))
        snprintf(buf, n, "%.0f, too large: the limit is 2^53 = %.0f", v->valuedouble, ST_MAX_INT);
    else
        snprintf(buf, n, "%s, not a non-negative integer", json_desc(v, d, sizeof d));
    return buf;
}

/* Format a shape as "[a, b, c]" into buf. */
static const char *shape_str(const int64_t *shape, int ndim, char *buf, size_t n)
{
    size_t k = 0;
    k += (size_t)snprintf(buf + k, n - k, "[");
    for (int i = 0; i < ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ", %" PRId64 : "%" PRId64, shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
    return buf;
}

/* Multiply out a shape times an element size, failing on overflow. */
static int shape_bytes(const int64_t *shape, int ndim, size_t elem, uint64_t *out)
{
    uint64_t total = elem;
    for (int i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)shape[i];
        if (d && total > UINT64_MAX / d) return 0;
        total *= d;
    }
    if (total > SIZE_MAX) return 0;
    *out = total;
    return 1;
}

/* --------------------------------------------------------------- reader */

/* Parse one tensor entry of the header into t (t->name already set). */
static ginv_status parse_entry(const cJSON *e, ginv_st_tensor *t, size_t data_len)
{
    const char *name = t->name;
    if (!cJSON_IsObject(e))
        return ginv_fail(GINV_ERR_FORMAT,
                         "tensor '%s': entry is not a JSON object; it must hold dtype, shape and "
                         "data_offsets", name);
    const cJSON *dt = NULL, *sh = NULL, *off = NULL;
    for (const cJSON *c = e->child; c; c = c->next) {
        const cJSON **slot = !strcmp(c->string, "dtype") ? &dt
                             : !strcmp(c->string, "shape") ? &sh
                             : !strcmp(c->string, "data_offsets") ? &off : NULL;
        if (!slot)
            return ginv_fail(GINV_ERR_FORMAT,
                             "tensor '%s': unknown key '%s' (allowed: dtype, shape, data_offsets)",
                             name, c->string);
        if (*slot)
            return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': key '%s' appears twice", name, c->string);
        *slot = c;
    }
    if (!dt || !sh || !off)
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': missing key '%s'", name,
                         !dt ? "dtype" : !sh ? "shape" : "data_offsets");

    char d1[40], why[96];
    if (!cJSON_IsString(dt))
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': dtype is %s, not a string", name,
                         json_desc(dt, d1, sizeof d1));
    int k;
    for (k = 0; k < NDTYPES; k++)
        if (!strcmp(dt->valuestring, dtypes[k].name)) break;
    if (k == NDTYPES)
        return ginv_fail(GINV_ERR_FORMAT,
                         "tensor '%s': unknown dtype '%.40s' (known: F64, F32, F16, BF16, I64, I32, "
                         "I16, I8, U8, BOOL)", name, dt->valuestring);
    t->dtype = (ginv_dtype)k;

    if (!cJSON_IsArray(sh))
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': shape is %s, not an array", name,
                         json_desc(sh, d1, sizeof d1));
    int nd = cJSON_GetArraySize(sh);
    if (nd > ST_MAX_DIMS)
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': shape has %d dimensions, more than the %d allowed",
                         name, nd, ST_MAX_DIMS);
    t->ndim = nd;
    int i = 0;
    for (const cJSON *c = sh->child; c; c = c->next, i++) {
        uint64_t v;
        if (!json_uint(c, &v))
            return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': shape[%d] is %s", name, i,
                             json_uint_why(c, why, sizeof why));
        t->shape[i] = (int64_t)v;
    }

    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2)
        return ginv_fail(GINV_ERR_FORMAT,
                         "tensor '%s': data_offsets must be an array [begin, end] of two integers", name);
    uint64_t be[2];
    i = 0;
    for (const cJSON *c = off->child; c; c = c->next, i++)
        if (!json_uint(c, &be[i]))
            return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': data_offsets[%d] is %s", name, i,
                             json_uint_why(c, why, sizeof why));
    if (be[0] > be[1])
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
                         "] has begin after end", name, be[0], be[1]);

    uint64_t need;
    char sb[200];
    if (!shape_bytes(t->shape, nd, dtypes[k].size, &need))
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s': shape %s x %s is too large: its byte count overflows",
                         name, shape_str(t->shape, nd, sb, sizeof sb), dtypes[k].name);
    if (need != be[1] - be[0])
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' has byte range [%" PRIu64 ", %" PRIu64
                         ") but shape %s x %s needs %" PRIu64 " bytes", name, be[0], be[1],
                         shape_str(t->shape, nd, sb, sizeof sb), dtypes[k].name, need);
    if (be[1] > data_len)
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' has byte range [%" PRIu64 ", %" PRIu64
                         ") past the end of the %zu-byte data buffer (file truncated?)",
                         name, be[0], be[1], data_len);
    t->offset = (size_t)be[0];
    t->nbytes = (size_t)need;
    return GINV_OK;
}

/* qsort order of C strings. */
static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check __metadata__ (an object of strings) and keep it re-serialised. */
static ginv_status parse_metadata(const cJSON *m, ginv_st_file *out)
{
    char d[40];
    if (!cJSON_IsObject(m))
        return ginv_fail(GINV_ERR_FORMAT, "__metadata__ is %s, not an object of strings",
                         json_desc(m, d, sizeof d));
    size_t n = 0;
    for (const cJSON *c = m->child; c; c = c->next, n++)
        if (!cJSON_IsString(c))
            return ginv_fail(GINV_ERR_FORMAT, "__metadata__ value for key '%s' is %s, not a string",
                             c->string, json_desc(c, d, sizeof d));
    if (n > 1) { /* duplicate keys: sort them and compare neighbours */
        const char **keys = ginv_malloc(n * sizeof *keys);
        if (!keys) return ginv_fail(GINV_ERR_NOMEM, "out of memory checking __metadata__");
        size_t i = 0;
        for (const cJSON *c = m->child; c; c = c->next) keys[i++] = c->string;
        qsort(keys, n, sizeof *keys, by_str);
        const char *dup = NULL;
        for (i = 1; i < n && !dup; i++)
            if (!strcmp(keys[i], keys[i - 1])) dup = keys[i];
        ginv_free(keys);
        if (dup) return ginv_fail(GINV_ERR_FORMAT, "__metadata__ key '%s' appears twice", dup);
    }
    char *txt = cJSON_PrintUnformatted(m);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory re-serialising __metadata__");
    out->metadata_json = ginv_strdup(txt);
    cJSON_free(txt);
    if (!out->metadata_json) return ginv_fail(GINV_ERR_NOMEM, "out of memory copying __metadata__");
    return GINV_OK;
}

/* qsort has no context argument in C11: the comparators read the tensors
 * being sorted from here (thread-local, so parsing is thread-safe). */
static _Thread_local const ginv_st_tensor *sort_base;

/* qsort order: by name. */
static int by_name(const void *a, const void *b)
{
    return strcmp(sort_base[*(const size_t *)a].name, sort_base[*(const size_t *)b].name);
}

/* qsort order: by (offset, end), then index so the order is total. */
static int by_range(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const ginv_st_tensor *x = &sort_base[i], *y = &sort_base[j];
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    if (x->nbytes != y->nbytes) return x->nbytes < y->nbytes ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Check that names are unique and the byte ranges tile [0, data_len). */
static ginv_status check_layout(const ginv_st_file *f, size_t data_len)
{
    size_t n = f->ntensors;
    if (n == 0) {
        if (data_len)
            return ginv_fail(GINV_ERR_FORMAT,
                             "the header names no tensors but the data buffer holds %zu bytes", data_len);
        return GINV_OK;
    }
    size_t *idx = ginv_malloc(n * sizeof *idx);
    if (!idx) return ginv_fail(GINV_ERR_NOMEM, "out of memory checking %zu tensors", n);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    ginv_status s = GINV_OK;
    sort_base = f->tensors;
    qsort(idx, n, sizeof *idx, by_name);
    for (size_t i = 1; i < n && s == GINV_OK; i++)
        if (!strcmp(f->tensors[idx[i]].name, f->tensors[idx[i - 1]].name))
            s = ginv_fail(GINV_ERR_FORMAT, "tensor name '%s' appears twice in the header",
                          f->tensors[idx[i]].name);
    if (s == GINV_OK) {
        sort_base = f->tensors;
        qsort(idx, n, sizeof *idx, by_range);
        size_t pos = 0;
        for (size_t i = 0; i < n && s == GINV_OK; i++) {
            const ginv_st_tensor *t = &f->tensors[idx[i]];
            if (t->offset > pos)
                s = ginv_fail(GINV_ERR_FORMAT,
                              "data buffer has a hole: bytes [%zu, %zu) belong to no tensor (the next is "
                              "'%s')", pos, t->offset, t->name);
            else if (t->offset < pos) {
                const ginv_st_tensor *p = &f->tensors[idx[i - 1]];
                s = ginv_fail(GINV_ERR_FORMAT, "tensors '%s' [%zu, %zu) and '%s' [%zu, %zu) overlap",
                              p->name, p->offset, p->offset + p->nbytes, t->name, t->offset,
                              t->offset + t->nbytes);
            }
            pos = t->offset + t->nbytes;
        }
        if (s == GINV_OK && pos != data_len)
            s = ginv_fail(GINV_ERR_FORMAT,
                          "data buffer has %zu trailing bytes [%zu, %zu) that belong to no tensor",
                          data_len - pos, pos, data_len);
    }
    sort_base = NULL;
    ginv_free(idx);
    return s;
}

/* Parse the header of buf and fill out; the data buffer is copied, or, when
 * owned == buf (a ginv_malloc'd block), moved to the block's start and the
 * block kept (only on success; on failure the caller still owns it). */
static ginv_status st_parse(const unsigned char *buf, size_t len, unsigned char *owned,
                            ginv_st_file *out)
{
    memset(out, 0, sizeof *out);
    if (len < 8)
        return ginv_fail(GINV_ERR_FORMAT,
                         "file is %zu bytes, too short to hold the 8-byte header length; it is not "
                         "safetensors", len);
    uint64_t n = le64(buf);
    if (n > ST_MAX_HEADER)
        return ginv_fail(GINV_ERR_FORMAT,
                         "header length %" PRIu64 " exceeds the limit of %llu bytes; the file is "
                         "corrupt or not safetensors", n, ST_MAX_HEADER);
    if (n > len - 8)
        return ginv_fail(GINV_ERR_FORMAT,
                         "header length %" PRIu64 " runs past the end of the file (%zu bytes follow "
                         "the length field); the file is truncated or not safetensors", n, len - 8);
    if (n == 0)
        return ginv_fail(GINV_ERR_FORMAT, "header length is 0; the header must be a JSON object");
    const unsigned char *h = buf + 8;
    size_t hn = (size_t)n;
    ginv_status s = check_header_text(h, hn);
    if (s) return s;

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts((const char *)h, hn, &end, 0);
    if (!root) {
        size_t at = end && end >= (const char *)h && end <= (const char *)h + hn
                        ? (size_t)(end - (const char *)h) : 0;
        return ginv_fail(GINV_ERR_FORMAT, "header is not valid JSON (parsing stopped at byte %zu of %zu)",
                         at, hn);
    }
    for (const char *p = end; p < (const char *)h + hn; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            s = ginv_fail(GINV_ERR_FORMAT,
                          "header has bytes after its JSON value, at byte %zu; only spaces may pad it",
                          (size_t)(p - (const char *)h));
            goto done;
        }
    if (!cJSON_IsObject(root)) {
        char d[40];
        s = ginv_fail(GINV_ERR_FORMAT, "header is %s, not a JSON object", json_desc(root, d, sizeof d));
        goto done;
    }

    size_t count = 0;
    const cJSON *meta = NULL;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (strcmp(c->string, "__metadata__")) {
            count++;
            continue;
        }
        if (meta) {
            s = ginv_fail(GINV_ERR_FORMAT, "header has two __metadata__ entries");
            goto done;
        }
        meta = c;
    }
    if (meta && (s = parse_metadata(meta, out))) goto done;

    size_t data_len = len - 8 - hn;
    if (count) {
        out->tensors = ginv_calloc(count, sizeof *out->tensors);
        if (!out->tensors) {
            s = ginv_fail(GINV_ERR_NOMEM, "out of memory for %zu tensor entries", count);
            goto done;
        }
    }
    for (const cJSON *c = root->child; c; c = c->next) {
        if (c == meta) continue;
        ginv_st_tensor *t = &out->tensors[out->ntensors];
        if (!(t->name = ginv_strdup(c->string))) {
            s = ginv_fail(GINV_ERR_NOMEM, "out of memory for tensor names");
            goto done;
        }
        out->ntensors++;
        if ((s = parse_entry(c, t, data_len))) goto done;
    }
    if ((s = check_layout(out, data_len))) goto done;

    const unsigned char *data = h + hn;
    if (data_len == 0) {
        if (owned) ginv_free(owned);
    } else if (owned) {
        memmove(owned, data, data_len);
        unsigned char *shrunk = ginv_realloc(owned, data_len);
        out->data = shrunk ? shrunk : owned;
    } else {
        if (!(out->data = ginv_malloc(data_len))) {
            s = ginv_fail(GINV_ERR_NOMEM, "out of memory for the %zu-byte data buffer", data_len);
            goto done;
        }
        memcpy(out->data, data, data_len);
    }
    out->data_len = data_len;

done:
    cJSON_Delete(root);
    if (s) ginv_st_release(out);
    return s;
}

/* Parse a safetensors file held in memory; the data buffer is copied. */
ginv_status ginv_st_parse(const unsigned char *buf, size_t len, ginv_st_file *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_st_parse: out is NULL");
    if (!buf && len) {
        memset(out, 0, sizeof *out);
        return ginv_fail(GINV_ERR_ARG, "ginv_st_parse: buf is NULL but len is %zu", len);
    }
    return st_parse(buf ? buf : (const unsigned char *)"", len, NULL, out);
}

/* Read and parse a safetensors file; failures name the path. */
ginv_status ginv_st_read(const char *path, ginv_st_file *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_st_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return ginv_fail(GINV_ERR_ARG, "ginv_st_read: path is NULL");
    unsigned char *buf;
    size_t len;
    ginv_status s = ginv_read_file(path, ST_MAX_FILE, &buf, &len);
    if (s) return s;
    s = st_parse(buf, len, buf, out);
    if (s) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        ginv_free(buf);
        return ginv_fail(s, "'%s': %s", path, msg);
    }
    return GINV_OK;
}

/* Free what a parsed file holds and zero the struct. */
void ginv_st_release(ginv_st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->ntensors; i++) ginv_free(f->tensors[i].name);
    ginv_free(f->tensors);
    ginv_free(f->metadata_json);
    ginv_free(f->data);
    memset(f, 0, sizeof *f);
}

/* The tensor called name, or NULL. */
const ginv_st_tensor *ginv_st_find(const ginv_st_file *f, const char *name)
{
    if (!f || !name) return NULL;
    for (size_t i = 0; i < f->ntensors; i++)
        if (!strcmp(f->tensors[i].name, name)) return &f->tensors[i];
    return NULL;
}

/* Copy an F32 or F64 tensor into a new float32 buffer of `count` elements. */
ginv_status ginv_st_get_f32(const ginv_st_file *f, const char *name, size_t count, float **out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_st_get_f32: out is NULL");
    *out = NULL;
    if (!f || !name) return ginv_fail(GINV_ERR_ARG, "ginv_st_get_f32: file or name is NULL");
    const ginv_st_tensor *t = ginv_st_find(f, name);
    if (!t)
        return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' not found (the file has %zu tensors)", name,
                         f->ntensors);
    if (t->dtype != GINV_DT_F32 && t->dtype != GINV_DT_F64)
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "tensor '%s' is %s; only F32 and F64 tensors can be read (convert it to F32)",
                         name, dtypes[t->dtype].name);
    size_t esz = dtypes[t->dtype].size, have = t->nbytes / esz;
    if (have != count) {
        char sb[200];
        return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' has %zu elements (shape %s) but %zu are needed",
                         name, have, shape_str(t->shape, t->ndim, sb, sizeof sb), count);
    }
    float *dst = ginv_malloc(count ? count * sizeof *dst : 1);
    if (!dst) return ginv_fail(GINV_ERR_NOMEM, "out of memory for tensor '%s' (%zu floats)", name, count);
    const unsigned char *p = count ? f->data + t->offset : NULL; /* data is NULL when empty */
    for (size_t i = 0; i < count; i++) {
        if (t->dtype == GINV_DT_F32) {
            uint32_t u = 0;
            for (int b = 3; b >= 0; b--) u = (u << 8) | p[4 * i + (size_t)b];
            memcpy(&dst[i], &u, 4);
        } else {
            uint64_t u = le64(p + 8 * i);
            double d;
            memcpy(&d, &u, 8);
            /* from FLT_MAX + half an ulp (0x1.ffffffp+127) on, float32 rounds to Inf */
            if (isfinite(d) && fabs(d) >= 0x1.ffffffp+127) {
                ginv_free(dst);
                return ginv_fail(GINV_ERR_NUMERIC,
                                 "tensor '%s': element %zu is %g, outside the float32 range", name, i, d);
            }
            dst[i] = (float)d;
        }
    }
    *out = dst;
    return GINV_OK;
}

/* --------------------------------------------------------------- writer */

typedef struct {
    char *name;
    ginv_dtype dt;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    unsigned char *data;
    size_t nbytes;
} wtensor;

struct ginv_st_writer {
    wtensor *t;
    size_t n, cap;
    char **meta; /* key, value, key, value, ... */
    size_t nmeta, metacap;
};

/* A new, empty writer (NULL if out of memory). */
ginv_st_writer *ginv_st_writer_new(void)
{
    ginv_st_writer *w = ginv_calloc(1, sizeof *w);
    if (!w) ginv_fail(GINV_ERR_NOMEM, "out of memory for a safetensors writer");
    return w;
}

/* Free a writer and the copies it holds. */
void ginv_st_writer_free(ginv_st_writer *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        ginv_free(w->t[i].name);
        ginv_free(w->t[i].data);
    }
    ginv_free(w->t);
    for (size_t i = 0; i < 2 * w->nmeta; i++) ginv_free(w->meta[i]);
    ginv_free(w->meta);
    ginv_free(w);
}

/* Check that a string the writer will put in the header is valid UTF-8. */
static ginv_status check_utf8_arg(const char *what, const char *s)
{
    char why[96];
    if (!utf8_valid((const unsigned char *)s, strlen(s), why))
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: %s is not valid UTF-8 (%s)", what, why);
    return GINV_OK;
}

/* Add a copy of a tensor; it is laid out after those added before. */
ginv_status ginv_st_writer_add(ginv_st_writer *w, const char *name, ginv_dtype dt, int ndim,
                               const int64_t *shape, const void *data)
{
    if (!w || !name) return ginv_fail(GINV_ERR_ARG, "ginv_st_writer_add: writer or name is NULL");
    if (!name[0]) return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor name is empty");
    if (!strcmp(name, "__metadata__"))
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: '__metadata__' is reserved, not a tensor name");
    ginv_status s = check_utf8_arg("tensor name", name);
    if (s) return s;
    if ((int)dt < 0 || (int)dt >= NDTYPES)
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' has unknown dtype %d", name, (int)dt);
    if (ndim < 0 || ndim > ST_MAX_DIMS || (ndim && !shape))
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' has %d dimensions (0 to %d allowed)",
                         name, ndim, ST_MAX_DIMS);
    for (int i = 0; i < ndim; i++)
        if (shape[i] < 0 || (double)shape[i] > ST_MAX_INT)
            return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' has shape[%d] = %" PRId64, name,
                             i, shape[i]);
    uint64_t nb;
    if (!shape_bytes(shape, ndim, dtypes[dt].size, &nb))
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' is too large", name);
    if (nb && !data) return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' has no data", name);
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, name))
            return ginv_fail(GINV_ERR_ARG, "safetensors writer: tensor '%s' was already added", name);
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        wtensor *nt = ginv_realloc(w->t, cap * sizeof *nt);
        if (!nt) return ginv_fail(GINV_ERR_NOMEM, "out of memory adding tensor '%s'", name);
        w->t = nt;
        w->cap = cap;
    }
    wtensor *t = &w->t[w->n];
    memset(t, 0, sizeof *t);
    t->name = ginv_strdup(name);
    t->data = ginv_malloc(nb ? (size_t)nb : 1);
    if (!t->name || !t->data) {
        ginv_free(t->name);
        ginv_free(t->data);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory copying tensor '%s' (%" PRIu64 " bytes)", name, nb);
    }
    if (nb) memcpy(t->data, data, (size_t)nb);
    if (!host_is_le()) swap_elems(t->data, (size_t)nb, dtypes[dt].size);
    t->dt = dt;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->nbytes = (size_t)nb;
    w->n++;
    return GINV_OK;
}

/* Set a __metadata__ key (each key once). */
ginv_status ginv_st_writer_meta(ginv_st_writer *w, const char *key, const char *value)
{
    if (!w || !key || !value) return ginv_fail(GINV_ERR_ARG, "ginv_st_writer_meta: NULL argument");
    ginv_status s = check_utf8_arg("metadata key", key);
    if (!s) s = check_utf8_arg("metadata value", value);
    if (s) return s;
    for (size_t i = 0; i < w->nmeta; i++)
        if (!strcmp(w->meta[2 * i], key))
            return ginv_fail(GINV_ERR_ARG, "safetensors writer: metadata key '%s' was already set", key);
    if (w->nmeta == w->metacap) {
        size_t cap = w->metacap ? 2 * w->metacap : 4;
        char **nm = ginv_realloc(w->meta, 2 * cap * sizeof *nm);
        if (!nm) return ginv_fail(GINV_ERR_NOMEM, "out of memory setting metadata '%s'", key);
        w->meta = nm;
        w->metacap = cap;
    }
    char *k = ginv_strdup(key), *v = ginv_strdup(value);
    if (!k || !v) {
        ginv_free(k);
        ginv_free(v);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory setting metadata '%s'", key);
    }
    w->meta[2 * w->nmeta] = k;
    w->meta[2 * w->nmeta + 1] = v;
    w->nmeta++;
    return GINV_OK;
}

/* A growable text buffer; `bad` records an allocation failure. */
typedef struct {
    char *s;
    size_t n, cap;
    int bad;
} sbuf;

/* Append n bytes to b. */
static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->bad) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *ns = ginv_realloc(b->s, cap);
        if (!ns) { b->bad = 1; return; }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

/* Append printf-style text to b. */
static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k >= 0) sb_put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* Append s as a quoted JSON string. */
static void sb_json_str(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_put(b, e, 2);
        } else if (c < 0x20) {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_put(b, (const char *)&c, 1);
        }
    }
    sb_put(b, "\"", 1);
}

/* Write the header and data buffer to path atomically. */
ginv_status ginv_st_writer_save(ginv_st_writer *w, const char *path)
{
    if (!w || !path) return ginv_fail(GINV_ERR_ARG, "ginv_st_writer_save: writer or path is NULL");
    sbuf h = {0};
    sb_put(&h, "{", 1);
    if (w->nmeta) {
        sb_put(&h, "\"__metadata__\":{", 16);
        for (size_t i = 0; i < w->nmeta; i++) {
            if (i) sb_put(&h, ",", 1);
            sb_json_str(&h, w->meta[2 * i]);
            sb_put(&h, ":", 1);
            sb_json_str(&h, w->meta[2 * i + 1]);
        }
        sb_put(&h, "}", 1);
    }
    size_t total = 0;
    for (size_t i = 0; i < w->n; i++) {
        const wtensor *t = &w->t[i];
        if (t->nbytes > SIZE_MAX - total) {
            ginv_free(h.s);
            return ginv_fail(GINV_ERR_ARG, "safetensors writer: '%s': tensors too large in total", path);
        }
        if (i || w->nmeta) sb_put(&h, ",", 1);
        sb_json_str(&h, t->name);
        sb_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", dtypes[t->dt].name);
        for (int d = 0; d < t->ndim; d++) sb_printf(&h, d ? ",%" PRId64 : "%" PRId64, t->shape[d]);
        sb_printf(&h, "],\"data_offsets\":[%zu,%zu]}", total, total + t->nbytes);
        total += t->nbytes;
    }
    sb_put(&h, "}", 1);
    while (!h.bad && h.n % 8) sb_put(&h, " ", 1);
    if (h.bad) {
        ginv_free(h.s);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory building the header of '%s'", path);
    }
    if (h.n > ST_MAX_HEADER || total > SIZE_MAX - 8 - h.n) {
        ginv_free(h.s);
        return ginv_fail(GINV_ERR_ARG, "safetensors writer: '%s': header of %zu bytes is over the limit",
                         path, h.n);
    }
    size_t len = 8 + h.n + total;
    unsigned char *buf = ginv_malloc(len);
    if (!buf) {
        ginv_free(h.s);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the %zu bytes of '%s'", len, path);
    }
    put_le64(buf, h.n);
    memcpy(buf + 8, h.s, h.n);
    size_t pos = 8 + h.n;
    for (size_t i = 0; i < w->n; i++) {
        if (w->t[i].nbytes) memcpy(buf + pos, w->t[i].data, w->t[i].nbytes);
        pos += w->t[i].nbytes;
    }
    ginv_free(h.s);
    ginv_status s = ginv_write_atomic(path, buf, len);
    ginv_free(buf);
    return s;
}
