/* onnx_proto.c — the ONNX protobuf through protoc-c's generated code:
 * unpacking with ginv's counted allocator, tensors as checked constants,
 * node attributes, and the table of a graph's values by name. */
#include "io/onnx_internal.h"

#include "base/check_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *pb_alloc(void *data, size_t n)
{
    void *p = ginv_malloc(n ? n : 1);
    if (!p && data) *(int *)data = 1; /* the unpack ran out of memory */
    return p;
}

static void pb_free(void *data, void *p)
{
    (void)data;
    ginv_free(p);
}

ProtobufCAllocator ginv_onnx_allocator = {pb_alloc, pb_free, NULL};

ginv_status ginv_onnx_unpack(const unsigned char *buf, size_t len, onnx_model **out)
{
    *out = NULL;
    if (len == 0) return ginv_fail(GINV_ERR_FORMAT, "empty file: not an ONNX model");
    if (len > GINV_ONNX_MAX_BYTES)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%zu bytes: ONNX models over 2 GiB (external "
                         "data) are not read", len);
    int oom = 0;
    ProtobufCAllocator a = {pb_alloc, pb_free, &oom};
    onnx_model *m = ginv_onnx__model_proto__unpack(&a, len, buf);
    if (!m && oom) return ginv_fail(GINV_ERR_NOMEM, "out of memory reading the ONNX model");
    if (!m)
        return ginv_fail(GINV_ERR_FORMAT, "not a valid ONNX ModelProto (truncated, or wrong wire "
                         "types): re-export it with torch.onnx.export");
    if (!m->graph) {
        ginv_onnx__model_proto__free_unpacked(m, &ginv_onnx_allocator);
        return ginv_fail(GINV_ERR_FORMAT, "ONNX model without a graph");
    }
    *out = m;
    return GINV_OK;
}

void ginv_onnx_model_free(onnx_model *m)
{
    if (m) ginv_onnx__model_proto__free_unpacked(m, &ginv_onnx_allocator);
}

/* ---- values by name */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

ginv_status ginv_onnx_values_init(onnx_values *t, size_t expect)
{
    memset(t, 0, sizeof *t);
    t->cap = expect + 8;
    t->nslot = 16;
    while (t->nslot < 2 * t->cap) t->nslot *= 2;
    t->v = ginv_calloc(t->cap, sizeof *t->v);
    t->slot = ginv_calloc(t->nslot, sizeof *t->slot);
    if (!t->v || !t->slot) {
        ginv_onnx_values_free(t);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    return GINV_OK;
}

void ginv_onnx_values_free(onnx_values *t)
{
    for (size_t i = 0; i < t->n; i++) {
        ginv_free(t->v[i].fv);
        ginv_free(t->v[i].iv);
    }
    ginv_free(t->v);
    ginv_free(t->slot);
    memset(t, 0, sizeof *t);
}

onnx_value *ginv_onnx_values_find(const onnx_values *t, const char *name)
{
    if (!name || !t->nslot) return NULL;
    for (size_t h = hash_str(name) & (t->nslot - 1);; h = (h + 1) & (t->nslot - 1)) {
        if (!t->slot[h]) return NULL;
        onnx_value *v = &t->v[t->slot[h] - 1];
        if (!strcmp(v->name, name)) return v;
    }
}

onnx_value *ginv_onnx_values_add(onnx_values *t, const char *name)
{
    if (t->n == t->cap || 2 * (t->n + 1) > t->nslot) return NULL; /* sized by the caller */
    size_t h = hash_str(name) & (t->nslot - 1);
    while (t->slot[h]) h = (h + 1) & (t->nslot - 1);
    onnx_value *v = &t->v[t->n++];
    memset(v, 0, sizeof *v);
    v->name = name;
    t->slot[h] = t->n;
    return v;
}

/* ---- tensors */

static float half_to_float(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0) v = ldexp(m, -24);
    else if (e == 31) v = m ? NAN : INFINITY;
    else v = ldexp(m + 1024, e - 25);
    return (float)(s ? -v : v);
}

ginv_status ginv_onnx_tensor_value(const onnx_tensor *t, const char *what, onnx_value *v)
{
    if (t->n_external_data > 0 ||
        (t->has_data_location && t->data_location == GINV_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: external data is not read; export with the "
                         "weights inside the file (torch.onnx.export does for models under 2 GiB)",
                         what);
    if (t->segment)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: segmented tensors are not read", what);
    if (t->n_dims > ONNX_MAX_RANK)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: rank %zu (at most %d)", what, t->n_dims,
                         ONNX_MAX_RANK);
    int64_t count = 1;
    v->ndim = (int)t->n_dims;
    for (size_t i = 0; i < t->n_dims; i++) {
        int64_t d = t->dims[i];
        if (d < 0 || d >= ONNX_MAX_DIM)
            return ginv_fail(GINV_ERR_FORMAT, "%s: dimension %zu is %lld (must be in [0, 2^31))",
                             what, i, (long long)d);
        v->dims[i] = d;
        if (d && count > ONNX_MAX_COUNT / d)
            return ginv_fail(GINV_ERR_FORMAT, "%s: more than 2^30 values", what);
        count *= d;
    }
    if (count > ONNX_MAX_COUNT) return ginv_fail(GINV_ERR_FORMAT, "%s: more than 2^30 values", what);
    int dt = t->has_data_type ? t->data_type : 0;
    size_t esize;
    size_t typed;
    switch (dt) {
    case GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: esize = 4; typed = t->n_float_data; break;
    case GINV_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: esize = 8; typed = t->n_double_data; break;
    case GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: esize = 2; typed = t->n_int32_data; break;
    case GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT64: esize = 8; typed = t->n_int64_data; break;
    case GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT32: esize = 4; typed = t->n_int32_data; break;
    default:
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: data type %d is not float32, float64, float16, "
                         "int64 or int32", what, dt);
    }
    size_t n = (size_t)count;
    if (t->has_raw_data) {
        if (typed)
            return ginv_fail(GINV_ERR_FORMAT, "%s: both raw_data and a typed data field", what);
        if (t->raw_data.len != n * esize)
            return ginv_fail(GINV_ERR_FORMAT, "%s: raw_data holds %zu bytes, its shape needs %zu",
                             what, t->raw_data.len, n * esize);
    } else if (typed != n) {
        return ginv_fail(GINV_ERR_FORMAT, "%s: %zu values for a shape of %zu", what, typed, n);
    }
    v->kind = ONNX_VAL_CONST;
    v->count = n;
    v->is_int = dt == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ||
                dt == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    const unsigned char *raw = t->has_raw_data ? t->raw_data.data : NULL;
    if (v->is_int) {
        v->iv = ginv_malloc(sizeof(int64_t) * (n ? n : 1));
        if (!v->iv) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory", what);
        for (size_t i = 0; i < n; i++) {
            if (dt == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
                int64_t x;
                if (raw) memcpy(&x, raw + 8 * i, 8);
                else x = t->int64_data[i];
                v->iv[i] = x;
            } else {
                int32_t x;
                if (raw) memcpy(&x, raw + 4 * i, 4);
                else x = t->int32_data[i];
                v->iv[i] = x;
            }
        }
        return GINV_OK;
    }
    v->fv = ginv_malloc(sizeof(float) * (n ? n : 1));
    if (!v->fv) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory", what);
    if (dt == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
        if (n) memcpy(v->fv, raw ? (const void *)raw : (const void *)t->float_data, 4 * n);
    } else if (dt == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
        for (size_t i = 0; i < n; i++) {
            double x;
            if (raw) memcpy(&x, raw + 8 * i, 8);
            else x = t->double_data[i];
            v->fv[i] = (float)x;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            if (raw) memcpy(&h, raw + 2 * i, 2);
            else h = (uint16_t)t->int32_data[i];
            v->fv[i] = half_to_float(h);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v->fv[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "%s: a non-finite value at index %zu", what, i);
    return GINV_OK;
}

/* ---- attributes */

const onnx_attr *ginv_onnx_attr(const onnx_node *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name)) return n->attribute[i];
    return NULL;
}

static ginv_status attr_type(const onnx_node *n, const onnx_attr *a, int want, const char *tname)
{
    int t = a->has_type ? (int)a->type : 0;
    if (t != want)
        return ginv_fail(GINV_ERR_FORMAT, "node '%s' (%s): attribute '%s' is not %s",
                         n->name ? n->name : "", n->op_type ? n->op_type : "", a->name, tname);
    return GINV_OK;
}

ginv_status ginv_onnx_attr_int(const onnx_node *n, const char *name, int64_t def, int64_t *out)
{
    const onnx_attr *a = ginv_onnx_attr(n, name);
    *out = def;
    if (!a) return GINV_OK;
    ginv_status st = attr_type(n, a, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT, "an int");
    if (st == GINV_OK) *out = a->i;
    return st;
}

double ginv_onnx_float_decimal(float f)
{
    if (!isfinite(f)) return f;
    char buf[48];
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f) return strtod(buf, NULL);
    }
    return f;
}

ginv_status ginv_onnx_attr_float(const onnx_node *n, const char *name, double def, double *out)
{
    const onnx_attr *a = ginv_onnx_attr(n, name);
    *out = def;
    if (!a) return GINV_OK;
    ginv_status st = attr_type(n, a, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT, "a float");
    if (st == GINV_OK) *out = ginv_onnx_float_decimal(a->f);
    return st;
}

ginv_status ginv_onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int max,
                                int *count)
{
    const onnx_attr *a = ginv_onnx_attr(n, name);
    *count = 0;
    if (!a) return GINV_OK;
    ginv_status st = attr_type(n, a, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS, "a list of ints");
    if (st != GINV_OK) return st;
    if (a->n_ints > (size_t)max)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "node '%s' (%s): attribute '%s' has %zu values "
                         "(at most %d)", n->name ? n->name : "", n->op_type, name, a->n_ints, max);
    if (a->n_ints) memcpy(out, a->ints, sizeof(int64_t) * a->n_ints);
    *count = (int)a->n_ints;
    return GINV_OK;
}

int ginv_onnx_attr_is(const onnx_node *n, const char *name, const char *def, const char *s)
{
    const onnx_attr *a = ginv_onnx_attr(n, name);
    if (!a) return def && !strcmp(def, s);
    if (!a->has_s) return 0;
    size_t len = strlen(s);
    return a->s.len == len && !memcmp(a->s.data, s, len);
}

const char *ginv_onnx_node_label(const onnx_node *n, int index, char *buf, size_t len)
{
    const char *op = ginv_onnx_empty(n->op_type) ? "?" : n->op_type;
    if (!ginv_onnx_empty(n->name)) snprintf(buf, len, "node '%.80s' (%.40s)", n->name, op);
    else snprintf(buf, len, "node #%d (%.40s)", index, op);
    return buf;
}
