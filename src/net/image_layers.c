/* image_layers.c — the parameter-light image layers: batchnorm2d in its
 * inference form (a per-channel affine map) and the fold of running
 * statistics into it or into a conv, and upsample_nearest. NCHW samples; work
 * split into fixed chunks of whole (sample, channel) planes, reductions per
 * channel in a fixed order, so any thread count gives the same bits. */
#include "linalg/pool.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <string.h>

/* ---- batchnorm2d: y[b, c, p] = x[b, c, p] scale[c] + shift[c] */

typedef struct {
    float *out;
    const float *in, *scale, *shift;
    int C;
    size_t P;
} plane_job;

static void bn_fwd_chunk(void *ctx, int q)
{
    const plane_job *j = ctx;
    int c = q % j->C;
    size_t o = (size_t)q * j->P;
    float s = j->scale[c], t = j->shift ? j->shift[c] : 0.0f;
    if (j->shift)
        for (size_t p = 0; p < j->P; p++) j->out[o + p] = j->in[o + p] * s + t;
    else
        for (size_t p = 0; p < j->P; p++) j->out[o + p] = j->in[o + p] * s;
}

/* y = x scale (+ shift when add_shift: the tangent map leaves it out) */
void ginv_bn_forward(const ginv_layer *L, float *y, const float *x, int B, int add_shift)
{
    plane_job j = {y, x, L->W, add_shift ? L->b : NULL, L->c_in, (size_t)L->h_in * L->w_in};
    ginv_pool_run(B * L->c_in, bn_fwd_chunk, &j);
}

/* dscale[c] += sum g x, dshift[c] += sum g over samples then positions, in
 * double; one chunk per channel */
typedef struct {
    const ginv_layer *L;
    const float *g, *x;
    int B;
} bn_grad_job;

static void bn_grad_chunk(void *ctx, int c)
{
    const bn_grad_job *j = ctx;
    const ginv_layer *L = j->L;
    size_t P = (size_t)L->h_in * L->w_in;
    double sg = 0, sgx = 0;
    for (int b = 0; b < j->B; b++) {
        size_t o = ((size_t)b * L->c_in + c) * P;
        for (size_t p = 0; p < P; p++) {
            sg += j->g[o + p];
            sgx += (double)j->g[o + p] * j->x[o + p];
        }
    }
    L->dW[c] += (float)sgx;
    L->db[c] += (float)sg;
}

void ginv_bn_backward(const ginv_layer *L, const float *g, const float *x, float *gx, int B,
                      int want_params)
{
    if (want_params && L->dW && L->db) {
        bn_grad_job j = {L, g, x, B};
        ginv_pool_run(L->c_in, bn_grad_chunk, &j);
    }
    if (gx) {
        plane_job j = {gx, g, L->W, NULL, L->c_in, (size_t)L->h_in * L->w_in};
        ginv_pool_run(B * L->c_in, bn_fwd_chunk, &j);
    }
}

ginv_status ginv_batchnorm_fold(int C, const float *gamma, const float *beta, const float *mean,
                                const float *var, double eps, float *scale, float *shift)
{
    GINV_NONNULL(mean);
    GINV_NONNULL(var);
    GINV_NONNULL(scale);
    GINV_NONNULL(shift);
    if (C < 1) return ginv_fail(GINV_ERR_ARG, "batchnorm: %d channels", C);
    if (!(eps >= 0) || !isfinite(eps))
        return ginv_fail(GINV_ERR_ARG, "batchnorm: eps %g must be finite and >= 0", eps);
    for (int c = 0; c < C; c++) {
        double v = (double)var[c] + eps;
        if (!(v > 0) || !isfinite(v))
            return ginv_fail(GINV_ERR_NUMERIC, "batchnorm channel %d: var + eps = %g is not "
                             "positive", c, v);
        double s = (gamma ? (double)gamma[c] : 1.0) / sqrt(v);
        double t = (beta ? (double)beta[c] : 0.0) - (double)mean[c] * s;
        if (!isfinite(s) || !isfinite(t) || !isfinite((float)s) || !isfinite((float)t))
            return ginv_fail(GINV_ERR_NUMERIC, "batchnorm channel %d: scale %g, shift %g are not "
                             "finite floats", c, s, t);
        scale[c] = (float)s;
        shift[c] = (float)t;
    }
    return GINV_OK;
}

ginv_status ginv_batchnorm_fold_into(ginv_layer *L, const float *scale, const float *shift)
{
    GINV_NONNULL(L);
    GINV_NONNULL(scale);
    GINV_NONNULL(shift);
    if (L->kind != GINV_LAYER_CONV2D && L->kind != GINV_LAYER_CONV_TRANSPOSE2D)
        return ginv_fail(GINV_ERR_ARG, "batchnorm fold: the layer is %s, not conv2d or "
                         "conv_transpose2d", ginv_layer_kind_name(L->kind));
    if (!L->W || !L->b)
        return ginv_fail(GINV_ERR_ARG, "batchnorm fold: the %s layer needs its weights and a "
                         "bias (create it with bias = 1)", ginv_layer_kind_name(L->kind));
    size_t kk = (size_t)L->kh * L->kw;
    for (int co = 0; co < L->c_out; co++) {
        if (L->kind == GINV_LAYER_CONV2D) {
            /* W [Co, Ci, kh, kw]: output channel co is one contiguous block */
            float *w = L->W + (size_t)co * L->c_in * kk;
            for (size_t q = 0; q < (size_t)L->c_in * kk; q++) w[q] *= scale[co];
        } else {
            /* W [Ci, Co, kh, kw]: output channel co is a kk block per ci */
            for (int ci = 0; ci < L->c_in; ci++) {
                float *w = L->W + ((size_t)ci * L->c_out + co) * kk;
                for (size_t q = 0; q < kk; q++) w[q] *= scale[co];
            }
        }
        L->b[co] = (float)((double)L->b[co] * scale[co] + shift[co]);
    }
    return GINV_OK;
}

/* ---- upsample_nearest: y[b, c, h, w] = x[b, c, h / f, w / f] */

typedef struct {
    const ginv_layer *L;
    float *out;
    const float *in;
} up_job;

static void up_fwd_chunk(void *ctx, int q)
{
    const up_job *j = ctx;
    const ginv_layer *L = j->L;
    int f = L->factor, H = L->h_in, W = L->w_in, Wo = L->w_out;
    const float *x = j->in + (size_t)q * H * W;
    float *y = j->out + (size_t)q * L->h_out * Wo;
    for (int h = 0; h < H; h++) {
        float *row = y + (size_t)h * f * Wo;
        for (int w = 0; w < W; w++)
            for (int a = 0; a < f; a++) row[w * f + a] = x[(size_t)h * W + w];
        for (int a = 1; a < f; a++) memcpy(row + (size_t)a * Wo, row, sizeof(float) * Wo);
    }
}

void ginv_upsample_forward(const ginv_layer *L, float *y, const float *x, int B)
{
    up_job j = {L, y, x};
    ginv_pool_run(B * L->c_in, up_fwd_chunk, &j);
}

/* gx[h, w] = sum over the f x f block of g, row by row in order */
static void up_bwd_chunk(void *ctx, int q)
{
    const up_job *j = ctx;
    const ginv_layer *L = j->L;
    int f = L->factor, H = L->h_in, W = L->w_in, Wo = L->w_out;
    const float *g = j->in + (size_t)q * L->h_out * Wo;
    float *gx = j->out + (size_t)q * H * W;
    for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++) {
            float s = 0;
            for (int a = 0; a < f; a++) {
                const float *row = g + ((size_t)h * f + a) * Wo + (size_t)w * f;
                for (int c = 0; c < f; c++) s += row[c];
            }
            gx[(size_t)h * W + w] = s;
        }
}

void ginv_upsample_backward(const ginv_layer *L, const float *g, float *gx, int B)
{
    up_job j = {L, gx, g};
    ginv_pool_run(B * L->c_in, up_bwd_chunk, &j);
}
