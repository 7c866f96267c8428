/* ginv/learn.h — learning generators: the VAE (architecture, training,
 * files).
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_LEARN_H
#define GINV_LEARN_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ learning */

/* A variational autoencoder (Kingma & Welling 2014; the generator class of
 * Pareek & Risteski §2 and of the CSGM experiments): encoder
 * E(x) = (mu, log sigma^2) (2k outputs, last layer linear), decoder logits
 * L(z) (n outputs); p(x|z) = Bernoulli(sigmoid(L(z))), p(z) = N(0, I). The
 * generator G(z) = sigmoid(L(z)) is what model files hold as "the net". */
typedef struct ginv_vae ginv_vae;
/* The two architectures:
 *  GINV_VAE_MLP   dense layers: encoder n-H1-..-HL-(2k), decoder k-HL-..-H1-n,
 *                 the activation after every hidden layer.
 *  GINV_VAE_CONV  convolutional, for c x h x w images (n = c h w; h and w
 *                 divisible by 2^L): the encoder is L conv2d layers, kernel
 *                 4x4, stride 2, padding 1 (each halves H and W), with
 *                 H1, .., HL output channels, then a dense layer to 2k (from
 *                 HL x h/2^L x w/2^L); the decoder mirrors it: dense k ->
 *                 HL x h/2^L x w/2^L, reshape, L conv_transpose2d layers
 *                 (4x4, stride 2, padding 1: each doubles H and W) with
 *                 H(L-1), .., H1, c output channels. The activation follows
 *                 every layer but the last of each net. For 1 x 28 x 28 and
 *                 hidden 32,64: 28 -> 14 -> 7 and back. */
typedef enum { GINV_VAE_MLP = 0, GINV_VAE_CONV = 1 } ginv_vae_kind;
typedef struct {
    int n, k;                 /* data and latent sizes */
    int nhidden, hidden[8];   /* hidden widths (MLP) or conv channels (CONV, at most 4),
                                 the same for encoder and decoder */
    ginv_layer_kind act;      /* hidden activation (softplus; elu has alpha 1,
                                 leaky_relu slope 0.2) */
    ginv_vae_kind kind;       /* GINV_VAE_MLP (0) or GINV_VAE_CONV */
    int c, h, w;              /* CONV: the image shape, c h w = n (ignored for MLP) */
} ginv_vae_arch;
/* Fan-in initialisation N(0, 1/fan_in), zero biases, from (seed,
 * GINV_STREAM_TRAIN_INIT, 0/1) (conv layers: ginv_net_randomize's "fanin"). */
ginv_status ginv_vae_new(ginv_vae **out, const ginv_vae_arch *a, uint64_t seed);
void ginv_vae_free(ginv_vae *v);
ginv_net *ginv_vae_encoder(ginv_vae *v);
ginv_net *ginv_vae_decoder_logits(ginv_vae *v);
/* Negative ELBO on a batch x (B x n, values in [0, 1]) with the
 * reparameterisation z = mu + sigma * eps, eps (B x k) given:
 *   loss_i = sum_j [softplus(l_ij) - x_ij l_ij]                (-log p(x|z))
 *          + 1/2 sum_c [mu_ic^2 + sigma_ic^2 - 1 - log sigma_ic^2]   (KL)
 * mean over the batch in *loss (recon and kl parts may be NULL). With
 * want_grad, the gradient of the mean loss w.r.t. every parameter is written
 * into each net's grads (overwritten, not accumulated). B <= the batch the
 * workspaces were sized for (ginv_vae_reserve). */
ginv_status ginv_vae_reserve(ginv_vae *v, int B);
ginv_status ginv_vae_loss(ginv_vae *v, int B, const float *x, const float *eps, double *loss,
                          double *recon, double *kl, int want_grad);
/* Training: Adam on all parameters, minibatches of a shuffled epoch
 * (permutation from (seed, GINV_STREAM_TRAIN_SHUFFLE, epoch), eps from
 * (seed, GINV_STREAM_TRAIN_EPS, step)). Resuming from a checkpoint continues
 * the same sequence: the result is bit-identical to an uninterrupted run. */
enum {
    GINV_STREAM_TRAIN_INIT = GINV_STREAM_USER + 61,
    GINV_STREAM_TRAIN_SHUFFLE = GINV_STREAM_USER + 62,
    GINV_STREAM_TRAIN_EPS = GINV_STREAM_USER + 63,
    GINV_STREAM_TRAIN_EVAL = GINV_STREAM_USER + 64
};
typedef struct {
    int epochs, batch;
    double lr, beta1, beta2, eps;
    uint64_t seed;
    int threads;
    const char *checkpoint;   /* written (atomically, with optimizer state) after each
                                 epoch; NULL: none */
    ginv_ctx *ctx;            /* callbacks, threads, cancel (ginv/base.h); NULL: none.
                                 Cancelled, the checkpoint holds the last finished epoch */
} ginv_vae_train_opts;
void ginv_vae_train_opts_init(ginv_vae_train_opts *o);
/* Trains until o->epochs epochs are done in all (a resumed VAE starts at
 * ginv_vae_epoch). epoch_loss (o->epochs doubles, may be NULL) gets each
 * epoch's mean training loss (the epochs this call runs; others untouched).
 * The VAE records what it was trained on (ginv_vae_train_record; saved in
 * checkpoints): resuming on other data (count or pixels) is refused
 * (GINV_ERR_ARG), and another batch, lr or seed logs a warning (the result
 * is then not that of an uninterrupted run). */
ginv_status ginv_vae_train(ginv_vae *v, int N, const float *X, const ginv_vae_train_opts *o,
                           double *epoch_loss);
int ginv_vae_epoch(const ginv_vae *v);  /* epochs done */
const ginv_vae_arch *ginv_vae_get_arch(const ginv_vae *v);
/* What the last ginv_vae_train on this VAE (or its checkpoint) used. */
typedef struct {
    int images;               /* training examples */
    uint64_t data_hash;       /* a 64-bit hash of the count, size and pixel bits */
    int batch;
    double lr;
    uint64_t seed;
    double last_loss;         /* mean training loss of the last finished epoch (NaN: none) */
} ginv_vae_train_record;
/* 1 and *out when known (trained here, or loaded from a checkpoint that
 * records it), else 0. */
int ginv_vae_train_record_get(const ginv_vae *v, ginv_vae_train_record *out);
/* Mean negative ELBO (single-sample, eps from (seed, GINV_STREAM_TRAIN_EVAL,
 * i)) over N examples: an upper bound on -log p(x) in nats per example. */
ginv_status ginv_vae_eval(ginv_vae *v, int N, const float *X, uint64_t seed, double *loss,
                          double *recon, double *kl);
/* Save: the generator sigmoid(L) as the file's net ("ginv", "layers."), the
 * encoder as ("ginv.encoder", "encoder.") and, with_state, the optimizer state
 * for --resume. ginv_net_load on the file gives the generator alone. */
ginv_status ginv_vae_save(const ginv_vae *v, const char *path, int with_state);
/* Load a file written by ginv_vae_save (optimizer state if present). */
ginv_status ginv_vae_load(const char *path, ginv_vae **out);
/* The generator G = sigmoid(L) as a new net (copies the parameters). */
ginv_status ginv_vae_generator(const ginv_vae *v, ginv_net **out);

/* ------------------------------------------------------------ encoders */

/* Amortised Gaussian encoders q(z | x) = N(mu(x), diag sigma^2(x)) for a
 * fixed generator G: x ~ N(G(z), beta^2 I), z ~ N(0, I) (Pareek & Risteski,
 * Definition 1; docs/encoders.md). An encoder is a ginv net x (n) ->
 * (mu, log sigma^2) (2k), saved as any model file. */
enum { GINV_STREAM_ENCODER = GINV_STREAM_USER + 65 };
/* dense layers n - hidden[0] - .. - 2k with `act` after each hidden one,
 * biases, fan-in initialisation from (seed, NET, 0) */
ginv_status ginv_encoder_new(ginv_net **out, int n, int k, int nhidden, const int *hidden,
                             ginv_layer_kind act, uint64_t seed);
typedef enum {
    GINV_ENCODER_SLEEP = 0, /* forward KL: -log q(z0 | x) on model samples (z0, x); the
                               minimiser is the posterior; needs only G's forward */
    GINV_ENCODER_ELBO = 1   /* reverse KL: ||x - G(z)||^2/(2 beta^2) + KL(q || N(0, I)),
                               z = mu + sigma eps; needs J_G */
} ginv_encoder_objective;
/* The mean loss of a batch (x: B x n; z0: B x k for SLEEP; eps: B x k for
 * ELBO) and, with want_grad, its gradient in the encoder's grads. */
ginv_status ginv_encoder_loss(ginv_net *enc, ginv_net *G, ginv_encoder_objective obj, double beta,
                              int B, const float *x, const float *z0, const float *eps,
                              double *loss, int want_grad);
typedef struct {
    ginv_encoder_objective objective;
    long steps;               /* Adam steps, each on a fresh batch of the model from
                                 (seed, GINV_STREAM_ENCODER, step) */
    int batch;
    double lr;
    uint64_t seed;
    int threads;
    ginv_ctx *ctx;
} ginv_encoder_train_opts;
void ginv_encoder_train_opts_init(ginv_encoder_train_opts *o); /* sleep, 2000 steps, 64, 1e-3 */
/* Train enc for G (frozen); *final_loss: the mean loss of the last tenth. */
ginv_status ginv_encoder_train(ginv_net *enc, ginv_net *G, double beta,
                               const ginv_encoder_train_opts *o, double *final_loss);
/* On N fresh samples (z0, x) of the model (seed's evaluation streams): how
 * often z explains x, ||G(z) - x|| <= beta (sqrt(n) + 3), for z the
 * encoder's mean, for one draw z ~ q(.|x), and for the true z0 (about 0.99:
 * the calibration); the mean -log q(z0 | x) and ||mu(x) - z0|| / ||z0||. On
 * G(z) = C(sgn z) with small beta, explaining x is inverting C: the
 * inverter C' of Pareek & Risteski's proof of Theorem 2. */
typedef struct {
    int samples;
    double success_mean, success_draw, success_truth;
    double nll, rel_error;
} ginv_encoder_eval_result;
ginv_status ginv_encoder_eval(ginv_net *enc, ginv_net *G, double beta, int N, uint64_t seed,
                              ginv_encoder_eval_result *res);

#ifdef __cplusplus
}
#endif
#endif
