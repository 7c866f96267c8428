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
    GINV_LAYER_IDENTITY,
    /* image layers and more activations (architecture version 2) */
    GINV_LAYER_CONV2D,           /* conv2d */
    GINV_LAYER_CONV_TRANSPOSE2D, /* conv_transpose2d */
    GINV_LAYER_BATCHNORM2D,      /* batchnorm2d (inference form: per-channel affine) */
    GINV_LAYER_RESHAPE,          /* reshape */
    GINV_LAYER_UPSAMPLE_NEAREST, /* upsample_nearest */
    GINV_LAYER_ELU,              /* elu */
    GINV_LAYER_GELU,             /* gelu (exact, erf form) */
    GINV_LAYER_GELU_TANH,        /* gelu_tanh (tanh approximation) */
    GINV_LAYER_SILU,             /* silu */
    GINV_LAYER_SIGN,             /* sign: sgn(x), +1 at 0; derivative 0 (Pareek & Risteski Thm 2) */
    GINV_LAYER_SMOOTH_LEAKY      /* smooth_leaky: a x + (1 - a) softplus(x), slope in (a, 1) */
} ginv_layer_kind;
#define GINV_LAYER_KIND_COUNT (GINV_LAYER_SMOOTH_LEAKY + 1)

/* What the derivative of a ReLU (or leaky ReLU) is at an exact kink
 * (pre-activation == 0):
 *  ZERO     relu'(0) = 0, the usual convention (as PyTorch);
 *  ONESIDED the one-sided limit of Hand & Voroninski eq. (5): the gradient is
 *           lim_{t->0+} grad f(z + t w) for a fixed random direction w, i.e.
 *           a unit at a kink counts as active iff its directional derivative
 *           along w is positive. */
typedef enum { GINV_KINK_ZERO = 0, GINV_KINK_ONESIDED = 1 } ginv_kink_rule;

/* One layer. Every layer maps a batch B x in to B x out, row-major; a sample
 * is a C x H x W tensor stored in NCHW (PyTorch) order, flat size C*H*W.
 *
 *  dense              y = W x + b. in, out; bias. W [out, in], b [out].
 *                     Takes any input shape of flat size `in` (an implicit
 *                     flatten); its output shape is out x 1 x 1.
 *  relu, leaky_relu (alpha = slope in [0, 1)), tanh, sigmoid, softplus,
 *  identity, elu (alpha: y = alpha (e^x - 1) for x <= 0, any finite alpha
 *  >= 0), gelu (x Phi(x), Phi the normal CDF, by erf), gelu_tanh
 *  (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))), silu (x sigmoid(x)),
 *  sign (sgn x in {-1, +1}, +1 at 0; its derivative is taken as 0),
 *  smooth_leaky (alpha = a in (0, 1): a x + (1 - a) log(1 + e^x), derivative
 *  a + (1 - a) sigmoid(x) in (a, 1), second derivative (1 - a) s (1 - s) <=
 *  (1 - a)/4: leaky ReLU's slope bounds with every derivative bounded, the
 *  smooth activation Pareek & Risteski's Assumption 2 asks for):
 *                     elementwise on any shape; in == out, shape kept.
 *  conv2d             PyTorch Conv2d, groups 1: y[co, oh, ow] = b[co] +
 *                     sum_{ci, i, j} W[co, ci, i, j] x[ci, oh s_h - p_h + i d_h,
 *                     ow s_w - p_w + j d_w] (zero outside). Input c_in x h_in x
 *                     w_in, output c_out x h_out x w_out with h_out =
 *                     floor((h_in + 2 pad_h - dil_h (kh - 1) - 1) / stride_h) + 1
 *                     (w alike). W [c_out, c_in, kh, kw], b [c_out] when bias.
 *  conv_transpose2d   PyTorch ConvTranspose2d, groups 1: the adjoint of conv2d
 *                     with the same kernel geometry, y[co, ih s_h - p_h + i d_h,
 *                     iw s_w - p_w + j d_w] += W[ci, co, i, j] x[ci, ih, iw],
 *                     plus b[co]. h_out = (h_in - 1) stride_h - 2 pad_h +
 *                     dil_h (kh - 1) + outpad_h + 1; outpad_h < stride_h or
 *                     < dil_h. W [c_in, c_out, kh, kw], b [c_out] when bias.
 *  batchnorm2d        inference form: y[c, h, w] = x[c, h, w] scale[c] +
 *                     shift[c]; scale in W [c_in], shift in b [c_in] (always
 *                     both; bias is set to 1). ginv_batchnorm_fold computes them
 *                     from running statistics. Shape kept.
 *  reshape            the same values as a c_out x h_out x w_out tensor
 *                     (c_out h_out w_out == the flat input size); flatten is
 *                     reshape to (C H W) x 1 x 1. No parameters.
 *  upsample_nearest   y[c, h, w] = x[c, h / factor, w / factor] (integer
 *                     factor >= 1): c x h f x w f. No parameters.
 *
 * In a layer list given to ginv_net_new the input shape fields of a layer
 * after the first may be left 0 (taken from the layer before: for dense, the
 * previous output counts as out x 1 x 1) and h_out, w_out, in, out may be
 * left 0 (computed); what is given must agree. The net's own layers have
 * every field filled (c_in .. w_out for every kind). The first layer needs
 * its input shape: `in` for dense and activations (shape in x 1 x 1), c_in,
 * h_in, w_in for the image layers and reshape. Kernel sizes, strides and
 * dilations must be >= 1, paddings >= 0. */
typedef struct {
    ginv_layer_kind kind;
    int in, out;        /* flat sizes per sample (activations: in == out) */
    int bias;           /* dense, conv2d, conv_transpose2d: has a bias vector */
    double alpha;       /* leaky_relu slope; elu alpha; smooth_leaky slope a */
    float *W;           /* weights, layout per kind above (points into params) */
    float *b;           /* bias / batchnorm shift (or NULL) */
    float *dW, *db;     /* parameter gradients (points into grads), or NULL */
    /* shapes and image-layer hyperparameters (appended in version 2) */
    int c_in, h_in, w_in;    /* input C x H x W */
    int c_out, h_out, w_out; /* output C x H x W */
    int kh, kw;              /* conv kernel */
    int stride_h, stride_w;
    int pad_h, pad_w;
    int dil_h, dil_w;
    int outpad_h, outpad_w;  /* conv_transpose2d output_padding */
    int factor;              /* upsample_nearest */
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
/* Split G = G2 o G1 before layer `layer` (1 <= layer <= nlayers - 1): *g1
 * gets layers [0, layer), *g2 layers [layer, nlayers), so that
 * G2(G1(z)) == G(z) bit for bit (the intermediate size p = ginv_net_out(*g1)
 * = ginv_net_in(*g2)). The two are views: their own copies of the layer
 * records, whose W and b point into net's parameter block (no copy), so a
 * change to net's parameters shows in them and the reverse. Ownership: the
 * views must not outlive net; ginv_net_free of a view frees only the view
 * (its layer records, and a gradient block it allocated itself), nothing of
 * net. When net already has gradients (ginv_net_grads) the views' dW, db
 * point into them too; otherwise ginv_net_grads on a view allocates the
 * view's own block. Do not pass a view to ginv_net_split's net if the
 * parent may be freed first. On failure both are NULL. */
ginv_status ginv_net_split(ginv_net *net, int layer, ginv_net **g1, ginv_net **g2);
const char *ginv_layer_kind_name(ginv_layer_kind k);
ginv_status ginv_layer_kind_parse(const char *name, ginv_layer_kind *out);
/* 1 for the elementwise activations (relu, leaky_relu, tanh, sigmoid,
 * softplus, identity, elu, gelu, gelu_tanh, silu, sign, smooth_leaky), 0 for
 * the other layer kinds (dense, conv, batchnorm, reshape, upsample). */
int ginv_layer_is_act(ginv_layer_kind k);
/* The number of float parameters layer L holds (its W and b together). */
size_t ginv_layer_nparams(const ginv_layer *L);
/* Inference batch normalisation folded to a per-channel affine map
 * (PyTorch BatchNorm2d in eval mode): for c in [0, C)
 *   scale[c] = gamma[c] / sqrt(var[c] + eps),
 *   shift[c] = beta[c] - mean[c] * scale[c],
 * computed in double and rounded once to float, so that
 * y = (x - mean) / sqrt(var + eps) * gamma + beta = x scale + shift. gamma or
 * beta may be NULL (1 and 0). A preceding conv2d or conv_transpose2d (W, b
 * its weights and bias in ginv's layout) absorbs it as W' = W scale[co],
 * b' = b scale + shift: see ginv_batchnorm_fold_into. Errors when a
 * var[c] + eps is not positive or any result is not finite. */
ginv_status ginv_batchnorm_fold(int C, const float *gamma, const float *beta, const float *mean,
                                const float *var, double eps, float *scale, float *shift);
/* Fold a per-channel affine map (scale, shift; C = the layer's c_out) into
 * the conv2d or conv_transpose2d layer L of a net, in place: every weight of
 * output channel co times scale[co], the bias b[co] scale[co] + shift[co]
 * (the layer needs a bias). */
ginv_status ginv_batchnorm_fold_into(ginv_layer *L, const float *scale, const float *shift);

/* Random weights as in Hand & Voroninski Thm 1: W_i entries N(0, 1/n_i) with
 * n_i the layer's output width ("paper"), or N(0, 1/fan_in) ("fanin"), or
 * the orthonormal factor of a Gaussian matrix ("orthogonal": W^T W = I for an
 * expanding or square layer, W W^T = I for a contracting one; with square
 * layers and leaky ReLU (slope a) every singular value of J_G lies in
 * [a^L, 1], a certified instance of Pareek & Risteski's Assumption 1 -- of
 * Assumption 1 only: leaky ReLU is not smooth, so their Assumption 2 fails;
 * with smooth_leaky (slope in (a, 1)) the same [a^L, 1] holds and G is
 * smooth, its second and third derivatives bounded);
 * biases N(0, bias_sd^2) when bias_sd > 0 else zero. Conv layers: "paper"
 * gives the layer's matrix columns of expected squared norm 1 (conv2d
 * variance s_h s_w / (c_out kh kw), conv_transpose2d 1 / (c_out kh kw)),
 * "fanin" rows of norm 1 (conv2d 1 / (c_in kh kw), conv_transpose2d
 * s_h s_w / (c_in kh kw)); "orthogonal" gives conv layers the fanin variance.
 * batchnorm2d: scale 1, shift N(0, bias_sd^2) or 0. */
typedef enum { GINV_INIT_PAPER = 0, GINV_INIT_FANIN = 1, GINV_INIT_ORTHOGONAL = 2 } ginv_init;
/* "paper", "fanin" or "orthogonal"; an error naming the choices otherwise. */
ginv_status ginv_init_parse(const char *name, ginv_init *out);
const char *ginv_init_name(ginv_init init);
ginv_status ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                        uint64_t index);

/* The hard instance of Pareek & Risteski's Theorem 2: G(z) = C(sgn z) on
 * R^d, C a permutation of {-1, +1}^d (d even): `rounds` rounds of a Feistel
 * cipher whose round functions are drawn from `seed` (src/net/oneway.c says
 * which, and why it stands in for a one-way permutation). The net is a sign
 * layer, one dense + ReLU layer (10 d/2 units) per round and a dense read-out,
 * computing C exactly on +-1 values. */
ginv_status ginv_net_oneway(ginv_net **out, int d, int rounds, uint64_t seed);
/* C itself on `count` vectors v (count x d, every entry +1 or -1): out. */
ginv_status ginv_oneway_apply(int d, int rounds, uint64_t seed, int count, const float *v,
                              float *out);
/* By enumeration of the 2^d vertices (d <= 24): C is a bijection and net
 * computes it exactly on each. GINV_ERR_NUMERIC naming the first failure. */
ginv_status ginv_oneway_verify(const ginv_net *net, int d, int rounds, uint64_t seed);

/* Model files: safetensors with the architecture in __metadata__["ginv"]
 * (docs/models.md). ginv_net_load also reads ONNX: a path ending in ".onnx"
 * (any case), or a file whose first bytes are not a safetensors header but
 * a protobuf field 1 (ir_version), goes through ginv_net_load_onnx. */
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

/* ---- ONNX */

/* An ONNX model (a serialized ModelProto, e.g. from torch.onnx.export) as a
 * net: the graph must be one chain from its one input (the latent batch,
 * [B, k] or [B, C, H, W]; only B may be symbolic) to its one output. Read:
 * Gemm, MatMul (+ Add), Conv, ConvTranspose (groups 1, symmetric pads),
 * BatchNormalization (folded into the conv before it, else a batchnorm2d
 * layer), Mul/Add by a constant per channel, Relu, LeakyRelu, Tanh,
 * Sigmoid, Softplus, Elu, Gelu and PyTorch's GELU/GELU-tanh/SiLU
 * decompositions, Reshape, Flatten, Unsqueeze, Squeeze, Resize/Upsample
 * (nearest, one integer factor), Identity, Dropout (inference), Constant;
 * the shape arithmetic of view/reshape (Shape, Gather, Unsqueeze, Concat,
 * Cast) is folded. Initializers float32, float64 or float16 (raw or typed
 * data). Anything else fails with one message naming the node and op
 * (GINV_ERR_UNSUPPORTED) or the broken part of the file (GINV_ERR_FORMAT,
 * GINV_ERR_SHAPE). docs/models.md has the table. */
ginv_status ginv_net_from_onnx(const unsigned char *buf, size_t len, ginv_net **out);
ginv_status ginv_net_load_onnx(const char *path, ginv_net **out);
/* The net as an ONNX model (opset 13, IR version 7): input "z" [N, k] (or
 * [N, C, H, W] when the first layer takes an image), output "x"; dense as
 * Gemm, conv layers as Conv / ConvTranspose, batchnorm2d as Mul + Add by
 * per-channel constants, reshape as Reshape to a constant [-1, ...],
 * upsample_nearest as Resize, gelu / gelu_tanh / silu spelt out as PyTorch
 * does (Erf, Tanh, Sigmoid and arithmetic), every weight float32.
 * ginv_net_from_onnx of the bytes gives back the same parameters and
 * bit-identical outputs. *buf is ginv_malloc'd. */
ginv_status ginv_net_to_onnx(const ginv_net *net, unsigned char **buf, size_t *len);
/* ginv_net_to_onnx written atomically to path. */
ginv_status ginv_net_save_onnx(const ginv_net *net, const char *path);

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
/* Estimates of Pareek & Risteski's Assumption 2 constants M2 >= ||grad^2 G||_op
 * and M3 >= ||grad^3 G||_op: the largest ||D^2 G(z)[u, u]|| and ||D^3 G(z)[u, u, u]||
 * over npts latents z ~ N(0, I) and ndirs random unit directions u each (stream
 * (seed, SMOOTHNESS, i) for latent i and its directions), by central finite
 * differences of G along u with step h: (G(z + hu) - 2 G(z) + G(z - hu)) / h^2 and
 * (G(z + 2hu) - 2 G(z + hu) + 2 G(z - hu) - G(z - 2hu)) / (2 h^3). For a symmetric
 * multilinear map the sup over u = v = w is the operator norm, so these are the
 * op norms at the sampled points, up to the differences' O(h^2) truncation and
 * float rounding (about ulp(G) / h^3 for M3). A sample: the sup over R^k can
 * only be larger. */
enum { GINV_STREAM_SMOOTHNESS = GINV_STREAM_USER + 96 };
ginv_status ginv_net_smoothness(const ginv_net *net, int npts, int ndirs, double h, uint64_t seed,
                                double *M2, double *M3);
enum { GINV_STREAM_GENERATE = GINV_STREAM_USER + 44 }; /* `ginv generate --n` latents */

#ifdef __cplusplus
}
#endif
#endif
