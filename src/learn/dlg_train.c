/* dlg_train.c — amortised deep latent Gaussian encoders (Pareek & Risteski
 * 2021, Definition 2) trained with the generator G frozen, for the model of
 * their Definition 1 (z ~ N(0, I), x = G(z) + beta xi). The marginal
 * q(z_L | x) of a multi-layer DLG has no closed form, so the ELBO is replaced
 * by the semi-implicit variational bound (Yin & Zhou 2018, "Semi-implicit
 * variational inference", their lower bound L_K; Molchanov et al. 2019):
 * with z_L = F_L(z_{L-1}^(0), x) + gamma_L xi and K more independent draws
 * z_{L-1}^(1..K) of the layers below,
 *     L_K = log p(x, z_L) - log (1/(K+1)) sum_{k=0..K} N(z_L; F_L(z_{L-1}^(k), x), gamma_L^2 I),
 * a lower bound on log p(x) that increases to the ELBO as K grows. All
 * K + 1 chains run as one batch of B (K + 1) rows; the gradient is
 * reparameterised through every layer's noise and backpropagated with
 * ginv_dlg_layer_vjp (dlg_grad.c); Adam (ginv_adam_block) on fresh model
 * samples each step, as ginv_encoder_train does. gamma_i is trained as
 * itself (the law depends on |gamma_i| only). */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"
#include "learn/dlg_internal.h"
#include "learn/encoder_ckpt_internal.h"
#include "learn/vae_internal.h"
#include "net/net_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static ginv_status add(ginv_dlg *g, int gi, ginv_dlg_node nd, int *idx)
{
    return ginv_dlg_node_add(g, gi, &nd, idx);
}

/* the two graphs: layer 1 (x only) and layers 2..L (x and z) */
static ginv_status mlp_graphs(ginv_dlg *g, int L, int H, ginv_layer_kind act, double alpha)
{
    int g1, g2, ax, az, s, h;
    ginv_status st = ginv_dlg_graph_add(g, &g1);
    if (st == GINV_OK) st = add(g, g1, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 0, .size = H, .bias = 1}, &ax);
    if (st == GINV_OK) st = add(g, g1, (ginv_dlg_node){.op = GINV_DLG_ACT, .a = ax, .act = act, .alpha = alpha}, &h);
    if (st == GINV_OK) st = add(g, g1, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = h, .size = g->d, .bias = 1}, NULL);
    if (st == GINV_OK) st = ginv_dlg_layers_add(g, g1, 1);
    if (st != GINV_OK || L == 1) return st;
    st = ginv_dlg_graph_add(g, &g2);
    if (st == GINV_OK) st = add(g, g2, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 0, .size = H, .bias = 1}, &ax);
    if (st == GINV_OK) st = add(g, g2, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = 1, .size = H}, &az);
    if (st == GINV_OK) st = add(g, g2, (ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = ax, .b = az}, &s);
    if (st == GINV_OK) st = add(g, g2, (ginv_dlg_node){.op = GINV_DLG_ACT, .a = s, .act = act, .alpha = alpha}, &h);
    if (st == GINV_OK) st = add(g, g2, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = h, .size = g->d, .bias = 1}, NULL);
    if (st == GINV_OK) st = ginv_dlg_layers_add(g, g2, L - 1);
    return st;
}

/* W ~ N(0, 1/fan-in), biases 0, LINCOMB (1, 1), gamma0 */
static void mlp_init(ginv_dlg *g, double gamma0, uint64_t seed)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_DLG_INIT, 0);
    for (int l = 0; l < g->nlayers; l++) {
        const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[l]];
        float *p = g->params + g->layer_off[l];
        p[0] = (float)gamma0;
        for (int i = 2; i < gr->nnodes; i++) {
            const ginv_dlg_node *nd = &gr->nodes[i];
            float *q = p + gr->poff[i];
            int in = gr->nodes[nd->a].size;
            if (nd->op == GINV_DLG_AFFINE) ginv_rng_normal_f32(&r, q, (size_t)nd->size * in, 1.0 / sqrt((double)in));
            if (nd->op == GINV_DLG_LINCOMB) q[0] = q[1] = 1.0f;
        }
    }
}

ginv_status ginv_dlg_new_mlp(ginv_dlg **out, int n, int d, int L, int H, ginv_layer_kind act, double alpha,
                             double gamma0, uint64_t seed)
{
    GINV_NONNULL(out);
    *out = NULL;
    if (L < 1 || L > 4096 || H < 1 || H > GINV_MAX_WIDTH)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: %d layers of width %d (layers 1..4096, width 1..%d)", L,
                         H, GINV_MAX_WIDTH);
    if (!(gamma0 > 0) || !isfinite(gamma0))
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: gamma0 %g must be > 0", gamma0);
    ginv_dlg *g = NULL;
    ginv_status st = ginv_dlg_new(&g, n, d);
    if (st == GINV_OK) st = mlp_graphs(g, L, H, act, alpha);
    if (st != GINV_OK) {
        ginv_dlg_free(g);
        return st;
    }
    mlp_init(g, gamma0, seed);
    char rec[256];
    snprintf(rec, sizeof rec, "{\"architecture\":\"F_i = W2 act(c_a (A x + b1) + c_b B z) + b2\",\"layers\":%d,"
             "\"hidden\":%d,\"act\":\"%s\",\"gamma0\":%.17g}", L, H, ginv_layer_kind_name(act), gamma0);
    if (!(g->record = ginv_strdup(rec))) {
        ginv_dlg_free(g);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    *out = g;
    return GINV_OK;
}

/* the buffers of one bound evaluation: B observations, K + 1 chains, R = B (K + 1) rows */
typedef struct {
    int B, K, R, n, d;
    ginv_net_ws *gws;
    ginv_dlg_tape tape;
    float *xr, *gout, *gz, *zL, *dx, *dzG;
    double *nk; /* K + 1 log-densities of one row */
} sivi_ws;

static void sws_free(sivi_ws *w)
{
    ginv_net_ws_free(w->gws);
    ginv_dlg_tape_free(&w->tape);
    ginv_free(w->xr);
    ginv_free(w->gout);
    ginv_free(w->gz);
    ginv_free(w->zL);
    ginv_free(w->dx);
    ginv_free(w->dzG);
    ginv_free(w->nk);
    memset(w, 0, sizeof *w);
}

static ginv_status sws_new(sivi_ws *w, const ginv_dlg *g, ginv_net *G, int B, int K)
{
    memset(w, 0, sizeof *w);
    w->B = B, w->K = K, w->R = B * (K + 1), w->n = g->n, w->d = g->d;
    size_t R = (size_t)w->R, d = (size_t)g->d;
    ginv_status st = ginv_net_ws_new(&w->gws, G, B);
    if (st == GINV_OK) st = ginv_dlg_tape_new(g, w->R, 1, &w->tape);
    w->xr = ginv_malloc(R * g->n * sizeof(float));
    w->gout = ginv_malloc(R * d * sizeof(float));
    w->gz = ginv_malloc(R * d * sizeof(float));
    w->zL = ginv_malloc((size_t)B * d * sizeof(float));
    w->dx = ginv_malloc((size_t)B * g->n * sizeof(float));
    w->dzG = ginv_malloc((size_t)B * d * sizeof(float));
    w->nk = ginv_malloc(((size_t)K + 1) * sizeof(double));
    if (st == GINV_OK && (!w->xr || !w->gout || !w->gz || !w->zL || !w->dx || !w->dzG || !w->nk))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for a SIVI batch of %d x %d chains", B, K + 1);
    if (st != GINV_OK) sws_free(w);
    return st;
}

/* Per row b, from m (R x d: m_k = F_L(z_{L-1}^(k), x), rows k B + b), z_L
 * (B x d) and G(z_L): L_K summed over the rows (returned), and the batch-mean
 * loss (-L_K) gradients: w.r.t. z_L without G's part (gz rows 0..B-1), w.r.t.
 * each m_k (gout rows) and gamma_L's explicit part (*ggam). With
 * N_k = log N(z_L; m_k, gamma^2 I) and w_k = softmax_k N_k:
 *   d(-L_K)/dz_L = z_L + J^T (G - x)/beta^2 - sum_k w_k (z_L - m_k)/gamma^2,
 *   d(-L_K)/dm_k = w_k (z_L - m_k)/gamma^2,
 *   d(-L_K)/dgamma (at fixed z_L, m) = sum_k w_k (||z_L - m_k||^2/gamma^3) - d/gamma. */
static double sivi_top(sivi_ws *w, const float *x, const float *gz_of, const float *m, double beta, double gam,
                       double *ggam)
{
    int B = w->B, K = w->K, d = w->d, n = w->n;
    double ib2 = 1.0 / (beta * beta), ig2 = 1.0 / (gam * gam), sc = 1.0 / B, total = 0, gg = 0;
    double cst = -0.5 * d * log(2 * M_PI) - 0.5 * n * log(2 * M_PI * beta * beta);
    double qc = -0.5 * d * log(2 * M_PI * gam * gam) - log((double)K + 1.0);
    double *nk = w->nk;
    for (int b = 0; b < B; b++) {
        const float *z = w->zL + (size_t)b * d, *xb = x + (size_t)b * n, *gb = gz_of + (size_t)b * n;
        double lp = 0;
        for (int j = 0; j < d; j++) lp -= 0.5 * (double)z[j] * z[j];
        for (int i = 0; i < n; i++) {
            double r = (double)gb[i] - xb[i];
            lp -= 0.5 * r * r * ib2;
            w->dx[(size_t)b * n + i] = (float)(r * ib2 * sc);
        }
        double mx = -INFINITY;
        for (int k = 0; k <= K; k++) {
            const float *mk = m + ((size_t)k * B + b) * d;
            double s = 0;
            for (int j = 0; j < d; j++) s += ((double)z[j] - mk[j]) * ((double)z[j] - mk[j]);
            nk[k] = -0.5 * s * ig2;
            if (nk[k] > mx) mx = nk[k];
        }
        double se = 0;
        for (int k = 0; k <= K; k++) se += exp(nk[k] - mx);
        double lse = mx + log(se);
        total += lp + cst - (lse + qc);
        float *gz = w->gz + (size_t)b * d;
        for (int j = 0; j < d; j++) gz[j] = (float)(z[j] * sc);
        for (int k = 0; k <= K; k++) {
            double wk = exp(nk[k] - lse);
            const float *mk = m + ((size_t)k * B + b) * d;
            float *go = w->gout + ((size_t)k * B + b) * d;
            for (int j = 0; j < d; j++) {
                double t = wk * ((double)z[j] - mk[j]) * ig2 * sc;
                go[j] = (float)t;
                gz[j] -= (float)t;
            }
            gg += wk * (-2.0 * nk[k]) / gam * sc; /* ||z - m_k||^2 / gamma^3 */
        }
        gg -= d / gam * sc;
    }
    *ggam = gg;
    return total;
}

/* the bound and (grad != NULL) its loss gradient for the batch x (B x n) and
 * the noise xi (L x R x d) */
static ginv_status sivi_eval(const ginv_dlg *g, ginv_net *G, double beta, sivi_ws *w, const float *x,
                             const float *xi, double *bound, float *grad)
{
    int B = w->B, R = w->R, d = w->d, n = w->n, L = g->nlayers;
    size_t lay = (size_t)R * d;
    const float *pL = g->params + g->layer_off[L - 1];
    double gam = pL[0];
    if (!(gam != 0) || !isfinite(gam))
        return ginv_fail(GINV_ERR_NUMERIC, "the SIVI bound needs a Gaussian last layer: gamma_L = %g", gam);
    for (int r = 0; r < R; r++) memcpy(w->xr + (size_t)r * n, x + (size_t)(r % B) * n, (size_t)n * sizeof(float));
    const float *m = NULL; /* the last layer's means m_k, every row */
    for (int l = 0; l < L; l++)
        m = ginv_dlg_tape_forward(g, &w->tape, l, w->xr, NULL, l + 1 < L ? xi + (size_t)l * lay : NULL, NULL);
    const float *xiL = xi + (size_t)(L - 1) * lay;
    for (size_t i = 0; i < (size_t)B * d; i++) w->zL[i] = m[i] + (float)(gam * xiL[i]);
    const float *gx = ginv_net_forward(G, w->gws, B, w->zL);
    double ggam, sum = sivi_top(w, x, gx, m, beta, gam, &ggam);
    if (!isfinite(sum)) return ginv_fail(GINV_ERR_NUMERIC, "the SIVI bound is not finite (diverged? lower the lr)");
    *bound = sum / B;
    if (!grad) return GINV_OK;
    memset(grad, 0, g->nparams * sizeof(float));
    ginv_net_backward(G, w->gws, B, w->dx, w->dzG, 0); /* J^T (G - x)/beta^2 / B */
    double gl = ggam;
    for (size_t i = 0; i < (size_t)B * d; i++) {
        w->gz[i] += w->dzG[i];
        gl += (double)w->gz[i] * xiL[i];
        w->gout[i] += w->gz[i]; /* chain 0: through z_L and as m_0 */
    }
    grad[g->layer_off[L - 1]] += (float)gl;
    for (int l = L - 1; l >= 0; l--) {
        ginv_dlg_tape_backward(g, &w->tape, l, w->xr, w->gout, grad + g->layer_off[l], l ? w->gz : NULL);
        if (l == 0) break;
        const float *xl = xi + (size_t)(l - 1) * lay; /* z_{l-1} = F + gamma xi over every chain */
        double s = 0;
        for (size_t i = 0; i < lay; i++) s += (double)w->gz[i] * xl[i];
        grad[g->layer_off[l - 1]] += (float)s;
        memcpy(w->gout, w->gz, lay * sizeof(float));
    }
    return GINV_OK;
}

static ginv_status check_pair(const ginv_dlg *g, const ginv_net *G, double beta, int K)
{
    if (ginv_net_in(G) != g->d || ginv_net_out(G) != g->n)
        return ginv_fail(GINV_ERR_SHAPE, "the encoder maps %d -> %d; the generator (%d -> %d) needs %d -> %d", g->n,
                         g->d, ginv_net_in(G), ginv_net_out(G), ginv_net_out(G), ginv_net_in(G));
    if (!(beta > 0) || !isfinite(beta)) return ginv_fail(GINV_ERR_ARG, "parameter 'beta' %g must be > 0", beta);
    if (K < 0 || K > (1 << 16)) return ginv_fail(GINV_ERR_ARG, "SIVI: K = %d extra chains (0 to 65536)", K);
    if (g->nlayers < 1) return ginv_fail(GINV_ERR_ARG, "SIVI: the encoder has no layers");
    for (int l = 0; l < g->nlayers; l++) {
        ginv_status st = ginv_dlg_check_differentiable(g, l);
        if (st != GINV_OK) return st;
    }
    return GINV_OK;
}
ginv_status ginv_dlg_sivi_bound(const ginv_dlg *g, ginv_net *G, double beta, int B, int K, const float *x,
                                const float *xi, double *bound, float *grad)
{
    GINV_NONNULL(g);
    GINV_NONNULL(G);
    GINV_NONNULL(x);
    GINV_NONNULL(xi);
    GINV_NONNULL(bound);
    ginv_status st = check_pair(g, G, beta, K);
    if (st != GINV_OK) return st;
    if (B < 1 || (long)B * (K + 1) > (1L << 24))
        return ginv_fail(GINV_ERR_ARG, "SIVI: batch %d with %d chains (1 <= B (K + 1) <= 2^24)", B, K + 1);
    sivi_ws w;
    if ((st = sws_new(&w, g, G, B, K)) != GINV_OK) return st;
    st = sivi_eval(g, G, beta, &w, x, xi, bound, grad);
    sws_free(&w);
    return st;
}

void ginv_dlg_train_opts_init(ginv_dlg_train_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->steps = 2000;
    o->batch = 64;
    o->K = 8;
    o->lr = 1e-3;
    o->seed = 1;
    o->threads = 1;
    o->checkpoint_every = 500;
}

/* step t's batch from (seed, DLG_TRAIN, t): z ~ N(0, I) (B x d), x = G(z) +
 * beta xi (B x n), then the encoder's noise (L x R x d) */
static void draw_batch(const ginv_dlg *g, ginv_net *G, sivi_ws *w, double beta, uint64_t seed, long t, float *z,
                       float *x, float *xi)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_DLG_TRAIN, (uint64_t)t);
    ginv_enc_model_batch(G, w->gws, w->B, beta, &r, z, x);
    ginv_rng_normal_f32(&r, xi, (size_t)g->nlayers * w->R * w->d, 1.0);
}

/* the training's record, added to the architecture's (JSON text) */
static ginv_status set_record(ginv_dlg *g, double beta, const ginv_dlg_train_opts *o, double fb)
{
    cJSON *r = g->record ? cJSON_Parse(g->record) : NULL;
    if (!r) r = cJSON_CreateObject();
    cJSON *t = r ? cJSON_AddObjectToObject(r, "training") : NULL;
    if (!t) {
        cJSON_Delete(r);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    cJSON_AddStringToObject(t, "objective", "SIVI bound L_K (Yin & Zhou 2018), G frozen, Adam");
    cJSON_AddNumberToObject(t, "beta", beta);
    cJSON_AddNumberToObject(t, "K", o->K);
    cJSON_AddNumberToObject(t, "steps", (double)o->steps);
    cJSON_AddNumberToObject(t, "batch", o->batch);
    cJSON_AddNumberToObject(t, "lr", o->lr);
    cJSON_AddNumberToObject(t, "seed", (double)o->seed);
    if (isfinite(fb)) cJSON_AddNumberToObject(t, "final_bound", fb);
    char *txt = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_free(g->record);
    g->record = ginv_strdup(txt);
    cJSON_free(txt);
    return g->record ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
}

/* What a checkpoint must match: the encoder's structure (readable: sizes,
 * layers, and the MLP's width and activation from its record; hashed: every
 * node of every graph and each layer's graph), G, beta, and the run's K,
 * batch, lr and seed. */
static void ckpt_record(ginv_enc_ckpt *c, const ginv_dlg *g, const ginv_net *G, double beta,
                        const ginv_dlg_train_opts *o)
{
    memset(c, 0, sizeof *c);
    uint64_t h = 0xcbf29ce484222325ull;
    int hd[3] = {g->n, g->d, g->nlayers};
    h = ginv_enc_ckpt_mix(h, hd, sizeof hd);
    for (int i = 0; i < g->ngraphs; i++)
        for (int j = 0; j < g->graphs[i].nnodes; j++) {
            const ginv_dlg_node *nd = &g->graphs[i].nodes[j];
            int f[6] = {(int)nd->op, nd->a, nd->b, nd->size, nd->bias, (int)nd->act};
            h = ginv_enc_ckpt_mix(h, f, sizeof f);
            h = ginv_enc_ckpt_mix(h, &nd->alpha, sizeof nd->alpha);
        }
    h = ginv_enc_ckpt_mix(h, g->layer_graph, (size_t)g->nlayers * sizeof(int));
    cJSON *r = g->record ? cJSON_Parse(g->record) : NULL;
    const cJSON *jh = cJSON_GetObjectItemCaseSensitive(r, "hidden"), *ja = cJSON_GetObjectItemCaseSensitive(r, "act");
    if (cJSON_IsNumber(jh) && cJSON_IsString(ja))
        snprintf(c->arch, sizeof c->arch, "dlg %d -> %d, %d layers of width %d (%s), %zu parameters", g->n, g->d,
                 g->nlayers, jh->valueint, ja->valuestring, g->nparams);
    else
        snprintf(c->arch, sizeof c->arch, "dlg %d -> %d, %d layers, %d graphs, %zu parameters", g->n, g->d,
                 g->nlayers, g->ngraphs, g->nparams);
    cJSON_Delete(r);
    c->arch_hash = h;
    c->nparams = g->nparams;
    ginv_enc_ckpt_run(c, G, beta, o->batch, o->lr, o->seed);
    snprintf(c->objective, sizeof c->objective, "sivi");
    c->K = o->K;
}

/* one Adam step's loss and gradient (ginv_enc_step_fn): step t's batch and noise, -L_K and its gradient */
typedef struct {
    const ginv_dlg *g;
    ginv_net *G;
    sivi_ws *w;
    double beta, bound;
    uint64_t seed;
    float *z, *x, *xi, *grad;
} dlg_step;

static ginv_status dlg_step_fn(void *user, long t, double *loss, const float **grad)
{
    dlg_step *e = user;
    draw_batch(e->g, e->G, e->w, e->beta, e->seed, t, e->z, e->x, e->xi); /* step t's own stream: resumable */
    ginv_status st = sivi_eval(e->g, e->G, e->beta, e->w, e->x, e->xi, &e->bound, e->grad);
    *loss = e->bound;
    *grad = e->grad;
    return st;
}

static ginv_status dlg_train(ginv_dlg *g, ginv_net *G, double beta, const ginv_dlg_train_opts *o, double *fb)
{
    ginv_status st = check_pair(g, G, beta, o->K);
    if (st != GINV_OK) return st;
    if (o->steps < 0 || o->batch < 1 || !(o->lr > 0) || (long)o->batch * (o->K + 1) > (1L << 24))
        return ginv_fail(GINV_ERR_ARG, "DLG training: steps %ld, batch %d, K %d, lr %g (steps >= 0, batch >= 1, "
                         "batch (K + 1) <= 2^24, lr > 0)", o->steps, o->batch, o->K, o->lr);
    sivi_ws w;
    if ((st = sws_new(&w, g, G, o->batch, o->K)) != GINV_OK) return st;
    size_t np = g->nparams, nxi = (size_t)g->nlayers * w.R * w.d;
    float *z = ginv_malloc((size_t)w.B * w.d * sizeof(float)), *x = ginv_malloc((size_t)w.B * w.n * sizeof(float));
    float *xi = ginv_malloc(nxi * sizeof(float)), *grad = ginv_malloc(np * sizeof(float));
    float *m = ginv_calloc(np, sizeof(float)), *v = ginv_calloc(np, sizeof(float));
    if (!z || !x || !xi || !grad || !m || !v) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_enc_ckpt c;
    ckpt_record(&c, g, G, beta, o);
    if (st == GINV_OK) st = ginv_enc_ckpt_begin(&c, o->checkpoint, o->resume, o->steps, g->params, m, v);
    dlg_step e = {g, G, &w, beta, NAN, o->seed, z, x, xi, grad};
    if (st == GINV_OK)
        st = ginv_enc_train_loop(&c, o->ctx, o->steps, o->lr, o->checkpoint, o->checkpoint_every, g->params, m, v, np,
                                 dlg_step_fn, &e);
    double f = ginv_enc_ckpt_final(&c);
    if (fb) *fb = f;
    if (st == GINV_OK) st = set_record(g, beta, o, f);
    ginv_free(z);
    ginv_free(x);
    ginv_free(xi);
    ginv_free(grad);
    ginv_free(m);
    ginv_free(v);
    sws_free(&w);
    return st;
}

ginv_status ginv_dlg_train(ginv_dlg *g, ginv_net *G, double beta, const ginv_dlg_train_opts *o,
                           double *final_bound)
{
    GINV_NONNULL(g);
    GINV_NONNULL(G);
    GINV_NONNULL(o);
    ginv_dlg_train_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, dlg_train(g, G, beta, &oc, final_bound));
}
