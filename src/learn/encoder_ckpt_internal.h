/* encoder_ckpt_internal.h — checkpoints of amortised encoder training
 * (encoder_ckpt.c), shared by encoder.c (Gaussian encoders) and dlg_train.c
 * (deep latent Gaussians). Not part of the public API. */
#ifndef GINV_ENCODER_CKPT_INTERNAL_H
#define GINV_ENCODER_CKPT_INTERNAL_H

#include "ginv.h"

/* What a checkpoint records, and the state beside the tensors. */
typedef struct {
    char arch[256];      /* the encoder's architecture, readable */
    uint64_t arch_hash;  /* ... and every structural field */
    size_t nparams;      /* the encoder's parameters */
    uint64_t g_hash;     /* G's identity: its sizes and parameter bits */
    int g_in, g_out;
    size_t g_nparams;
    double beta;
    char objective[16];  /* sleep, elbo or sivi */
    int K;               /* sivi's extra chains (0 otherwise) */
    int batch;
    double lr;
    uint64_t seed;
    long step;           /* Adam steps done */
    long tail_from;      /* the loss tail sums steps t > tail_from */
    double tail_sum;     /* ... this sum over tail_n steps */
    long tail_n;
    double last_loss;    /* the loss of step `step` (NaN before any) */
} ginv_enc_ckpt;

/* G's identity: in, out, nparams and ginv_train_data_hash of its parameters */
void ginv_enc_ckpt_generator(ginv_enc_ckpt *c, const ginv_net *G);
/* A 64-bit FNV-1a step over n bytes (for arch_hash). */
uint64_t ginv_enc_ckpt_mix(uint64_t h, const void *p, size_t n);
/* Write the record and params, Adam's m and v (np floats each) to path
 * atomically (the project's safetensors writer). */
ginv_status ginv_enc_ckpt_save(const char *path, const ginv_enc_ckpt *c, const float *params, const float *m,
                               const float *v);
/* Resume: read path's record, refuse (GINV_ERR_ARG, one line naming both)
 * another architecture, G, beta or objective than `want`'s, warn when K,
 * batch, lr or seed differ (and steps remain: the checkpoint is before
 * step `steps`), then read the tensors into params, m, v
 * (want->nparams each) and the state (step, tail, last loss) into *have.
 * A missing file: GINV_ERR_IO; a damaged one: GINV_ERR_FORMAT. */
ginv_status ginv_enc_ckpt_resume(const char *path, const ginv_enc_ckpt *want, long steps, ginv_enc_ckpt *have,
                                 float *params, float *m, float *v);
/* The start of a run of `steps` steps: fresh (step 0), or with resume the
 * checkpoint's state after ginv_enc_ckpt_resume (c holds what this run
 * asks for). Logs the resume, and when nothing is left to train. */
ginv_status ginv_enc_ckpt_begin(ginv_enc_ckpt *c, const char *path, int resume, long steps, float *params, float *m,
                                float *v);
/* After an Adam step with this loss: count it (step, tail, last loss) and
 * write the checkpoint to path (may be NULL) every `every` steps and at the
 * last one. */
ginv_status ginv_enc_ckpt_step(ginv_enc_ckpt *c, const char *path, long every, long steps, double loss,
                               const float *params, const float *m, const float *v);
/* The run's record beside the architecture: G's identity, beta, batch, lr, seed. */
void ginv_enc_ckpt_run(ginv_enc_ckpt *c, const ginv_net *G, double beta, int batch, double lr, uint64_t seed);
/* A batch of the model from r: z ~ N(0, I) (B x k), x = G(z) + beta xi
 * (B x n), G's forward in gws (the draws both trainers start a step with). */
void ginv_enc_model_batch(ginv_net *G, ginv_net_ws *gws, int B, double beta, ginv_rng *r, float *z, float *x);
/* One training step t: the loss and its gradient (*grad: np floats) for the
 * parameters; the batch from step t's own stream, so a resumed run draws
 * what an uninterrupted one would. */
typedef ginv_status (*ginv_enc_step_fn)(void *user, long t, double *loss, const float **grad);
/* The training loop both trainers run: from the checkpoint's step to
 * `steps`, each step the cancellation check, step(), Adam (Kingma & Ba 2015,
 * Algorithm 1, beta1 0.9, beta2 0.999, eps 1e-8) on params with m, v, the
 * checkpoint (ginv_enc_ckpt_step) and progress. */
ginv_status ginv_enc_train_loop(ginv_enc_ckpt *c, ginv_ctx *ctx, long steps, double lr, const char *path, long every,
                                float *params, float *m, float *v, size_t np, ginv_enc_step_fn step, void *user);
/* The reported loss: the mean over the last tenth, or the last loss. */
static inline double ginv_enc_ckpt_final(const ginv_enc_ckpt *c)
{
    return c->tail_n ? c->tail_sum / (double)c->tail_n : c->last_loss;
}

#endif
