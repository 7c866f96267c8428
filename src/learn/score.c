/* score.c — a score-based prior on the intermediate space R^p of a generator
 * (Daras et al. 2022 §2, §4): the time-conditioned noise predictor
 * eps_theta(h~, t) of the variance-preserving SDE (Song et al. 2021, eq. 11),
 * its denoising score-matching loss (their eq. 7 with lambda(t) =
 * sigma(t)^2), the score it defines, and the reverse SDE (their eq. 6) that
 * the score model alone samples with. Training is in score_train.c, files
 * in score_io.c. */
#include "learn/score_internal.h"
#include "learn/vae_internal.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <string.h>

void ginv_score_arch_init(ginv_score_arch *a)
{
    memset(a, 0, sizeof *a);
    a->nfreq = 16;
    a->freq_scale = 4.0;
    a->nhidden = 2;
    a->hidden[0] = a->hidden[1] = 512;
    a->act = GINV_LAYER_SILU;
    a->beta_min = 0.1;
    a->beta_max = 20.0;
    a->t_min = 1e-3;
    a->ema = 0.999;
}

ginv_status ginv_score_arch_check(const ginv_score_arch *a)
{
    if (a->p < 1 || a->p > (1 << 24))
        return ginv_fail(GINV_ERR_ARG, "score model: p = %d must be in [1, 2^24]", a->p);
    if (a->layer < 0) return ginv_fail(GINV_ERR_ARG, "score model: layer %d must be >= 0", a->layer);
    if (a->nfreq < 0 || a->nfreq > 4096)
        return ginv_fail(GINV_ERR_ARG, "score model: %d Fourier features (0 to 4096)", a->nfreq);
    if (!(a->freq_scale > 0) || !isfinite(a->freq_scale))
        return ginv_fail(GINV_ERR_ARG, "score model: Fourier scale %g must be > 0", a->freq_scale);
    if (a->nhidden < 1 || a->nhidden > 8)
        return ginv_fail(GINV_ERR_ARG, "score model: %d hidden layers (1 to 8)", a->nhidden);
    for (int i = 0; i < a->nhidden; i++)
        if (a->hidden[i] < 1 || a->hidden[i] > (1 << 16))
            return ginv_fail(GINV_ERR_ARG, "score model: hidden width %d (1 to 65536)", a->hidden[i]);
    if (!ginv_layer_is_act(a->act))
        return ginv_fail(GINV_ERR_ARG, "score model: the hidden activation must be an activation");
    if (!(a->beta_min > 0) || !(a->beta_max >= a->beta_min) || !isfinite(a->beta_max))
        return ginv_fail(GINV_ERR_ARG, "score model: the VP-SDE needs 0 < beta_min <= beta_max "
                                       "(got %g, %g)", a->beta_min, a->beta_max);
    if (!(a->t_min > 0 && a->t_min < 1))
        return ginv_fail(GINV_ERR_ARG, "score model: t_min %g must be in (0, 1)", a->t_min);
    if (!(a->ema >= 0 && a->ema < 1))
        return ginv_fail(GINV_ERR_ARG, "score model: the moving average's decay %g must be in [0, 1)", a->ema);
    return GINV_OK;
}

ginv_status ginv_score_wrap(ginv_score **out, const ginv_score_arch *a, ginv_net *net, float *freq)
{
    ginv_score *s = ginv_calloc(1, sizeof *s);
    int p = a->p;
    ginv_net *avg = NULL;
    if (ginv_net_new(&avg, ginv_net_nlayers(net), ginv_net_layer_c(net, 0)) != GINV_OK) {
        ginv_free(s);
        return ginv_last_status();
    }
    memcpy(ginv_net_params(avg), ginv_net_params(net), ginv_net_nparams(net) * sizeof(float));
    if (s) {
        s->center = ginv_calloc((size_t)p, sizeof(float));
        s->scale = ginv_malloc((size_t)p * sizeof(float));
        s->m = ginv_calloc(ginv_net_nparams(net), sizeof(float));
        s->v = ginv_calloc(ginv_net_nparams(net), sizeof(float));
    }
    if (!s || !s->center || !s->scale || !s->m || !s->v || !ginv_net_grads(net)) {
        if (s) {
            ginv_free(s->center);
            ginv_free(s->scale);
            ginv_free(s->m);
            ginv_free(s->v);
            ginv_free(s);
        }
        ginv_net_free(avg);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a score model");
    }
    for (int j = 0; j < p; j++) s->scale[j] = 1.0f;
    s->arch = *a;
    s->net = net;
    s->avg = avg;
    s->freq = freq;
    *out = s;
    return GINV_OK;
}

ginv_status ginv_score_new(ginv_score **out, const ginv_score_arch *a, uint64_t seed)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(a);
    ginv_status st = ginv_score_arch_check(a);
    if (st != GINV_OK) return st;
    ginv_net *net = NULL;
    st = ginv_learn_mlp(&net, a->p + 2 * a->nfreq, a->nhidden, a->hidden, a->act, a->p, seed);
    float *freq = ginv_malloc((size_t)(a->nfreq ? a->nfreq : 1) * sizeof(float));
    if (st == GINV_OK && !freq) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_SCORE_INIT, 1);
        ginv_rng_normal_f32(&r, freq, (size_t)a->nfreq, a->freq_scale);
        st = ginv_score_wrap(out, a, net, freq);
    }
    if (st != GINV_OK) {
        ginv_net_free(net);
        ginv_free(freq);
    }
    return st;
}

void ginv_score_free(ginv_score *s)
{
    if (!s) return;
    ginv_net_free(s->net);
    ginv_net_free(s->avg);
    ginv_net_ws_free(s->ws);
    ginv_net_ws_free(s->ws_avg);
    ginv_free(s->freq);
    ginv_free(s->center);
    ginv_free(s->scale);
    ginv_free(s->m);
    ginv_free(s->v);
    ginv_free(s->in);
    ginv_free(s->dout);
    ginv_free(s);
}

const ginv_score_arch *ginv_score_get_arch(const ginv_score *s) { return s ? &s->arch : NULL; }
ginv_net *ginv_score_net(ginv_score *s) { return s ? s->net : NULL; }
const float *ginv_score_center(const ginv_score *s) { return s ? s->center : NULL; }
const float *ginv_score_scale(const ginv_score *s) { return s ? s->scale : NULL; }
int ginv_score_epoch(const ginv_score *s) { return s ? s->epoch : 0; }

ginv_status ginv_score_set_scaling(ginv_score *s, int N, const float *H)
{
    GINV_NONNULL(s);
    GINV_NONNULL(H);
    int p = s->arch.p;
    if (N < 2) return ginv_fail(GINV_ERR_ARG, "score scaling needs at least 2 examples (got %d)", N);
    double smax = 0;
    for (int j = 0; j < p; j++) {
        double mu = 0, v = 0;
        for (int i = 0; i < N; i++) mu += H[(size_t)i * p + j];
        mu /= N;
        for (int i = 0; i < N; i++) {
            double d = H[(size_t)i * p + j] - mu;
            v += d * d;
        }
        double sd = sqrt(v / (N - 1));
        if (!isfinite(mu) || !isfinite(sd))
            return ginv_fail(GINV_ERR_NUMERIC, "score scaling: coordinate %d of the data is not finite", j);
        s->center[j] = (float)mu;
        s->scale[j] = (float)sd;
        if (sd > smax) smax = sd;
    }
    float floor_ = (float)(smax > 0 ? 1e-6 * smax : 1.0);
    for (int j = 0; j < p; j++)
        if (!(s->scale[j] >= floor_)) s->scale[j] = floor_;
    s->scaled = 1;
    return GINV_OK;
}

void ginv_vpsde_coef(double beta_min, double beta_max, double t, double *alpha, double *sigma)
{
    /* int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2 */
    double ib = beta_min * t + 0.5 * (beta_max - beta_min) * t * t;
    double a = exp(-0.5 * ib);
    if (alpha) *alpha = a;
    if (sigma) *sigma = sqrt(-expm1(-ib)); /* sqrt(1 - alpha^2), accurate at small t */
}

/* Workspace and input buffer for batches of up to B. */
static ginv_status reserve(ginv_score *s, int B)
{
    if (B <= s->cap) return GINV_OK;
    ginv_net_ws_free(s->ws);
    ginv_net_ws_free(s->ws_avg);
    ginv_free(s->in);
    ginv_free(s->dout);
    s->ws = s->ws_avg = NULL, s->in = s->dout = NULL, s->cap = 0;
    int din = s->arch.p + 2 * s->arch.nfreq;
    ginv_status st = ginv_net_ws_new(&s->ws, s->net, B);
    if (st == GINV_OK) st = ginv_net_ws_new(&s->ws_avg, s->avg, B);
    s->in = ginv_malloc((size_t)B * din * sizeof(float));
    s->dout = ginv_malloc((size_t)B * s->arch.p * sizeof(float));
    if (st == GINV_OK && (!s->in || !s->dout)) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) s->cap = B;
    return st;
}

/* Row i of the net's input: [h~_i, sin(2 pi f t_i), cos(2 pi f t_i)]. */
static void input_row(const ginv_score *s, float *row, double t)
{
    int p = s->arch.p, F = s->arch.nfreq;
    for (int j = 0; j < F; j++) {
        double a = 2 * M_PI * s->freq[j] * t;
        row[p + j] = (float)sin(a);
        row[p + F + j] = (float)cos(a);
    }
}

ginv_status ginv_score_eval(ginv_score *s, int B, const float *h, double t, float *grad)
{
    GINV_NONNULL(s);
    GINV_NONNULL(h);
    GINV_NONNULL(grad);
    if (B < 0) return ginv_fail(GINV_ERR_ARG, "parameter 'B' is %d but must be >= 0", B);
    if (!(t > 0 && t <= 1)) return ginv_fail(GINV_ERR_ARG, "score time t = %g must be in (0, 1]", t);
    ginv_status st = reserve(s, B);
    if (st != GINV_OK || B == 0) return st;
    int p = s->arch.p, din = p + 2 * s->arch.nfreq;
    input_row(s, s->in, t); /* one t for the batch: its features once, copied to every row */
    for (int i = 0; i < B; i++) {
        float *row = s->in + (size_t)i * din;
        for (int j = 0; j < p; j++) row[j] = (h[(size_t)i * p + j] - s->center[j]) / s->scale[j];
        if (i) memcpy(row + p, s->in + p, (size_t)(din - p) * sizeof(float));
    }
    double sig;
    ginv_vpsde_coef(s->arch.beta_min, s->arch.beta_max, t, NULL, &sig);
    const float *e = ginv_net_forward(s->avg, s->ws_avg, B, s->in);
    for (int i = 0; i < B; i++)
        for (int j = 0; j < p; j++) /* s(h~, t) = -eps / sigma, then d h~ / d h = 1 / scale */
            grad[(size_t)i * p + j] = (float)(-(double)e[(size_t)i * p + j] / (sig * s->scale[j]));
    return GINV_OK;
}

ginv_status ginv_score_loss(ginv_score *s, int B, const float *h0, const double *t,
                            const float *eps, double *loss, int want_grad)
{
    return ginv_score_loss_of(s, 0, B, h0, t, eps, loss, want_grad);
}

void ginv_score_update_avg(ginv_score *s)
{
    size_t np = ginv_net_nparams(s->net);
    float *a = ginv_net_params(s->avg);
    const float *w = ginv_net_params(s->net);
    /* the decay warms up as (1 + step) / (10 + step) while that is smaller, so a
     * short run's average is not its initialisation (TensorFlow's num_updates) */
    double warm = (1.0 + (double)s->step) / (10.0 + (double)s->step);
    float d = (float)(s->arch.ema < warm ? s->arch.ema : warm), c = 1.0f - d;
    for (size_t q = 0; q < np; q++) a[q] = d * a[q] + c * w[q];
}

ginv_status ginv_score_loss_of(ginv_score *s, int use_avg, int B, const float *h0, const double *t,
                               const float *eps, double *loss, int want_grad)
{
    GINV_NONNULL(s);
    GINV_NONNULL(h0);
    GINV_NONNULL(t);
    GINV_NONNULL(eps);
    GINV_NONNULL(loss);
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'B' is %d but must be >= 1", B);
    ginv_status st = reserve(s, B);
    if (st != GINV_OK) return st;
    int p = s->arch.p, din = p + 2 * s->arch.nfreq;
    for (int i = 0; i < B; i++) {
        if (!(t[i] > 0 && t[i] <= 1))
            return ginv_fail(GINV_ERR_ARG, "score loss: t[%d] = %g must be in (0, 1]", i, t[i]);
        double a, sg;
        ginv_vpsde_coef(s->arch.beta_min, s->arch.beta_max, t[i], &a, &sg);
        float *row = s->in + (size_t)i * din;
        for (int j = 0; j < p; j++) {
            double x0 = (h0[(size_t)i * p + j] - s->center[j]) / s->scale[j];
            row[j] = (float)(a * x0 + sg * eps[(size_t)i * p + j]);
        }
        input_row(s, row, t[i]);
    }
    const float *e = use_avg ? ginv_net_forward(s->avg, s->ws_avg, B, s->in)
                             : ginv_net_forward(s->net, s->ws, B, s->in);
    double sum = 0, c = 2.0 / ((double)B * p);
    for (size_t q = 0; q < (size_t)B * p; q++) {
        double d = (double)e[q] - eps[q];
        sum += d * d;
        s->dout[q] = (float)(c * d);
    }
    *loss = sum / ((double)B * p);
    if (!isfinite(*loss))
        return ginv_fail(GINV_ERR_NUMERIC, "the score loss became %g (diverged; lower the learning rate)", *loss);
    if (want_grad && !use_avg) {
        memset(ginv_net_grads(s->net), 0, ginv_net_nparams(s->net) * sizeof(float));
        ginv_net_backward(s->net, s->ws, B, s->dout, NULL, 1);
    }
    return GINV_OK;
}

static ginv_status learned_fn(void *ctx, int B, const float *h, double t, float *grad)
{
    return ginv_score_eval((ginv_score *)ctx, B, h, t, grad);
}

void ginv_score_prior_of(ginv_score *s, ginv_score_prior *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!s) return;
    out->fn = learned_fn;
    out->ctx = s;
    out->p = s->arch.p;
    out->beta_min = s->arch.beta_min;
    out->beta_max = s->arch.beta_max;
    out->t_min = s->arch.t_min;
    out->center = s->center;
    out->scale = s->scale;
}

ginv_status ginv_score_reverse(const ginv_score_prior *pr, int B, float *h, double t, int steps,
                               int perturb, ginv_rng *rng, long *evals)
{
    GINV_NONNULL(pr);
    GINV_NONNULL(h);
    GINV_NONNULL(rng);
    if (!pr->fn || pr->p < 1) return ginv_fail(GINV_ERR_ARG, "score prior: no score function or p < 1");
    if (!(t > pr->t_min && t <= 1))
        return ginv_fail(GINV_ERR_ARG, "reverse SDE: start time %g must be in (t_min = %g, 1]", t, pr->t_min);
    if (steps < 1) return ginv_fail(GINV_ERR_ARG, "reverse SDE: %d steps (at least 1)", steps);
    if (B < 1) return GINV_OK;
    int p = pr->p;
    float *g = ginv_malloc((size_t)B * p * sizeof(float));
    if (!g) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
#define CEN(j) (pr->center ? (double)pr->center[j] : 0.0)
#define SCL(j) (pr->scale ? (double)pr->scale[j] : 1.0)
    if (perturb) { /* forward process p_{0t}: center + alpha (h - center) + scale sigma eps */
        double a, sg;
        ginv_vpsde_coef(pr->beta_min, pr->beta_max, t, &a, &sg);
        for (int i = 0; i < B; i++)
            for (int j = 0; j < p; j++) {
                float *x = h + (size_t)i * p + j;
                *x = (float)(CEN(j) + a * (*x - CEN(j)) + SCL(j) * sg * ginv_rng_normal(&rng[i]));
            }
    }
    double dt = (t - pr->t_min) / steps;
    ginv_status st = GINV_OK;
    for (int k = 0; k < steps && st == GINV_OK; k++) {
        double u = t - k * dt, beta = pr->beta_min + u * (pr->beta_max - pr->beta_min);
        st = pr->fn(pr->ctx, B, h, u, g);
        if (evals) *evals += 1;
        if (st != GINV_OK) break;
        double noise = k + 1 < steps ? sqrt(beta * dt) : 0.0;
        for (int i = 0; i < B && st == GINV_OK; i++)
            for (int j = 0; j < p; j++) {
                size_t q = (size_t)i * p + j;
                double c = CEN(j), sc = SCL(j);
                double x = h[q] + beta * (0.5 * (h[q] - c) + sc * sc * g[q]) * dt;
                if (noise > 0) x += sc * noise * ginv_rng_normal(&rng[i]);
                if (!isfinite(x)) {
                    st = ginv_fail(GINV_ERR_NUMERIC, "reverse SDE: row %d became non-finite at time "
                                   "%.4g (the score returned %g)", i, u, (double)g[q]);
                    break;
                }
                h[q] = (float)x;
            }
    }
#undef CEN
#undef SCL
    ginv_free(g);
    return st;
}

ginv_status ginv_score_data_prior(ginv_net *G, int layer, int N, uint64_t seed, float *H)
{
    GINV_NONNULL(G);
    GINV_NONNULL(H);
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 1", N);
    ginv_net *g1 = NULL, *g2 = NULL;
    ginv_status st = ginv_net_split(G, layer, &g1, &g2);
    if (st != GINV_OK) return st;
    int k = ginv_net_in(G), p = ginv_net_out(g1), B = N < 256 ? N : 256;
    float *z = ginv_malloc((size_t)B * k * sizeof(float));
    ginv_net_ws *ws = NULL;
    st = ginv_net_ws_new(&ws, g1, B);
    if (st == GINV_OK && !z) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i0 = 0; st == GINV_OK && i0 < N; i0 += B) {
        int nb = N - i0 < B ? N - i0 : B;
        for (int i = 0; i < nb; i++) {
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_SCORE_DATA, (uint64_t)(i0 + i));
            ginv_rng_normal_f32(&r, z + (size_t)i * k, (size_t)k, 1.0);
        }
        memcpy(H + (size_t)i0 * p, ginv_net_forward(g1, ws, nb, z), (size_t)nb * p * sizeof(float));
    }
    ginv_net_ws_free(ws);
    ginv_free(z);
    ginv_net_free(g1);
    ginv_net_free(g2);
    return st;
}

ginv_status ginv_score_data_ilo(ginv_net *G, int layer, int N, const float *X, const ginv_ilo_opts *ilo,
                                float *H)
{
    GINV_NONNULL(G);
    GINV_NONNULL(X);
    GINV_NONNULL(ilo);
    GINV_NONNULL(H);
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 1", N);
    ginv_op *id = NULL;
    ginv_status st = ginv_op_identity(&id, ginv_net_out(G));
    if (st != GINV_OK) return st;
    ginv_ilo_opts o = *ilo;
    o.layer = layer, o.nstages = 0; /* one stage, at the prior's layer */
    st = ginv_ilo_run(G, id, N, X, &o, NULL, H, NULL, NULL, NULL, NULL, NULL);
    ginv_op_free(id);
    return st;
}
