/* ref_net.c — the double-precision oracle network (see ref_net.h). */
#include "ref_net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double act(ginv_layer_kind k, double a, double x)
{
    switch (k) {
    case GINV_LAYER_RELU: return x > 0 ? x : 0;
    case GINV_LAYER_LEAKY_RELU: return x > 0 ? x : a * x;
    case GINV_LAYER_TANH: return tanh(x);
    case GINV_LAYER_SIGMOID: return 1 / (1 + exp(-x));
    case GINV_LAYER_SOFTPLUS: return log1p(exp(x));
    default: return x;
    }
}

void ref_forward(ginv_net *net, const double *params, const double *z, double *x)
{
    const float *p0 = ginv_net_params(net);
    int L = ginv_net_nlayers(net), w = ginv_net_in(net);
    size_t width = (size_t)w; /* the widest layer: buffers sized to the net (cheap under ASan) */
    for (int i = 0; i < L; i++)
        if (ginv_net_layer(net, i)->kind == GINV_LAYER_DENSE && (size_t)ginv_net_layer(net, i)->out > width)
            width = (size_t)ginv_net_layer(net, i)->out;
    double *cur = malloc(sizeof(double) * width), *nxt = malloc(sizeof(double) * width);
    memcpy(cur, z, sizeof(double) * w);
    for (int i = 0; i < L; i++) {
        const ginv_layer *ly = ginv_net_layer(net, i);
        if (ly->kind == GINV_LAYER_DENSE) {
            const double *W = params + (ly->W - p0);
            for (int r = 0; r < ly->out; r++) {
                double s = ly->b ? params[ly->b - p0 + r] : 0;
                for (int c = 0; c < ly->in; c++) s += W[(size_t)r * ly->in + c] * cur[c];
                nxt[r] = s;
            }
            w = ly->out;
        } else {
            for (int r = 0; r < w; r++) nxt[r] = act(ly->kind, ly->alpha, cur[r]);
        }
        double *t = cur; cur = nxt; nxt = t;
    }
    memcpy(x, cur, sizeof(double) * w);
    free(cur);
    free(nxt);
}

double *ref_params(ginv_net *net)
{
    size_t n = ginv_net_nparams(net);
    double *p = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = ginv_net_params(net)[i];
    return p;
}

ginv_net *ref_random_net(const int *sizes, int ns, ginv_layer_kind a, int bias, uint64_t seed)
{
    ginv_layer spec[64];
    int n = 0;
    for (int i = 0; i + 1 < ns; i++) {
        spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = sizes[i], .out = sizes[i + 1], .bias = bias};
        spec[n++] = (ginv_layer){.kind = a, .alpha = 0.1};
    }
    ginv_net *net = NULL;
    if (ginv_net_new(&net, n, spec) != GINV_OK) return NULL;
    ginv_net_randomize(net, GINV_INIT_FANIN, bias ? 0.5 : 0, seed, 0);
    return net;
}
