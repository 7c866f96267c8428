/* pr_certify.c — bounds on Pareek & Risteski's (2021) m (Assumption 1) and
 * M, M2, M3 (Assumption 2) that a chain of square dense layers and smooth or
 * leaky activations proves (ginv/theory.h: the chain rule it uses). */
#include "ginv.h"
#include "base/check_internal.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>

/* an activation's slope range [s1_min, s1_max] and sup |s''|, sup |s'''|
 * (NaN: not C^3). Returns 0 for activations outside the family. */
static int act_bounds(const ginv_layer *L, double *s1_min, double *s1_max, double *s2, double *s3)
{
    double a = L->alpha, r3 = 1.0 / (6.0 * sqrt(3.0)); /* max |sg (1 - sg)(1 - 2 sg)| = 1/(6 sqrt 3) */
    switch (L->kind) {
    case GINV_LAYER_IDENTITY: *s1_min = *s1_max = 1, *s2 = *s3 = 0; return 1;
    /* slopes {a, 1}: kinks, so no second derivative */
    case GINV_LAYER_LEAKY_RELU: *s1_min = fmin(a, 1), *s1_max = fmax(a, 1), *s2 = *s3 = NAN; return a >= 0;
    /* a x + (1 - a) softplus x: s' = a + (1 - a) sg, s'' = (1 - a) sg(1 - sg), s''' = (1 - a) sg(1 - sg)(1 - 2 sg) */
    case GINV_LAYER_SMOOTH_LEAKY: *s1_min = a, *s1_max = 1, *s2 = (1 - a) / 4, *s3 = (1 - a) * r3; return a > 0 && a < 1;
    /* s' = sg in (0, 1), s'' = sg(1 - sg) <= 1/4, s''' = sg(1 - sg)(1 - 2 sg) */
    case GINV_LAYER_SOFTPLUS: *s1_min = 0, *s1_max = 1, *s2 = 0.25, *s3 = r3; return 1;
    /* sg' = sg(1 - sg) <= 1/4, sg'' = sg(1 - sg)(1 - 2 sg), sg''' = sg(1 - sg)(1 - 6 sg + 6 sg^2): max 1/8 at 0 */
    case GINV_LAYER_SIGMOID: *s1_min = 0, *s1_max = 0.25, *s2 = r3, *s3 = 0.125; return 1;
    /* t' = 1 - t^2, t'' = -2 t (1 - t^2): max 4/(3 sqrt 3); t''' = -2 (1 - t^2)(1 - 3 t^2): max 2 at 0 */
    case GINV_LAYER_TANH: *s1_min = 0, *s1_max = 1, *s2 = 4.0 / (3.0 * sqrt(3.0)), *s3 = 2; return 1;
    default: return 0;
    }
}

/* ||W^T W - I||_F for W n x n (row-major, float), in double: W^T W by one
 * BLAS dsyrk (its lower triangle), off-diagonal terms counted twice. NaN
 * when out of memory (the caller then certifies nothing). */
static double orth_error(int n, const float *W)
{
    size_t nn = (size_t)n * n;
    double *Wd = ginv_malloc(nn * sizeof(double)), *C = ginv_malloc(nn * sizeof(double));
    double s = NAN;
    if (Wd && C) {
        for (size_t i = 0; i < nn; i++) Wd[i] = W[i];
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, n, n, 1.0, Wd, n, 0.0, C, n);
        s = 0;
        for (int i = 0; i < n; i++) {
            double g = C[(size_t)i * n + i] - 1;
            s += g * g;
            for (int j = 0; j < i; j++) s += 2 * C[(size_t)i * n + j] * C[(size_t)i * n + j];
        }
        s = sqrt(s);
    }
    ginv_free(Wd);
    ginv_free(C);
    return s;
}

static void none(ginv_pr_certificate *out)
{
    out->m = out->M = out->M2 = out->M3 = out->orth_err = NAN;
}

ginv_status ginv_pr_certify(const ginv_net *net, ginv_pr_certificate *out)
{
    GINV_NONNULL(out);
    none(out);
    out->note[0] = 0;
    GINV_NONNULL(net);
    double lo = 1, Lf = 1, M2 = 0, M3 = 0, emax = 0;
    int m_ok = 1, smooth = 1;
    const char *why_m = "", *why_s = "";
    for (int l = 0; l < ginv_net_nlayers(net); l++) {
        const ginv_layer *L = ginv_net_layer_c(net, l);
        double s1lo, s1hi, s2 = 0, s3 = 0, Lg;
        if (L->kind == GINV_LAYER_DENSE) {
            if (L->in != L->out || L->in > 2048) {
                snprintf(out->note, sizeof out->note, "layer %d is dense %d -> %d: the certificate needs square layers "
                         "(n <= 2048)", l, L->in, L->out);
                return GINV_OK;
            }
            double e = orth_error(L->in, L->W);
            if (!(e < 1)) {
                snprintf(out->note, sizeof out->note, "layer %d: ||W^T W - I||_F = %.3g is not < 1 (not near "
                         "orthogonal)", l, e);
                return GINV_OK;
            }
            emax = fmax(emax, e);
            s1lo = sqrt(1 - e), s1hi = sqrt(1 + e);
        } else if (!act_bounds(L, &s1lo, &s1hi, &s2, &s3)) {
            snprintf(out->note, sizeof out->note, "layer %d (%s): outside the certified family (square dense, "
                     "identity, leaky_relu, smooth_leaky, softplus, tanh, sigmoid)", l, ginv_layer_kind_name(L->kind));
            return GINV_OK;
        }
        if (!(s1lo > 0) && m_ok) m_ok = 0, why_m = ginv_layer_kind_name(L->kind);
        if (isnan(s2) && smooth) smooth = 0, why_s = ginv_layer_kind_name(L->kind);
        Lg = s1hi;
        /* the chain rule for g o f: D^2 = D^2 g[Df u, Df u] + Dg D^2 f[u, u];
         * D^3 = D^3 g[Df u]^3 + 3 D^2 g[D^2 f[u, u], Df u] + Dg D^3 f[u, u, u] */
        if (smooth) {
            double m3 = s3 * Lf * Lf * Lf + 3 * s2 * Lf * M2 + Lg * M3;
            M2 = s2 * Lf * Lf + Lg * M2;
            M3 = m3;
        }
        lo *= s1lo;
        Lf *= Lg;
    }
    out->orth_err = emax;
    out->M = Lf;
    out->m = m_ok ? lo : NAN;
    out->M2 = smooth ? M2 : NAN;
    out->M3 = smooth ? M3 : NAN;
    if (!m_ok && !smooth)
        snprintf(out->note, sizeof out->note, "m: %s's slope is not bounded below by a positive number; M2, M3: %s has "
                 "kinks (Assumption 2 fails)", why_m, why_s);
    else if (!m_ok)
        snprintf(out->note, sizeof out->note, "m: %s's slope is not bounded below by a positive number", why_m);
    else if (!smooth)
        snprintf(out->note, sizeof out->note, "M2, M3: %s has kinks (Assumption 2 fails)", why_s);
    return GINV_OK;
}
