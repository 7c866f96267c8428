/* net.c — the layer chain: construction, parameter block, accessors. */
#include "net/net_internal.h"
#include "base/check_internal.h"

#include <string.h>

static const char *const kind_names[] = {
    [GINV_LAYER_DENSE] = "dense",       [GINV_LAYER_RELU] = "relu",
    [GINV_LAYER_LEAKY_RELU] = "leaky_relu", [GINV_LAYER_TANH] = "tanh",
    [GINV_LAYER_SIGMOID] = "sigmoid",   [GINV_LAYER_SOFTPLUS] = "softplus",
    [GINV_LAYER_IDENTITY] = "identity",
};

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
                     "sigmoid, softplus or identity)",
                     name);
}

/* Checks a layer list (kinds, sizes, chaining, alpha) without allocating;
 * *nparams gets the parameter count. */
ginv_status ginv_net_spec_check(int nlayers, const ginv_layer *spec, size_t *nparams)
{
    *nparams = 0;
    if (nlayers < 1) return ginv_fail(GINV_ERR_ARG, "a network needs at least one layer");
    if (nlayers > GINV_MAX_LAYERS)
        return ginv_fail(GINV_ERR_ARG, "%d layers is more than the %d supported", nlayers,
                         GINV_MAX_LAYERS);
    size_t np = 0;
    int width = -1;
    for (int i = 0; i < nlayers; i++) {
        const ginv_layer *L = &spec[i];
        if ((unsigned)L->kind > GINV_LAYER_IDENTITY)
            return ginv_fail(GINV_ERR_ARG, "layer %d: unknown kind %d", i, (int)L->kind);
        if (L->kind == GINV_LAYER_DENSE) {
            if (L->in < 1 || L->out < 1 || L->in > GINV_MAX_WIDTH || L->out > GINV_MAX_WIDTH)
                return ginv_fail(GINV_ERR_ARG,
                                 "layer %d (dense): sizes %d -> %d must be in [1, %d]", i,
                                 L->in, L->out, GINV_MAX_WIDTH);
            if (width >= 0 && L->in != width)
                return ginv_fail(GINV_ERR_SHAPE,
                                 "layer sizes do not chain: layer %d (dense) takes %d inputs "
                                 "but the layer before it gives %d",
                                 i, L->in, width);
            np += (size_t)L->in * L->out + (L->bias ? (size_t)L->out : 0);
            width = L->out;
        } else {
            int w = L->in > 0 ? L->in : width;
            if (w < 1) return ginv_fail(GINV_ERR_ARG, "layer %d (%s): its width is unknown "
                                        "(an activation first needs \"in\")", i,
                                        ginv_layer_kind_name(L->kind));
            if (width >= 0 && w != width)
                return ginv_fail(GINV_ERR_SHAPE,
                                 "layer sizes do not chain: layer %d (%s) has width %d but the "
                                 "layer before it gives %d",
                                 i, ginv_layer_kind_name(L->kind), w, width);
            if (L->kind == GINV_LAYER_LEAKY_RELU && !(L->alpha >= 0 && L->alpha < 1))
                return ginv_fail(GINV_ERR_ARG, "layer %d (leaky_relu): alpha %g must be in [0, 1)",
                                 i, L->alpha);
            width = w;
        }
    }
    *nparams = np;
    return GINV_OK;
}

/* Checks sizes chain and carves one parameter block into the layers. */
ginv_status ginv_net_new(ginv_net **out, int nlayers, const ginv_layer *spec)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(spec);
    size_t np;
    ginv_status st = ginv_net_spec_check(nlayers, spec, &np);
    if (st != GINV_OK) return st;
    int width = -1;
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
    float *p = net->params;
    width = -1;
    for (int i = 0; i < nlayers; i++) {
        ginv_layer *L = &net->layers[i];
        *L = spec[i];
        L->W = L->b = L->dW = L->db = NULL;
        if (L->kind == GINV_LAYER_DENSE) {
            L->bias = L->bias ? 1 : 0;
            L->W = p;
            p += (size_t)L->in * L->out;
            if (L->bias) {
                L->b = p;
                p += L->out;
            }
            width = L->out;
        } else {
            L->in = L->out = L->in > 0 ? L->in : width;
            L->bias = 0;
            width = L->out;
        }
    }
    *out = net;
    return GINV_OK;
}

void ginv_net_free(ginv_net *net)
{
    if (!net) return;
    ginv_free(net->layers);
    ginv_free(net->params);
    ginv_free(net->grads);
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
