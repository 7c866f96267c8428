/* score_internal.h — the score model object, shared by score.c (model,
 * loss, score, reverse SDE), score_train.c (Adam epochs, held-out loss) and
 * score_io.c (files). */
#ifndef GINV_SCORE_INTERNAL_H
#define GINV_SCORE_INTERNAL_H

#include "ginv.h"

typedef struct {
    int examples;
    uint64_t data_hash;       /* ginv_train_data_hash of the training data */
    int batch;
    double lr;
    uint64_t seed;
    double last_loss;
} ginv_score_record;

struct ginv_score {
    ginv_score_arch arch;
    ginv_net *net;            /* (p + 2 nfreq) -> p: the noise predictor Adam trains */
    ginv_net *avg;            /* the same net with the weights' moving average: the model */
    float *freq;              /* nfreq Fourier frequencies */
    float *center, *scale;    /* p each: the standardisation */
    int scaled;               /* center and scale were set from data */
    ginv_net_ws *ws, *ws_avg;
    int cap;                  /* batch the buffers hold */
    float *in, *dout;         /* cap x (p + 2 nfreq), cap x p */
    float *m, *v;             /* Adam moments */
    long step;
    int epoch;
    int have_rec;
    ginv_score_record rec;
};

ginv_status ginv_score_arch_check(const ginv_score_arch *a);
/* Takes ownership of net and freq (the caller frees them on failure); the
 * average starts as a copy of net. */
ginv_status ginv_score_wrap(ginv_score **out, const ginv_score_arch *a, ginv_net *net, float *freq);
/* The DSM loss of one of the two nets (avg: the model, else the training
 * net), gradient only for the training net. */
ginv_status ginv_score_loss_of(ginv_score *s, int use_avg, int B, const float *h0, const double *t,
                               const float *eps, double *loss, int want_grad);
/* avg <- ema avg + (1 - ema) net, after an Adam step */
void ginv_score_update_avg(ginv_score *s);

#endif
