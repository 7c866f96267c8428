/* encoder.c — amortised Gaussian encoders q(z | x) = N(mu(x), diag sigma^2(x))
 * for a fixed generator G under Pareek & Risteski's VAE model (Definition 1:
 * z ~ N(0, I), x = G(z) + beta xi, xi ~ N(0, I)), trained by Adam on fresh
 * samples of that model at every step, with one of two objectives:
 *
 *  ELBO  (reverse KL, Kingma & Welling 2014 with the Gaussian likelihood):
 *        loss = ||x - G(z)||^2 / (2 beta^2) + KL(q(.|x) || N(0, I)),
 *        z = mu + sigma eps (reparameterisation); needs J_G.
 *  SLEEP (forward KL, the sleep phase of wake-sleep, Hinton et al. 1995):
 *        loss = -log q(z | x) for (z, x) drawn from the model, whose
 *        minimiser over all q is the posterior p(z | x) itself; needs only
 *        G's forward, so it also trains on G(z) = C(sgn z), whose sign layer
 *        passes no gradient (Theorem 2's instance).
 *
 * The encoder is a ginv net x (n) -> (mu, log sigma^2) (2k), dense layers
 * with an activation after each hidden one; saved as any model file. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"
#include "learn/encoder_ckpt_internal.h"
#include "learn/vae_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

ginv_status ginv_learn_mlp(ginv_net **out, int in, int nhidden, const int *hidden, ginv_layer_kind act,
                           int nout, uint64_t seed)
{
    ginv_layer spec[18];
    int ns = 0, prev = in;
    for (int i = 0; i < nhidden; i++) {
        spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = prev, .out = hidden[i], .bias = 1};
        spec[ns++] = (ginv_layer){.kind = act, .alpha = 0.2};
        prev = hidden[i];
    }
    spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = prev, .out = nout, .bias = 1};
    ginv_net *e = NULL;
    ginv_status st = ginv_net_new(&e, ns, spec);
    if (st == GINV_OK) st = ginv_net_randomize(e, GINV_INIT_FANIN, 0, seed, 0);
    if (st != GINV_OK) {
        ginv_net_free(e);
        return st;
    }
    *out = e;
    return GINV_OK;
}

ginv_status ginv_encoder_new(ginv_net **out, int n, int k, int nhidden, const int *hidden,
                             ginv_layer_kind act, uint64_t seed)
{
    GINV_NONNULL(out);
    *out = NULL;
    if (n < 1 || k < 1) return ginv_fail(GINV_ERR_ARG, "encoder: sizes n = %d, k = %d must be >= 1", n, k);
    if (nhidden < 0 || nhidden > 8 || (nhidden && !hidden))
        return ginv_fail(GINV_ERR_ARG, "encoder: %d hidden layers (0 to 8)", nhidden);
    if (!ginv_layer_is_act(act)) return ginv_fail(GINV_ERR_ARG, "encoder: the hidden activation must be an activation");
    for (int i = 0; i < nhidden; i++)
        if (hidden[i] < 1 || hidden[i] > (1 << 20))
            return ginv_fail(GINV_ERR_ARG, "encoder: hidden width %d (1 to 2^20)", hidden[i]);
    return ginv_learn_mlp(out, n, nhidden, hidden, act, 2 * k, seed);
}

/* The workspaces of one loss evaluation at batch B. */
typedef struct {
    int B, n, k;
    ginv_net_ws *ews, *gws;
    float *z, *dz, *dh, *dx;
} enc_ws;

static void ws_free(enc_ws *w)
{
    ginv_net_ws_free(w->ews);
    ginv_net_ws_free(w->gws);
    ginv_free(w->z);
    ginv_free(w->dz);
    ginv_free(w->dh);
    ginv_free(w->dx);
    memset(w, 0, sizeof *w);
}

static ginv_status ws_new(enc_ws *w, const ginv_net *enc, const ginv_net *G, int B)
{
    memset(w, 0, sizeof *w);
    w->B = B, w->n = ginv_net_out(G), w->k = ginv_net_in(G);
    ginv_status st = ginv_net_ws_new(&w->ews, enc, B);
    if (st == GINV_OK) st = ginv_net_ws_new(&w->gws, G, B);
    w->z = ginv_malloc(sizeof(float) * (size_t)B * w->k);
    w->dz = ginv_malloc(sizeof(float) * (size_t)B * w->k);
    w->dh = ginv_malloc(sizeof(float) * (size_t)B * 2 * w->k);
    w->dx = ginv_malloc(sizeof(float) * (size_t)B * w->n);
    if (st == GINV_OK && (!w->z || !w->dz || !w->dh || !w->dx))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for an encoder batch of %d", B);
    if (st != GINV_OK) ws_free(w);
    return st;
}

static ginv_status check_pair(const ginv_net *enc, const ginv_net *G, double beta)
{
    if (ginv_net_in(enc) != ginv_net_out(G) || ginv_net_out(enc) != 2 * ginv_net_in(G))
        return ginv_fail(GINV_ERR_SHAPE, "the encoder maps %d -> %d values; the generator (%d -> %d) needs %d -> %d "
                         "(x to mu and log sigma^2)", ginv_net_in(enc), ginv_net_out(enc), ginv_net_in(G),
                         ginv_net_out(G), ginv_net_out(G), 2 * ginv_net_in(G));
    if (!(beta > 0) || !isfinite(beta)) return ginv_fail(GINV_ERR_ARG, "parameter 'beta' %g must be > 0", beta);
    return GINV_OK;
}

/* The loss of one batch and, with grad, its gradient (batch mean) in the
 * encoder's grads. z0 (B x k) are the latents x was drawn from (SLEEP's
 * targets), eps (B x k) the reparameterisation noise (ELBO). */
static ginv_status batch_loss(ginv_net *enc, ginv_net *G, enc_ws *w, ginv_encoder_objective obj, double beta,
                              int B, const float *x, const float *z0, const float *eps, double *loss, int grad)
{
    int k = w->k, n = w->n;
    const float *h = ginv_net_forward(enc, w->ews, B, x);
    double sum = 0, inv_b2 = 1.0 / (beta * beta);
    const double scale = 1.0 / B;
    if (obj == GINV_ENCODER_SLEEP) {
        /* -log q(z0 | x) = sum_c (z0 - mu)^2 / (2 s2) + log s2 / 2 + log(2 pi) / 2 */
        for (int b = 0; b < B; b++) {
            const float *mu = h + (size_t)b * 2 * k, *lv = mu + k;
            float *dmu = w->dh + (size_t)b * 2 * k, *dlv = dmu + k;
            for (int c = 0; c < k; c++) {
                double s2 = exp((double)lv[c]), r = (double)z0[(size_t)b * k + c] - mu[c];
                sum += 0.5 * (r * r / s2 + lv[c] + log(2 * M_PI));
                dmu[c] = (float)(-r / s2 * scale);
                dlv[c] = (float)(0.5 * (1.0 - r * r / s2) * scale);
            }
        }
    } else {
        for (int b = 0; b < B; b++) {
            const float *mu = h + (size_t)b * 2 * k, *lv = mu + k;
            for (int c = 0; c < k; c++) {
                double s2 = exp((double)lv[c]);
                w->z[(size_t)b * k + c] = (float)(mu[c] + sqrt(s2) * eps[(size_t)b * k + c]);
                sum += 0.5 * ((double)mu[c] * mu[c] + s2 - 1.0 - lv[c]); /* KL to N(0, I) */
            }
        }
        const float *g = ginv_net_forward(G, w->gws, B, w->z);
        for (size_t i = 0; i < (size_t)B * n; i++) {
            double r = (double)g[i] - x[i];
            sum += 0.5 * r * r * inv_b2;
            w->dx[i] = (float)(r * inv_b2 * scale);
        }
        if (grad) {
            ginv_net_backward(G, w->gws, B, w->dx, w->dz, 0);
            for (int b = 0; b < B; b++) {
                const float *mu = h + (size_t)b * 2 * k, *lv = mu + k;
                float *dmu = w->dh + (size_t)b * 2 * k, *dlv = dmu + k;
                for (int c = 0; c < k; c++) {
                    size_t i = (size_t)b * k + c;
                    double sig = exp(0.5 * (double)lv[c]);
                    dmu[c] = (float)(w->dz[i] + mu[c] * scale);
                    dlv[c] = (float)(w->dz[i] * eps[i] * 0.5 * sig + 0.5 * (sig * sig - 1.0) * scale);
                }
            }
        }
    }
    if (!isfinite(sum)) return ginv_fail(GINV_ERR_NUMERIC, "the encoder loss is not finite (diverged? lower the lr)");
    *loss = sum / B;
    if (grad) {
        memset(ginv_net_grads(enc), 0, ginv_net_nparams(enc) * sizeof(float));
        ginv_net_backward(enc, w->ews, B, w->dh, NULL, 1);
    }
    return GINV_OK;
}

ginv_status ginv_encoder_loss(ginv_net *enc, ginv_net *G, ginv_encoder_objective obj, double beta, int B,
                              const float *x, const float *z0, const float *eps, double *loss, int want_grad)
{
    GINV_NONNULL(enc);
    GINV_NONNULL(G);
    GINV_NONNULL(x);
    GINV_NONNULL(loss);
    ginv_status st = check_pair(enc, G, beta);
    if (st != GINV_OK) return st;
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "encoder loss: batch %d < 1", B);
    if (obj == GINV_ENCODER_SLEEP ? !z0 : !eps)
        return ginv_fail(GINV_ERR_ARG, "encoder loss: the %s objective needs %s", obj == GINV_ENCODER_SLEEP ? "sleep" : "elbo",
                         obj == GINV_ENCODER_SLEEP ? "the latents z0" : "the noise eps");
    enc_ws w;
    if ((st = ws_new(&w, enc, G, B)) != GINV_OK) return st;
    st = batch_loss(enc, G, &w, obj, beta, B, x, z0, eps, loss, want_grad);
    ws_free(&w);
    return st;
}

void ginv_encoder_train_opts_init(ginv_encoder_train_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->objective = GINV_ENCODER_SLEEP;
    o->steps = 2000;
    o->batch = 64;
    o->lr = 1e-3;
    o->seed = 1;
    o->threads = 1;
    o->checkpoint_every = 500;
}

/* A batch of the model: z ~ N(0, I), x = G(z) + beta xi, eps ~ N(0, I), from
 * (seed, ENCODER, step) */
static void draw_batch(ginv_net *G, enc_ws *w, double beta, uint64_t seed, long step, float *z0, float *x,
                       float *eps)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_ENCODER, (uint64_t)step);
    ginv_enc_model_batch(G, w->gws, w->B, beta, &r, z0, x);
    ginv_rng_normal_f32(&r, eps, (size_t)w->B * w->k, 1.0);
}

/* What a checkpoint must match: the encoder's layers (readable: sizes and
 * activation; hashed: every layer's kind, sizes, bias and slope), G, beta,
 * the objective, and the run's batch, lr and seed. */
static void ckpt_record(ginv_enc_ckpt *c, const ginv_net *enc, const ginv_net *G, double beta,
                        const ginv_encoder_train_opts *o)
{
    memset(c, 0, sizeof *c);
    int nl = ginv_net_nlayers(enc), len = snprintf(c->arch, sizeof c->arch, "gaussian %d", ginv_net_in(enc));
    const char *act = NULL;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < nl; i++) {
        const ginv_layer *L = ginv_net_layer_c(enc, i);
        int f[4] = {(int)L->kind, L->in, L->out, L->bias};
        h = ginv_enc_ckpt_mix(h, f, sizeof f);
        h = ginv_enc_ckpt_mix(h, &L->alpha, sizeof L->alpha);
        if (L->kind == GINV_LAYER_DENSE && len < (int)sizeof c->arch)
            len += snprintf(c->arch + len, sizeof c->arch - len, "-%d", L->out);
        else if (L->kind != GINV_LAYER_DENSE && !act)
            act = ginv_layer_kind_name(L->kind);
    }
    if (len < (int)sizeof c->arch) snprintf(c->arch + len, sizeof c->arch - len, " (%s)", act ? act : "linear");
    c->arch_hash = h;
    c->nparams = ginv_net_nparams(enc);
    ginv_enc_ckpt_run(c, G, beta, o->batch, o->lr, o->seed);
    snprintf(c->objective, sizeof c->objective, "%s", o->objective == GINV_ENCODER_SLEEP ? "sleep" : "elbo");
}

/* one Adam step's loss and gradient (ginv_enc_step_fn): step t's batch, the loss through the encoder */
typedef struct {
    ginv_net *enc, *G;
    enc_ws *w;
    const ginv_encoder_train_opts *o;
    double beta;
    float *z0, *x, *eps;
} enc_step;

static ginv_status enc_step_fn(void *user, long t, double *loss, const float **grad)
{
    enc_step *e = user;
    draw_batch(e->G, e->w, e->beta, e->o->seed, t, e->z0, e->x, e->eps); /* step t's own stream: resumable */
    *grad = ginv_net_grads(e->enc);
    return batch_loss(e->enc, e->G, e->w, e->o->objective, e->beta, e->w->B, e->x, e->z0, e->eps, loss, 1);
}

static ginv_status encoder_train(ginv_net *enc, ginv_net *G, double beta, const ginv_encoder_train_opts *o,
                                 double *final_loss)
{
    GINV_NONNULL(enc);
    GINV_NONNULL(G);
    GINV_NONNULL(o);
    ginv_status st = check_pair(enc, G, beta);
    if (st != GINV_OK) return st;
    if (o->steps < 0 || o->batch < 1 || !(o->lr > 0))
        return ginv_fail(GINV_ERR_ARG, "encoder training: steps %ld, batch %d, lr %g (steps >= 0, batch >= 1, lr > 0)",
                         o->steps, o->batch, o->lr);
    int B = o->batch, k = ginv_net_in(G), n = ginv_net_out(G);
    size_t np = ginv_net_nparams(enc);
    enc_ws w;
    if ((st = ws_new(&w, enc, G, B)) != GINV_OK) return st;
    float *z0 = ginv_malloc(sizeof(float) * (size_t)B * k), *x = ginv_malloc(sizeof(float) * (size_t)B * n);
    float *eps = ginv_malloc(sizeof(float) * (size_t)B * k);
    float *m = ginv_calloc(np, sizeof(float)), *v = ginv_calloc(np, sizeof(float));
    if (!z0 || !x || !eps || !m || !v || !ginv_net_grads(enc)) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_enc_ckpt c;
    ckpt_record(&c, enc, G, beta, o);
    if (st == GINV_OK) st = ginv_enc_ckpt_begin(&c, o->checkpoint, o->resume, o->steps, ginv_net_params(enc), m, v);
    enc_step e = {enc, G, &w, o, beta, z0, x, eps};
    if (st == GINV_OK)
        st = ginv_enc_train_loop(&c, o->ctx, o->steps, o->lr, o->checkpoint, o->checkpoint_every, ginv_net_params(enc),
                                 m, v, np, enc_step_fn, &e);
    if (final_loss) *final_loss = ginv_enc_ckpt_final(&c);
    ginv_free(z0);
    ginv_free(x);
    ginv_free(eps);
    ginv_free(m);
    ginv_free(v);
    ws_free(&w);
    return st;
}

ginv_status ginv_encoder_train(ginv_net *enc, ginv_net *G, double beta, const ginv_encoder_train_opts *o,
                               double *final_loss)
{
    GINV_NONNULL(enc);
    GINV_NONNULL(G);
    GINV_NONNULL(o);
    ginv_encoder_train_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, encoder_train(enc, G, beta, &oc, final_loss));
}

/* ||G(z) - x|| <= beta (sqrt(n) + 3): "z explains x" at the noise level (the
 * true latent does with probability about 0.99: ||xi|| concentrates at
 * sqrt(n) with Gaussian tails, P(||xi|| > sqrt(n) + t) <= exp(-t^2 / 2)). */
static int explains(const float *g, const float *x, int n, double beta)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += ((double)g[i] - x[i]) * ((double)g[i] - x[i]);
    return sqrt(s) <= beta * (sqrt((double)n) + 3.0);
}

ginv_status ginv_encoder_eval(ginv_net *enc, ginv_net *G, double beta, int N, uint64_t seed,
                              ginv_encoder_eval_result *res)
{
    GINV_NONNULL(enc);
    GINV_NONNULL(G);
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    ginv_status st = check_pair(enc, G, beta);
    if (st != GINV_OK) return st;
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "encoder evaluation: N = %d samples (>= 1)", N);
    int B = N < 256 ? N : 256, k = ginv_net_in(G), n = ginv_net_out(G);
    enc_ws w;
    if ((st = ws_new(&w, enc, G, B)) != GINV_OK) return st;
    float *z0 = ginv_malloc(sizeof(float) * (size_t)B * k), *x = ginv_malloc(sizeof(float) * (size_t)B * n);
    float *eps = ginv_malloc(sizeof(float) * (size_t)B * k), *g0 = ginv_malloc(sizeof(float) * (size_t)B * n);
    if (!z0 || !x || !eps || !g0) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double nll = 0, relerr = 0;
    long ok_mean = 0, ok_draw = 0, ok_true = 0;
    for (int done = 0; st == GINV_OK && done < N; done += B) {
        int b = N - done < B ? N - done : B;
        w.B = b;
        /* stream index past any training step: (seed, ENCODER, 2^40 + batch) */
        draw_batch(G, &w, beta, seed, (1L << 40) + done / B, z0, x, eps);
        memcpy(g0, ginv_net_forward(G, w.gws, b, z0), sizeof(float) * (size_t)b * n);
        double l = 0;
        if ((st = batch_loss(enc, G, &w, GINV_ENCODER_SLEEP, beta, b, x, z0, eps, &l, 0)) != GINV_OK) break;
        nll += l * b;
        const float *h = ginv_net_forward(enc, w.ews, b, x);
        for (int i = 0; i < b; i++) { /* the mean mu(x), then a draw mu + sigma eps */
            const float *mu = h + (size_t)i * 2 * k, *lv = mu + k;
            double d = 0, z2 = 0;
            for (int c = 0; c < k; c++) {
                w.z[(size_t)i * k + c] = mu[c];
                d += ((double)mu[c] - z0[(size_t)i * k + c]) * ((double)mu[c] - z0[(size_t)i * k + c]);
                z2 += (double)z0[(size_t)i * k + c] * z0[(size_t)i * k + c];
            }
            relerr += sqrt(d / (z2 > 0 ? z2 : 1));
            float *zd = w.dz + (size_t)i * k; /* scratch: the draw */
            for (int c = 0; c < k; c++) zd[c] = (float)(mu[c] + exp(0.5 * lv[c]) * eps[(size_t)i * k + c]);
        }
        const float *gm = ginv_net_forward(G, w.gws, b, w.z);
        for (int i = 0; i < b; i++) {
            ok_mean += explains(gm + (size_t)i * n, x + (size_t)i * n, n, beta);
            ok_true += explains(g0 + (size_t)i * n, x + (size_t)i * n, n, beta);
        }
        const float *gd = ginv_net_forward(G, w.gws, b, w.dz);
        for (int i = 0; i < b; i++) ok_draw += explains(gd + (size_t)i * n, x + (size_t)i * n, n, beta);
    }
    w.B = B;
    if (st == GINV_OK) {
        res->samples = N;
        res->nll = nll / N;
        res->rel_error = relerr / N;
        res->success_mean = (double)ok_mean / N;
        res->success_draw = (double)ok_draw / N;
        res->success_truth = (double)ok_true / N;
    }
    ginv_free(z0);
    ginv_free(x);
    ginv_free(eps);
    ginv_free(g0);
    ws_free(&w);
    return st;
}
