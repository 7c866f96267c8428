/* vae.c — the variational autoencoder: construction and the negative ELBO
 * with its parameter gradients (Kingma & Welling 2014, eqs. 7 and 10), with a
 * Gaussian prior and one of two likelihoods: Bernoulli(sigmoid(L(z))), the
 * usual choice for Fashion-MNIST, or Pareek & Risteski's Definition 1,
 * p(x|z) = N(G(z), beta^2 I) with beta fixed and G(z) = sigmoid(L(z)) (the
 * same generator, kept in [0, 1] like the images). */
#include "learn/vae_internal.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <string.h>

#define VAE_MAX_LAYERS 64 /* layers of one net: 2 * 8 + 1 (MLP), 2 * 4 + 3 (CONV) */

/* The activation layer after a hidden layer (ELU with alpha 1, the usual
 * choice; leaky ReLU with slope 0.2). */
static ginv_layer act_layer(ginv_layer_kind act)
{
    return (ginv_layer){.kind = act, .alpha = act == GINV_LAYER_ELU ? 1.0 : 0.2};
}

static ginv_status build_chain(ginv_net **out, int in, int nh, const int *hidden,
                               ginv_layer_kind act, int last)
{
    ginv_layer spec[VAE_MAX_LAYERS];
    int ns = 0, w = in;
    for (int i = 0; i < nh; i++) {
        spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = w, .out = hidden[i], .bias = 1};
        spec[ns] = act_layer(act);
        spec[ns].in = spec[ns].out = hidden[i];
        ns++;
        w = hidden[i];
    }
    spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = w, .out = last, .bias = 1};
    return ginv_net_new(out, ns, spec);
}

/* A 4x4, stride-2, padding-1 conv2d or conv_transpose2d with a bias: halves or
 * doubles H and W. Input shapes after the first layer come from the chain. */
static ginv_layer conv_layer(ginv_layer_kind kind, int c_out)
{
    return (ginv_layer){.kind = kind, .c_out = c_out, .bias = 1, .kh = 4, .kw = 4,
                        .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1,
                        .dil_h = 1, .dil_w = 1};
}

/* GINV_VAE_CONV (learn.h): encoder c x h x w -conv-> H1 x h/2 x w/2 .. -conv->
 * HL x h/2^L x w/2^L [-dense-> fc] -dense-> 2k; decoder k [-dense-> fc]
 * -dense-> HL x h/2^L x w/2^L -reshape- -convT-> .. -convT-> c x h x w
 * (the bracketed dense layers only when a->fc > 0). */
static ginv_status build_conv(const ginv_vae_arch *a, ginv_net **enc, ginv_net **dec)
{
    ginv_layer spec[VAE_MAX_LAYERS];
    int L = a->nhidden, hs = a->h >> L, ws = a->w >> L, flat = a->hidden[L - 1] * hs * ws;
    int ns = 0;
    for (int i = 0; i < L; i++) {
        spec[ns] = conv_layer(GINV_LAYER_CONV2D, a->hidden[i]);
        if (i == 0) {
            spec[ns].c_in = a->c;
            spec[ns].h_in = a->h;
            spec[ns].w_in = a->w;
        }
        ns++;
        spec[ns++] = act_layer(a->act);
    }
    if (a->fc > 0) {
        spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = flat, .out = a->fc, .bias = 1};
        spec[ns++] = act_layer(a->act);
    }
    spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = a->fc > 0 ? a->fc : flat,
                              .out = 2 * a->k, .bias = 1};
    ginv_status st = ginv_net_new(enc, ns, spec);
    if (st != GINV_OK) return st;
    ns = 0;
    if (a->fc > 0) {
        spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = a->k, .out = a->fc, .bias = 1};
        spec[ns++] = act_layer(a->act);
    }
    spec[ns++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = a->fc > 0 ? a->fc : a->k,
                              .out = flat, .bias = 1};
    spec[ns++] = act_layer(a->act);
    spec[ns++] = (ginv_layer){.kind = GINV_LAYER_RESHAPE, .c_out = a->hidden[L - 1], .h_out = hs,
                              .w_out = ws};
    for (int i = L - 1; i >= 0; i--) {
        spec[ns++] = conv_layer(GINV_LAYER_CONV_TRANSPOSE2D, i ? a->hidden[i - 1] : a->c);
        if (i) spec[ns++] = act_layer(a->act);
    }
    st = ginv_net_new(dec, ns, spec);
    if (st != GINV_OK) {
        ginv_net_free(*enc);
        *enc = NULL;
    }
    return st;
}

ginv_status ginv_vae_arch_check(const ginv_vae_arch *a)
{
    if (a->kind != GINV_VAE_MLP && a->kind != GINV_VAE_CONV)
        return ginv_fail(GINV_ERR_ARG, "VAE architecture kind %d (expected mlp or conv)", (int)a->kind);
    if (a->likelihood == GINV_VAE_GAUSSIAN) {
        if (!(a->beta > 0) || !isfinite(a->beta))
            return ginv_fail(GINV_ERR_ARG, "the Gaussian likelihood's beta %g must be > 0 and finite",
                             a->beta);
    } else if (a->likelihood != GINV_VAE_BERNOULLI) {
        return ginv_fail(GINV_ERR_ARG, "VAE likelihood %d (expected bernoulli or gaussian)",
                         (int)a->likelihood);
    } else if (a->beta != 0) {
        return ginv_fail(GINV_ERR_ARG, "beta %g is the Gaussian likelihood's std; the Bernoulli "
                         "likelihood has none (give 0)", a->beta);
    }
    if (!ginv_layer_is_act(a->act))
        return ginv_fail(GINV_ERR_ARG, "the VAE's hidden activation must be an elementwise "
                         "activation, not %s", ginv_layer_kind_name(a->act));
    if (a->kind == GINV_VAE_MLP && a->fc != 0)
        return ginv_fail(GINV_ERR_ARG, "a dense hidden layer (fc %d) is for conv VAEs; an MLP "
                         "VAE's widths are its hidden layers (give 0)", a->fc);
    if (a->fc < 0 || a->fc > (1 << 16))
        return ginv_fail(GINV_ERR_ARG, "conv VAE: dense hidden width %d (0 to 65536)", a->fc);
    if (a->kind == GINV_VAE_MLP) {
        if (a->n < 1 || a->k < 1 || a->nhidden < 0 || a->nhidden > 8)
            return ginv_fail(GINV_ERR_ARG, "VAE sizes: data %d, latent %d, %d hidden layers "
                                           "(at most 8)", a->n, a->k, a->nhidden);
        for (int i = 0; i < a->nhidden; i++)
            if (a->hidden[i] < 1)
                return ginv_fail(GINV_ERR_ARG, "VAE hidden width %d must be >= 1", a->hidden[i]);
        return GINV_OK;
    }
    if (a->k < 1 || a->k > (1 << 20) || a->nhidden < 1 || a->nhidden > 4)
        return ginv_fail(GINV_ERR_ARG, "conv VAE: latent %d, %d conv layers (1 to 4)", a->k,
                         a->nhidden);
    for (int i = 0; i < a->nhidden; i++)
        if (a->hidden[i] < 1 || a->hidden[i] > 4096)
            return ginv_fail(GINV_ERR_ARG, "conv VAE: %d channels (1 to 4096)", a->hidden[i]);
    int f = 1 << a->nhidden;
    if (a->c < 1 || a->h < 1 || a->w < 1 || a->c > 4096 || a->h > 65536 || a->w > 65536 ||
        (long long)a->c * a->h * a->w != a->n)
        return ginv_fail(GINV_ERR_ARG, "conv VAE: image %dx%dx%d does not hold the %d data values",
                         a->c, a->h, a->w, a->n);
    if (a->h % f || a->w % f)
        return ginv_fail(GINV_ERR_ARG, "conv VAE: %d stride-2 conv layers need the image height "
                         "and width divisible by %d; the images are %dx%d (use fewer --hidden "
                         "layers)", a->nhidden, f, a->h, a->w);
    return GINV_OK;
}

ginv_status ginv_vae_wrap(ginv_vae **out, const ginv_vae_arch *a, ginv_net *enc, ginv_net *dec)
{
    ginv_vae *v = ginv_calloc(1, sizeof *v);
    if (!v) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    v->arch = *a;
    v->enc = enc;
    v->dec = dec;
    size_t ne = ginv_net_nparams(enc), nd = ginv_net_nparams(dec);
    v->m_enc = ginv_calloc(ne, sizeof(float));
    v->v_enc = ginv_calloc(ne, sizeof(float));
    v->m_dec = ginv_calloc(nd, sizeof(float));
    v->v_dec = ginv_calloc(nd, sizeof(float));
    if (!v->m_enc || !v->v_enc || !v->m_dec || !v->v_dec || !ginv_net_grads(enc) ||
        !ginv_net_grads(dec)) {
        ginv_vae_free(v);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    *out = v;
    return GINV_OK;
}

ginv_status ginv_vae_new(ginv_vae **out, const ginv_vae_arch *a, uint64_t seed)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(a);
    ginv_status st = ginv_vae_arch_check(a);
    if (st != GINV_OK) return st;
    ginv_net *enc = NULL, *dec = NULL;
    if (a->kind == GINV_VAE_CONV) {
        st = build_conv(a, &enc, &dec);
    } else {
        int rev[8];
        for (int i = 0; i < a->nhidden; i++) rev[i] = a->hidden[a->nhidden - 1 - i];
        st = build_chain(&enc, a->n, a->nhidden, a->hidden, a->act, 2 * a->k);
        if (st == GINV_OK) st = build_chain(&dec, a->k, a->nhidden, rev, a->act, a->n);
    }
    if (st == GINV_OK) {
        ginv_net_randomize(enc, GINV_INIT_FANIN, 0, seed, GINV_STREAM_TRAIN_INIT * 16 + 0);
        ginv_net_randomize(dec, GINV_INIT_FANIN, 0, seed, GINV_STREAM_TRAIN_INIT * 16 + 1);
        st = ginv_vae_wrap(out, a, enc, dec);
    }
    if (st != GINV_OK) {
        ginv_net_free(enc);
        ginv_net_free(dec);
    }
    return st;
}

static void free_ws(ginv_vae *v)
{
    ginv_net_ws_free(v->enc_ws);
    ginv_net_ws_free(v->dec_ws);
    ginv_free(v->z);
    ginv_free(v->dlog);
    ginv_free(v->dz);
    ginv_free(v->dh);
    v->enc_ws = v->dec_ws = NULL;
    v->z = v->dlog = v->dz = v->dh = NULL;
    v->cap = 0;
}

void ginv_vae_free(ginv_vae *v)
{
    if (!v) return;
    free_ws(v);
    ginv_net_free(v->enc);
    ginv_net_free(v->dec);
    ginv_free(v->m_enc);
    ginv_free(v->v_enc);
    ginv_free(v->m_dec);
    ginv_free(v->v_dec);
    ginv_free(v);
}

ginv_net *ginv_vae_encoder(ginv_vae *v) { return v->enc; }
ginv_net *ginv_vae_decoder_logits(ginv_vae *v) { return v->dec; }
int ginv_vae_epoch(const ginv_vae *v) { return v->epoch; }
const ginv_vae_arch *ginv_vae_get_arch(const ginv_vae *v) { return &v->arch; }

int ginv_vae_train_record_get(const ginv_vae *v, ginv_vae_train_record *out)
{
    if (!v->have_rec) return 0;
    if (out) *out = v->rec;
    return 1;
}

ginv_status ginv_vae_reserve(ginv_vae *v, int B)
{
    GINV_NONNULL(v);
    if (B <= v->cap) return GINV_OK;
    free_ws(v);
    int n = v->arch.n, k = v->arch.k;
    ginv_status st = ginv_net_ws_new(&v->enc_ws, v->enc, B);
    if (st == GINV_OK) st = ginv_net_ws_new(&v->dec_ws, v->dec, B);
    if (st != GINV_OK) {
        free_ws(v);
        return st;
    }
    v->z = ginv_malloc((size_t)B * k * sizeof(float));
    v->dz = ginv_malloc((size_t)B * k * sizeof(float));
    v->dh = ginv_malloc((size_t)B * 2 * k * sizeof(float));
    v->dlog = ginv_malloc((size_t)B * n * sizeof(float));
    if (!v->z || !v->dz || !v->dh || !v->dlog) {
        free_ws(v);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a VAE batch of %d", B);
    }
    v->cap = B;
    return GINV_OK;
}

/* softplus(l) = log(1 + e^l), stable for large |l| */
static double softplus(double l) { return l > 0 ? l + log1p(exp(-l)) : log1p(exp(l)); }

/* The reconstruction term -log p(x|z) summed over the batch's m = B n values
 * from the logits lg, and its gradient w.r.t. the logits times scale into
 * dlog. Bernoulli: softplus(l) - x l, d/dl = sigmoid(l) - x. Gaussian
 * (Pareek & Risteski Def. 1): (x - g)^2 / (2 beta^2) per value with
 * g = sigmoid(l), plus (n/2) log(2 pi beta^2) per example (added by the
 * caller), d/dl = (g - x) g (1 - g) / beta^2. */
static double recon_sum(const ginv_vae_arch *a, size_t m, const float *lg, const float *x,
                        float scale, float *dlog)
{
    double s = 0;
    if (a->likelihood == GINV_VAE_GAUSSIAN) {
        double ib2 = 1.0 / (a->beta * a->beta);
        for (size_t i = 0; i < m; i++) {
            double g = 1.0 / (1.0 + exp(-(double)lg[i])), r = g - (double)x[i];
            s += 0.5 * r * r * ib2;
            dlog[i] = (float)(r * g * (1.0 - g) * ib2 * scale);
        }
        return s;
    }
    for (size_t i = 0; i < m; i++) {
        double l = lg[i];
        s += softplus(l) - (double)x[i] * l;
        dlog[i] = (float)(1.0 / (1.0 + exp(-l)) - x[i]) * scale;
    }
    return s;
}

ginv_status ginv_vae_loss(ginv_vae *v, int B, const float *x, const float *eps, double *loss,
                          double *recon, double *kl, int want_grad)
{
    GINV_NONNULL(v);
    GINV_NONNULL(x);
    GINV_NONNULL(eps);
    ginv_status st = ginv_vae_reserve(v, B);
    if (st != GINV_OK) return st;
    int n = v->arch.n, k = v->arch.k;
    /* encoder: h = (mu, log sigma^2), B x 2k */
    const float *h = ginv_net_forward(v->enc, v->enc_ws, B, x);
    double kl_sum = 0;
    for (int b = 0; b < B; b++) {
        const float *mu = h + (size_t)b * 2 * k, *lv = mu + k;
        for (int c = 0; c < k; c++) {
            double s2 = exp((double)lv[c]);
            /* reparameterisation (K&W eq. 10's sampling): z = mu + sigma eps */
            v->z[(size_t)b * k + c] = (float)(mu[c] + sqrt(s2) * eps[(size_t)b * k + c]);
            kl_sum += 0.5 * ((double)mu[c] * mu[c] + s2 - 1.0 - lv[c]);
        }
    }
    /* decoder logits and the negative log-likelihood (gradient for the batch mean) */
    const float *lg = ginv_net_forward(v->dec, v->dec_ws, B, v->z);
    const float scale = 1.0f / (float)B;
    double rec_sum = recon_sum(&v->arch, (size_t)B * n, lg, x, scale, v->dlog);
    if (v->arch.likelihood == GINV_VAE_GAUSSIAN) /* the normaliser, constant in the parameters */
        rec_sum += B * 0.5 * n * log(2.0 * M_PI * v->arch.beta * v->arch.beta);
    if (!isfinite(rec_sum) || !isfinite(kl_sum))
        return ginv_fail(GINV_ERR_NUMERIC, "the VAE loss is not finite (diverged?)");
    if (loss) *loss = (rec_sum + kl_sum) / B;
    if (recon) *recon = rec_sum / B;
    if (kl) *kl = kl_sum / B;
    if (!want_grad) return GINV_OK;

    memset(ginv_net_grads(v->dec), 0, ginv_net_nparams(v->dec) * sizeof(float));
    memset(ginv_net_grads(v->enc), 0, ginv_net_nparams(v->enc) * sizeof(float));
    ginv_net_backward(v->dec, v->dec_ws, B, v->dlog, v->dz, 1);
    /* through the reparameterisation and the KL term (mean over the batch):
     * d/dmu = dz + mu;  d/dlogvar = dz eps sigma / 2 + (sigma^2 - 1) / 2 */
    for (int b = 0; b < B; b++) {
        const float *mu = h + (size_t)b * 2 * k, *lv = mu + k;
        float *dmu = v->dh + (size_t)b * 2 * k, *dlv = dmu + k;
        for (int c = 0; c < k; c++) {
            size_t i = (size_t)b * k + c;
            double sig = exp(0.5 * (double)lv[c]);
            dmu[c] = v->dz[i] + mu[c] * scale;
            dlv[c] = (float)(v->dz[i] * eps[i] * 0.5 * sig + 0.5 * (sig * sig - 1.0) * scale);
        }
    }
    ginv_net_backward(v->enc, v->enc_ws, B, v->dh, NULL, 1);
    return GINV_OK;
}

ginv_status ginv_vae_generator(const ginv_vae *v, ginv_net **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(v);
    int nl = ginv_net_nlayers(v->dec);
    ginv_layer spec[VAE_MAX_LAYERS + 1];
    for (int i = 0; i < nl; i++) {
        spec[i] = *ginv_net_layer_c(v->dec, i);
        spec[i].W = spec[i].b = spec[i].dW = spec[i].db = NULL;
    }
    spec[nl] = (ginv_layer){.kind = GINV_LAYER_SIGMOID, .in = v->arch.n, .out = v->arch.n};
    ginv_net *g = NULL;
    ginv_status st = ginv_net_new(&g, nl + 1, spec);
    if (st != GINV_OK) return st;
    /* the sigmoid has no parameters: the blocks have the same layout */
    memcpy(ginv_net_params(g), ginv_net_params(v->dec), ginv_net_nparams(v->dec) * sizeof(float));
    *out = g;
    return GINV_OK;
}
