/* conv.c — conv2d and conv_transpose2d (PyTorch Conv2d / ConvTranspose2d,
 * groups 1, NCHW) by im2col / col2im and one ginv_gemm per group of samples.
 *
 * Geometry. A conv2d maps an "image" C x H x W to a "grid" of Ho x Wo
 * outputs; grid point (oh, ow) and kernel tap (i, j) read image pixel
 *   (oh s_h - p_h + i d_h, ow s_w - p_w + j d_w)   (zero outside).
 * im2col lays the taps out as a patch matrix col (C kh kw x P), P = Ho Wo,
 * row r = (c kh + i) kw + j; col2im is its adjoint (scatter-add). The
 * transposed conv is the adjoint of the conv with the same geometry, its
 * input living on the grid and its output on the image, so:
 *
 *   conv2d            Y = W col(x)                  W (Co x Ci kh kw)
 *     input VJP       gx = col2im(W^T gY)
 *     weight VJP      dW += gY col(x)^T,  db[co] += sum of gY's row co
 *   conv_transpose2d  y = col2im(W^T X)             W (Ci x Co kh kw)
 *     input VJP       gX = W col(gy)
 *     weight VJP      dW += X col(gy)^T,  db[co] += sum of gy over channel co
 *
 * Batches: G samples at a time side by side in the GEMM's N dimension
 * (column b P + p), channel-major (C x G P); G is fixed by the layer's sizes
 * and the batch only (ginv_conv_col_cap floats of patch matrix), so a batch of 64
 * 4 x 4 maps is one GEMM with N = 1024, not 64 small ones. For G = 1 the
 * sample's own C x P block is already channel-major and is used in place.
 *
 * Threads: ginv_gemm cuts products by sizes alone; the copies here are split
 * into fixed chunks over the pool, each writing its own rows or channels in a
 * fixed order, and the bias gradient sums each channel in a fixed order (in
 * double). Results are bit-identical for any thread count. */
#include "linalg/pool.h"
#include "net/net_internal.h"

#include <string.h>

/* floats of patch matrix per group of samples (16 MiB); tests lower it to
 * take the one-sample path */
size_t ginv_conv_col_cap = (size_t)1 << 22;
#define COPY_CHUNK 16384          /* floats per pool chunk for the copies */

typedef ginv_conv_geom geom;

static geom layer_geom(const ginv_layer *L)
{
    geom g = {.kh = L->kh, .kw = L->kw, .sh = L->stride_h, .sw = L->stride_w, .ph = L->pad_h,
              .pw = L->pad_w, .dh = L->dil_h, .dw = L->dil_w};
    if (L->kind == GINV_LAYER_CONV2D) {
        g.C = L->c_in, g.H = L->h_in, g.W = L->w_in, g.Ho = L->h_out, g.Wo = L->w_out;
    } else {
        g.C = L->c_out, g.H = L->h_out, g.W = L->w_out, g.Ho = L->h_in, g.Wo = L->w_in;
    }
    return g;
}

/* Rows of the patch matrix, rows of the channel-major matrix beside it (the
 * conv's output / the transposed conv's input channels), and P. */
static void layer_dims(const ginv_layer *L, size_t *colrows, size_t *matrows, size_t *P)
{
    geom g = layer_geom(L);
    *colrows = (size_t)g.C * g.kh * g.kw;
    *matrows = L->kind == GINV_LAYER_CONV2D ? (size_t)L->c_out : (size_t)L->c_in;
    *P = (size_t)g.Ho * g.Wo;
}

/* Samples per group: as many as keep the patch matrix under COL_CAP. */
static int group_size(const ginv_layer *L, int B)
{
    size_t colrows, matrows, P;
    layer_dims(L, &colrows, &matrows, &P);
    size_t per = colrows * P, G = per ? ginv_conv_col_cap / per : (size_t)B;
    if (G < 1) G = 1;
    return G < (size_t)B ? (int)G : B;
}

void ginv_conv_scratch(const ginv_layer *L, int B, size_t *col, size_t *mat)
{
    size_t colrows, matrows, P;
    layer_dims(L, &colrows, &matrows, &P);
    size_t G = (size_t)group_size(L, B);
    geom g = layer_geom(L);
    *col = colrows * G * P;
    /* the channel-major block, then room for conv_pad.c's padded images
     * (whichever path ginv_conv_pad_mode picks later) */
    *mat = matrows * G * P + ginv_conv_pad_floats(&g, (int)G);
}

/* where conv_pad.c's padded images live in mat: after the channel-major block */
static float *pad_area(const ginv_layer *L, float *mat, int Gmax)
{
    size_t colrows, matrows, P;
    layer_dims(L, &colrows, &matrows, &P);
    return mat + matrows * (size_t)Gmax * P;
}

/* The range [lo, hi) of grid positions o whose tap o s - p + t lies in
 * [0, n): o s >= p - t and o s <= n - 1 + p - t. */
static void valid_range(int n, int no, int s, int p, int t, int *lo, int *hi)
{
    long long a = (long long)p - t, b = (long long)n - 1 + p - t;
    long long l = a <= 0 ? 0 : (a + s - 1) / s;
    long long h = b < 0 ? 0 : b / s + 1;
    if (l > no) l = no;
    if (h > no) h = no;
    if (h < l) h = l;
    *lo = (int)l;
    *hi = (int)h;
}

/* ---- im2col: col (C kh kw x G P) from G images, chunks of whole rows */

typedef struct {
    geom g;
    const float *img;
    float *col;
    int G, rows_per_chunk, nrows;
} im2col_job;

static void im2col_chunk(void *ctx, int c)
{
    const im2col_job *j = ctx;
    const geom *g = &j->g;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P, plane = (size_t)g->H * g->W;
    size_t img_stride = (size_t)g->C * plane;
    int r0 = c * j->rows_per_chunk, r1 = r0 + j->rows_per_chunk < j->nrows ? r0 + j->rows_per_chunk : j->nrows;
    for (int r = r0; r < r1; r++) {
        int ch = r / (g->kh * g->kw), ti = r / g->kw % g->kh, tj = r % g->kw;
        int hlo, hhi, wlo, whi;
        valid_range(g->H, g->Ho, g->sh, g->ph, ti * g->dh, &hlo, &hhi);
        valid_range(g->W, g->Wo, g->sw, g->pw, tj * g->dw, &wlo, &whi);
        for (int b = 0; b < j->G; b++) {
            const float *src = j->img + (size_t)b * img_stride + (size_t)ch * plane;
            float *dst = j->col + (size_t)r * ld + (size_t)b * P;
            for (int oh = 0; oh < g->Ho; oh++) {
                float *d = dst + (size_t)oh * g->Wo;
                if (oh < hlo || oh >= hhi) {
                    memset(d, 0, sizeof(float) * (size_t)g->Wo);
                    continue;
                }
                const float *s = src + (size_t)(oh * g->sh - g->ph + ti * g->dh) * g->W;
                int off = tj * g->dw - g->pw;
                for (int ow = 0; ow < wlo; ow++) d[ow] = 0;
                if (g->sw == 1)
                    memcpy(d + wlo, s + wlo + off, sizeof(float) * (size_t)(whi - wlo));
                else
                    for (int ow = wlo; ow < whi; ow++) d[ow] = s[ow * g->sw + off];
                for (int ow = whi; ow < g->Wo; ow++) d[ow] = 0;
            }
        }
    }
}

static void im2col_clip(const geom *g, const float *img, float *col, int G)
{
    int nrows = g->C * g->kh * g->kw;
    size_t per_row = (size_t)G * g->Ho * g->Wo;
    int rpc = per_row >= COPY_CHUNK ? 1 : (int)(COPY_CHUNK / per_row);
    im2col_job j = {*g, img, col, G, rpc, nrows};
    ginv_pool_run((nrows + rpc - 1) / rpc, im2col_chunk, &j);
}

/* ---- col2im: G images = the adjoint of im2col applied to col, plus bias
 * (may be NULL); one chunk per (sample, channel), taps in a fixed order */

typedef struct {
    geom g;
    const float *col;
    float *img;
    const float *bias;
    int G;
} col2im_job;

static void col2im_chunk(void *ctx, int c)
{
    const col2im_job *j = ctx;
    const geom *g = &j->g;
    int b = c / g->C, ch = c % g->C;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P, plane = (size_t)g->H * g->W;
    float *dst = j->img + ((size_t)b * g->C + ch) * plane;
    memset(dst, 0, sizeof(float) * plane);
    for (int ti = 0; ti < g->kh; ti++) {
        int hlo, hhi;
        valid_range(g->H, g->Ho, g->sh, g->ph, ti * g->dh, &hlo, &hhi);
        for (int tj = 0; tj < g->kw; tj++) {
            int wlo, whi, off = tj * g->dw - g->pw;
            valid_range(g->W, g->Wo, g->sw, g->pw, tj * g->dw, &wlo, &whi);
            size_t r = ((size_t)ch * g->kh + ti) * g->kw + tj;
            const float *src = j->col + r * ld + (size_t)b * P;
            for (int oh = hlo; oh < hhi; oh++) {
                float *d = dst + (size_t)(oh * g->sh - g->ph + ti * g->dh) * g->W;
                const float *s = src + (size_t)oh * g->Wo;
                if (g->sw == 1)
                    for (int ow = wlo; ow < whi; ow++) d[ow + off] += s[ow];
                else
                    for (int ow = wlo; ow < whi; ow++) d[ow * g->sw + off] += s[ow];
            }
        }
    }
    if (j->bias)
        for (size_t p = 0; p < plane; p++) dst[p] += j->bias[ch];
}

static void col2im_clip(const geom *g, const float *col, float *img, const float *bias, int G)
{
    col2im_job j = {*g, col, img, bias, G};
    ginv_pool_run(G * g->C, col2im_chunk, &j);
}

/* im2col / col2im, clipped here or through conv_pad.c's padded images (pad) */
static void im2col(const geom *g, const float *img, float *col, float *pad, int G)
{
    if (ginv_conv_pad_use(g)) ginv_conv_pad_im2col(g, img, col, pad, G);
    else im2col_clip(g, img, col, G);
}

static void col2im(const geom *g, const float *col, float *img, float *pad, const float *bias, int G)
{
    if (ginv_conv_pad_use(g)) ginv_conv_pad_col2im(g, col, img, pad, bias, G);
    else col2im_clip(g, col, img, bias, G);
}

/* ---- sample-major (G x C x P) <-> channel-major (C x G P) copies, plus bias
 * on the way back (may be NULL); chunks of whole (sample, channel) blocks */

typedef struct {
    float *dst;
    const float *src;
    const float *bias;
    int G, C, to_cm, per_chunk;
    size_t P;
} perm_job;

static void perm_chunk(void *ctx, int c)
{
    const perm_job *j = ctx;
    int n = j->G * j->C, q0 = c * j->per_chunk, q1 = q0 + j->per_chunk < n ? q0 + j->per_chunk : n;
    for (int q = q0; q < q1; q++) {
        int b = q / j->C, ch = q % j->C;
        size_t sm = ((size_t)b * j->C + ch) * j->P, cm = ((size_t)ch * j->G + b) * j->P;
        if (j->to_cm) {
            memcpy(j->dst + cm, j->src + sm, sizeof(float) * j->P);
        } else if (j->bias) {
            float bb = j->bias[ch];
            for (size_t p = 0; p < j->P; p++) j->dst[sm + p] = j->src[cm + p] + bb;
        } else {
            memcpy(j->dst + sm, j->src + cm, sizeof(float) * j->P);
        }
    }
}

static void permute(float *dst, const float *src, const float *bias, int G, int C, size_t P,
                    int to_cm)
{
    int per = P >= COPY_CHUNK ? 1 : (int)(COPY_CHUNK / P);
    perm_job j = {dst, src, bias, G, C, to_cm, per, P};
    ginv_pool_run((G * C + per - 1) / per, perm_chunk, &j);
}

/* y (G x C x P) += bias per channel */
typedef struct {
    float *y;
    const float *bias;
    int C;
    size_t P;
} bias_job;

static void bias_chunk(void *ctx, int c)
{
    const bias_job *j = ctx;
    float *y = j->y + (size_t)c * j->P, bb = j->bias[c % j->C];
    for (size_t p = 0; p < j->P; p++) y[p] += bb;
}

/* db[c] += sum over G samples and P positions of g (G x C x P), summed in
 * double, samples then positions in order; one chunk per channel. */
typedef struct {
    float *db;
    const float *g;
    int G, C;
    size_t P;
} dbias_job;

static void dbias_chunk(void *ctx, int c)
{
    const dbias_job *j = ctx;
    double s = 0;
    for (int b = 0; b < j->G; b++) {
        const float *gr = j->g + ((size_t)b * j->C + c) * j->P;
        for (size_t p = 0; p < j->P; p++) s += gr[p];
    }
    j->db[c] += (float)s;
}

void ginv_channel_bias_grad(float *db, const float *g, int G, int C, size_t P)
{
    dbias_job j = {db, g, G, C, P};
    ginv_pool_run(C, dbias_chunk, &j);
}

/* ---- the layers */

void ginv_conv_forward(const ginv_layer *L, float *y, const float *x, int B, int add_bias,
                       float *col, float *mat)
{
    geom g = layer_geom(L);
    int Gmax = group_size(L, B), Ci = L->c_in, Co = L->c_out;
    size_t P = (size_t)g.Ho * g.Wo, kk = (size_t)g.kh * g.kw;
    const float *bias = add_bias ? L->b : NULL;
    float *pad = pad_area(L, mat, Gmax);
    for (int b0 = 0; b0 < B; b0 += Gmax) {
        int G = B - b0 < Gmax ? B - b0 : Gmax;
        const float *xg = x + (size_t)b0 * L->in;
        float *yg = y + (size_t)b0 * L->out;
        int N = (int)((size_t)G * P);
        if (L->kind == GINV_LAYER_CONV2D) {
            /* Y (Co x G P) = W (Co x Ci kk) col (Ci kk x G P) */
            im2col(&g, xg, col, pad, G);
            if (G == 1) {
                ginv_gemm(0, 0, Co, N, (int)(Ci * kk), 1.0f, L->W, col, 0.0f, yg);
                if (bias) {
                    bias_job bj = {yg, bias, Co, P};
                    ginv_pool_run(Co, bias_chunk, &bj);
                }
            } else {
                ginv_gemm(0, 0, Co, N, (int)(Ci * kk), 1.0f, L->W, col, 0.0f, mat);
                permute(yg, mat, bias, G, Co, P, 0);
            }
        } else {
            /* col (Co kk x G P) = W^T (Co kk x Ci) X (Ci x G P); y = col2im(col) */
            const float *X = xg;
            if (G > 1) {
                permute(mat, xg, NULL, G, Ci, P, 1);
                X = mat;
            }
            ginv_gemm(1, 0, (int)(Co * kk), N, Ci, 1.0f, L->W, X, 0.0f, col);
            col2im(&g, col, yg, pad, bias, G);
        }
    }
}

void ginv_conv_backward(const ginv_layer *L, const float *gy, const float *x, float *gx, int B,
                        int want_params, float *col, float *mat)
{
    geom g = layer_geom(L);
    int Gmax = group_size(L, B), Ci = L->c_in, Co = L->c_out;
    size_t P = (size_t)g.Ho * g.Wo, kk = (size_t)g.kh * g.kw;
    int params = want_params && L->dW;
    float *pad = pad_area(L, mat, Gmax);
    for (int b0 = 0; b0 < B; b0 += Gmax) {
        int G = B - b0 < Gmax ? B - b0 : Gmax;
        const float *xg = x + (size_t)b0 * L->in, *gg = gy + (size_t)b0 * L->out;
        float *gxg = gx ? gx + (size_t)b0 * L->in : NULL;
        int N = (int)((size_t)G * P);
        if (params && L->db) ginv_channel_bias_grad(L->db, gg, G, Co, (size_t)L->h_out * L->w_out);
        if (L->kind == GINV_LAYER_CONV2D) {
            const float *GY = gg; /* (Co x G P) */
            if (G > 1) {
                permute(mat, gg, NULL, G, Co, P, 1);
                GY = mat;
            }
            if (params) {
                /* dW (Co x Ci kk) += GY (Co x G P) col(x)^T (G P x Ci kk) */
                im2col(&g, xg, col, pad, G);
                ginv_gemm(0, 1, Co, (int)(Ci * kk), N, 1.0f, GY, col, 1.0f, L->dW);
            }
            if (gxg) {
                /* gcol (Ci kk x G P) = W^T GY; gx = col2im(gcol) */
                ginv_gemm(1, 0, (int)(Ci * kk), N, Co, 1.0f, L->W, GY, 0.0f, col);
                col2im(&g, col, gxg, pad, NULL, G);
            }
        } else {
            /* gcol (Co kk x G P) = col(gy) */
            im2col(&g, gg, col, pad, G);
            if (params) {
                /* dW (Ci x Co kk) += X (Ci x G P) gcol^T */
                const float *X = xg;
                if (G > 1) {
                    permute(mat, xg, NULL, G, Ci, P, 1);
                    X = mat;
                }
                ginv_gemm(0, 1, Ci, (int)(Co * kk), N, 1.0f, X, col, 1.0f, L->dW);
            }
            if (gxg) {
                /* gX (Ci x G P) = W (Ci x Co kk) gcol */
                if (G == 1) {
                    ginv_gemm(0, 0, Ci, N, (int)(Co * kk), 1.0f, L->W, col, 0.0f, gxg);
                } else {
                    ginv_gemm(0, 0, Ci, N, (int)(Co * kk), 1.0f, L->W, col, 0.0f, mat);
                    permute(gxg, mat, NULL, G, Ci, P, 0);
                }
            }
        }
    }
}
