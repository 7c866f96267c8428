/* onnx_import.c — an ONNX generator as a ginv net (docs/models.md): the
 * graph walked in topological order as one chain of data tensors, each op
 * mapped to a layer (Gemm, MatMul + Add, Conv, ConvTranspose,
 * BatchNormalization folded into the conv before it or kept as batchnorm2d,
 * per-channel Mul/Add, the activations, Reshape/Flatten/Unsqueeze/Squeeze,
 * Resize/Upsample nearest), constants and shape arithmetic folded,
 * PyTorch's GELU/SiLU decompositions recognised (onnx_pointwise.c).
 * Anything else is refused with one line naming the node. */
#include "io/onnx_internal.h"

#include "base/check_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct {
    ginv_layer spec;
    float *W, *b;            /* owned: the layer's weights and bias */
    size_t nW, nb;
    float *fold_scale, *fold_shift; /* a BatchNormalization folded in after the net is made */
    int from_matmul;         /* dense from MatMul: an Add may give its bias */
    int from_mul;            /* batchnorm2d from Mul: an Add may give its shift */
} pend;

#define MAXREGION 32

typedef struct {
    onnx_prep P;
    pend *L;
    int nl, cap;
    onnx_value *head;        /* the chain's current data tensor */
    int head_layer;          /* the layer that wrote head (-1: none since the last layer) */
    const onnx_node *region[MAXREGION];
    int nregion;
    onnx_value *region_x;
    char lab[200];
} imp;

/* ---- shapes: a data value's per-sample shape as ginv's C x H x W */

static void gshape(const onnx_value *v, int *c, int *h, int *w)
{
    if (v->ndim == 4) {
        *c = (int)v->dims[1];
        *h = (int)v->dims[2];
        *w = (int)v->dims[3];
    } else {
        int64_t n = 1;
        for (int i = 1; i < v->ndim; i++) n *= v->dims[i];
        *c = (int)n;
        *h = *w = 1;
    }
}

static int64_t per_sample(const onnx_value *v)
{
    int64_t n = 1;
    for (int i = 1; i < v->ndim; i++) n *= v->dims[i];
    return n;
}

static pend *push(imp *s, ginv_layer_kind kind)
{
    if (s->nl == GINV_MAX_LAYERS) {
        ginv_fail(GINV_ERR_UNSUPPORTED, "%s: more than %d layers", s->lab, GINV_MAX_LAYERS);
        return NULL;
    }
    if (s->nl == s->cap) {
        int nc = s->cap ? 2 * s->cap : 16;
        pend *n = ginv_realloc(s->L, sizeof(pend) * (size_t)nc);
        if (!n) {
            ginv_fail(GINV_ERR_NOMEM, "out of memory");
            return NULL;
        }
        s->L = n;
        s->cap = nc;
    }
    pend *p = &s->L[s->nl++];
    memset(p, 0, sizeof *p);
    p->spec.kind = kind;
    int c, h, w;
    gshape(s->head, &c, &h, &w);
    p->spec.c_in = c;
    p->spec.h_in = h;
    p->spec.w_in = w;
    p->spec.in = (int)per_sample(s->head);
    return p;
}

static float *falloc(size_t n, size_t *count)
{
    *count = n;
    return ginv_calloc(n ? n : 1, sizeof(float));
}

/* The node's output 0 becomes the chain's head: a data tensor of rank r. */
static ginv_status advance(imp *s, const onnx_node *n, int r, const int64_t *dims, int layer)
{
    if (n->n_output < 1 || ginv_onnx_empty(n->output[0]))
        return ginv_fail(GINV_ERR_FORMAT, "%s: no output", s->lab);
    for (size_t j = 1; j < n->n_output; j++) {
        onnx_value *o = ginv_onnx_values_find(&s->P.vals, n->output[j]);
        if (o && o->nuse)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: its output '%.80s' is used; ginv reads "
                             "the first output only (export in eval mode)", s->lab, n->output[j]);
    }
    onnx_value *v = ginv_onnx_values_find(&s->P.vals, n->output[0]);
    if (r < 2 || r > 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: gives a tensor of rank %d (ginv's tensors are "
                         "[B, n] or [B, C, H, W])", s->lab, r);
    int64_t ps = 1;
    for (int i = 1; i < r; i++) {
        if (dims[i] < 1 || dims[i] > (1 << 24) || ps * dims[i] > (1 << 24))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: a tensor of more than 2^24 values per sample "
                             "or a dimension < 1", s->lab);
        ps *= dims[i];
    }
    v->kind = ONNX_VAL_DATA;
    v->ndim = r;
    v->dims[0] = -1;
    for (int i = 1; i < r; i++) v->dims[i] = dims[i];
    s->head = v;
    s->head_layer = layer;
    return GINV_OK;
}

static ginv_status act_layer(imp *s, const onnx_node *n, ginv_layer_kind kind, double alpha)
{
    pend *p = push(s, kind);
    if (!p) return ginv_last_status();
    p->spec.out = p->spec.in;
    p->spec.alpha = alpha;
    return advance(s, n, s->head->ndim, s->head->dims, s->nl - 1);
}

static const onnx_value *const_in(imp *s, const onnx_node *n, size_t j, const char *what)
{
    if (j >= n->n_input || ginv_onnx_empty(n->input[j])) {
        ginv_fail(GINV_ERR_FORMAT, "%s: missing %s", s->lab, what);
        return NULL;
    }
    const onnx_value *v = ginv_onnx_values_find(&s->P.vals, n->input[j]);
    if (!v || v->kind != ONNX_VAL_CONST || v->is_int) {
        ginv_fail(GINV_ERR_UNSUPPORTED, "%s: %s '%.80s' is not a float constant (weights must be "
                  "initializers)", s->lab, what, n->input[j]);
        return NULL;
    }
    return v;
}

/* ---- dense: Gemm, MatMul (+ Add) */

static ginv_status gemm(imp *s, const onnx_node *n, int matmul)
{
    if (s->head->ndim != 2)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: input of rank %d; ginv's dense layer takes "
                         "[B, n] (Flatten first)", s->lab, s->head->ndim);
    int64_t ta = 0, tb = 0;
    double alpha = 1, beta = 1;
    ginv_status st;
    if (!matmul && ((st = ginv_onnx_attr_int(n, "transA", 0, &ta)) || (st = ginv_onnx_attr_int(n, "transB", 0, &tb)) ||
                    (st = ginv_onnx_attr_float(n, "alpha", 1, &alpha)) ||
                    (st = ginv_onnx_attr_float(n, "beta", 1, &beta))))
        return st;
    if (ta) return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: transA = 1 transposes the batch", s->lab);
    if (!isfinite(alpha) || !isfinite(beta))
        return ginv_fail(GINV_ERR_NUMERIC, "%s: alpha or beta is not finite", s->lab);
    if (n->n_input < 2 || strcmp(n->input[0], s->head->name))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: the data must be the first input (x W, not W x)",
                         s->lab);
    const onnx_value *B = const_in(s, n, 1, "weight");
    if (!B) return ginv_last_status();
    int64_t in = s->head->dims[1];
    if (B->ndim != 2 || B->dims[tb ? 1 : 0] != in)
        return ginv_fail(GINV_ERR_SHAPE, "%s: weight of shape [%lld, %lld] for an input of %lld",
                         s->lab, (long long)B->dims[0], (long long)(B->ndim > 1 ? B->dims[1] : 0),
                         (long long)in);
    int64_t out = B->dims[tb ? 0 : 1];
    if (out < 1 || out > (1 << 24))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: %lld outputs", s->lab, (long long)out);
    const onnx_value *C = NULL;
    if (!matmul && n->n_input >= 3 && !ginv_onnx_empty(n->input[2])) {
        if (!(C = const_in(s, n, 2, "bias"))) return ginv_last_status();
        if (C->count != 1 && C->count != (size_t)out)
            return ginv_fail(GINV_ERR_SHAPE, "%s: bias of %zu values for %lld outputs", s->lab,
                             C->count, (long long)out);
        if (C->ndim == 2 && C->dims[0] != 1)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: a bias per sample", s->lab);
    }
    pend *p = push(s, GINV_LAYER_DENSE);
    if (!p) return ginv_last_status();
    p->spec.out = (int)out;
    p->spec.bias = C != NULL;
    p->from_matmul = matmul;
    if (!(p->W = falloc((size_t)out * in, &p->nW))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    float a = (float)alpha;
    for (int64_t o = 0; o < out; o++)
        for (int64_t i = 0; i < in; i++) {
            float w = tb ? B->fv[o * in + i] : B->fv[i * out + o];
            p->W[o * in + i] = alpha == 1 ? w : w * a;
        }
    if (C) {
        if (!(p->b = falloc((size_t)out, &p->nb))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int64_t o = 0; o < out; o++) {
            float c = C->fv[C->count == 1 ? 0 : o];
            p->b[o] = beta == 1 ? c : c * (float)beta;
        }
    }
    int64_t d[2] = {-1, out};
    return advance(s, n, 2, d, s->nl - 1);
}

/* A constant of one value per channel of the head: [C, 1, 1] or [1, C, 1, 1]
 * on [B, C, H, W]; [N] or [1, N] on [B, N]. */
static int channel_const(const imp *s, const onnx_value *c)
{
    const onnx_value *h = s->head;
    if (!c || c->kind != ONNX_VAL_CONST || c->is_int) return 0;
    if (h->ndim == 4) {
        int64_t C = h->dims[1];
        return (c->ndim == 3 && c->dims[0] == C && c->dims[1] == 1 && c->dims[2] == 1) ||
               (c->ndim == 4 && c->dims[0] == 1 && c->dims[1] == C && c->dims[2] == 1 && c->dims[3] == 1);
    }
    if (h->ndim == 2) {
        int64_t N = h->dims[1];
        return (c->ndim == 1 && c->dims[0] == N && N > 1) ||
               (c->ndim == 2 && c->dims[0] == 1 && c->dims[1] == N);
    }
    return 0;
}

/* Add (bias of a MatMul, or a batchnorm2d shift) or Mul (batchnorm2d scale)
 * by a constant per channel. */
static ginv_status affine(imp *s, const onnx_node *n, int is_add, const onnx_value *c)
{
    pend *last = s->head_layer >= 0 ? &s->L[s->head_layer] : NULL;
    if (is_add && last && last->from_matmul && !last->spec.bias && s->head->ndim == 2) {
        if (!(last->b = falloc(c->count, &last->nb))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        memcpy(last->b, c->fv, sizeof(float) * c->count);
        last->spec.bias = 1;
        last->from_matmul = 0;
        return advance(s, n, s->head->ndim, s->head->dims, s->head_layer);
    }
    if (is_add && last && last->from_mul) {
        memcpy(last->b, c->fv, sizeof(float) * c->count);
        last->from_mul = 0;
        return advance(s, n, s->head->ndim, s->head->dims, s->head_layer);
    }
    pend *p = push(s, GINV_LAYER_BATCHNORM2D);
    if (!p) return ginv_last_status();
    p->spec.bias = 1;
    p->from_mul = !is_add;
    if (!(p->W = falloc(c->count, &p->nW)) || !(p->b = falloc(c->count, &p->nb)))
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->count; i++) {
        p->W[i] = is_add ? 1.0f : c->fv[i];
        p->b[i] = is_add ? c->fv[i] : 0.0f;
    }
    return advance(s, n, s->head->ndim, s->head->dims, s->nl - 1);
}

/* ---- Conv, ConvTranspose */

static ginv_status int_in(imp *s, const char *what, int64_t v, int64_t lo, int64_t hi, int *out)
{
    if (v < lo || v > hi)
        return ginv_fail(v < 0 ? GINV_ERR_FORMAT : GINV_ERR_UNSUPPORTED, "%s: %s %lld (must be in "
                         "[%lld, %lld])", s->lab, what, (long long)v, (long long)lo, (long long)hi);
    *out = (int)v;
    return GINV_OK;
}

static ginv_status conv(imp *s, const onnx_node *n, int transposed)
{
    if (s->head->ndim != 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: input of rank %d; 2-D convolutions take [B, C, "
                         "H, W]", s->lab, s->head->ndim);
    if (n->n_input < 2 || strcmp(n->input[0], s->head->name))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: the data must be the first input", s->lab);
    const onnx_value *W = const_in(s, n, 1, "weight");
    if (!W) return ginv_last_status();
    if (W->ndim != 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: weight of rank %d (2-D convolutions only)",
                         s->lab, W->ndim);
    const onnx_value *B = NULL;
    if (n->n_input >= 3 && !ginv_onnx_empty(n->input[2]) && !(B = const_in(s, n, 2, "bias")))
        return ginv_last_status();
    int64_t group, ks[4], st_[4], pads[4], dil[4], op[4], os[4];
    int nks, nst, npad, ndil, nop, nos;
    ginv_status st;
    if ((st = ginv_onnx_attr_int(n, "group", 1, &group)) ||
        (st = ginv_onnx_attr_ints(n, "kernel_shape", ks, 4, &nks)) ||
        (st = ginv_onnx_attr_ints(n, "strides", st_, 4, &nst)) ||
        (st = ginv_onnx_attr_ints(n, "pads", pads, 4, &npad)) ||
        (st = ginv_onnx_attr_ints(n, "dilations", dil, 4, &ndil)) ||
        (st = ginv_onnx_attr_ints(n, "output_padding", op, 4, &nop)) ||
        (st = ginv_onnx_attr_ints(n, "output_shape", os, 4, &nos)))
        return st;
    if (group != 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: group = %lld; ginv's convolutions have groups "
                         "= 1", s->lab, (long long)group);
    if (!ginv_onnx_attr_is(n, "auto_pad", "NOTSET", "NOTSET") && !ginv_onnx_attr_is(n, "auto_pad", "NOTSET", "VALID"))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: auto_pad SAME_*; export with explicit padding",
                         s->lab);
    if ((nks && nks != 2) || (nst && nst != 2) || (npad && npad != 4) || (ndil && ndil != 2) ||
        (nop && nop != 2))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: attributes for other than 2 spatial dimensions",
                         s->lab);
    if (nos) return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: output_shape; export with padding and "
                              "output_padding instead", s->lab);
    if (npad && (pads[0] != pads[2] || pads[1] != pads[3]))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: asymmetric pads [%lld, %lld, %lld, %lld]; ginv "
                         "pads both sides alike (pad the input with a separate layer in PyTorch)",
                         s->lab, (long long)pads[0], (long long)pads[1], (long long)pads[2],
                         (long long)pads[3]);
    if (!transposed && nop) return ginv_fail(GINV_ERR_FORMAT, "%s: output_padding on a Conv", s->lab);
    int64_t cin = s->head->dims[1];
    int64_t wci = transposed ? W->dims[0] : W->dims[1], wco = transposed ? W->dims[1] : W->dims[0];
    if (wci != cin)
        return ginv_fail(GINV_ERR_SHAPE, "%s: weight for %lld input channels, the input has %lld",
                         s->lab, (long long)wci, (long long)cin);
    if (nks && (ks[0] != W->dims[2] || ks[1] != W->dims[3]))
        return ginv_fail(GINV_ERR_SHAPE, "%s: kernel_shape [%lld, %lld] but the weight's kernel is "
                         "[%lld, %lld]", s->lab, (long long)ks[0], (long long)ks[1],
                         (long long)W->dims[2], (long long)W->dims[3]);
    if (B && B->count != (size_t)wco)
        return ginv_fail(GINV_ERR_SHAPE, "%s: bias of %zu values for %lld output channels", s->lab,
                         B->count, (long long)wco);
    pend *p = push(s, transposed ? GINV_LAYER_CONV_TRANSPOSE2D : GINV_LAYER_CONV2D);
    if (!p) return ginv_last_status();
    ginv_layer *L = &p->spec;
    if ((st = int_in(s, "output channels", wco, 1, 1 << 24, &L->c_out)) ||
        (st = int_in(s, "kernel height", W->dims[2], 1, 4096, &L->kh)) ||
        (st = int_in(s, "kernel width", W->dims[3], 1, 4096, &L->kw)) ||
        (st = int_in(s, "stride", nst ? st_[0] : 1, 1, 4096, &L->stride_h)) ||
        (st = int_in(s, "stride", nst ? st_[1] : 1, 1, 4096, &L->stride_w)) ||
        (st = int_in(s, "pad", npad ? pads[0] : 0, 0, 65536, &L->pad_h)) ||
        (st = int_in(s, "pad", npad ? pads[1] : 0, 0, 65536, &L->pad_w)) ||
        (st = int_in(s, "dilation", ndil ? dil[0] : 1, 1, 4096, &L->dil_h)) ||
        (st = int_in(s, "dilation", ndil ? dil[1] : 1, 1, 4096, &L->dil_w)) ||
        (st = int_in(s, "output_padding", nop ? op[0] : 0, 0, 4095, &L->outpad_h)) ||
        (st = int_in(s, "output_padding", nop ? op[1] : 0, 0, 4095, &L->outpad_w)))
        return st;
    int64_t oh, ow;
    if (transposed) {
        oh = (int64_t)(s->head->dims[2] - 1) * L->stride_h - 2 * L->pad_h + (int64_t)L->dil_h * (L->kh - 1) + L->outpad_h + 1;
        ow = (int64_t)(s->head->dims[3] - 1) * L->stride_w - 2 * L->pad_w + (int64_t)L->dil_w * (L->kw - 1) + L->outpad_w + 1;
    } else {
        oh = (s->head->dims[2] + 2 * L->pad_h - (int64_t)L->dil_h * (L->kh - 1) - 1);
        ow = (s->head->dims[3] + 2 * L->pad_w - (int64_t)L->dil_w * (L->kw - 1) - 1);
        oh = oh < 0 ? 0 : oh / L->stride_h + 1;
        ow = ow < 0 ? 0 : ow / L->stride_w + 1;
    }
    if (oh < 1 || ow < 1 || oh > (1 << 24) || ow > (1 << 24))
        return ginv_fail(GINV_ERR_SHAPE, "%s: output of %lld x %lld from an input of %lld x %lld",
                         s->lab, (long long)oh, (long long)ow, (long long)s->head->dims[2],
                         (long long)s->head->dims[3]);
    L->bias = B != NULL;
    if (!(p->W = falloc(W->count, &p->nW))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    memcpy(p->W, W->fv, sizeof(float) * W->count);
    if (B) {
        if (!(p->b = falloc(B->count, &p->nb))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        memcpy(p->b, B->fv, sizeof(float) * B->count);
    }
    int64_t d[4] = {-1, wco, oh, ow};
    return advance(s, n, 4, d, s->nl - 1);
}

/* ---- BatchNormalization: folded into the conv that wrote its input, or a
 * batchnorm2d layer */

static ginv_status batchnorm(imp *s, const onnx_node *n)
{
    if (s->head->ndim != 4 && s->head->ndim != 2)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: input of rank %d", s->lab, s->head->ndim);
    int64_t train;
    double eps;
    ginv_status st;
    if ((st = ginv_onnx_attr_int(n, "training_mode", 0, &train)) ||
        (st = ginv_onnx_attr_float(n, "epsilon", 1e-5, &eps)))
        return st;
    if (train) return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: training_mode = 1; export in eval mode "
                                "(G.eval())", s->lab);
    int64_t C = s->head->dims[1];
    const onnx_value *v[4];
    static const char *const what[4] = {"scale", "bias", "mean", "var"};
    for (int i = 0; i < 4; i++) {
        if (!(v[i] = const_in(s, n, (size_t)i + 1, what[i]))) return ginv_last_status();
        if (v[i]->count != (size_t)C || v[i]->ndim != 1)
            return ginv_fail(GINV_ERR_SHAPE, "%s: %s of %zu values for %lld channels", s->lab,
                             what[i], v[i]->count, (long long)C);
    }
    size_t cnt;
    float *scale = falloc((size_t)C, &cnt), *shift = falloc((size_t)C, &cnt);
    if (!scale || !shift) {
        ginv_free(scale);
        ginv_free(shift);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    st = ginv_batchnorm_fold((int)C, v[0]->fv, v[1]->fv, v[2]->fv, v[3]->fv, eps, scale, shift);
    if (st != GINV_OK) {
        ginv_free(scale);
        ginv_free(shift);
        return ginv_fail(st, "%s: %s", s->lab, ginv_last_error());
    }
    pend *last = s->head_layer >= 0 ? &s->L[s->head_layer] : NULL;
    if (last && !last->fold_scale && (last->spec.kind == GINV_LAYER_CONV2D ||
                                      last->spec.kind == GINV_LAYER_CONV_TRANSPOSE2D)) {
        last->fold_scale = scale;
        last->fold_shift = shift;
        if (!last->spec.bias) {
            last->spec.bias = 1;
            if (!(last->b = falloc((size_t)C, &last->nb))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        }
        return advance(s, n, s->head->ndim, s->head->dims, s->head_layer);
    }
    pend *p = push(s, GINV_LAYER_BATCHNORM2D);
    if (!p) {
        ginv_free(scale);
        ginv_free(shift);
        return ginv_last_status();
    }
    p->spec.bias = 1;
    p->W = scale;
    p->nW = (size_t)C;
    p->b = shift;
    p->nb = (size_t)C;
    return advance(s, n, s->head->ndim, s->head->dims, s->nl - 1);
}

/* ---- shape ops: a reshape layer (consecutive ones merged) */

static ginv_status reshape_to(imp *s, const onnx_node *n, int r, const int64_t *d)
{
    int64_t ps = 1;
    for (int i = 1; i < r; i++) ps *= d[i];
    if (r < 2 || r > 4 || ps != per_sample(s->head))
        return ginv_fail(GINV_ERR_SHAPE, "%s: %lld values per sample into %lld", s->lab,
                         (long long)per_sample(s->head), (long long)ps);
    pend *last = s->head_layer >= 0 ? &s->L[s->head_layer] : NULL;
    int idx;
    if (last && last->spec.kind == GINV_LAYER_RESHAPE) {
        idx = s->head_layer;
    } else {
        if (!push(s, GINV_LAYER_RESHAPE)) return ginv_last_status();
        idx = s->nl - 1;
    }
    ginv_status st = advance(s, n, r, d, idx);
    if (st != GINV_OK) return st;
    ginv_layer *L = &s->L[idx].spec;
    gshape(s->head, &L->c_out, &L->h_out, &L->w_out);
    L->out = (int)ps;
    return GINV_OK;
}

static ginv_status reshape(imp *s, const onnx_node *n)
{
    if (n->n_input < 2) return ginv_fail(GINV_ERR_FORMAT, "%s: missing shape", s->lab);
    const onnx_value *sh = ginv_onnx_values_find(&s->P.vals, n->input[1]);
    if (!sh || sh->kind != ONNX_VAL_CONST || !sh->is_int || sh->ndim != 1 || sh->count < 1 ||
        sh->count > 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: the shape is not a constant of 1 to 4 values "
                         "(or shape arithmetic ginv does not fold)", s->lab);
    int64_t allowzero;
    ginv_status st = ginv_onnx_attr_int(n, "allowzero", 0, &allowzero);
    if (st != GINV_OK) return st;
    int r = (int)sh->count, infer = -1;
    int64_t d[4], ps = per_sample(s->head), known = 1;
    int64_t b0 = sh->iv[0];
    if (!(b0 == ONNX_BATCH || b0 == -1 || (b0 == 0 && !allowzero) ||
          (s->P.batch_static && b0 == s->P.batch_static)))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: reshapes the batch dimension to %lld; the "
                         "first dimension must stay the batch (x.view(x.size(0), ...))", s->lab,
                         (long long)b0);
    d[0] = -1;
    for (int i = 1; i < r; i++) {
        int64_t e = sh->iv[i];
        if (e == 0 && !allowzero && i < s->head->ndim) e = s->head->dims[i];
        if (e == -1 && infer < 0) {
            infer = i;
            continue;
        }
        if (e < 1 || e > (1 << 24))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: shape entry %lld", s->lab, (long long)sh->iv[i]);
        d[i] = e;
        known *= e;
        if (known > ps) break;
    }
    if (infer >= 0) {
        if (b0 == -1 || known < 1 || ps % known)
            return ginv_fail(GINV_ERR_SHAPE, "%s: %lld values per sample do not reshape", s->lab,
                             (long long)ps);
        d[infer] = ps / known;
    }
    return reshape_to(s, n, r, d);
}

static ginv_status squeeze(imp *s, const onnx_node *n, int insert)
{
    onnx_value *in[2] = {NULL, NULL};
    if (n->n_input >= 2 && !ginv_onnx_empty(n->input[1])) {
        in[1] = ginv_onnx_values_find(&s->P.vals, n->input[1]);
        if (!in[1] || in[1]->kind != ONNX_VAL_CONST)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: axes are not a constant", s->lab);
    }
    int64_t axes[ONNX_MAX_RANK], d[ONNX_MAX_RANK], cur[ONNX_MAX_RANK];
    int na, nd;
    ginv_status st = ginv_onnx_axes(n, s->lab, in, in[1] ? 2 : 1, axes, &na);
    if (st != GINV_OK) return st;
    int r = s->head->ndim, rr = insert ? r + na : r;
    if (!insert && na == 0)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: Squeeze without axes", s->lab);
    for (int i = 0; i < na; i++)
        if (axes[i] == 0 || axes[i] == -rr)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: axis 0 is the batch", s->lab);
    memcpy(cur, s->head->dims, sizeof cur);
    cur[0] = 2; /* the batch: never squeezed */
    if ((st = ginv_onnx_axes_dims(s->lab, insert, cur, r, axes, na, d, &nd))) return st;
    return reshape_to(s, n, nd, d);
}

/* ---- Resize / Upsample, nearest with an integer factor */

static ginv_status resize(imp *s, const onnx_node *n, int upsample)
{
    if (s->head->ndim != 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: input of rank %d", s->lab, s->head->ndim);
    if (!ginv_onnx_attr_is(n, "mode", "nearest", "nearest"))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: only mode 'nearest' is read (bilinear or cubic "
                         "upsampling: not supported)", s->lab);
    if (!upsample) {
        int asym = ginv_onnx_attr_is(n, "coordinate_transformation_mode", "half_pixel", "asymmetric");
        int half = ginv_onnx_attr_is(n, "coordinate_transformation_mode", "half_pixel", "half_pixel") ||
                   ginv_onnx_attr_is(n, "coordinate_transformation_mode", "half_pixel", "pytorch_half_pixel");
        int fl = ginv_onnx_attr_is(n, "nearest_mode", "round_prefer_floor", "floor");
        int rnd = ginv_onnx_attr_is(n, "nearest_mode", "round_prefer_floor", "round_prefer_floor") ||
                  ginv_onnx_attr_is(n, "nearest_mode", "round_prefer_floor", "round_prefer_ceil");
        if (!((asym && fl) || (half && rnd)))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: this coordinate_transformation_mode / "
                             "nearest_mode pair is not nearest upsampling by an integer factor "
                             "(use nn.Upsample(scale_factor=F, mode='nearest'))", s->lab);
    }
    int64_t H = s->head->dims[2], Wd = s->head->dims[3], f = 0;
    if (upsample && n->n_input < 2) {
        /* Upsample-7: the scales attribute */
        const onnx_attr *a = ginv_onnx_attr(n, "scales");
        if (!a || a->n_floats != 4) return ginv_fail(GINV_ERR_FORMAT, "%s: no scales", s->lab);
        double fh = a->floats[2];
        if (a->floats[0] != 1 || a->floats[1] != 1 || a->floats[3] != fh || fh != floor(fh) ||
            fh < 1 || fh > 4096)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: scales must be [1, 1, F, F], F an integer",
                             s->lab);
        f = (int64_t)fh;
    } else {
        const onnx_value *sc = NULL, *sz = NULL;
        size_t si = upsample ? 1 : 2;
        if (n->n_input > si && !ginv_onnx_empty(n->input[si]))
            sc = ginv_onnx_values_find(&s->P.vals, n->input[si]);
        if (!upsample && n->n_input > 3 && !ginv_onnx_empty(n->input[3]))
            sz = ginv_onnx_values_find(&s->P.vals, n->input[3]);
        if (sc && sc->kind == ONNX_VAL_CONST && !sc->is_int && sc->count == 4) {
            double fh = sc->fv[2], fw = sc->fv[3];
            if (sc->fv[0] != 1 || sc->fv[1] != 1 || fh != fw || fh != floor(fh) || fh < 1 || fh > 4096)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: scales [%g, %g, %g, %g]; ginv upsamples "
                                 "H and W by one integer factor", s->lab, sc->fv[0], sc->fv[1], fh, fw);
            f = (int64_t)fh;
        } else if (sz && sz->kind == ONNX_VAL_CONST && sz->is_int && sz->count == 4) {
            if (sz->iv[1] != s->head->dims[1] || sz->iv[2] % H || sz->iv[3] % Wd ||
                sz->iv[2] / H != sz->iv[3] / Wd || sz->iv[2] < H || sz->iv[2] / H > 4096)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: sizes that are not an integer upsampling "
                                 "of H and W by one factor", s->lab);
            f = sz->iv[2] / H;
        } else {
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: scales or sizes are not a constant of 4 "
                             "values", s->lab);
        }
    }
    if (H * f > (1 << 24) || s->head->dims[3] * f > (1 << 24))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: output too large", s->lab);
    pend *p = push(s, GINV_LAYER_UPSAMPLE_NEAREST);
    if (!p) return ginv_last_status();
    p->spec.factor = (int)f;
    int64_t d[4] = {-1, s->head->dims[1], s->head->dims[2] * f, s->head->dims[3] * f};
    return advance(s, n, 4, d, s->nl - 1);
}

/* ---- pointwise regions: GELU and SiLU spelt out in several nodes */

static int region_has(const imp *s, const char *name)
{
    if (!strcmp(name, s->region_x->name)) return 1;
    for (int i = 0; i < s->nregion; i++)
        if (s->region[i]->n_output >= 1 && !strcmp(s->region[i]->output[0], name)) return 1;
    return 0;
}

/* Can node n join the region (or start one at the head)? */
static int region_accepts(imp *s, const onnx_node *n)
{
    if (!ginv_onnx_is_pointwise_op(n->op_type) || n->n_output != 1 || s->nregion == MAXREGION)
        return 0;
    int data = 0;
    for (size_t j = 0; j < n->n_input; j++) {
        const char *in = n->input[j];
        if (ginv_onnx_empty(in)) return 0;
        if (s->nregion ? region_has(s, in) : !strcmp(in, s->head->name)) {
            data++;
            continue;
        }
        const onnx_value *v = ginv_onnx_values_find(&s->P.vals, in);
        if (!v || v->kind != ONNX_VAL_CONST || v->count != 1 || v->ndim > 1) return 0; /* a scalar */
    }
    return data > 0;
}

static ginv_status region_fail(imp *s)
{
    char ops[160] = "";
    size_t k = 0;
    for (int i = 0; i < s->nregion && k + 24 < sizeof ops; i++)
        k += (size_t)snprintf(ops + k, sizeof ops - k, "%s%.16s", i ? ", " : "", s->region[i]->op_type);
    return ginv_fail(GINV_ERR_UNSUPPORTED, "nodes %s compute an elementwise function of '%.80s' that "
                     "is not GELU, GELU (tanh) or SiLU; ginv reads these decompositions, not "
                     "arbitrary arithmetic", ops, s->region_x->name);
}

static ginv_status region_add(imp *s, const onnx_node *n)
{
    if (!s->nregion) s->region_x = s->head;
    s->region[s->nregion++] = n;
    for (size_t j = 0; j < n->n_input; j++) {
        onnx_value *v = ginv_onnx_values_find(&s->P.vals, n->input[j]);
        if (v->kind == ONNX_VAL_DATA) v->nuse--;
    }
    onnx_value *o = ginv_onnx_values_find(&s->P.vals, n->output[0]);
    o->kind = ONNX_VAL_DATA;
    o->ndim = s->region_x->ndim;
    memcpy(o->dims, s->region_x->dims, sizeof o->dims);
    /* a cut: one value of the region left with consumers, not x itself */
    onnx_value *live = NULL;
    int nlive = s->region_x->nuse > 0;
    if (nlive) live = s->region_x;
    for (int i = 0; i < s->nregion; i++) {
        onnx_value *v = ginv_onnx_values_find(&s->P.vals, s->region[i]->output[0]);
        if (v->nuse > 0) {
            nlive++;
            live = v;
        }
    }
    if (nlive == 0)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: its result is used by no node; the graph is not "
                         "a chain", s->lab);
    if (nlive > 1 || live == s->region_x) return GINV_OK;
    int kind = ginv_onnx_pointwise_identify(s->region, s->nregion, s->region_x->name, &s->P.vals,
                                            live->name);
    if (kind < 0) return s->nregion == MAXREGION ? region_fail(s) : GINV_OK;
    s->head = s->region_x;
    pend *p = push(s, (ginv_layer_kind)kind);
    if (!p) return ginv_last_status();
    p->spec.out = p->spec.in;
    s->head = live;
    s->head_layer = s->nl - 1;
    s->nregion = 0;
    s->region_x = NULL;
    return GINV_OK;
}

/* ---- one node on the chain */

static ginv_status on_data(imp *s, const onnx_node *n)
{
    const char *op = n->op_type;
    ginv_status st;
    if (s->nregion || region_accepts(s, n)) {
        if (!region_accepts(s, n)) return region_fail(s);
        return region_add(s, n);
    }
    /* the data input: the head, used by this node only */
    int ndata = 0;
    for (size_t j = 0; j < n->n_input; j++) {
        onnx_value *v = ginv_onnx_empty(n->input[j]) ? NULL : ginv_onnx_values_find(&s->P.vals, n->input[j]);
        if (!v || v->kind != ONNX_VAL_DATA) continue;
        if (v != s->head)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: reads '%.80s', not the chain's current tensor "
                             "'%.80s'; the graph is not a chain (skip connections and branches are "
                             "not supported)", s->lab, v->name, s->head->name);
        ndata++;
    }
    if (ndata != 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: uses the chain's tensor %d times; the graph is "
                         "not a chain", s->lab, ndata);
    if (s->head->nuse != 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: '%.80s' feeds %d nodes; the graph is not a chain "
                         "(skip connections and branches are not supported)", s->lab,
                         s->head->name, s->head->nuse);
    s->head->nuse = 0;
    if (!strcmp(op, "Identity") || !strcmp(op, "Dropout"))
        return advance(s, n, s->head->ndim, s->head->dims, s->head_layer);
    if (!strcmp(op, "Relu")) return act_layer(s, n, GINV_LAYER_RELU, 0);
    if (!strcmp(op, "Tanh")) return act_layer(s, n, GINV_LAYER_TANH, 0);
    if (!strcmp(op, "Sigmoid")) return act_layer(s, n, GINV_LAYER_SIGMOID, 0);
    if (!strcmp(op, "Softplus")) return act_layer(s, n, GINV_LAYER_SOFTPLUS, 0);
    if (!strcmp(op, "LeakyRelu") || !strcmp(op, "Elu")) {
        int leaky = op[0] == 'L';
        double a;
        if ((st = ginv_onnx_attr_float(n, "alpha", leaky ? 0.01 : 1.0, &a))) return st;
        if (leaky ? !(a >= 0 && a < 1) : !(a >= 0 && isfinite(a)))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: alpha %g (ginv's %s takes %s)", s->lab, a,
                             leaky ? "leaky_relu" : "elu", leaky ? "slopes in [0, 1)" : "finite alpha >= 0");
        return act_layer(s, n, leaky ? GINV_LAYER_LEAKY_RELU : GINV_LAYER_ELU, a);
    }
    if (!strcmp(op, "Gelu")) {
        if (ginv_onnx_attr_is(n, "approximate", "none", "none")) return act_layer(s, n, GINV_LAYER_GELU, 0);
        if (ginv_onnx_attr_is(n, "approximate", "none", "tanh")) return act_layer(s, n, GINV_LAYER_GELU_TANH, 0);
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: approximate must be 'none' or 'tanh'", s->lab);
    }
    if (!strcmp(op, "Gemm")) return gemm(s, n, 0);
    if (!strcmp(op, "MatMul")) return gemm(s, n, 1);
    if (!strcmp(op, "Conv")) return conv(s, n, 0);
    if (!strcmp(op, "ConvTranspose")) return conv(s, n, 1);
    if (!strcmp(op, "BatchNormalization")) return batchnorm(s, n);
    if (!strcmp(op, "Reshape")) return reshape(s, n);
    if (!strcmp(op, "Unsqueeze")) return squeeze(s, n, 1);
    if (!strcmp(op, "Squeeze")) return squeeze(s, n, 0);
    if (!strcmp(op, "Resize")) return resize(s, n, 0);
    if (!strcmp(op, "Upsample")) return resize(s, n, 1);
    if (!strcmp(op, "Flatten")) {
        int64_t axis;
        if ((st = ginv_onnx_attr_int(n, "axis", 1, &axis))) return st;
        if (axis != 1 && axis != 1 - s->head->ndim)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: axis %lld; ginv flattens each sample (axis 1)",
                             s->lab, (long long)axis);
        int64_t d[2] = {-1, per_sample(s->head)};
        return reshape_to(s, n, 2, d);
    }
    if (!strcmp(op, "Add") || !strcmp(op, "Mul")) {
        const char *other = n->n_input == 2 ? n->input[strcmp(n->input[0], s->head->name) ? 0 : 1] : NULL;
        const onnx_value *c = other ? ginv_onnx_values_find(&s->P.vals, other) : NULL;
        if (channel_const(s, c)) return affine(s, n, op[0] == 'A', c);
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: %s of the chain's tensor by something that is "
                         "not a constant per channel (or a MatMul's bias)", s->lab, op);
    }
    return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: op %s is not supported (docs/models.md lists the ops "
                     "ginv reads: Gemm, MatMul, Conv, ConvTranspose, BatchNormalization, activations, "
                     "Reshape, Flatten, Resize nearest, ...)", s->lab, op);
}

static ginv_status walk(imp *s)
{
    onnx_prep *P = &s->P;
    s->head = P->input;
    s->head_layer = -1;
    onnx_value *in[16];
    for (int k = 0; k < P->norder; k++) {
        int idx = P->order[k];
        const onnx_node *n = P->g->node[idx];
        ginv_onnx_node_label(n, idx, s->lab, sizeof s->lab);
        int has_data = 0, nin = (int)n->n_input;
        if (nin > 16) return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: %d inputs", s->lab, nin);
        for (int j = 0; j < nin; j++) {
            in[j] = ginv_onnx_empty(n->input[j]) ? NULL : ginv_onnx_values_find(&P->vals, n->input[j]);
            if (in[j] && in[j]->kind == ONNX_VAL_DATA) has_data = 1;
        }
        int shape = !strcmp(n->op_type, "Shape");
        if (!has_data || shape) {
            if (!ginv_onnx_is_fold_op(n->op_type))
                return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: op %s on constants only is not folded "
                                 "(export with do_constant_folding=True)", s->lab, n->op_type);
            if (n->n_output < 1 || ginv_onnx_empty(n->output[0]))
                return ginv_fail(GINV_ERR_FORMAT, "%s: no output", s->lab);
            for (int j = 0; j < nin; j++)
                if (!shape && in[j] && in[j]->kind != ONNX_VAL_CONST)
                    return ginv_fail(GINV_ERR_FORMAT, "%s: input '%.80s' is not computed", s->lab,
                                     n->input[j]);
            onnx_value *o = ginv_onnx_values_find(&P->vals, n->output[0]);
            ginv_status st = ginv_onnx_fold(n, s->lab, in, nin, shape ? in[0] : NULL, o);
            if (st != GINV_OK) return st;
            for (size_t i = 0; !o->is_int && i < o->count; i++)
                if (!isfinite(o->fv[i]))
                    return ginv_fail(GINV_ERR_NUMERIC, "%s: a non-finite value at index %zu", s->lab, i);
            o->kind = ONNX_VAL_CONST;
            continue;
        }
        ginv_status st = on_data(s, n);
        if (st != GINV_OK) return st;
    }
    if (s->nregion) return region_fail(s);
    const char *out = P->g->output[0]->name;
    if (strcmp(out, s->head->name))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "graph output '%.80s' is not the end of the chain "
                         "('%.80s')", out, s->head->name);
    return GINV_OK;
}

/* ---- the net from the layers */

static ginv_status build(imp *s, ginv_net **out)
{
    if (s->nl == 0) {
        /* an identity graph: one identity layer keeps the shape */
        if (!push(s, GINV_LAYER_IDENTITY)) return ginv_last_status();
        s->L[0].spec.out = s->L[0].spec.in;
    }
    ginv_layer *spec = ginv_calloc((size_t)s->nl, sizeof *spec);
    if (!spec) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->nl; i++) spec[i] = s->L[i].spec;
    ginv_status st = ginv_net_new(out, s->nl, spec);
    ginv_free(spec);
    if (st != GINV_OK) return st;
    for (int i = 0; i < s->nl && st == GINV_OK; i++) {
        ginv_layer *L = ginv_net_layer(*out, i);
        pend *p = &s->L[i];
        size_t nb = L->bias && L->b ? (size_t)(L->kind == GINV_LAYER_DENSE ? L->out : L->c_out) : 0;
        if (p->nW + (p->b ? nb : 0) != ginv_layer_nparams(L) || (nb && !p->b)) {
            st = ginv_fail(GINV_ERR_SHAPE, "layer %d (%s): %zu parameters read, the layer holds %zu",
                           i, ginv_layer_kind_name(L->kind), p->nW + p->nb, ginv_layer_nparams(L));
            break;
        }
        if (p->nW) memcpy(L->W, p->W, sizeof(float) * p->nW);
        if (nb) memcpy(L->b, p->b, sizeof(float) * nb);
        if (p->fold_scale) st = ginv_batchnorm_fold_into(L, p->fold_scale, p->fold_shift);
    }
    /* Gemm's alpha/beta and folded batch norms can overflow float */
    const float *P = st == GINV_OK ? ginv_net_params(*out) : NULL;
    for (size_t i = 0; P && i < ginv_net_nparams(*out); i++)
        if (!isfinite(P[i])) {
            st = ginv_fail(GINV_ERR_NUMERIC, "a weight overflows float after alpha/beta scaling or "
                           "batch-norm folding (parameter %zu)", i);
            break;
        }
    if (st != GINV_OK) {
        ginv_net_free(*out);
        *out = NULL;
    }
    return st;
}

ginv_status ginv_net_from_onnx(const unsigned char *buf, size_t len, ginv_net **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(buf);
    onnx_model *m;
    ginv_status st = ginv_onnx_unpack(buf, len, &m);
    if (st != GINV_OK) return st;
    imp s;
    memset(&s, 0, sizeof s);
    st = ginv_onnx_prepare(m, &s.P);
    if (st == GINV_OK) st = walk(&s);
    if (st == GINV_OK) st = build(&s, out);
    for (int i = 0; i < s.nl; i++) {
        ginv_free(s.L[i].W);
        ginv_free(s.L[i].b);
        ginv_free(s.L[i].fold_scale);
        ginv_free(s.L[i].fold_shift);
    }
    ginv_free(s.L);
    ginv_onnx_prep_free(&s.P);
    ginv_onnx_model_free(m);
    return st;
}

ginv_status ginv_net_load_onnx(const char *path, ginv_net **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(path);
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(path, GINV_ONNX_MAX_BYTES, &buf, &len);
    if (st != GINV_OK) return st;
    st = ginv_net_from_onnx(buf, len, out);
    ginv_free(buf);
    if (st != GINV_OK) return ginv_fail(st, "model '%s': %s", path, ginv_last_error());
    return GINV_OK;
}
