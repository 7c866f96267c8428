/* text.c — arrays as text: whitespace-separated decimal numbers, one row a
 * line; blank lines and lines whose first non-blank character is '#' are
 * skipped. Every row must have the same number of values. One row reads as a
 * 1-D array [cols], several as a 2-D array [rows, cols]. Written with "%.9g",
 * which round-trips float32 exactly. */
#include "io/array_codec.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether c separates numbers on a line. */
static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Parse one number token of n bytes into *v; return 0 with why set if it is
 * not a finite number that fits a float32. */
static int parse_number(const char *tok, size_t n, float *v, const char **why)
{
    char tmp[128];
    if (n >= sizeof tmp) { *why = "is too long to be a number"; return 0; }
    memcpy(tmp, tok, n);
    tmp[n] = 0;
    /* strtod also reads hex floats, "nan" and "inf"; accept only decimals. */
    for (size_t i = 0; i < n; i++) {
        char c = tmp[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
            int alpha = (c | 32) >= 'a' && (c | 32) <= 'z';
            *why = alpha && (strstr(tmp, "nan") || strstr(tmp, "NaN") || strstr(tmp, "NAN") ||
                             strstr(tmp, "inf") || strstr(tmp, "Inf") || strstr(tmp, "INF"))
                       ? "is not finite (NaN and Inf are refused)" : "is not a number";
            return 0;
        }
    }
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (end != tmp + n || n == 0) { *why = "is not a number"; return 0; }
    /* from FLT_MAX + half an ulp (0x1.ffffffp+127) on, float32 rounds to Inf */
    if (!isfinite(d) || fabs(d) >= 0x1.ffffffp+127) { *why = "is outside the float32 range"; return 0; }
    *v = (float)d;
    return 1;
}

/* Parse text (see the file comment) into a float32 array. */
ginv_status ginv_text_parse(const char *buf, size_t len, ginv_array *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_text_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_text_parse: buf is NULL but len is %zu", len);
    /* Pass 1 counts rows and columns and checks them; pass 2 converts. */
    float *data = NULL;
    size_t rows = 0, cols = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0, line = 0, r = 0, k = 0;
        while (i < len) {
            size_t eol = i;
            while (eol < len && buf[eol] != '\n') eol++;
            line++;
            size_t j = i, ncol = 0;
            while (j < eol && is_blank(buf[j])) j++;
            if (j < eol && buf[j] == '#') j = eol;
            while (j < eol) {
                size_t t = j;
                while (j < eol && !is_blank(buf[j])) j++;
                float v = 0;
                const char *why;
                if (pass == 0 && !parse_number(buf + t, j - t, &v, &why)) {
                    int shown = (int)(j - t < 40 ? j - t : 40);
                    /* NaN/Inf is the numeric class, like NaN in a binary file */
                    ginv_status cls = strstr(why, "finite") ? GINV_ERR_NUMERIC : GINV_ERR_FORMAT;
                    return ginv_fail(cls, "text array, line %zu, value %zu: '%.*s'%s %s", line,
                                     ncol + 1, shown, buf + t, j - t > 40 ? "..." : "", why);
                }
                if (pass == 1) {
                    parse_number(buf + t, j - t, &v, &(const char *){0});
                    data[k++] = v;
                }
                ncol++;
                while (j < eol && is_blank(buf[j])) j++;
            }
            if (ncol && pass == 0) {
                if (r == 0) cols = ncol;
                else if (ncol != cols)
                    return ginv_fail(GINV_ERR_SHAPE,
                                     "text array, line %zu: %zu values, but the rows before have %zu", line,
                                     ncol, cols);
            }
            if (ncol) r++;
            i = eol + 1;
        }
        if (pass == 0) {
            rows = r;
            if (rows == 0)
                return ginv_fail(GINV_ERR_FORMAT, "text array has no numbers (only blank or '#' lines)");
            if (!(data = ginv_malloc(rows * cols * sizeof *data)))
                return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %zu x %zu text array", rows, cols);
        }
    }
    if (rows == 1) {
        out->ndim = 1;
        out->shape[0] = (int64_t)cols;
    } else {
        out->ndim = 2;
        out->shape[0] = (int64_t)rows;
        out->shape[1] = (int64_t)cols;
    }
    out->data = data;
    return GINV_OK;
}

/* Encode an array as text (see array_codec.h). */
ginv_status ginv_text_encode(const float *data, int ndim, const int64_t *shape, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (ndim > 2)
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "a text array holds at most 2 dimensions, not %d; write to a .npy path", ndim);
    size_t rows = ndim == 2 ? (size_t)shape[0] : 1;
    size_t cols = ndim == 2 ? (size_t)shape[1] : ndim == 1 ? (size_t)shape[0] : 1;
    if (rows == 0 || cols == 0)
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "a text array cannot hold an empty array (shape has a 0); write to a .npy path");
    /* "%.9g" of a float32 takes at most 15 characters, plus a separator. */
    if (cols > (SIZE_MAX - 1) / 16 / rows)
        return ginv_fail(GINV_ERR_ARG, "text array of %zu x %zu values is too large", rows, cols);
    size_t cap = rows * cols * 16 + 1;
    char *b = ginv_malloc(cap);
    if (!b) return ginv_fail(GINV_ERR_NOMEM, "out of memory encoding a %zu x %zu text array", rows, cols);
    size_t n = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            n += (size_t)snprintf(b + n, cap - n, "%.9g%c", (double)data[r * cols + c],
                                  c + 1 == cols ? '\n' : ' ');
    *out = b;
    *len = n;
    return GINV_OK;
}
