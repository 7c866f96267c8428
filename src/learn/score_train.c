/* score_train.c — denoising score matching (Song et al. 2021 eq. 7, VP-SDE)
 * by minibatch Adam, checkpointed every epoch and resumable bit for bit,
 * with the held-out loss: the same machinery as `ginv train vae`. */
#include "learn/score_internal.h"
#include "learn/vae_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ginv_score_train_opts_init(ginv_score_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 20;
    o->batch = 128;
    o->lr = 1e-3;
    o->seed = 1;
    o->threads = 1;
}

/* The batch's times t ~ U(t_min, 1) and noise eps ~ N(0, I) from one stream. */
static void draw_t_eps(const ginv_score *s, ginv_rng *r, int B, double *t, float *eps)
{
    double tm = s->arch.t_min;
    for (int i = 0; i < B; i++) t[i] = tm + (1.0 - tm) * ginv_rng_uniform(r);
    ginv_rng_normal_f32(r, eps, (size_t)B * s->arch.p, 1.0);
}

static ginv_status check_record(ginv_score *s, int N, uint64_t hash, const ginv_score_train_opts *o)
{
    ginv_score_record *r = &s->rec;
    if (s->epoch > 0 && s->have_rec) {
        if (r->examples != N || r->data_hash != hash)
            return ginv_fail(GINV_ERR_ARG, "resuming after epoch %d: the checkpoint was trained on %d "
                             "examples (data hash %016llx), this run gives %d (data hash %016llx); resume "
                             "on the same data, or start afresh", s->epoch, r->examples,
                             (unsigned long long)r->data_hash, N, (unsigned long long)hash);
        if (s->epoch < o->epochs && (r->batch != o->batch || r->lr != o->lr || r->seed != o->seed))
            ginv_log(GINV_LOG_WARN, "resuming with batch %d, lr %g, seed %llu where the checkpoint's "
                     "epochs used %d, %g, %llu: the continued run is not the one an uninterrupted run "
                     "would give", o->batch, o->lr, (unsigned long long)o->seed, r->batch, r->lr,
                     (unsigned long long)r->seed);
    }
    double last = s->epoch > 0 && s->have_rec ? r->last_loss : NAN;
    *r = (ginv_score_record){N, hash, o->batch, o->lr, o->seed, last};
    s->have_rec = 1;
    return GINV_OK;
}

static ginv_status score_train(ginv_score *s, int N, const float *H, const ginv_score_train_opts *o,
                               double *epoch_loss)
{
    int p = s->arch.p, B = o->batch;
    if (B < 1 || B > N)
        return ginv_fail(GINV_ERR_ARG, "batch size %d must be in [1, %d] (the examples)", B, N);
    if (!(o->lr > 0) || !isfinite(o->lr) || o->epochs < 0)
        return ginv_fail(GINV_ERR_ARG, "learning rate must be > 0 and epochs >= 0");
    for (size_t q = 0; q < (size_t)N * p; q++)
        if (!isfinite(H[q]))
            return ginv_fail(GINV_ERR_NUMERIC, "training example %zu has a non-finite value at "
                             "coordinate %zu", q / (size_t)p, q % (size_t)p);
    ginv_status st = check_record(s, N, ginv_train_data_hash(N, p, H), o);
    if (st == GINV_OK && !s->scaled) st = ginv_score_set_scaling(s, N, H);
    if (st != GINV_OK) return st;
    ginv_blas_set_threads(o->threads);
    int nb = N / B;
    int *perm = ginv_malloc((size_t)N * sizeof(int));
    float *hb = ginv_malloc((size_t)B * p * sizeof(float)), *eps = ginv_malloc((size_t)B * p * sizeof(float));
    double *t = ginv_malloc((size_t)B * sizeof(double));
    if (!perm || !hb || !eps || !t) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    size_t np = ginv_net_nparams(s->net);
    char what[80];
    for (int e = s->epoch; st == GINV_OK && e < o->epochs; e++) {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_TRAIN_SHUFFLE, (uint64_t)e);
        for (int i = 0; i < N; i++) perm[i] = i;
        for (int i = N - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)ginv_rng_below(&r, (uint64_t)i + 1);
            int x = perm[i]; perm[i] = perm[j]; perm[j] = x;
        }
        double sum = 0;
        for (int b = 0; st == GINV_OK && b < nb; b++) {
            if (ginv_cancel_requested()) {
                st = ginv_fail(GINV_ERR_CANCELLED, "cancelled in epoch %d (batch %d of %d); %d epochs "
                               "finished", e + 1, b + 1, nb, e);
                break;
            }
            for (int i = 0; i < B; i++)
                memcpy(hb + (size_t)i * p, H + (size_t)perm[b * B + i] * p, (size_t)p * sizeof(float));
            ginv_rng re;
            ginv_rng_init(&re, o->seed, GINV_STREAM_SCORE_TRAIN, (uint64_t)s->step);
            draw_t_eps(s, &re, B, t, eps);
            double loss;
            st = ginv_score_loss(s, B, hb, t, eps, &loss, 1);
            if (st != GINV_OK) {
                st = ginv_fail(st, "epoch %d, batch %d: %s", e + 1, b + 1, ginv_last_error());
                break;
            }
            s->step++;
            ginv_adam_block(ginv_net_params(s->net), ginv_net_grads(s->net), s->m, s->v, np, o->lr, 0.9,
                            0.999, 1e-8, s->step);
            ginv_score_update_avg(s);
            sum += loss;
            snprintf(what, sizeof what, "epoch %d/%d  loss %.4f", e + 1, o->epochs, sum / (b + 1));
            ginv_progress(what, b + 1, nb);
        }
        if (st != GINV_OK) break;
        s->epoch = e + 1;
        s->rec.last_loss = sum / nb;
        if (epoch_loss) epoch_loss[e] = sum / nb;
        ginv_log(GINV_LOG_INFO, "epoch %d/%d: mean denoising loss %.5f", e + 1, o->epochs, sum / nb);
        if (o->checkpoint) st = ginv_score_save(s, o->generator, o->checkpoint, 1);
    }
    ginv_free(perm);
    ginv_free(hb);
    ginv_free(eps);
    ginv_free(t);
    return st;
}

ginv_status ginv_score_train(ginv_score *s, int N, const float *H, const ginv_score_train_opts *o,
                             double *epoch_loss)
{
    GINV_NONNULL(s);
    GINV_NONNULL(H);
    GINV_NONNULL(o);
    ginv_score_train_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, score_train(s, N, H, &oc, epoch_loss));
}

ginv_status ginv_score_eval_loss(ginv_score *s, int N, const float *H, uint64_t seed, double *loss)
{
    GINV_NONNULL(s);
    GINV_NONNULL(H);
    GINV_NONNULL(loss);
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 1", N);
    int p = s->arch.p, B = N < 256 ? N : 256;
    float *eps = ginv_malloc((size_t)B * p * sizeof(float));
    double *t = ginv_malloc((size_t)B * sizeof(double));
    ginv_status st = eps && t ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double sum = 0;
    for (int i0 = 0; st == GINV_OK && i0 < N; i0 += B) {
        int nb = N - i0 < B ? N - i0 : B;
        for (int i = 0; i < nb; i++) { /* one stream per example: batch-independent */
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_SCORE_EVAL, (uint64_t)(i0 + i));
            t[i] = s->arch.t_min + (1.0 - s->arch.t_min) * ginv_rng_uniform(&r);
            ginv_rng_normal_f32(&r, eps + (size_t)i * p, (size_t)p, 1.0);
        }
        double l;
        st = ginv_score_loss_of(s, 1, nb, H + (size_t)i0 * p, t, eps, &l, 0);
        sum += l * nb;
        ginv_progress("evaluating the score model", i0 + nb, N);
    }
    ginv_free(eps);
    ginv_free(t);
    if (st == GINV_OK) *loss = sum / N;
    return st;
}
