/* onnx_fold.c — constants computed at import: Constant nodes and the shape
 * arithmetic PyTorch's exporter writes for view/reshape (Shape, Gather,
 * Unsqueeze, Concat, Cast, Squeeze, Identity, Reshape of a constant). The
 * batch dimension of a Shape result is the marker ONNX_BATCH, carried
 * through unchanged and never computed with. */
#include "io/onnx_internal.h"

#include <math.h>
#include <string.h>

static const char *const fold_ops[] = {"Constant", "Identity", "Cast", "Shape", "Gather",
                                       "Unsqueeze", "Squeeze", "Concat", "Reshape", NULL};

int ginv_onnx_is_fold_op(const char *op)
{
    for (int i = 0; fold_ops[i]; i++)
        if (!strcmp(op, fold_ops[i])) return 1;
    return 0;
}

static ginv_status alloc_like(onnx_value *out, int is_int, size_t count, const char *label)
{
    out->kind = ONNX_VAL_CONST;
    out->is_int = is_int;
    out->count = count;
    if (is_int) out->iv = ginv_malloc(sizeof(int64_t) * (count ? count : 1));
    else out->fv = ginv_malloc(sizeof(float) * (count ? count : 1));
    if (is_int ? !out->iv : !out->fv) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory", label);
    return GINV_OK;
}

static ginv_status copy_value(onnx_value *out, const onnx_value *in, const char *label)
{
    ginv_status st = alloc_like(out, in->is_int, in->count, label);
    if (st != GINV_OK) return st;
    out->ndim = in->ndim;
    memcpy(out->dims, in->dims, sizeof out->dims);
    if (in->count && in->is_int) memcpy(out->iv, in->iv, sizeof(int64_t) * in->count);
    else if (in->count) memcpy(out->fv, in->fv, sizeof(float) * in->count);
    return GINV_OK;
}

/* axes of Unsqueeze / Squeeze: the second input (opset 13) or the attribute */
ginv_status ginv_onnx_axes(const onnx_node *n, const char *label, onnx_value *const *in, int nin,
                           int64_t *axes, int *naxes)
{
    if (nin >= 2 && in[1]) {
        if (!in[1]->is_int || in[1]->count > ONNX_MAX_RANK)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: axes must be at most %d int64 values",
                             label, ONNX_MAX_RANK);
        for (size_t i = 0; i < in[1]->count; i++) axes[i] = in[1]->iv[i];
        *naxes = (int)in[1]->count;
        return GINV_OK;
    }
    return ginv_onnx_attr_ints(n, "axes", axes, ONNX_MAX_RANK, naxes);
}

ginv_status ginv_onnx_axes_dims(const char *label, int insert, const int64_t *dims, int ndim,
                                const int64_t *axes, int naxes, int64_t *out, int *nout)
{
    int r = insert ? ndim + naxes : ndim;
    if (r > ONNX_MAX_RANK) return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: rank over %d", label, ONNX_MAX_RANK);
    int mark[ONNX_MAX_RANK] = {0};
    if (!insert && naxes == 0) {
        /* every dimension of size 1 */
        for (int i = 0; i < ndim; i++) mark[i] = dims[i] == 1;
    }
    for (int i = 0; i < naxes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        if (a < 0 || a >= r || mark[a])
            return ginv_fail(GINV_ERR_FORMAT, "%s: axis %lld out of range or repeated", label,
                             (long long)axes[i]);
        if (!insert && dims[a] != 1)
            return ginv_fail(GINV_ERR_FORMAT, "%s: squeezes axis %lld of size %lld", label,
                             (long long)a, (long long)dims[a]);
        mark[a] = 1;
    }
    int k = 0, j = 0;
    if (insert) {
        for (int i = 0; i < r; i++) out[k++] = mark[i] ? 1 : dims[j++];
    } else {
        for (int i = 0; i < ndim; i++)
            if (!mark[i]) out[k++] = dims[i];
    }
    *nout = k;
    return GINV_OK;
}

static ginv_status fold_constant(const onnx_node *n, const char *label, onnx_value *out)
{
    const onnx_attr *a = ginv_onnx_attr(n, "value");
    if (a && a->t) return ginv_onnx_tensor_value(a->t, label, out);
    if ((a = ginv_onnx_attr(n, "value_float")) && a->has_f) {
        ginv_status st = alloc_like(out, 0, 1, label);
        if (st == GINV_OK) out->fv[0] = a->f;
        return st;
    }
    if ((a = ginv_onnx_attr(n, "value_int")) && a->has_i) {
        ginv_status st = alloc_like(out, 1, 1, label);
        if (st == GINV_OK) out->iv[0] = a->i;
        return st;
    }
    if ((a = ginv_onnx_attr(n, "value_ints")) || (a = ginv_onnx_attr(n, "value_floats"))) {
        int isint = a->n_ints > 0 || !strcmp(a->name, "value_ints");
        size_t cnt = isint ? a->n_ints : a->n_floats;
        if (cnt > (size_t)ONNX_MAX_COUNT) return ginv_fail(GINV_ERR_FORMAT, "%s: too many values", label);
        ginv_status st = alloc_like(out, isint, cnt, label);
        if (st != GINV_OK) return st;
        out->ndim = 1;
        out->dims[0] = (int64_t)cnt;
        if (cnt && isint) memcpy(out->iv, a->ints, sizeof(int64_t) * cnt);
        else if (cnt) memcpy(out->fv, a->floats, sizeof(float) * cnt);
        return GINV_OK;
    }
    return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: a Constant without a tensor, float or int value",
                     label);
}

static ginv_status fold_cast(const onnx_node *n, const char *label, const onnx_value *x,
                             onnx_value *out)
{
    int64_t to;
    ginv_status st = ginv_onnx_attr_int(n, "to", 0, &to);
    if (st != GINV_OK) return st;
    int toint = to == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ||
                to == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    int tofloat = to == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
                  to == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    if (!toint && !tofloat)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: Cast to type %lld (only int64, int32, float, "
                         "double are folded)", label, (long long)to);
    if ((st = alloc_like(out, toint, x->count, label))) return st;
    out->ndim = x->ndim;
    memcpy(out->dims, x->dims, sizeof out->dims);
    for (size_t i = 0; i < x->count; i++) {
        if (toint && x->is_int) out->iv[i] = x->iv[i];
        else if (toint) {
            float f = x->fv[i];
            if (!(fabsf(f) < 9.2e18f)) return ginv_fail(GINV_ERR_NUMERIC, "%s: casts %g to an integer", label, f);
            out->iv[i] = (int64_t)f;
        } else if (x->is_int) {
            if (x->iv[i] == ONNX_BATCH)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: computes with the batch size; export "
                                 "with a constant shape", label);
            out->fv[i] = (float)x->iv[i];
        } else out->fv[i] = x->fv[i];
    }
    return GINV_OK;
}

static ginv_status fold_gather(const onnx_node *n, const char *label, const onnx_value *x,
                               const onnx_value *idx, onnx_value *out)
{
    int64_t axis;
    ginv_status st = ginv_onnx_attr_int(n, "axis", 0, &axis);
    if (st != GINV_OK) return st;
    if (x->ndim != 1 || (axis != 0 && axis != -1) || !idx->is_int || idx->ndim > 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: only Gather of a vector by a scalar or a "
                         "vector of indices is folded", label);
    if ((st = alloc_like(out, x->is_int, idx->count, label))) return st;
    out->ndim = idx->ndim;
    out->dims[0] = (int64_t)idx->count;
    for (size_t i = 0; i < idx->count; i++) {
        int64_t j = idx->iv[i];
        if (j < 0) j += (int64_t)x->count;
        if (j < 0 || j >= (int64_t)x->count)
            return ginv_fail(GINV_ERR_FORMAT, "%s: index %lld out of range", label, (long long)idx->iv[i]);
        if (x->is_int) out->iv[i] = x->iv[j];
        else out->fv[i] = x->fv[j];
    }
    return GINV_OK;
}

static ginv_status fold_concat(const onnx_node *n, const char *label, onnx_value *const *in,
                               int nin, onnx_value *out)
{
    int64_t axis;
    ginv_status st = ginv_onnx_attr_int(n, "axis", 0, &axis);
    if (st != GINV_OK) return st;
    size_t total = 0;
    for (int i = 0; i < nin; i++) {
        if (!in[i] || in[i]->ndim != 1 || in[i]->is_int != in[0]->is_int || (axis != 0 && axis != -1))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: only Concat of vectors of one type is folded",
                             label);
        total += in[i]->count;
    }
    if (total > (size_t)ONNX_MAX_COUNT) return ginv_fail(GINV_ERR_FORMAT, "%s: too many values", label);
    if ((st = alloc_like(out, in[0]->is_int, total, label))) return st;
    out->ndim = 1;
    out->dims[0] = (int64_t)total;
    size_t k = 0;
    for (int i = 0; i < nin; i++) {
        if (in[0]->is_int) memcpy(out->iv + k, in[i]->iv, sizeof(int64_t) * in[i]->count);
        else memcpy(out->fv + k, in[i]->fv, sizeof(float) * in[i]->count);
        k += in[i]->count;
    }
    return GINV_OK;
}

static ginv_status fold_reshape(const char *label, const onnx_value *x, const onnx_value *shape,
                                onnx_value *out)
{
    if (!shape->is_int || shape->ndim != 1 || shape->count > ONNX_MAX_RANK)
        return ginv_fail(GINV_ERR_FORMAT, "%s: the shape is not a vector of int64", label);
    int64_t d[ONNX_MAX_RANK], known = 1;
    int infer = -1;
    for (size_t i = 0; i < shape->count; i++) {
        d[i] = shape->iv[i];
        if (d[i] == 0 && i < (size_t)x->ndim) d[i] = x->dims[i];
        if (d[i] == -1 && infer < 0) infer = (int)i;
        else if (d[i] < 0)
            return ginv_fail(GINV_ERR_FORMAT, "%s: shape entry %lld", label, (long long)shape->iv[i]);
        else if (d[i] && known > ONNX_MAX_COUNT / d[i]) return ginv_fail(GINV_ERR_FORMAT, "%s: too large", label);
        else known *= d[i];
    }
    if (infer >= 0) {
        if (!known || x->count % (size_t)known)
            return ginv_fail(GINV_ERR_SHAPE, "%s: %zu values do not reshape", label, x->count);
        d[infer] = (int64_t)x->count / known;
        known *= d[infer];
    }
    if ((size_t)known != x->count)
        return ginv_fail(GINV_ERR_SHAPE, "%s: %zu values into a shape of %lld", label, x->count,
                         (long long)known);
    ginv_status st = copy_value(out, x, label);
    if (st != GINV_OK) return st;
    out->ndim = (int)shape->count;
    memcpy(out->dims, d, sizeof(int64_t) * shape->count);
    return GINV_OK;
}

ginv_status ginv_onnx_fold(const onnx_node *n, const char *label, onnx_value *const *in, int nin,
                           const onnx_value *shape_of, onnx_value *out)
{
    const char *op = n->op_type;
    ginv_status st;
    if (!strcmp(op, "Constant")) return fold_constant(n, label, out);
    if (!strcmp(op, "Shape")) {
        if (!shape_of) return ginv_fail(GINV_ERR_FORMAT, "%s: Shape of a missing tensor", label);
        if (ginv_onnx_attr(n, "start") || ginv_onnx_attr(n, "end"))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: Shape with start/end is not folded", label);
        if ((st = alloc_like(out, 1, (size_t)shape_of->ndim, label))) return st;
        out->ndim = 1;
        out->dims[0] = shape_of->ndim;
        for (int i = 0; i < shape_of->ndim; i++)
            out->iv[i] = shape_of->kind == ONNX_VAL_DATA && i == 0 ? ONNX_BATCH : shape_of->dims[i];
        return GINV_OK;
    }
    if (nin < 1 || !in[0]) return ginv_fail(GINV_ERR_FORMAT, "%s: missing input", label);
    if (!strcmp(op, "Identity")) return copy_value(out, in[0], label);
    if (!strcmp(op, "Cast")) return fold_cast(n, label, in[0], out);
    if (!strcmp(op, "Gather")) {
        if (nin < 2 || !in[1]) return ginv_fail(GINV_ERR_FORMAT, "%s: missing indices", label);
        return fold_gather(n, label, in[0], in[1], out);
    }
    if (!strcmp(op, "Concat")) return fold_concat(n, label, in, nin, out);
    if (!strcmp(op, "Reshape")) {
        if (nin < 2 || !in[1]) return ginv_fail(GINV_ERR_FORMAT, "%s: missing shape", label);
        return fold_reshape(label, in[0], in[1], out);
    }
    if (!strcmp(op, "Unsqueeze") || !strcmp(op, "Squeeze")) {
        int64_t axes[ONNX_MAX_RANK];
        int naxes;
        if ((st = ginv_onnx_axes(n, label, in, nin, axes, &naxes))) return st;
        int64_t d[ONNX_MAX_RANK];
        int nd;
        if ((st = ginv_onnx_axes_dims(label, op[0] == 'U', in[0]->dims, in[0]->ndim, axes, naxes, d, &nd)))
            return st;
        if ((st = copy_value(out, in[0], label))) return st;
        out->ndim = nd;
        memcpy(out->dims, d, sizeof(int64_t) * nd);
        return GINV_OK;
    }
    return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: not a constant op", label);
}
