/* array.c — reading and writing float arrays as files: ".npy" paths are
 * NumPy (npy.c), any other path text (text.c). Reads refuse NaN/Inf, naming
 * the element; writes are atomic (ginv_write_atomic). */
#include "io/array_codec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Arrays read whole; larger files are refused. */
#define ARRAY_MAX_FILE (SIZE_MAX > ((uint64_t)4 << 30) ? (size_t)((uint64_t)4 << 30) : SIZE_MAX)

/* Free an array's data and zero it. */
void ginv_array_release(ginv_array *a)
{
    if (!a) return;
    ginv_free(a->data);
    memset(a, 0, sizeof *a);
}

/* The number of elements (the product of the shape; 1 for ndim 0). */
size_t ginv_array_count(const ginv_array *a)
{
    if (!a) return 0;
    size_t n = 1;
    for (int i = 0; i < a->ndim && i < 4; i++) n *= (size_t)a->shape[i];
    return n;
}

/* Whether path ends in ".npy" (any case). */
static int is_npy_path(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && !strcasecmp(path + n - 4, ".npy");
}

/* Format flat index i of a shape as "[a, b, c]". */
static void index_str(size_t i, int ndim, const int64_t *shape, char *buf, size_t size)
{
    size_t idx[4] = {0};
    for (int d = ndim - 1; d >= 0; d--) {
        size_t s = (size_t)shape[d];
        idx[d] = s ? i % s : 0;
        i = s ? i / s : 0;
    }
    size_t k = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < ndim && k < size; d++) k += (size_t)snprintf(buf + k, size - k, d ? ", %zu" : "%zu", idx[d]);
    if (k < size) snprintf(buf + k, size - k, "]");
}

/* Read an array file (format by extension); failures name the path. */
ginv_status ginv_array_read(const char *path, ginv_array *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_array_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path) return ginv_fail(GINV_ERR_ARG, "ginv_array_read: path is NULL");
    unsigned char *buf;
    size_t len;
    ginv_status s = ginv_read_file(path, ARRAY_MAX_FILE, &buf, &len);
    if (s) return s;
    s = is_npy_path(path) ? ginv_npy_parse(buf, len, out) : ginv_text_parse((const char *)buf, len, out);
    ginv_free(buf);
    if (s) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(s, "'%s': %s", path, msg);
    }
    size_t n = ginv_array_count(out);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out->data[i])) {
            char ix[96];
            index_str(i, out->ndim, out->shape, ix, sizeof ix);
            float v = out->data[i];
            ginv_array_release(out);
            return ginv_fail(GINV_ERR_NUMERIC, "'%s': element %s (flat index %zu) is %s; arrays must be finite",
                             path, ix, i, isnan(v) ? "NaN" : "infinite");
        }
    return GINV_OK;
}

/* Write an array (format by extension) atomically. */
ginv_status ginv_array_write(const char *path, const float *data, int ndim, const int64_t *shape)
{
    if (!path) return ginv_fail(GINV_ERR_ARG, "ginv_array_write: path is NULL");
    if (ndim < 0 || ndim > 4 || (ndim && !shape))
        return ginv_fail(GINV_ERR_ARG, "array '%s': %d dimensions; 0 to 4 are supported", path, ndim);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return ginv_fail(GINV_ERR_ARG, "array '%s': shape[%d] is %" PRId64 ", negative", path, i, shape[i]);
        uint64_t d = (uint64_t)shape[i];
        if (d && count > SIZE_MAX / 16 / d)
            return ginv_fail(GINV_ERR_ARG, "array '%s': shape is too large", path);
        count *= (size_t)d;
    }
    if (count && !data) return ginv_fail(GINV_ERR_ARG, "array '%s': data is NULL", path);
    for (size_t i = 0; i < count; i++)
        if (!isfinite(data[i])) {
            char ix[96];
            index_str(i, ndim, shape, ix, sizeof ix);
            return ginv_fail(GINV_ERR_NUMERIC, "array '%s': element %s (flat index %zu) is %s; not written",
                             path, ix, i, isnan(data[i]) ? "NaN" : "infinite");
        }
    unsigned char *bin = NULL;
    char *txt = NULL;
    size_t len;
    ginv_status s = is_npy_path(path) ? ginv_npy_encode(data, ndim, shape, &bin, &len)
                                      : ginv_text_encode(data, ndim, shape, &txt, &len);
    if (s) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(s, "array '%s': %s", path, msg);
    }
    s = ginv_write_atomic(path, bin ? (const void *)bin : txt, len);
    ginv_free(bin);
    ginv_free(txt);
    return s;
}
