/* ginv/net.h — generator networks: layers, random weights, model files,
 * forward/backward workspaces, Jacobians.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_NET_H
#define GINV_NET_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- networks */

typedef enum {
    GINV_LAYER_DENSE = 0,
    GINV_LAYER_RELU,
    GINV_LAYER_LEAKY_RELU,
    GINV_LAYER_TANH,
    GINV_LAYER_SIGMOID,
    GINV_LAYER_SOFTPLUS,
    GINV_LAYER_IDENTITY
} ginv_layer_kind;

/* What the derivative of a ReLU (or leaky ReLU) is at an exact kink
 * (pre-activation == 0):
 *  ZERO     relu'(0) = 0, the usual convention (as PyTorch);
 *  ONESIDED the one-sided limit of Hand & Voroninski eq. (5): the gradient is
 *           lim_{t->0+} grad f(z + t w) for a fixed random direction w, i.e.
 *           a unit at a kink counts as active iff its directional derivative
 *           along w is positive. */
typedef enum { GINV_KINK_ZERO = 0, GINV_KINK_ONESIDED = 1 } ginv_kink_rule;

typedef struct {
    ginv_layer_kind kind;
    int in, out;        /* dense: sizes; activations: in == out */
    int bias;           /* dense: has a bias vector */
    double alpha;       /* leaky_relu slope */
    float *W;           /* dense: out x in, row-major (points into params) */
    float *b;           /* dense: out (or NULL) */
    float *dW, *db;     /* parameter gradients (points into grads), or NULL */
} ginv_layer;

typedef struct ginv_net ginv_net;

/* Build from a layer list (W/b pointers ignored); parameters zeroed. */
ginv_status ginv_net_new(ginv_net **out, int nlayers, const ginv_layer *spec);
void ginv_net_free(ginv_net *net);
int ginv_net_nlayers(const ginv_net *net);
ginv_layer *ginv_net_layer(ginv_net *net, int i);
const ginv_layer *ginv_net_layer_c(const ginv_net *net, int i);
int ginv_net_in(const ginv_net *net);   /* latent size k */
int ginv_net_out(const ginv_net *net);  /* signal size n */
size_t ginv_net_nparams(const ginv_net *net);
float *ginv_net_params(ginv_net *net);  /* all parameters, one block */
float *ginv_net_grads(ginv_net *net);   /* their gradients (allocated on first use) */
const char *ginv_layer_kind_name(ginv_layer_kind k);
ginv_status ginv_layer_kind_parse(const char *name, ginv_layer_kind *out);

/* Random weights as in Hand & Voroninski Thm 1: W_i entries N(0, 1/n_i) with
 * n_i the layer's output width ("paper"), or N(0, 1/fan_in) ("fanin"), or
 * the orthonormal factor of a Gaussian matrix ("orthogonal": W^T W = I for an
 * expanding or square layer, W W^T = I for a contracting one; with square
 * layers and leaky ReLU (slope a) every singular value of J_G lies in
 * [a^L, 1], a certified instance of Pareek & Risteski's Assumption 1);
 * biases N(0, bias_sd^2) when bias_sd > 0 else zero. */
typedef enum { GINV_INIT_PAPER = 0, GINV_INIT_FANIN = 1, GINV_INIT_ORTHOGONAL = 2 } ginv_init;
/* "paper", "fanin" or "orthogonal"; an error naming the choices otherwise. */
ginv_status ginv_init_parse(const char *name, ginv_init *out);
const char *ginv_init_name(ginv_init init);
ginv_status ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                        uint64_t index);

/* Model files: safetensors with the architecture in __metadata__["ginv"]. */
ginv_status ginv_net_load(const char *path, ginv_net **out);
ginv_status ginv_net_from_st(const ginv_st_file *f, ginv_net **out);
ginv_status ginv_net_save(const ginv_net *net, const char *path);
/* One of several networks in a file: its architecture under
 * __metadata__[meta_key], its tensors named PREFIX"layers.<i>.weight|bias".
 * The generator is ("ginv", ""); a VAE's encoder is ("ginv.encoder",
 * "encoder."). write_part adds to a writer the caller saves. */
ginv_status ginv_net_from_st_part(const ginv_st_file *f, const char *meta_key,
                                  const char *prefix, ginv_net **out);
ginv_status ginv_net_write_part(const ginv_net *net, ginv_st_writer *w, const char *meta_key,
                                const char *prefix);
/* The architecture as a JSON text (ginv_free it). */
char *ginv_net_arch_json(const ginv_net *net);

/* Workspace for batched forward/backward: caches every layer's input. */
typedef struct ginv_net_ws ginv_net_ws;
ginv_status ginv_net_ws_new(ginv_net_ws **out, const ginv_net *net, int B);
void ginv_net_ws_free(ginv_net_ws *ws);
/* Kink rule; ONESIDED needs the direction w (k floats, copied). */
void ginv_net_ws_set_kink(ginv_net_ws *ws, ginv_kink_rule rule, const float *w);

/* x (B x n) = G(z), z (B x k). Caches what backward needs. B <= ws capacity.
 * Returns a pointer to the output inside ws (valid until the next forward). */
const float *ginv_net_forward(const ginv_net *net, ginv_net_ws *ws, int B, const float *z);
/* Vector-Jacobian product after forward: dz (B x k) = J_G(z)^T dx, dx (B x n).
 * If want_params, also accumulate parameter gradients into the net's grads.
 * dz may be NULL when only the parameter gradients are wanted. */
void ginv_net_backward(ginv_net *net, ginv_net_ws *ws, int B, const float *dx, float *dz,
                       int want_params);
/* J_G(z) (n x k, row-major: row i = e_i^T J_G) at one latent z (k). */
ginv_status ginv_net_jacobian(ginv_net *net, const float *z, float *J);
/* The smallest and largest singular values of J_G(z) at npts latents z
 * (npts x k): the pointwise m and M of Pareek & Risteski's Assumptions 1-2. */
ginv_status ginv_net_jacobian_sv(ginv_net *net, int npts, const float *z, double *smin,
                                 double *smax);
enum { GINV_STREAM_JACOBIAN = GINV_STREAM_USER + 43 }; /* `ginv info --jacobian` latents */

#ifdef __cplusplus
}
#endif
#endif
