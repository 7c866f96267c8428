/* vae_train.c — minibatch Adam on the VAE's negative ELBO (Kingma & Welling
 * 2014, Algorithm 1 with Adam as the update), checkpointed every epoch, and
 * the held-out ELBO. */
#include "learn/vae_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ginv_vae_train_opts_init(ginv_vae_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->batch = 100;
    o->lr = 1e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->seed = 1;
    o->threads = 1;
}

/* One Adam step (Kingma & Ba 2015, Algorithm 1) on a parameter block: step t
 * (from 1) with rate lr and moments beta1, beta2, eps. The VAE and the
 * amortised encoders (encoder.c) train with it. */
void ginv_adam_block(float *p, const float *g, float *m, float *v, size_t n, double lr, double beta1,
                     double beta2, double eps_, long t)
{
    double c1 = 1.0 - pow(beta1, (double)t), c2 = 1.0 - pow(beta2, (double)t);
    float b1 = (float)beta1, b2 = (float)beta2, eps = (float)eps_;
    float step = (float)(lr / c1), rc2 = (float)(1.0 / sqrt(c2));
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step * m[i] / (sqrtf(v[i]) * rc2 + eps);
    }
}

/* The training data's identity: count, size and every pixel's bits (four
 * FNV-1a lanes over 32-bit words, folded); score_train.c checks with it too. */
uint64_t ginv_train_data_hash(size_t N, size_t n, const float *X)
{
    uint64_t h[4] = {0xcbf29ce484222325ull ^ (uint64_t)N, 0x84222325cbf29ce4ull ^ (uint64_t)n,
                     0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull};
    size_t len = N * n, i = 0;
    const uint64_t P = 0x100000001b3ull;
    uint32_t w[4];
    for (; i + 4 <= len; i += 4) {
        memcpy(w, X + i, sizeof w);
        h[0] = (h[0] ^ w[0]) * P;
        h[1] = (h[1] ^ w[1]) * P;
        h[2] = (h[2] ^ w[2]) * P;
        h[3] = (h[3] ^ w[3]) * P;
    }
    for (; i < len; i++) {
        memcpy(w, X + i, sizeof w[0]);
        h[0] = (h[0] ^ w[0]) * P;
    }
    uint64_t r = 0;
    for (int j = 0; j < 4; j++) { /* splitmix64 finaliser per lane */
        uint64_t z = h[j] + 0x9E3779B97F4A7C15ull * (uint64_t)(j + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        r = (r ^ z ^ (z >> 31)) * P;
    }
    return r;
}

/* Resuming: the same data, or a refusal; other hyper-parameters, a warning
 * each. Then the record describes this run. */
static ginv_status check_record(ginv_vae *v, int N, uint64_t hash, const ginv_vae_train_opts *o)
{
    ginv_vae_train_record *r = &v->rec;
    if (v->epoch > 0 && v->have_rec) {
        if (r->images != N || r->data_hash != hash)
            return ginv_fail(GINV_ERR_ARG, "resuming after epoch %d: the checkpoint was trained on "
                             "%d images (data hash %016llx), this run gives %d (data hash %016llx); "
                             "resume on the same data, or start afresh", v->epoch, r->images,
                             (unsigned long long)r->data_hash, N, (unsigned long long)hash);
        if (v->epoch < o->epochs) {
            const char *tail = "; the continued run is not the one an uninterrupted run would give";
            if (r->batch != o->batch)
                ginv_log(GINV_LOG_WARN, "resuming with batch size %d, the checkpoint's epochs used %d%s",
                         o->batch, r->batch, tail);
            if (r->lr != o->lr)
                ginv_log(GINV_LOG_WARN, "resuming with learning rate %g, the checkpoint's epochs used %g%s",
                         o->lr, r->lr, tail);
            if (r->seed != o->seed)
                ginv_log(GINV_LOG_WARN, "resuming with seed %llu, the checkpoint's epochs used %llu%s",
                         (unsigned long long)o->seed, (unsigned long long)r->seed, tail);
        }
    } else if (v->epoch > 0) {
        ginv_log(GINV_LOG_WARN, "the checkpoint (after epoch %d) does not record its training data "
                                "or settings: they cannot be checked", v->epoch);
    }
    double last = v->epoch > 0 && v->have_rec ? r->last_loss : NAN;
    r->images = N;
    r->data_hash = hash;
    r->batch = o->batch;
    r->lr = o->lr;
    r->seed = o->seed;
    r->last_loss = last;
    v->have_rec = 1;
    return GINV_OK;
}

static ginv_status vae_train(ginv_vae *v, int N, const float *X, const ginv_vae_train_opts *o,
                             double *epoch_loss)
{
    int n = v->arch.n, k = v->arch.k, B = o->batch;
    if (B < 1 || B > N)
        return ginv_fail(GINV_ERR_ARG, "batch size %d must be in [1, %d] (the examples)", B, N);
    if (!(o->lr > 0) || o->epochs < 0)
        return ginv_fail(GINV_ERR_ARG, "learning rate must be > 0 and epochs >= 0");
    ginv_status st = check_record(v, N, ginv_train_data_hash(N, n, X), o);
    if (st != GINV_OK) return st;
    st = ginv_vae_reserve(v, B);
    if (st != GINV_OK) return st;
    ginv_blas_set_threads(o->threads);
    int nb = N / B; /* the last partial batch of a shuffle is dropped */
    int *perm = ginv_malloc((size_t)N * sizeof(int));
    float *xb = ginv_malloc((size_t)B * n * sizeof(float));
    float *eps = ginv_malloc((size_t)B * k * sizeof(float));
    if (!perm || !xb || !eps) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    size_t ne = ginv_net_nparams(v->enc), nd = ginv_net_nparams(v->dec);
    char what[64];
    for (int e = v->epoch; st == GINV_OK && e < o->epochs; e++) {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_TRAIN_SHUFFLE, (uint64_t)e);
        for (int i = 0; i < N; i++) perm[i] = i;
        for (int i = N - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)ginv_rng_below(&r, (uint64_t)i + 1);
            int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        }
        double sum = 0;
        for (int b = 0; st == GINV_OK && b < nb; b++) {
            if (ginv_cancel_requested()) {
                /* the parameters moved in this epoch; the checkpoint holds epoch e */
                st = ginv_fail(GINV_ERR_CANCELLED, "cancelled in epoch %d (batch %d of %d); %d "
                               "epochs finished", e + 1, b + 1, nb, e);
                break;
            }
            for (int i = 0; i < B; i++)
                memcpy(xb + (size_t)i * n, X + (size_t)perm[b * B + i] * n, n * sizeof(float));
            ginv_rng re;
            ginv_rng_init(&re, o->seed, GINV_STREAM_TRAIN_EPS, (uint64_t)v->step);
            ginv_rng_normal_f32(&re, eps, (size_t)B * k, 1.0);
            double loss;
            st = ginv_vae_loss(v, B, xb, eps, &loss, NULL, NULL, 1);
            if (st != GINV_OK) {
                st = ginv_fail(st, "epoch %d, batch %d: %s", e + 1, b + 1, ginv_last_error());
                break;
            }
            v->step++;
            ginv_adam_block(ginv_net_params(v->enc), ginv_net_grads(v->enc), v->m_enc, v->v_enc, ne, o->lr,
                            o->beta1, o->beta2, o->eps, v->step);
            ginv_adam_block(ginv_net_params(v->dec), ginv_net_grads(v->dec), v->m_dec, v->v_dec, nd, o->lr,
                            o->beta1, o->beta2, o->eps, v->step);
            sum += loss;
            snprintf(what, sizeof what, "epoch %d/%d  loss %.2f", e + 1, o->epochs, sum / (b + 1));
            ginv_progress(what, b + 1, nb);
        }
        if (st != GINV_OK) break;
        v->epoch = e + 1;
        v->rec.last_loss = sum / nb;
        if (epoch_loss) epoch_loss[e] = sum / nb;
        ginv_log(GINV_LOG_INFO, "epoch %d/%d: mean training loss (-ELBO) %.3f nats", e + 1,
                 o->epochs, sum / nb);
        if (o->checkpoint) st = ginv_vae_save(v, o->checkpoint, 1);
    }
    ginv_free(perm);
    ginv_free(xb);
    ginv_free(eps);
    return st;
}

ginv_status ginv_vae_train(ginv_vae *v, int N, const float *X, const ginv_vae_train_opts *o,
                           double *epoch_loss)
{
    GINV_NONNULL(v);
    GINV_NONNULL(X);
    GINV_NONNULL(o);
    ginv_vae_train_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, vae_train(v, N, X, &oc, epoch_loss));
}

ginv_status ginv_vae_eval(ginv_vae *v, int N, const float *X, uint64_t seed, double *loss,
                          double *recon, double *kl)
{
    GINV_NONNULL(v);
    GINV_NONNULL(X);
    int n = v->arch.n, k = v->arch.k, B = 100;
    if (B > N) B = N;
    ginv_status st = ginv_vae_reserve(v, B);
    if (st != GINV_OK) return st;
    float *eps = ginv_malloc((size_t)B * k * sizeof(float));
    if (!eps) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double s_loss = 0, s_rec = 0, s_kl = 0;
    for (int i0 = 0; st == GINV_OK && i0 < N; i0 += B) {
        int nb = N - i0 < B ? N - i0 : B;
        for (int i = 0; i < nb; i++) { /* one stream per example: batch-independent */
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_TRAIN_EVAL, (uint64_t)(i0 + i));
            ginv_rng_normal_f32(&r, eps + (size_t)i * k, (size_t)k, 1.0);
        }
        double l, rc, kk;
        st = ginv_vae_loss(v, nb, X + (size_t)i0 * n, eps, &l, &rc, &kk, 0);
        s_loss += l * nb;
        s_rec += rc * nb;
        s_kl += kk * nb;
        ginv_progress("evaluating", i0 + nb, N);
    }
    ginv_free(eps);
    if (st != GINV_OK) return st;
    if (loss) *loss = s_loss / N;
    if (recon) *recon = s_rec / N;
    if (kl) *kl = s_kl / N;
    return GINV_OK;
}
