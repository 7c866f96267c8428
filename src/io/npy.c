/* npy.c — NumPy .npy files: the magic "\x93NUMPY", a version (1.0, 2.0 or
 * 3.0), a little-endian header length (2 bytes for v1, 4 for v2/v3), a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)},
 * then the raw array data.
 *
 * Read: little-endian float32 or float64 ('<f4', '<f8'; '=' native order
 * is taken as little-endian), C order, 0 to 4 dimensions; float64 values are
 * converted to float32. Write: v1.0, '<f4', the data aligned to 64 bytes as
 * NumPy does. */
#include "io/array_codec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_DIMS 4

/* A cursor over the header text. */
typedef struct {
    const unsigned char *s;
    size_t n, i;
} cur;

/* Fail with a description of where the header stops being a dict literal. */
static ginv_status hdr_fail(const cur *c, const char *what)
{
    return ginv_fail(GINV_ERR_FORMAT,
                     "npy header is not a valid dict literal: %s at header byte %zu; re-save the "
                     "array with numpy.save", what, c->i);
}

/* Skip spaces, tabs and line breaks. */
static void skip_ws(cur *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
                           c->s[c->i] == '\r'))
        c->i++;
}

/* Consume character ch (after whitespace) if it is next; return whether. */
static int eat(cur *c, char ch)
{
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == (unsigned char)ch) {
        c->i++;
        return 1;
    }
    return 0;
}

/* Parse a quoted string of printable ASCII (no escapes) into buf. */
static ginv_status parse_str(cur *c, char *buf, size_t size, const char *what)
{
    skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"')) {
        char m[64];
        snprintf(m, sizeof m, "expected a quoted %s", what);
        return hdr_fail(c, m);
    }
    unsigned char q = c->s[c->i++];
    size_t k = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        unsigned char ch = c->s[c->i];
        if (ch < 0x20 || ch > 0x7e || ch == '\\') return hdr_fail(c, "unsupported character in a string");
        if (k + 1 >= size) return hdr_fail(c, "string too long");
        buf[k++] = (char)ch;
        c->i++;
    }
    if (c->i >= c->n) return hdr_fail(c, "unterminated string");
    c->i++;
    buf[k] = 0;
    return GINV_OK;
}

/* Parse a non-negative decimal integer (at most 2^62). */
static ginv_status parse_int(cur *c, int64_t *out)
{
    skip_ws(c);
    if (c->i >= c->n || c->s[c->i] < '0' || c->s[c->i] > '9')
        return hdr_fail(c, "expected a non-negative integer in 'shape'");
    int64_t v = 0;
    while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        if (v > ((int64_t)1 << 62) / 10) return hdr_fail(c, "dimension too large in 'shape'");
        v = v * 10 + (c->s[c->i++] - '0');
    }
    *out = v;
    return GINV_OK;
}

/* Parse a tuple of integers "()", "(3,)", "(3, 4)" or "(3, 4,)". */
static ginv_status parse_shape(cur *c, int *ndim, int64_t *shape)
{
    if (!eat(c, '(')) return hdr_fail(c, "expected '(' starting the 'shape' tuple");
    int nd = 0;
    if (eat(c, ')')) {
        *ndim = 0;
        return GINV_OK;
    }
    for (;;) {
        int64_t v = 0;
        ginv_status s = parse_int(c, &v);
        if (s) return s;
        if (nd == NPY_MAX_DIMS)
            return ginv_fail(GINV_ERR_UNSUPPORTED,
                             "npy shape has more than the %d dimensions ginv supports; reshape the array",
                             NPY_MAX_DIMS);
        shape[nd++] = v;
        if (eat(c, ')')) {
            if (nd == 1) return hdr_fail(c, "a one-element 'shape' tuple needs a trailing comma");
            break;
        }
        if (!eat(c, ',')) return hdr_fail(c, "expected ',' or ')' in the 'shape' tuple");
        if (eat(c, ')')) break;
    }
    *ndim = nd;
    return GINV_OK;
}

/* Parse the descr string into an item size (4 or 8). */
static ginv_status parse_descr(const char *d, size_t *itemsize)
{
    if ((d[0] == '<' || d[0] == '=') && (!strcmp(d + 1, "f4") || !strcmp(d + 1, "f8"))) {
        *itemsize = d[2] == '4' ? 4 : 8;
        return GINV_OK;
    }
    if (d[0] == '>' && (!strcmp(d + 1, "f4") || !strcmp(d + 1, "f8")))
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "npy dtype '%s' is big-endian; big-endian not supported (save "
                         "arr.astype('<%s'))", d, d + 1);
    if (d[0] == '|' && (!strcmp(d + 1, "f4") || !strcmp(d + 1, "f8")))
        return ginv_fail(GINV_ERR_FORMAT,
                         "npy dtype '%s' has byte order '|', which is only for 1-byte types; re-save "
                         "the array with numpy.save", d);
    return ginv_fail(GINV_ERR_UNSUPPORTED,
                     "npy dtype '%s' is not supported; only float32 ('<f4') and float64 ('<f8') are "
                     "(save arr.astype(numpy.float32))", d);
}

/* Parse the header dict: descr, fortran_order and shape, each exactly once. */
static ginv_status parse_header(cur *c, size_t *itemsize, int *ndim, int64_t *shape)
{
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    ginv_status s;
    if (!eat(c, '{')) return hdr_fail(c, "expected '{'");
    while (!eat(c, '}')) {
        char key[32];
        if ((s = parse_str(c, key, sizeof key, "key"))) return s;
        if (!eat(c, ':')) return hdr_fail(c, "expected ':' after a key");
        int *seen = !strcmp(key, "descr") ? &have_descr
                    : !strcmp(key, "fortran_order") ? &have_fortran
                    : !strcmp(key, "shape") ? &have_shape : NULL;
        if (!seen)
            return ginv_fail(GINV_ERR_FORMAT,
                             "npy header has unknown key '%s' (expected descr, fortran_order, shape)", key);
        if (*seen) return ginv_fail(GINV_ERR_FORMAT, "npy header key '%s' appears twice", key);
        *seen = 1;
        if (!strcmp(key, "descr")) {
            skip_ws(c);
            if (c->i < c->n && c->s[c->i] == '[')
                return ginv_fail(GINV_ERR_UNSUPPORTED,
                                 "npy dtype is a structured (record) type; only plain float32/float64 "
                                 "arrays are supported");
            char d[32];
            if ((s = parse_str(c, d, sizeof d, "'descr' string")) || (s = parse_descr(d, itemsize)))
                return s;
        } else if (!strcmp(key, "fortran_order")) {
            skip_ws(c);
            if (c->n - c->i >= 4 && !memcmp(c->s + c->i, "True", 4))
                return ginv_fail(GINV_ERR_UNSUPPORTED,
                                 "npy array has fortran_order True; Fortran-ordered arrays are not "
                                 "supported (save numpy.ascontiguousarray(arr))");
            if (!(c->n - c->i >= 5 && !memcmp(c->s + c->i, "False", 5)))
                return hdr_fail(c, "'fortran_order' must be True or False");
            c->i += 5;
        } else if ((s = parse_shape(c, ndim, shape))) {
            return s;
        }
        if (eat(c, '}')) break;
        if (!eat(c, ',')) return hdr_fail(c, "expected ',' or '}' after a value");
    }
    skip_ws(c);
    if (c->i != c->n) return hdr_fail(c, "unexpected text after the dict");
    if (!have_descr || !have_fortran || !have_shape)
        return ginv_fail(GINV_ERR_FORMAT, "npy header has no '%s' key; re-save the array with numpy.save",
                         !have_descr ? "descr" : !have_fortran ? "fortran_order" : "shape");
    return GINV_OK;
}

/* Format a shape as a Python tuple: "()", "(3,)", "(3, 4)". */
static void tuple_str(const int64_t *shape, int ndim, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, i ? ", %" PRId64 : "%" PRId64, shape[i]);
    if (k < size) snprintf(buf + k, size - k, ndim == 1 ? ",)" : ")");
}

/* Parse a .npy file held in memory into a float32 array. */
ginv_status ginv_npy_parse(const unsigned char *buf, size_t len, ginv_array *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_npy_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_npy_parse: buf is NULL but len is %zu", len);
    size_t m = len < 6 ? len : 6;
    if (memcmp(buf ? (const void *)buf : "", NPY_MAGIC, m) != 0)
        return ginv_fail(GINV_ERR_FORMAT,
                         "file does not start with the NumPy magic \\x93NUMPY; it is not a .npy file");
    if (len < 8)
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the .npy preamble (8 bytes)",
                         len);
    int major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "npy format version %d.%d is not supported (1.0, 2.0 and 3.0 are)", major, minor);
    size_t lsz = major == 1 ? 2 : 4;
    if (len < 8 + lsz)
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the v%d.0 header length", len,
                         major);
    size_t hlen = 0;
    for (size_t i = lsz; i-- > 0;) hlen = (hlen << 8) | buf[8 + i];
    size_t start = 8 + lsz;
    if (hlen > len - start)
        return ginv_fail(GINV_ERR_FORMAT,
                         "npy header length %zu runs past the end of the file (%zu bytes follow it)", hlen,
                         len - start);

    cur c = {buf + start, hlen, 0};
    size_t itemsize = 0;
    int ndim = 0;
    int64_t shape[NPY_MAX_DIMS] = {0};
    ginv_status s = parse_header(&c, &itemsize, &ndim, shape);
    if (s) return s;

    size_t count = 1;
    char ts[128];
    tuple_str(shape, ndim, ts, sizeof ts);
    for (int i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)shape[i];
        if (d && count > SIZE_MAX / itemsize / d)
            return ginv_fail(GINV_ERR_FORMAT, "npy shape %s is too large: its byte count overflows", ts);
        count *= (size_t)d;
    }
    size_t need = count * itemsize, have = len - start - hlen;
    if (have != need)
        return ginv_fail(GINV_ERR_FORMAT,
                         "npy data is %zu bytes but shape %s x %zu bytes needs %zu (file truncated or "
                         "corrupt)", have, ts, itemsize, need);

    float *data = ginv_malloc(count ? count * sizeof *data : 1);
    if (!data) return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %zu-element array", count);
    const unsigned char *p = buf + start + hlen;
    for (size_t i = 0; i < count; i++) {
        if (itemsize == 4) {
            uint32_t u = 0;
            for (int b = 3; b >= 0; b--) u = (u << 8) | p[4 * i + (size_t)b];
            memcpy(&data[i], &u, 4);
        } else {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--) u = (u << 8) | p[8 * i + (size_t)b];
            double d;
            memcpy(&d, &u, 8);
            /* from FLT_MAX + half an ulp (0x1.ffffffp+127) on, float32 rounds to Inf */
            if (isfinite(d) && fabs(d) >= 0x1.ffffffp+127) {
                ginv_free(data);
                return ginv_fail(GINV_ERR_NUMERIC, "npy element %zu is %g, outside the float32 range", i, d);
            }
            data[i] = (float)d;
        }
    }
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) out->shape[i] = shape[i];
    out->data = data;
    return GINV_OK;
}

/* Encode an array as .npy v1.0 '<f4' (see array_codec.h). */
ginv_status ginv_npy_encode(const float *data, int ndim, const int64_t *shape, unsigned char **out,
                            size_t *len)
{
    *out = NULL;
    *len = 0;
    char ts[128], dict[256];
    tuple_str(shape, ndim, ts, sizeof ts);
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", ts);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) count *= (size_t)shape[i]; /* checked by the caller */
    size_t hlen = (size_t)dl + 1;                             /* + '\n' */
    hlen += (64 - (10 + hlen) % 64) % 64;
    size_t total = 10 + hlen + 4 * count;
    unsigned char *b = ginv_malloc(total);
    if (!b) return ginv_fail(GINV_ERR_NOMEM, "out of memory encoding a %zu-element .npy array", count);
    memcpy(b, NPY_MAGIC "\x01\x00", 8);
    b[8] = (unsigned char)(hlen & 0xff);
    b[9] = (unsigned char)(hlen >> 8);
    memcpy(b + 10, dict, (size_t)dl);
    memset(b + 10 + dl, ' ', hlen - (size_t)dl - 1);
    b[10 + hlen - 1] = '\n';
    unsigned char *p = b + 10 + hlen;
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &data[i], 4);
        for (int k = 0; k < 4; k++) p[4 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
    }
    *out = b;
    *len = total;
    return GINV_OK;
}
