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
/* The same check, writing each layer with every field filled (shapes, in,
 * out; W, b, dW, db NULL) into layers (nlayers of them). */
ginv_status ginv_net_spec_resolve(int nlayers, const ginv_layer *spec, ginv_layer *layers);

struct ginv_net {
    int nlayers;
    ginv_layer *layers;
    size_t nparams;
    float *params; /* one block carved into the layers' W and b */
    float *grads;  /* same layout, or NULL until ginv_net_grads */
    int borrowed_params; /* a view from ginv_net_split: params point into the parent's block */
    int borrowed_grads;  /* grads point into the parent's gradient block */
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
    float *col, *mat;   /* conv scratch: patch matrix and channel-major block */
};

/* jacobian.c: the floats of workspace one batch of Jacobian rows may take */
extern size_t ginv_jacobian_budget;


/* conv.c: conv2d and conv_transpose2d of a resolved layer L, batch B.
 * scratch: the floats of col and mat a batch of B needs. forward: y = L(x)
 * (+ bias when add_bias; the tangent map leaves it out). backward: gx = J^T gy
 * (gx may be NULL) and, when want_params and L->dW, dW (and db) += the
 * parameter VJP; x is the layer's forward input. */
extern size_t ginv_conv_col_cap; /* patch-matrix floats per group of samples */
/* a conv's geometry, as im2col sees it (conv.c's header comment) */
typedef struct {
    int C, H, W;  /* the image: conv input, transposed-conv output */
    int Ho, Wo;   /* the grid: conv output, transposed-conv input */
    int kh, kw, sh, sw, ph, pw, dh, dw;
} ginv_conv_geom;
/* conv_pad.c: im2col / col2im through zero-padded images (the same numbers
 * as conv.c's clipped loops). use: whether a geometry takes that path
 * (ginv_conv_pad_mode: -1 by the grid's width, 0 never, 1 always; tests set
 * it); floats: the padded images of G samples; pad holds that many. */
extern int ginv_conv_pad_mode;
int ginv_conv_pad_use(const ginv_conv_geom *g);
size_t ginv_conv_pad_floats(const ginv_conv_geom *g, int G);
void ginv_conv_pad_im2col(const ginv_conv_geom *g, const float *img, float *col, float *pad, int G);
void ginv_conv_pad_col2im(const ginv_conv_geom *g, const float *col, float *img, float *pad,
                          const float *bias, int G);
void ginv_conv_scratch(const ginv_layer *L, int B, size_t *col, size_t *mat);
void ginv_conv_forward(const ginv_layer *L, float *y, const float *x, int B, int add_bias,
                       float *col, float *mat);
void ginv_conv_backward(const ginv_layer *L, const float *gy, const float *x, float *gx, int B,
                        int want_params, float *col, float *mat);
/* db[c] += the sum of g (G x C x P) over samples and positions (double,
 * fixed order) */
void ginv_channel_bias_grad(float *db, const float *g, int G, int C, size_t P);

/* image_layers.c: batchnorm2d (y = x scale + shift, shift left out of the
 * tangent) and upsample_nearest, forward and VJP as above. */
void ginv_bn_forward(const ginv_layer *L, float *y, const float *x, int B, int add_shift);
void ginv_bn_backward(const ginv_layer *L, const float *g, const float *x, float *gx, int B,
                      int want_params);
void ginv_upsample_forward(const ginv_layer *L, float *y, const float *x, int B);
void ginv_upsample_backward(const ginv_layer *L, const float *g, float *gx, int B);

/* Activation kernels (activation.c): y (B x w) = act(x + bias) and
 * d = act'(x + bias), x updated in place to x + bias (bias may be NULL: the
 * preceding dense layer's bias, fused here). With a tangent t (B x w, may be
 * NULL), ReLU-type units at 0 take the one-sided derivative along t (Hand &
 * Voroninski eq. 5) and t is mapped in place. */
void ginv_act_forward(ginv_layer_kind kind, double alpha, float *y, float *d, float *x,
                      const float *bias, float *t, int B, int w);

#endif
