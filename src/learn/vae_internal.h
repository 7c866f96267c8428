/* vae_internal.h — the VAE object, shared by vae.c (model and loss),
 * vae_train.c (Adam, epochs, evaluation) and vae_io.c (files). */
#ifndef GINV_VAE_INTERNAL_H
#define GINV_VAE_INTERNAL_H

#include "ginv.h"

/* One Adam step (Kingma & Ba 2015) on a parameter block (vae_train.c); the
 * encoders of encoder.c use it too. Not part of the public API. */
void ginv_adam_block(float *p, const float *g, float *m, float *v, size_t n, double lr, double beta1,
                     double beta2, double eps, long t);
/* A 64-bit identity of N x n training values (count, size, every bit):
 * what resuming checks (vae_train.c; score_train.c too). */
uint64_t ginv_train_data_hash(size_t N, size_t n, const float *X);
/* A dense MLP in - hidden[0] - .. - nout with `act` after each hidden layer,
 * biases, fan-in initialisation from (seed, NET, 0): the amortised encoders
 * (encoder.c) and the score net (score.c). Sizes checked by the caller. */
ginv_status ginv_learn_mlp(ginv_net **out, int in, int nhidden, const int *hidden, ginv_layer_kind act,
                           int nout, uint64_t seed);

struct ginv_vae {
    ginv_vae_arch arch;
    ginv_net *enc;                     /* n -> 2k: (mu, log sigma^2) */
    ginv_net *dec;                     /* k -> n: logits L; G = sigmoid(L) */
    ginv_net_ws *enc_ws, *dec_ws;
    int cap;                           /* batch the buffers hold */
    float *z, *dz;                     /* cap x k */
    float *dh;                         /* cap x 2k: gradient at the encoder's output */
    float *dlog;                       /* cap x n: gradient at the logits */
    float *m_enc, *v_enc, *m_dec, *v_dec; /* Adam moments, one per parameter */
    long step;                         /* Adam steps taken */
    int epoch;                         /* epochs finished */
    int have_rec;                      /* rec is known */
    ginv_vae_train_record rec;         /* what training used (checkpoints keep it) */
};

/* The architecture's sizes and kinds are valid (GINV_ERR_ARG naming what is not). */
ginv_status ginv_vae_arch_check(const ginv_vae_arch *a);

/* Takes ownership of enc and dec (freed on failure by the caller). */
ginv_status ginv_vae_wrap(ginv_vae **out, const ginv_vae_arch *a, ginv_net *enc, ginv_net *dec);

#endif
