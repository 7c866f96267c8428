/* net_internal.h — the network and workspace structs, shared by the files of
 * src/net (not part of the public API). */
#ifndef GINV_NET_INTERNAL_H
#define GINV_NET_INTERNAL_H

#include "ginv.h"

#define GINV_MAX_LAYERS 256
#define GINV_MAX_WIDTH (1 << 24)

/* Checks a layer list as ginv_net_new does (kinds, sizes, chaining, alpha)
 * without allocating anything; *nparams gets its parameter count. */
ginv_status ginv_net_spec_check(int nlayers, const ginv_layer *spec, size_t *nparams);

struct ginv_net {
    int nlayers;
    ginv_layer *layers;
    size_t nparams;
    float *params; /* one block carved into the layers' W and b */
    float *grads;  /* same layout, or NULL until ginv_net_grads */
};

struct ginv_net_ws {
    int cap;         /* batch capacity */
    int nlayers;
    int k, maxw;     /* latent size, widest layer */
    float **act;     /* act[i]: input of layer i (cap x width); act[nlayers] is the output */
    float **deriv;   /* deriv[i]: activation layer i's derivative at its input, or NULL */
    float *g0, *g1;  /* backward scratch (cap x max width) */
    ginv_kink_rule kink;
    float *dir;      /* eq. (5) direction w (k) */
    float *tan0, *tan1; /* forward tangents along dir (cap x max width) */
};

/* Activation kernels (activation.c): y (B x w) = act(x + bias) and
 * d = act'(x + bias), x updated in place to x + bias (bias may be NULL: the
 * preceding dense layer's bias, fused here). With a tangent t (B x w, may be
 * NULL), ReLU-type units at 0 take the one-sided derivative along t (Hand &
 * Voroninski eq. 5) and t is mapped in place. */
void ginv_act_forward(ginv_layer_kind kind, double alpha, float *y, float *d, float *x,
                      const float *bias, float *t, int B, int w);

#endif
