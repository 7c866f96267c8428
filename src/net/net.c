/* net.c — the layer chain: construction, parameter block, accessors. */
#include "net/net_internal.h"
#include "base/check_internal.h"

#include <string.h>

static const char *const kind_names[] = {
    [GINV_LAYER_DENSE] = "dense",       [GINV_LAYER_RELU] = "relu",
    [GINV_LAYER_LEAKY_RELU] = "leaky_relu", [GINV_LAYER_TANH] = "tanh",
    [GINV_LAYER_SIGMOID] = "sigmoid",   [GINV_LAYER_SOFTPLUS] = "softplus",
    [GINV_LAYER_IDENTITY] = "identity", [GINV_LAYER_CONV2D] = "conv2d",
    [GINV_LAYER_CONV_TRANSPOSE2D] = "conv_transpose2d",
    [GINV_LAYER_BATCHNORM2D] = "batchnorm2d", [GINV_LAYER_RESHAPE] = "reshape",
    [GINV_LAYER_UPSAMPLE_NEAREST] = "upsample_nearest", [GINV_LAYER_ELU] = "elu",
    [GINV_LAYER_GELU] = "gelu",         [GINV_LAYER_GELU_TANH] = "gelu_tanh",
    [GINV_LAYER_SILU] = "silu",         [GINV_LAYER_SIGN] = "sign",
    [GINV_LAYER_SMOOTH_LEAKY] = "smooth_leaky",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == GINV_LAYER_KIND_COUNT,
               "a name for every layer kind");

const char *ginv_layer_kind_name(ginv_layer_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

ginv_status ginv_layer_kind_parse(const char *name, ginv_layer_kind *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (!strcmp(name, kind_names[i])) {
            *out = (ginv_layer_kind)i;
            return GINV_OK;
        }
    return ginv_fail(GINV_ERR_ARG,
                     "unknown layer type '%s' (expected dense, relu, leaky_relu, tanh, "
                     "sigmoid, softplus, identity, elu, gelu, gelu_tanh, silu, sign, smooth_leaky, conv2d, "
                     "conv_transpose2d, batchnorm2d, reshape or upsample_nearest)",
                     name);
}

int ginv_layer_is_act(ginv_layer_kind k)
{
    switch (k) {
    case GINV_LAYER_RELU: case GINV_LAYER_LEAKY_RELU: case GINV_LAYER_TANH:
    case GINV_LAYER_SIGMOID: case GINV_LAYER_SOFTPLUS: case GINV_LAYER_IDENTITY:
    case GINV_LAYER_ELU: case GINV_LAYER_GELU: case GINV_LAYER_GELU_TANH: case GINV_LAYER_SILU:
    case GINV_LAYER_SIGN: case GINV_LAYER_SMOOTH_LEAKY:
        return 1;
    default:
        return 0;
    }
}

size_t ginv_layer_nparams(const ginv_layer *L)
{
    if (!L) return 0;
    size_t kk = (size_t)L->kh * (size_t)L->kw;
    switch (L->kind) {
    case GINV_LAYER_DENSE:
        return (size_t)L->in * L->out + (L->bias ? (size_t)L->out : 0);
    case GINV_LAYER_CONV2D:
    case GINV_LAYER_CONV_TRANSPOSE2D:
        return (size_t)L->c_out * L->c_in * kk + (L->bias ? (size_t)L->c_out : 0);
    case GINV_LAYER_BATCHNORM2D:
        return 2 * (size_t)L->c_in;
    default:
        return 0;
    }
}

/* ---- shape resolution: one layer of a spec, given the shape before it */

#define MAX_KERNEL 4096   /* kernel, stride, dilation, upsample factor */
#define MAX_PAD (1 << 16) /* padding, output_padding */

typedef struct {
    int c, h, w; /* c < 0: unknown (the first layer) */
} shape3;

static long long flat(shape3 s) { return (long long)s.c * s.h * s.w; }

/* A given (nonzero) field must equal the value the chain implies. */
static ginv_status agree(int i, const char *kname, const char *field, int given, long long want)
{
    if (given && given != want)
        return ginv_fail(GINV_ERR_SHAPE, "layer %d (%s): \"%s\" is %d but the layers before it "
                         "make it %lld", i, kname, field, given, want);
    return GINV_OK;
}

static ginv_status in_range(int i, const char *kname, const char *field, int v, int lo, int hi)
{
    if (v < lo || v > hi)
        return ginv_fail(GINV_ERR_ARG, "layer %d (%s): %s %d must be in [%d, %d]", i, kname, field,
                         v, lo, hi);
    return GINV_OK;
}

/* The kernel geometry of a conv or transposed conv. */
static ginv_status check_geometry(int i, const ginv_layer *L, const char *kn)
{
    ginv_status st;
    if ((st = in_range(i, kn, "kernel height kh", L->kh, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "kernel width kw", L->kw, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "stride_h", L->stride_h, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "stride_w", L->stride_w, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "dil_h", L->dil_h, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "dil_w", L->dil_w, 1, MAX_KERNEL)) ||
        (st = in_range(i, kn, "pad_h", L->pad_h, 0, MAX_PAD)) ||
        (st = in_range(i, kn, "pad_w", L->pad_w, 0, MAX_PAD)))
        return st;
    if (L->kind == GINV_LAYER_CONV_TRANSPOSE2D) {
        if ((st = in_range(i, kn, "outpad_h", L->outpad_h, 0, MAX_PAD)) ||
            (st = in_range(i, kn, "outpad_w", L->outpad_w, 0, MAX_PAD)))
            return st;
        if (L->outpad_h >= L->stride_h && L->outpad_h >= L->dil_h)
            return ginv_fail(GINV_ERR_ARG, "layer %d (%s): outpad_h %d must be smaller than "
                             "stride_h %d or dil_h %d", i, kn, L->outpad_h, L->stride_h, L->dil_h);
        if (L->outpad_w >= L->stride_w && L->outpad_w >= L->dil_w)
            return ginv_fail(GINV_ERR_ARG, "layer %d (%s): outpad_w %d must be smaller than "
                             "stride_w %d or dil_w %d", i, kn, L->outpad_w, L->stride_w, L->dil_w);
    } else if (L->outpad_h || L->outpad_w) {
        return ginv_fail(GINV_ERR_ARG, "layer %d (%s): output padding belongs to "
                         "conv_transpose2d only", i, kn);
    }
    return GINV_OK;
}

/* Output length of a conv (PyTorch Conv2d) or transposed conv along one axis;
 * < 1 when the kernel does not fit. */
static long long conv_len(int transposed, long long n, int k, int s, int p, int d, int op)
{
    if (transposed) return (n - 1) * s - 2LL * p + (long long)d * (k - 1) + op + 1;
    long long num = n + 2LL * p - (long long)d * (k - 1) - 1;
    return num < 0 ? 0 : num / s + 1;
}

/* Fill *o from spec layer L, given the shape `cur` the layers before give
 * (cur.c < 0 for the first layer), and check everything; *next gets the
 * layer's output shape. */
static ginv_status resolve(int i, const ginv_layer *L, shape3 cur, ginv_layer *o, shape3 *next)
{
    *o = *L;
    o->W = o->b = o->dW = o->db = NULL;
    if ((unsigned)L->kind >= GINV_LAYER_KIND_COUNT)
        return ginv_fail(GINV_ERR_ARG, "layer %d: unknown kind %d", i, (int)L->kind);
    const char *kn = ginv_layer_kind_name(L->kind);
    int first = cur.c < 0;
    ginv_status st;
    shape3 out;
    if (L->kind == GINV_LAYER_DENSE) {
        if (L->in < 1 || L->out < 1 || L->in > GINV_MAX_WIDTH || L->out > GINV_MAX_WIDTH)
            return ginv_fail(GINV_ERR_ARG, "layer %d (dense): sizes %d -> %d must be in [1, %d]", i,
                             L->in, L->out, GINV_MAX_WIDTH);
        if (!first && L->in != flat(cur))
            return ginv_fail(GINV_ERR_SHAPE,
                             "layer sizes do not chain: layer %d (dense) takes %d inputs "
                             "but the layer before it gives %lld",
                             i, L->in, flat(cur));
        if (first) cur = (shape3){L->in, 1, 1};
        o->bias = L->bias ? 1 : 0;
        out = (shape3){L->out, 1, 1};
    } else if (ginv_layer_is_act(L->kind)) {
        if (first) {
            if (L->in > 0) cur = (shape3){L->in, 1, 1};
            else if (L->c_in > 0 && L->h_in > 0 && L->w_in > 0) cur = (shape3){L->c_in, L->h_in, L->w_in};
            else return ginv_fail(GINV_ERR_ARG, "layer %d (%s): its width is unknown "
                                  "(an activation first needs \"in\")", i, kn);
            if (flat(cur) > GINV_MAX_WIDTH)
                return ginv_fail(GINV_ERR_ARG, "layer %d (%s): width %lld is more than %d", i, kn,
                                 flat(cur), GINV_MAX_WIDTH);
        } else if (L->in > 0 && L->in != flat(cur)) {
            return ginv_fail(GINV_ERR_SHAPE,
                             "layer sizes do not chain: layer %d (%s) has width %d but the "
                             "layer before it gives %lld",
                             i, kn, L->in, flat(cur));
        }
        if (L->kind == GINV_LAYER_LEAKY_RELU && !(L->alpha >= 0 && L->alpha < 1))
            return ginv_fail(GINV_ERR_ARG, "layer %d (leaky_relu): alpha %g must be in [0, 1)",
                             i, L->alpha);
        if (L->kind == GINV_LAYER_SMOOTH_LEAKY && !(L->alpha > 0 && L->alpha < 1))
            return ginv_fail(GINV_ERR_ARG, "layer %d (smooth_leaky): alpha %g must be in (0, 1)",
                             i, L->alpha);
        if (L->kind == GINV_LAYER_ELU && !(L->alpha >= 0 && L->alpha <= 1e30))
            return ginv_fail(GINV_ERR_ARG, "layer %d (elu): alpha %g must be finite and >= 0", i,
                             L->alpha);
        o->bias = 0;
        out = cur;
    } else {
        /* image layers and reshape: the input shape */
        if (first) {
            if (L->kind == GINV_LAYER_RESHAPE && L->in > 0 && !L->c_in)
                cur = (shape3){L->in, 1, 1};
            else if (L->c_in < 1 || L->h_in < 1 || L->w_in < 1)
                return ginv_fail(GINV_ERR_ARG, "layer %d (%s): the first layer needs its input "
                                 "shape c_in, h_in, w_in (each >= 1)", i, kn);
            else
                cur = (shape3){L->c_in, L->h_in, L->w_in};
            if (flat(cur) > GINV_MAX_WIDTH)
                return ginv_fail(GINV_ERR_ARG, "layer %d (%s): input %dx%dx%d has more than %d "
                                 "values", i, kn, cur.c, cur.h, cur.w, GINV_MAX_WIDTH);
        } else if ((st = agree(i, kn, "c_in", L->c_in, cur.c)) ||
                   (st = agree(i, kn, "h_in", L->h_in, cur.h)) ||
                   (st = agree(i, kn, "w_in", L->w_in, cur.w))) {
            return st;
        }
        if ((st = agree(i, kn, "in", L->in, flat(cur)))) return st;
        long long oc = cur.c, oh = cur.h, ow = cur.w;
        switch (L->kind) {
        case GINV_LAYER_CONV2D:
        case GINV_LAYER_CONV_TRANSPOSE2D: {
            int tr = L->kind == GINV_LAYER_CONV_TRANSPOSE2D;
            if ((st = in_range(i, kn, "c_out", L->c_out, 1, GINV_MAX_WIDTH))) return st;
            if ((st = check_geometry(i, L, kn))) return st;
            oc = L->c_out;
            oh = conv_len(tr, cur.h, L->kh, L->stride_h, L->pad_h, L->dil_h, L->outpad_h);
            ow = conv_len(tr, cur.w, L->kw, L->stride_w, L->pad_w, L->dil_w, L->outpad_w);
            if (oh < 1 || ow < 1) {
                if (tr)
                    return ginv_fail(GINV_ERR_SHAPE, "layer %d (%s): output %lldx%lld is empty "
                                     "(padding too large for input %dx%d)", i, kn, oh, ow, cur.h, cur.w);
                return ginv_fail(GINV_ERR_SHAPE, "layer %d (%s): the kernel (%d x %d, dilation "
                                 "%d x %d) does not fit the padded input %lld x %lld", i, kn,
                                 L->kh, L->kw, L->dil_h, L->dil_w, cur.h + 2LL * L->pad_h,
                                 cur.w + 2LL * L->pad_w);
            }
            /* GEMM sizes (the patch matrix rows) and the weight count must fit */
            long long kk = (long long)L->kh * L->kw;
            if (cur.c * kk > GINV_MAX_WIDTH || oc * kk > GINV_MAX_WIDTH ||
                cur.c * oc * kk > (1LL << 31))
                return ginv_fail(GINV_ERR_ARG, "layer %d (%s): %d -> %lld channels with a %d x %d "
                                 "kernel is too large", i, kn, cur.c, oc, L->kh, L->kw);
            o->bias = L->bias ? 1 : 0;
            break;
        }
        case GINV_LAYER_BATCHNORM2D:
            if ((st = agree(i, kn, "c_out", L->c_out, cur.c))) return st;
            o->bias = 1;
            break;
        case GINV_LAYER_RESHAPE:
            if (L->c_out < 1 || L->h_out < 1 || L->w_out < 1)
                return ginv_fail(GINV_ERR_ARG, "layer %d (reshape): the shape c_out, h_out, w_out "
                                 "must each be >= 1", i);
            oc = L->c_out;
            oh = L->h_out;
            ow = L->w_out;
            if (oc * oh * ow != flat(cur))
                return ginv_fail(GINV_ERR_SHAPE, "layer %d (reshape): %lldx%lldx%lld holds %lld "
                                 "values but its input %dx%dx%d has %lld", i, oc, oh, ow,
                                 oc * oh * ow, cur.c, cur.h, cur.w, flat(cur));
            o->bias = 0;
            break;
        default: /* GINV_LAYER_UPSAMPLE_NEAREST */
            if ((st = in_range(i, kn, "factor", L->factor, 1, MAX_KERNEL))) return st;
            oh = (long long)cur.h * L->factor;
            ow = (long long)cur.w * L->factor;
            o->bias = 0;
            break;
        }
        if (oc * oh * ow > GINV_MAX_WIDTH)
            return ginv_fail(GINV_ERR_ARG, "layer %d (%s): output %lldx%lldx%lld has more than %d "
                             "values", i, kn, oc, oh, ow, GINV_MAX_WIDTH);
        if ((st = agree(i, kn, "c_out", L->c_out, oc)) || (st = agree(i, kn, "h_out", L->h_out, oh)) ||
            (st = agree(i, kn, "w_out", L->w_out, ow)) ||
            (st = agree(i, kn, "out", L->out, oc * oh * ow)))
            return st;
        out = (shape3){(int)oc, (int)oh, (int)ow};
    }
    o->c_in = cur.c;
    o->h_in = cur.h;
    o->w_in = cur.w;
    o->c_out = out.c;
    o->h_out = out.h;
    o->w_out = out.w;
    o->in = (int)flat(cur);
    o->out = (int)flat(out);
    if (L->kind != GINV_LAYER_CONV2D && L->kind != GINV_LAYER_CONV_TRANSPOSE2D) {
        /* hyperparameters that do not apply stay 0 */
        o->kh = o->kw = o->stride_h = o->stride_w = o->pad_h = o->pad_w = 0;
        o->dil_h = o->dil_w = o->outpad_h = o->outpad_w = 0;
    }
    if (L->kind != GINV_LAYER_UPSAMPLE_NEAREST) o->factor = 0;
    *next = out;
    return GINV_OK;
}

/* Resolves and checks every layer; layers (may be NULL) gets them filled. */
static ginv_status resolve_all(int nlayers, const ginv_layer *spec, ginv_layer *layers,
                               size_t *nparams)
{
    *nparams = 0;
    if (nlayers < 1) return ginv_fail(GINV_ERR_ARG, "a network needs at least one layer");
    if (nlayers > GINV_MAX_LAYERS)
        return ginv_fail(GINV_ERR_ARG, "%d layers is more than the %d supported", nlayers,
                         GINV_MAX_LAYERS);
    size_t np = 0;
    shape3 cur = {-1, 0, 0};
    for (int i = 0; i < nlayers; i++) {
        ginv_layer tmp, *o = layers ? &layers[i] : &tmp;
        ginv_status st = resolve(i, &spec[i], cur, o, &cur);
        if (st != GINV_OK) return st;
        np += ginv_layer_nparams(o);
    }
    *nparams = np;
    return GINV_OK;
}

/* Checks a layer list (kinds, sizes, shapes, chaining, alpha) without
 * allocating; *nparams gets the parameter count. */
ginv_status ginv_net_spec_check(int nlayers, const ginv_layer *spec, size_t *nparams)
{
    return resolve_all(nlayers, spec, NULL, nparams);
}

ginv_status ginv_net_spec_resolve(int nlayers, const ginv_layer *spec, ginv_layer *layers)
{
    size_t np;
    return resolve_all(nlayers, spec, layers, &np);
}

/* Checks sizes chain and carves one parameter block into the layers: layer by
 * layer, W then b. */
ginv_status ginv_net_new(ginv_net **out, int nlayers, const ginv_layer *spec)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(spec);
    size_t np;
    ginv_status st = ginv_net_spec_check(nlayers, spec, &np);
    if (st != GINV_OK) return st;
    ginv_net *net = ginv_calloc(1, sizeof *net);
    if (!net) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    net->nlayers = nlayers;
    net->nparams = np;
    net->layers = ginv_calloc((size_t)nlayers, sizeof *net->layers);
    net->params = ginv_calloc(np ? np : 1, sizeof(float));
    if (!net->layers || !net->params) {
        ginv_net_free(net);
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %zu parameters", np);
    }
    resolve_all(nlayers, spec, net->layers, &np);
    float *p = net->params;
    for (int i = 0; i < nlayers; i++) {
        ginv_layer *L = &net->layers[i];
        size_t nw = ginv_layer_nparams(L);
        if (!nw) continue;
        size_t nb = L->kind == GINV_LAYER_BATCHNORM2D ? (size_t)L->c_in
                    : !L->bias                        ? 0
                    : L->kind == GINV_LAYER_DENSE     ? (size_t)L->out
                                                      : (size_t)L->c_out;
        L->W = p;
        p += nw - nb;
        if (nb) {
            L->b = p;
            p += nb;
        }
    }
    *out = net;
    return GINV_OK;
}

void ginv_net_free(ginv_net *net)
{
    if (!net) return;
    ginv_free(net->layers);
    if (!net->borrowed_params) ginv_free(net->params);
    if (!net->borrowed_grads) ginv_free(net->grads);
    ginv_free(net);
}

int ginv_net_nlayers(const ginv_net *net) { return net->nlayers; }
ginv_layer *ginv_net_layer(ginv_net *net, int i) { return &net->layers[i]; }
const ginv_layer *ginv_net_layer_c(const ginv_net *net, int i) { return &net->layers[i]; }
int ginv_net_in(const ginv_net *net) { return net->layers[0].in; }
int ginv_net_out(const ginv_net *net) { return net->layers[net->nlayers - 1].out; }
size_t ginv_net_nparams(const ginv_net *net) { return net->nparams; }
float *ginv_net_params(ginv_net *net) { return net->params; }

/* Gradients mirror the parameter block; allocated on first use. */
float *ginv_net_grads(ginv_net *net)
{
    if (!net->grads) {
        net->grads = ginv_calloc(net->nparams ? net->nparams : 1, sizeof(float));
        if (!net->grads) return NULL;
        for (int i = 0; i < net->nlayers; i++) {
            ginv_layer *L = &net->layers[i];
            if (L->W) L->dW = net->grads + (L->W - net->params);
            if (L->b) L->db = net->grads + (L->b - net->params);
        }
    }
    return net->grads;
}
