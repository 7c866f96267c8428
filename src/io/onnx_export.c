/* onnx_export.c — a ginv net as a standard ONNX model (opset 13): one node
 * chain from input "z" to output "x", every weight a float32 initializer
 * (raw little-endian data). ginv_net_from_onnx reads it back to the same
 * parameters and bit-identical outputs (tests/unit/test_onnx.c);
 * `make test-onnx` runs onnx.checker on exported models. */
#include "io/onnx_internal.h"

#include "base/check_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OPSET 13

typedef struct {
    void **mem;
    size_t nmem, capmem;
    onnx_node **node;
    size_t nnode, capnode;
    onnx_tensor **init;
    size_t ninit, capinit;
    int fail;
    int tmp;            /* counter for tensor names */
    const char *cur;    /* the chain's current tensor */
    int rank;           /* its rank: 2 ([N, n]) or 4 ([N, C, H, W]) */
    int c, h, w;        /* its per-sample shape */
} ex;

static void *ex_alloc(ex *e, size_t n)
{
    if (e->fail) return NULL;
    if (e->nmem == e->capmem) {
        size_t nc = e->capmem ? 2 * e->capmem : 64;
        void **m = ginv_realloc(e->mem, sizeof(void *) * nc);
        if (!m) {
            e->fail = 1;
            return NULL;
        }
        e->mem = m;
        e->capmem = nc;
    }
    void *p = ginv_calloc(1, n ? n : 1);
    if (!p) {
        e->fail = 1;
        return NULL;
    }
    e->mem[e->nmem++] = p;
    return p;
}

static int ex_push(ex *e, void ***arr, size_t *n, size_t *cap, void *item)
{
    if (e->fail || !item) return e->fail = 1, 0;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 32;
        void **a = ginv_realloc(*arr, sizeof(void *) * nc);
        if (!a) return e->fail = 1, 0;
        *arr = a;
        *cap = nc;
    }
    (*arr)[(*n)++] = item;
    return 1;
}

static char *ex_str(ex *e, const char *fmt, ...)
{
    char buf[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *s = ex_alloc(e, strlen(buf) + 1);
    if (s) strcpy(s, buf);
    return s;
}

/* ---- initializers */

static const char *init_tensor(ex *e, int dtype, int ndim, const int64_t *dims, const void *data,
                               size_t nbytes)
{
    onnx_tensor *t = ex_alloc(e, sizeof *t);
    int64_t *d = ex_alloc(e, sizeof(int64_t) * (ndim ? ndim : 1));
    char *name = ex_str(e, "c%d", e->tmp++);
    if (!t || !d || !name) return NULL;
    ginv_onnx__tensor_proto__init(t);
    if (ndim) memcpy(d, dims, sizeof(int64_t) * ndim);
    t->n_dims = (size_t)ndim;
    t->dims = d;
    t->has_data_type = 1;
    t->data_type = dtype;
    t->name = name;
    t->has_raw_data = 1;
    t->raw_data.len = nbytes;
    t->raw_data.data = (uint8_t *)data; /* the net's own memory: little-endian floats */
    ex_push(e, (void ***)&e->init, &e->ninit, &e->capinit, t);
    return name;
}

static const char *init_f32(ex *e, int ndim, const int64_t *dims, const float *data)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)dims[i];
    return init_tensor(e, GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, ndim, dims, data, 4 * n);
}

static const char *scalar(ex *e, float v)
{
    float *p = ex_alloc(e, sizeof(float));
    if (!p) return NULL;
    *p = v;
    return init_f32(e, 0, NULL, p);
}

static const char *init_i64(ex *e, int n, const int64_t *v)
{
    int64_t *p = ex_alloc(e, sizeof(int64_t) * (size_t)n);
    if (!p) return NULL;
    memcpy(p, v, sizeof(int64_t) * (size_t)n);
    int64_t d = n;
    return init_tensor(e, GINV_ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 1, &d, p, 8 * (size_t)n);
}

/* ---- nodes: op(inputs) -> a fresh tensor, which becomes the current one
 * unless keep */

static onnx_node *node(ex *e, const char *op, int nin, const char *const *in)
{
    onnx_node *n = ex_alloc(e, sizeof *n);
    char **ins = ex_alloc(e, sizeof(char *) * (size_t)nin);
    char **outs = ex_alloc(e, sizeof(char *));
    char *o = ex_str(e, "t%d", e->tmp++);
    char *name = ex_str(e, "%s_%d", op, e->tmp++);
    char *opc = ex_str(e, "%s", op);
    if (!n || !ins || !outs || !o || !name || !opc) return NULL;
    ginv_onnx__node_proto__init(n);
    for (int i = 0; i < nin; i++) {
        if (!in[i]) return e->fail = 1, NULL;
        ins[i] = (char *)in[i];
    }
    outs[0] = o;
    n->n_input = (size_t)nin;
    n->input = ins;
    n->n_output = 1;
    n->output = outs;
    n->name = name;
    n->op_type = opc;
    ex_push(e, (void ***)&e->node, &e->nnode, &e->capnode, n);
    return e->fail ? NULL : n;
}

static const char *op1(ex *e, const char *op, const char *a)
{
    const char *in[1] = {a};
    onnx_node *n = node(e, op, 1, in);
    return n ? n->output[0] : NULL;
}

static const char *op2(ex *e, const char *op, const char *a, const char *b)
{
    const char *in[2] = {a, b};
    onnx_node *n = node(e, op, 2, in);
    return n ? n->output[0] : NULL;
}

static onnx_attr *attr(ex *e, onnx_node *n, const char *name, int type)
{
    if (!n) return NULL;
    onnx_attr *a = ex_alloc(e, sizeof *a);
    onnx_attr **arr = ex_alloc(e, sizeof(onnx_attr *) * (n->n_attribute + 1));
    char *nm = ex_str(e, "%s", name);
    if (!a || !arr || !nm) return NULL;
    ginv_onnx__attribute_proto__init(a);
    a->name = nm;
    a->has_type = 1;
    a->type = type;
    if (n->n_attribute) memcpy(arr, n->attribute, sizeof(onnx_attr *) * n->n_attribute);
    arr[n->n_attribute++] = a;
    n->attribute = arr;
    return a;
}

static void attr_int(ex *e, onnx_node *n, const char *name, int64_t v)
{
    onnx_attr *a = attr(e, n, name, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    if (a) a->has_i = 1, a->i = v;
}

static void attr_float(ex *e, onnx_node *n, const char *name, double v)
{
    onnx_attr *a = attr(e, n, name, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    if (a) a->has_f = 1, a->f = (float)v;
}

static void attr_ints(ex *e, onnx_node *n, const char *name, int k, const int64_t *v)
{
    onnx_attr *a = attr(e, n, name, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    int64_t *p = ex_alloc(e, sizeof(int64_t) * (size_t)k);
    if (!a || !p) return;
    memcpy(p, v, sizeof(int64_t) * (size_t)k);
    a->n_ints = (size_t)k;
    a->ints = p;
}

static void attr_str(ex *e, onnx_node *n, const char *name, const char *v)
{
    onnx_attr *a = attr(e, n, name, GINV_ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    char *p = ex_str(e, "%s", v);
    if (!a || !p) return;
    a->has_s = 1;
    a->s.len = strlen(p);
    a->s.data = (uint8_t *)p;
}

/* the current tensor as [N, C, H, W] or [N, n] */
static void to_rank(ex *e, int r)
{
    if (e->rank == r) return;
    int64_t s4[4] = {-1, e->c, e->h, e->w}, s2[2] = {-1, (int64_t)e->c * e->h * e->w};
    e->cur = op2(e, "Reshape", e->cur, r == 4 ? init_i64(e, 4, s4) : init_i64(e, 2, s2));
    e->rank = r;
}

static int needs_image(ginv_layer_kind k)
{
    return k == GINV_LAYER_CONV2D || k == GINV_LAYER_CONV_TRANSPOSE2D || k == GINV_LAYER_UPSAMPLE_NEAREST;
}

static void layer(ex *e, const ginv_net *net, int i)
{
    const ginv_layer *L = ginv_net_layer_c(net, i);
    const char *x = e->cur;
    onnx_node *n;
    switch (L->kind) {
    case GINV_LAYER_DENSE: {
        if (e->rank == 4) {
            n = node(e, "Flatten", 1, &x);
            attr_int(e, n, "axis", 1);
            x = n ? n->output[0] : NULL;
        }
        int64_t wd[2] = {L->out, L->in}, bd[1] = {L->out};
        const char *in[3] = {x, init_f32(e, 2, wd, L->W), L->bias ? init_f32(e, 1, bd, L->b) : NULL};
        n = node(e, "Gemm", L->bias ? 3 : 2, in);
        attr_int(e, n, "transB", 1);
        e->cur = n ? n->output[0] : NULL;
        e->rank = 2;
        break;
    }
    case GINV_LAYER_CONV2D:
    case GINV_LAYER_CONV_TRANSPOSE2D: {
        int tr = L->kind == GINV_LAYER_CONV_TRANSPOSE2D;
        to_rank(e, 4);
        int64_t wd[4] = {tr ? L->c_in : L->c_out, tr ? L->c_out : L->c_in, L->kh, L->kw}, bd[1] = {L->c_out};
        const char *in[3] = {e->cur, init_f32(e, 4, wd, L->W), L->bias ? init_f32(e, 1, bd, L->b) : NULL};
        n = node(e, tr ? "ConvTranspose" : "Conv", L->bias ? 3 : 2, in);
        int64_t ks[2] = {L->kh, L->kw}, st[2] = {L->stride_h, L->stride_w},
                pads[4] = {L->pad_h, L->pad_w, L->pad_h, L->pad_w}, dil[2] = {L->dil_h, L->dil_w},
                op[2] = {L->outpad_h, L->outpad_w};
        attr_ints(e, n, "kernel_shape", 2, ks);
        attr_ints(e, n, "strides", 2, st);
        attr_ints(e, n, "pads", 4, pads);
        attr_ints(e, n, "dilations", 2, dil);
        attr_int(e, n, "group", 1);
        if (tr) attr_ints(e, n, "output_padding", 2, op);
        e->cur = n ? n->output[0] : NULL;
        break;
    }
    case GINV_LAYER_BATCHNORM2D: {
        int64_t d4[3] = {L->c_in, 1, 1}, d2[2] = {1, L->c_in};
        int r = e->rank == 4 ? 3 : 2;
        const int64_t *d = e->rank == 4 ? d4 : d2;
        e->cur = op2(e, "Mul", x, init_f32(e, r, d, L->W));
        e->cur = op2(e, "Add", e->cur, init_f32(e, r, d, L->b));
        break;
    }
    case GINV_LAYER_RESHAPE: {
        int next_img = i + 1 < ginv_net_nlayers(net) && needs_image(ginv_net_layer_c(net, i + 1)->kind);
        e->c = L->c_out, e->h = L->h_out, e->w = L->w_out;
        int r = next_img || L->h_out * L->w_out > 1 ? 4 : 2;
        int64_t s4[4] = {-1, L->c_out, L->h_out, L->w_out}, s2[2] = {-1, L->out};
        e->cur = op2(e, "Reshape", x, r == 4 ? init_i64(e, 4, s4) : init_i64(e, 2, s2));
        e->rank = r;
        break;
    }
    case GINV_LAYER_UPSAMPLE_NEAREST: {
        to_rank(e, 4);
        float *sc = ex_alloc(e, 4 * sizeof(float));
        if (!sc) return;
        sc[0] = sc[1] = 1;
        sc[2] = sc[3] = (float)L->factor;
        int64_t d[1] = {4};
        const char *in[3] = {e->cur, "", init_f32(e, 1, d, sc)};
        n = node(e, "Resize", 3, in);
        attr_str(e, n, "mode", "nearest");
        attr_str(e, n, "coordinate_transformation_mode", "asymmetric");
        attr_str(e, n, "nearest_mode", "floor");
        e->cur = n ? n->output[0] : NULL;
        break;
    }
    case GINV_LAYER_RELU: e->cur = op1(e, "Relu", x); break;
    case GINV_LAYER_TANH: e->cur = op1(e, "Tanh", x); break;
    case GINV_LAYER_SIGMOID: e->cur = op1(e, "Sigmoid", x); break;
    case GINV_LAYER_SOFTPLUS: e->cur = op1(e, "Softplus", x); break;
    case GINV_LAYER_IDENTITY: e->cur = op1(e, "Identity", x); break;
    case GINV_LAYER_LEAKY_RELU:
    case GINV_LAYER_ELU:
        if (!isfinite((float)L->alpha)) {
            e->fail = 3; /* ONNX's alpha is a float */
            return;
        }
        n = node(e, L->kind == GINV_LAYER_ELU ? "Elu" : "LeakyRelu", 1, &x);
        attr_float(e, n, "alpha", L->alpha);
        e->cur = n ? n->output[0] : NULL;
        break;
    case GINV_LAYER_GELU: {
        /* x * (1 + erf(x / sqrt 2)) * 0.5, PyTorch's opset-14 export */
        const char *t = op2(e, "Div", x, scalar(e, (float)sqrt(2.0)));
        t = op1(e, "Erf", t);
        t = op2(e, "Add", t, scalar(e, 1.0f));
        t = op2(e, "Mul", x, t);
        e->cur = op2(e, "Mul", t, scalar(e, 0.5f));
        break;
    }
    case GINV_LAYER_GELU_TANH: {
        /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
        const char *x3 = op2(e, "Mul", x, op2(e, "Mul", x, x));
        const char *t = op2(e, "Add", x, op2(e, "Mul", scalar(e, 0.044715f), x3));
        t = op1(e, "Tanh", op2(e, "Mul", scalar(e, (float)sqrt(2 / M_PI)), t));
        t = op2(e, "Mul", x, op2(e, "Add", scalar(e, 1.0f), t));
        e->cur = op2(e, "Mul", scalar(e, 0.5f), t);
        break;
    }
    case GINV_LAYER_SILU: e->cur = op2(e, "Mul", x, op1(e, "Sigmoid", x)); break;
    case GINV_LAYER_SIGN: /* ONNX Sign is 0 at 0; Sign(Sign(x) + 1/2) is ginv's +1 there */
        e->cur = op1(e, "Sign", op2(e, "Add", op1(e, "Sign", x), scalar(e, 0.5f)));
        break;
    case GINV_LAYER_SMOOTH_LEAKY: e->fail = 4; return; /* no ONNX operator; see ginv_onnx_export */
    default: e->fail = 2; return;
    }
    if (!e->cur) e->fail = e->fail ? e->fail : 1;
    if (L->kind != GINV_LAYER_RESHAPE) e->c = L->c_out, e->h = L->h_out, e->w = L->w_out;
}

static GinvOnnx__ValueInfoProto *value_info(ex *e, const char *name, int r, int c, int h, int w)
{
    GinvOnnx__ValueInfoProto *vi = ex_alloc(e, sizeof *vi);
    GinvOnnx__TypeProto *tp = ex_alloc(e, sizeof *tp);
    GinvOnnx__TypeProto__Tensor *tt = ex_alloc(e, sizeof *tt);
    GinvOnnx__TensorShapeProto *sh = ex_alloc(e, sizeof *sh);
    GinvOnnx__TensorShapeProto__Dimension **dims = ex_alloc(e, sizeof(void *) * (size_t)r);
    if (!vi || !tp || !tt || !sh || !dims) return NULL;
    ginv_onnx__value_info_proto__init(vi);
    ginv_onnx__type_proto__init(tp);
    ginv_onnx__type_proto__tensor__init(tt);
    ginv_onnx__tensor_shape_proto__init(sh);
    int64_t v[4] = {0, r == 4 ? c : (int64_t)c * h * w, h, w};
    for (int i = 0; i < r; i++) {
        dims[i] = ex_alloc(e, sizeof **dims);
        if (!dims[i]) return NULL;
        ginv_onnx__tensor_shape_proto__dimension__init(dims[i]);
        if (i == 0) {
            dims[i]->value_case = GINV_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dims[i]->dim_param = ex_str(e, "N");
        } else {
            dims[i]->value_case = GINV_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dims[i]->dim_value = v[i];
        }
    }
    sh->n_dim = (size_t)r;
    sh->dim = dims;
    tt->has_elem_type = 1;
    tt->elem_type = GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tt->shape = sh;
    tp->value_case = GINV_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->name = ex_str(e, "%s", name);
    vi->type = tp;
    return vi;
}

ginv_status ginv_net_to_onnx(const ginv_net *net, unsigned char **buf, size_t *len)
{
    GINV_NONNULL(buf);
    GINV_NONNULL(len);
    *buf = NULL;
    *len = 0;
    GINV_NONNULL(net);
    ex e;
    memset(&e, 0, sizeof e);
    const ginv_layer *L0 = ginv_net_layer_c(net, 0);
    e.c = L0->c_in, e.h = L0->h_in, e.w = L0->w_in;
    e.rank = needs_image(L0->kind) || e.h * e.w > 1 ? 4 : 2;
    e.cur = "z";
    int in_rank = e.rank, c0 = e.c, h0 = e.h, w0 = e.w;
    int nl = ginv_net_nlayers(net);
    for (int i = 0; i < nl && !e.fail; i++) layer(&e, net, i);
    ginv_status st = GINV_OK;
    if (e.fail == 2) st = ginv_fail(GINV_ERR_UNSUPPORTED, "a layer kind ONNX export does not know");
    else if (e.fail == 3)
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "an elu alpha beyond float's range: ONNX stores it as a float");
    else if (e.fail == 4)
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "smooth_leaky has no ONNX operator (a x + (1 - a) Softplus(x) as "
                       "several nodes would not import back as one layer): not exported");
    else if (e.fail || !e.nnode) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) {
        onnx_node *last = e.node[e.nnode - 1];
        last->output[0] = "x";
        onnx_graph g = GINV_ONNX__GRAPH_PROTO__INIT;
        GinvOnnx__ValueInfoProto *vin = value_info(&e, "z", in_rank, c0, h0, w0);
        GinvOnnx__ValueInfoProto *vout = value_info(&e, "x", e.rank, e.c, e.h, e.w);
        GinvOnnx__OperatorSetIdProto ops = GINV_ONNX__OPERATOR_SET_ID_PROTO__INIT;
        GinvOnnx__OperatorSetIdProto *opsp = &ops;
        onnx_model m = GINV_ONNX__MODEL_PROTO__INIT;
        if (!vin || !vout) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        if (st == GINV_OK) {
            g.n_node = e.nnode;
            g.node = e.node;
            g.name = "ginv";
            g.n_initializer = e.ninit;
            g.initializer = e.init;
            g.n_input = 1;
            g.input = &vin;
            g.n_output = 1;
            g.output = &vout;
            ops.domain = "";
            ops.has_version = 1;
            ops.version = OPSET;
            m.has_ir_version = 1;
            m.ir_version = 7;
            m.n_opset_import = 1;
            m.opset_import = &opsp;
            m.producer_name = "ginv";
            m.producer_version = (char *)ginv_version();
            m.graph = &g;
            size_t n = ginv_onnx__model_proto__get_packed_size(&m);
            *buf = ginv_malloc(n ? n : 1);
            if (!*buf) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
            else *len = ginv_onnx__model_proto__pack(&m, *buf);
        }
    }
    for (size_t i = 0; i < e.nmem; i++) ginv_free(e.mem[i]);
    ginv_free(e.mem);
    ginv_free(e.node);
    ginv_free(e.init);
    return st;
}

ginv_status ginv_net_save_onnx(const ginv_net *net, const char *path)
{
    GINV_NONNULL(net);
    GINV_NONNULL(path);
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_net_to_onnx(net, &buf, &len);
    if (st != GINV_OK) return st;
    st = ginv_write_atomic(path, buf, len);
    ginv_free(buf);
    return st;
}
