/* encoder_logpdf.c — log q(z | x) of an encoder's draw where it has a closed
 * form (ginv/learn.h): the amortised Gaussian encoder's
 * log N(z; mu(x), diag sigma^2(x)), and a deep latent Gaussian (Pareek &
 * Risteski 2021, Definition 2) whose only stochastic layer is its last, so
 * that q(z | x) = N(F_L(z_{L-1}(x), x), gamma_L^2 I) with z_{L-1}(x)
 * deterministic. Other deep latent Gaussians integrate over their earlier
 * layers' noise, which has no closed form: refused. */
#include "ginv.h"
#include "base/check_internal.h"
#include "learn/dlg_internal.h"

#include <math.h>
#include <string.h>

static const double LOG_2PI = 1.8378770664093454836; /* log(2 pi) */

static ginv_status check_rows(const char *fn, int B, int nx, const float *v, size_t count, const char *what)
{
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "%s: %d draws (at least 1)", fn, B);
    if (nx != 1 && nx != B) return ginv_fail(GINV_ERR_ARG, "%s: %d observations for %d draws (1 or %d)", fn, nx, B, B);
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v[i])) return ginv_fail(GINV_ERR_NUMERIC, "%s: %s[%zu] is not finite", fn, what, i);
    return GINV_OK;
}

ginv_status ginv_encoder_logpdf(const ginv_net *enc, int B, const float *x, int nx, const float *z, double *logq)
{
    GINV_NONNULL(enc);
    GINV_NONNULL(x);
    GINV_NONNULL(z);
    GINV_NONNULL(logq);
    int n = ginv_net_in(enc), k2 = ginv_net_out(enc), k = k2 / 2;
    if (k2 % 2 || k < 1)
        return ginv_fail(GINV_ERR_SHAPE, "ginv_encoder_logpdf: the encoder has %d outputs, not (mu, log sigma^2) of a "
                         "latent", k2);
    ginv_status st = check_rows(__func__, B, nx, x, (size_t)(nx > 0 ? nx : 0) * n, "x");
    if (st == GINV_OK) st = check_rows(__func__, B, nx, z, (size_t)B * k, "z");
    if (st != GINV_OK) return st;
    ginv_net_ws *ws = NULL;
    if ((st = ginv_net_ws_new(&ws, enc, nx)) != GINV_OK) return st;
    const float *ml = ginv_net_forward(enc, ws, nx, x);
    for (int b = 0; b < B && st == GINV_OK; b++) {
        const float *mu = ml + (size_t)(nx == 1 ? 0 : b) * k2, *lv = mu + k;
        /* log N(z; mu, diag e^lv) = -sum_c [(z_c - mu_c)^2 / (2 e^lv_c) + lv_c / 2 + log(2 pi) / 2] */
        double s = 0;
        for (int c = 0; c < k; c++) {
            double r = (double)z[(size_t)b * k + c] - mu[c];
            s += r * r * exp(-(double)lv[c]) + lv[c] + LOG_2PI;
        }
        logq[b] = -0.5 * s;
        if (!isfinite(logq[b]))
            st = ginv_fail(GINV_ERR_NUMERIC, "ginv_encoder_logpdf: log q of draw %d is not finite (the encoder's "
                           "log sigma^2 overflows)", b);
    }
    ginv_net_ws_free(ws);
    return st;
}

/* The one stochastic layer must be the last (every earlier gamma 0); GINV_ERR_UNSUPPORTED naming why not. */
static ginv_status single_last_layer(const ginv_dlg *g, double *gamma)
{
    int count = 0, last = -1;
    for (int l = 0; l < g->nlayers; l++)
        if (g->params[g->layer_off[l]] != 0.0f) count++, last = l;
    if (count == 0)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "ginv_dlg_logpdf: no stochastic layer (every gamma is 0): q(z | x) is a "
                         "point mass, with no density");
    if (count > 1) return ginv_fail(GINV_ERR_UNSUPPORTED, "ginv_dlg_logpdf: intractable: %d stochastic layers", count);
    if (last != g->nlayers - 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "ginv_dlg_logpdf: intractable: the stochastic layer is layer %d of %d and the later layers "
                         "transform its draw", last + 1, g->nlayers);
    *gamma = g->params[g->layer_off[last]];
    return GINV_OK;
}

ginv_status ginv_dlg_logpdf(const ginv_dlg *g, int B, const float *x, int nx, const float *z, double *logq)
{
    GINV_NONNULL(g);
    GINV_NONNULL(x);
    GINV_NONNULL(z);
    GINV_NONNULL(logq);
    int n = g->n, d = g->d, L = g->nlayers;
    if (L < 1) return ginv_fail(GINV_ERR_ARG, "ginv_dlg_logpdf: the encoder has no layers");
    double gamma = 0;
    ginv_status st = single_last_layer(g, &gamma);
    if (st == GINV_OK) st = check_rows(__func__, B, nx, x, (size_t)(nx > 0 ? nx : 0) * n, "x");
    if (st == GINV_OK) st = check_rows(__func__, B, nx, z, (size_t)B * d, "z");
    if (st != GINV_OK) return st;
    /* the mean F_L(z_{L-1}(x), x): the encoder run on zero noise, for chunks of observations */
    int chunk = nx;
    while (chunk > 1 && (size_t)chunk * L * d > ((size_t)1 << 22)) chunk = (chunk + 1) / 2;
    float *xi = ginv_calloc((size_t)chunk * L * d, sizeof(float)), *mu = ginv_malloc(sizeof(float) * (size_t)chunk * d);
    if (!xi || !mu) st = ginv_fail(GINV_ERR_NOMEM, "ginv_dlg_logpdf: out of memory for %d means", chunk);
    /* log N(z; mu, gamma^2 I) = -||z - mu||^2 / (2 gamma^2) - d log|gamma| - d log(2 pi) / 2 */
    double norm = -d * (log(fabs(gamma)) + 0.5 * LOG_2PI), inv = 1.0 / (gamma * gamma);
    for (int r0 = 0; st == GINV_OK && r0 < nx; r0 += chunk) {
        int rows = nx - r0 < chunk ? nx - r0 : chunk;
        st = ginv_dlg_sample(g, rows, x + (size_t)r0 * n, rows, NULL, xi, 0, mu, NULL);
        for (int b = 0; st == GINV_OK && b < (nx == 1 ? B : rows); b++) {
            int row = nx == 1 ? b : r0 + b;
            const float *m = mu + (size_t)(nx == 1 ? 0 : b) * d;
            double s = 0;
            for (int j = 0; j < d; j++) {
                double r = (double)z[(size_t)row * d + j] - m[j];
                s += r * r;
            }
            logq[row] = norm - 0.5 * s * inv;
        }
    }
    ginv_free(xi);
    ginv_free(mu);
    return st;
}
