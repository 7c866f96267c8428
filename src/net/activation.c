/* activation.c — elementwise activations, their derivatives, and the
 * one-sided rule at ReLU kinks (Hand & Voroninski eq. 5). The formulas are
 * PyTorch's: ELU (alpha), GELU exact (x Phi(x)) and with approximate='tanh',
 * SiLU (x sigmoid(x)); an activation works on any C x H x W shape since it
 * is elementwise.
 *
 * The smooth activations use exp_approx below, a branch-free float
 * exponential that the compiler vectorises (glibc's expf is scalar); it is
 * within 2 ulp of expf on the range used (tested against double exp). Large
 * batches are split into fixed chunks over ginv's thread pool. */
#include "linalg/pool.h"
#include "net/net_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GINV_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GINV_CLONES
#endif

/* e^x for x <= 0 (all callers pass -|x| or similar): Cody-Waite reduction
 * x = n ln2 + r, |r| <= ln2/2, then a degree-6 Taylor polynomial in r and
 * the exponent n put into the float's bits. Underflows to 0 below -87. */
static inline float exp_approx(float x)
{
    x = x < -87.0f ? -87.0f : x;
    /* round to nearest by the 1.5 * 2^23 trick (vectorises, unlike roundf) */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;          /* ln2 high part, exact in float */
    r = r - n * -2.12194440e-4f;             /* ln2 low part */
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)(n == n ? n : 0.0f) + 127) << 23; /* NaN in, NaN out (p is NaN) */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* log(1 + e) for e in [0, 1]: log of u = 1 + e in [1, 2] written as
 * 2 atanh(s), s = e / (2 + e) in [0, 1/3], by its odd series to s^13; exact
 * to float rounding and accurate for tiny e (no 1 + e rounding). */
static inline float log1p_unit(float e)
{
    float s = e / (2.0f + e), s2 = s * s;
    float p = 2.0f / 13;
    p = p * s2 + 2.0f / 11;
    p = p * s2 + 2.0f / 9;
    p = p * s2 + 2.0f / 7;
    p = p * s2 + 2.0f / 5;
    p = p * s2 + 2.0f / 3;
    p = p * s2 + 2.0f;
    return p * s;
}

GINV_CLONES static void tanh_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* tanh |x| = (1 - e^-2|x|) / (1 + e^-2|x|); below 0.125 its odd series
         * instead, where 1 - e would cancel */
        float a = fabsf(x[i]), e = exp_approx(-2.0f * a), a2 = a * a;
        float big = (1.0f - e) / (1.0f + e);
        float small = a * (1.0f + a2 * (-1.0f / 3 + a2 * (2.0f / 15 + a2 * (-17.0f / 315))));
        float t = a < 0.125f ? small : big;
        t = x[i] < 0 ? -t : t;
        y[i] = t;
        d[i] = 1.0f - t * t;
    }
}

GINV_CLONES static void sigmoid_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = exp_approx(-fabsf(x[i])), inv = 1.0f / (1.0f + e);
        float s = x[i] >= 0 ? inv : e * inv;
        y[i] = s;
        d[i] = s * (1.0f - s);
    }
}

GINV_CLONES static void softplus_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|); derivative sigmoid(x) */
        float e = exp_approx(-fabsf(x[i])), inv = 1.0f / (1.0f + e);
        y[i] = (x[i] > 0 ? x[i] : 0.0f) + log1p_unit(e);
        d[i] = x[i] >= 0 ? inv : e * inv;
    }
}

/* Smooth leaky ReLU, a x + (1 - a) softplus(x) (a in (0, 1)): slope
 * a + (1 - a) sigmoid(x) in (a, 1) like leaky ReLU's {a, 1}, but C-infinity,
 * s'' = (1 - a) sigmoid (1 - sigmoid) <= (1 - a)/4 and |s'''| <= (1 - a)/(6 sqrt 3):
 * the differentiable activation with bounded derivatives that Pareek &
 * Risteski's Theorem 1 (Assumption 2) needs, keeping Assumption 1's
 * certificate [a^L, 1] for orthogonal square nets. Its derivative is the
 * network the construction of Theorem 1 uses for sigma' (src/learn/dlg_build.c). */
GINV_CLONES static void smooth_leaky_fwd(float a, float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = exp_approx(-fabsf(x[i])), inv = 1.0f / (1.0f + e);
        float sp = (x[i] > 0 ? x[i] : 0.0f) + log1p_unit(e), sg = x[i] >= 0 ? inv : e * inv;
        y[i] = a * x[i] + (1.0f - a) * sp;
        d[i] = a + (1.0f - a) * sg;
    }
}

static void relu_fwd(float a, float *y, float *d, const float *x, float *t, size_t n)
{
    if (t) {
        for (size_t i = 0; i < n; i++) {
            int on = x[i] > 0 || (x[i] == 0 && t[i] > 0); /* eq. (5): the limit along w */
            d[i] = on ? 1.0f : a;
            y[i] = x[i] > 0 ? x[i] : a * x[i];
            t[i] *= d[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            d[i] = x[i] > 0 ? 1.0f : a; /* relu'(0) = 0 (GINV_KINK_ZERO) */
            y[i] = x[i] > 0 ? x[i] : a * x[i];
        }
    }
}

/* ELU: x for x > 0, alpha (e^x - 1) else; derivative 1 or alpha e^x. e^x - 1
 * by its Taylor series near 0 (no cancellation). At x = 0 with alpha != 1 it
 * has a kink: with a tangent t the one-sided rule of eq. (5) picks the slope
 * (1 when t > 0), without one the left slope alpha (as PyTorch).
 *
 * Two loops, with and without t: one loop testing t inside made gcc emit a
 * masked load of t[i] even when t is NULL, all lanes masked off — legal, but
 * on this AMD EPYC every such load of an unmapped page took a microcode
 * assist, and ELU was a third of the conv VAE's CSGM iteration
 * (docs/benchmarks.md). The values are the same expressions either way. */
static inline float elu_em1(float m, float e)
{
    float series = m * (1.0f + m * (0.5f + m * (1.0f / 6 + m * (1.0f / 24 + m * (1.0f / 120 +
                   m * (1.0f / 720 + m * (1.0f / 5040)))))));
    return m > -0.25f ? series : e - 1.0f;
}

GINV_CLONES static void elu_fwd(float a, float *y, float *d, const float *x, const float *t,
                                size_t n)
{
    if (t) {
        for (size_t i = 0; i < n; i++) {
            float v = x[i], m = v < 0 ? v : 0.0f, e = exp_approx(m);
            int on = v > 0 || (v == 0 && t[i] > 0);
            y[i] = v > 0 ? v : a * elu_em1(m, e);
            d[i] = on ? 1.0f : a * e;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float v = x[i], m = v < 0 ? v : 0.0f, e = exp_approx(m);
        y[i] = v > 0 ? v : a * elu_em1(m, e);
        d[i] = v > 0 ? 1.0f : a * e;
    }
}

/* GELU, exact: x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2 (no cancellation for
 * x << 0); derivative Phi(x) + x phi(x). */
static void gelu_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i], cdf = 0.5 * erfc(-v * 0.70710678118654752440);
        double pdf = 0.39894228040143267794 * exp(-0.5 * v * v);
        y[i] = (float)(v * cdf);
        d[i] = (float)(cdf + v * pdf);
    }
}

/* GELU, tanh form: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3);
 * derivative 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 0.044715 x^2). */
static void gelu_tanh_fwd(float *y, float *d, const float *x, size_t n)
{
    const double k0 = 0.79788456080286535588, k1 = 0.044715;
    for (size_t i = 0; i < n; i++) {
        double v = x[i], th = tanh(k0 * (v + k1 * v * v * v));
        y[i] = (float)(0.5 * v * (1.0 + th));
        d[i] = (float)(0.5 * (1.0 + th) + 0.5 * v * (1.0 - th * th) * k0 * (1.0 + 3.0 * k1 * v * v));
    }
}

/* SiLU: x sigmoid(x); derivative s (1 + x (1 - s)). */
GINV_CLONES static void silu_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float e = exp_approx(-fabsf(x[i])), inv = 1.0f / (1.0f + e);
        float s = x[i] >= 0 ? inv : e * inv;
        y[i] = x[i] * s;
        d[i] = s * (1.0f + x[i] * (1.0f - s));
    }
}

/* sgn: +1 for x >= 0, -1 below; the derivative 0 (everywhere but at 0,
 * where there is none): gradients do not pass a sign layer. The activation
 * of Pareek & Risteski's hard instance G(z) = C(sgn z) (Theorem 2). */
static void sign_fwd(float *y, float *d, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        y[i] = x[i] >= 0 ? 1.0f : x[i] < 0 ? -1.0f : x[i]; /* NaN stays NaN */
        d[i] = 0.0f;
    }
}

typedef struct {
    ginv_layer_kind kind;
    float alpha;
    float *y, *d, *t, *x;
    const float *bias;
    int rows, width, rows_per_chunk;
} act_job;

/* one row of width w: x += bias (the preceding dense layer's, fused here to
 * save a pass over memory), then y = act(x), d = act'(x), t *= d */
static void act_row(const act_job *j, float *y, float *d, float *x, float *t)
{
    size_t w = (size_t)j->width;
    if (j->bias)
        for (size_t i = 0; i < w; i++) x[i] += j->bias[i];
    switch (j->kind) {
    case GINV_LAYER_RELU: relu_fwd(0.0f, y, d, x, t, w); return;
    case GINV_LAYER_LEAKY_RELU: relu_fwd(j->alpha, y, d, x, t, w); return;
    case GINV_LAYER_TANH: tanh_fwd(y, d, x, w); break;
    case GINV_LAYER_SIGMOID: sigmoid_fwd(y, d, x, w); break;
    case GINV_LAYER_SOFTPLUS: softplus_fwd(y, d, x, w); break;
    case GINV_LAYER_ELU: elu_fwd(j->alpha, y, d, x, t, w); break;
    case GINV_LAYER_GELU: gelu_fwd(y, d, x, w); break;
    case GINV_LAYER_GELU_TANH: gelu_tanh_fwd(y, d, x, w); break;
    case GINV_LAYER_SILU: silu_fwd(y, d, x, w); break;
    case GINV_LAYER_SIGN: sign_fwd(y, d, x, w); break;
    case GINV_LAYER_SMOOTH_LEAKY: smooth_leaky_fwd(j->alpha, y, d, x, w); break;
    default:
        memcpy(y, x, w * sizeof(float));
        for (size_t i = 0; i < w; i++) d[i] = 1.0f;
        break;
    }
    if (t)
        for (size_t i = 0; i < w; i++) t[i] *= d[i];
}

#define ACT_CHUNK 8192 /* elements per chunk, rounded to whole rows */

static void act_chunk(void *ctx, int c)
{
    const act_job *j = ctx;
    int r0 = c * j->rows_per_chunk, r1 = r0 + j->rows_per_chunk;
    if (r1 > j->rows) r1 = j->rows;
    for (int r = r0; r < r1; r++) {
        size_t o = (size_t)r * j->width;
        act_row(j, j->y + o, j->d + o, j->x + o, j->t ? j->t + o : NULL);
    }
}

/* y (B x w) = act(x + bias), d = act'(x + bias), with x (B x w) updated to
 * x + bias (bias (w) may be NULL). t (B x w) is the tangent along the kink
 * direction, or NULL: for ReLU-type units, x == 0 counts as active iff t > 0,
 * the limit of the pattern at x + s t as s -> 0+ (eq. 5). */
void ginv_act_forward(ginv_layer_kind kind, double alpha, float *y, float *d, float *x,
                      const float *bias, float *t, int B, int w)
{
    int rpc = w >= ACT_CHUNK ? 1 : ACT_CHUNK / w;
    act_job j = {kind, (float)alpha, y, d, t, x, bias, B, w, rpc};
    ginv_pool_run((B + rpc - 1) / rpc, act_chunk, &j);
}
