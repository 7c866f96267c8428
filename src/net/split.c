/* split.c — a generator cut in two, G = G2 o G1, as views sharing G's
 * parameters (the intermediate layer of ILO and SGILO: Daras et al. 2021,
 * 2022 §2, where G1: R^k -> R^p and G2: R^p -> R^n). */
#include "net/net_internal.h"
#include "base/check_internal.h"

#include <string.h>

/* A view of layers [a, b) of net: copied layer records (W, b, dW, db keep
 * pointing into net's blocks), params the slice of net's block they use. */
static ginv_net *view(const ginv_net *net, int a, int b)
{
    ginv_net *v = ginv_calloc(1, sizeof *v);
    if (!v) return NULL;
    v->nlayers = b - a;
    v->layers = ginv_calloc((size_t)v->nlayers, sizeof *v->layers);
    if (!v->layers) {
        ginv_free(v);
        return NULL;
    }
    memcpy(v->layers, net->layers + a, (size_t)v->nlayers * sizeof *v->layers);
    /* layers are carved in order, so [a, b) uses one contiguous slice */
    size_t off = 0, np = 0;
    for (int i = 0; i < a; i++) off += ginv_layer_nparams(&net->layers[i]);
    for (int i = a; i < b; i++) np += ginv_layer_nparams(&net->layers[i]);
    v->nparams = np;
    v->params = net->params + off;
    v->borrowed_params = 1;
    if (net->grads) {
        v->grads = net->grads + off;
        v->borrowed_grads = 1;
    }
    return v;
}

ginv_status ginv_net_split(ginv_net *net, int layer, ginv_net **g1, ginv_net **g2)
{
    if (g1) *g1 = NULL;
    if (g2) *g2 = NULL;
    GINV_NONNULL(net);
    GINV_NONNULL(g1);
    GINV_NONNULL(g2);
    if (net->nlayers < 2)
        return ginv_fail(GINV_ERR_ARG, "parameter 'layer': a net of %d layer cannot be split "
                                       "(it needs at least 2)", net->nlayers);
    if (layer < 1 || layer > net->nlayers - 1)
        return ginv_fail(GINV_ERR_ARG, "parameter 'layer' is %d but must be in [1, %d] (the "
                                       "split comes before that layer; %d would leave G1 or G2 "
                                       "empty)", layer, net->nlayers - 1, layer);
    ginv_net *a = view(net, 0, layer), *b = view(net, layer, net->nlayers);
    if (!a || !b) {
        ginv_net_free(a);
        ginv_net_free(b);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    *g1 = a;
    *g2 = b;
    return GINV_OK;
}
