/* conv_pad.c — im2col and col2im (conv.c) through a zero-padded copy of the
 * image, for grids with short rows.
 *
 * conv.c's im2col clips every patch-matrix row to the grid positions whose
 * tap lies inside the image (valid_range) and zero-fills the rest, row by
 * row; its col2im clips the same way. On small maps (the conv VAE decoder's
 * 7 x 7 grid, stride 2) the rows are a few floats long and the clipped loop
 * bounds change from row to row, so the loops are mostly loop control and
 * mispredicted branches (im2col and col2im took a quarter of the decoder's
 * B = 1 CSGM iteration, docs/benchmarks.md). Here the image lives in a
 * buffer padded with zeros on every side by as much as any tap reaches
 * outside it,
 *     top ph, bottom max(0, (Ho - 1) sh - ph + (kh - 1) dh - (H - 1)),
 * (left and right alike), so image pixel (h, w) sits at (h + ph, w + pw) and
 * grid point (oh, ow) with tap (i, j) reads padded pixel
 *     (oh sh + i dh, ow sw + j dw),
 * always inside: every row is the same Ho x Wo loop, without bounds.
 *
 * im2col: copy the images into the padding (one chunk per sample and
 * channel), then gather. col2im: scatter-add into a zeroed padded plane, taps
 * in the same order as conv.c's, and copy its interior (+ bias) out; taps
 * that fall outside the image land in the padding and are dropped. Both
 * produce exactly conv.c's numbers (copies, and the same additions in the
 * same order); tests/unit/test_conv.c compares the two bit for bit.
 * Chunks are fixed by the sizes, so results do not depend on the threads. */
#include "linalg/pool.h"
#include "net/net_internal.h"

#include <string.h>

int ginv_conv_pad_mode = -1; /* -1: by the grid's width; 0: never; 1: always (tests) */

#define PAD_MAX_WO 16 /* grids narrower than this take the padded path */
#define PAD_CHUNK 8192 /* patch-matrix floats per im2col chunk */

static void pad_dims(const ginv_conv_geom *g, int *Hp, int *Wp)
{
    int bh = (g->Ho - 1) * g->sh - g->ph + (g->kh - 1) * g->dh - (g->H - 1);
    int bw = (g->Wo - 1) * g->sw - g->pw + (g->kw - 1) * g->dw - (g->W - 1);
    *Hp = g->ph + g->H + (bh > 0 ? bh : 0);
    *Wp = g->pw + g->W + (bw > 0 ? bw : 0);
}

int ginv_conv_pad_use(const ginv_conv_geom *g)
{
    return ginv_conv_pad_mode >= 0 ? ginv_conv_pad_mode : g->Wo < PAD_MAX_WO;
}

size_t ginv_conv_pad_floats(const ginv_conv_geom *g, int G)
{
    int Hp, Wp;
    pad_dims(g, &Hp, &Wp);
    return (size_t)G * g->C * Hp * Wp;
}

/* ---- im2col */

typedef struct {
    ginv_conv_geom g;
    const float *img;
    float *col, *pad;
    int G, Hp, Wp, rows_per_chunk, nrows;
} pad_job;

/* padded plane c (sample c / C, channel c % C) from the image */
static void fill_chunk(void *ctx, int c)
{
    const pad_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    size_t plane = (size_t)j->Hp * j->Wp;
    float *dst = j->pad + (size_t)c * plane;
    const float *src = j->img + (size_t)c * g->H * g->W;
    memset(dst, 0, sizeof(float) * (size_t)g->ph * j->Wp);
    for (int h = 0; h < g->H; h++) {
        float *d = dst + (size_t)(h + g->ph) * j->Wp;
        memset(d, 0, sizeof(float) * (size_t)g->pw);
        memcpy(d + g->pw, src + (size_t)h * g->W, sizeof(float) * (size_t)g->W);
        memset(d + g->pw + g->W, 0, sizeof(float) * (size_t)(j->Wp - g->pw - g->W));
    }
    size_t done = (size_t)(g->ph + g->H) * j->Wp;
    memset(dst + done, 0, sizeof(float) * (plane - done));
}

static void gather_chunk(void *ctx, int c)
{
    const pad_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P, plane = (size_t)j->Hp * j->Wp;
    int r0 = c * j->rows_per_chunk, r1 = r0 + j->rows_per_chunk < j->nrows ? r0 + j->rows_per_chunk : j->nrows;
    int sw = g->sw;
    for (int r = r0; r < r1; r++) {
        int ch = r / (g->kh * g->kw), ti = r / g->kw % g->kh, tj = r % g->kw;
        for (int b = 0; b < j->G; b++) {
            const float *src = j->pad + ((size_t)b * g->C + ch) * plane + (size_t)ti * g->dh * j->Wp +
                               (size_t)tj * g->dw;
            float *dst = j->col + (size_t)r * ld + (size_t)b * P;
            for (int oh = 0; oh < g->Ho; oh++) {
                const float *s = src + (size_t)oh * g->sh * j->Wp;
                float *d = dst + (size_t)oh * g->Wo;
                if (sw == 1)
                    for (int ow = 0; ow < g->Wo; ow++) d[ow] = s[ow];
                else if (sw == 2)
                    for (int ow = 0; ow < g->Wo; ow++) d[ow] = s[2 * ow];
                else
                    for (int ow = 0; ow < g->Wo; ow++) d[ow] = s[ow * sw];
            }
        }
    }
}

void ginv_conv_pad_im2col(const ginv_conv_geom *g, const float *img, float *col, float *pad, int G)
{
    int nrows = g->C * g->kh * g->kw;
    size_t per_row = (size_t)G * g->Ho * g->Wo;
    int rpc = per_row >= PAD_CHUNK ? 1 : (int)(PAD_CHUNK / per_row);
    pad_job j = {*g, img, col, pad, G, 0, 0, rpc, nrows};
    pad_dims(g, &j.Hp, &j.Wp);
    ginv_pool_run(G * g->C, fill_chunk, &j);
    ginv_pool_run((nrows + rpc - 1) / rpc, gather_chunk, &j);
}

/* ---- col2im: one chunk per (sample, channel), its own padded plane */

typedef struct {
    ginv_conv_geom g;
    const float *col;
    float *img, *pad;
    const float *bias;
    int G, Hp, Wp;
} scatter_job;

static void scatter_chunk(void *ctx, int c)
{
    const scatter_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    int b = c / g->C, ch = c % g->C, sw = g->sw;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P, plane = (size_t)j->Hp * j->Wp;
    float *pl = j->pad + (size_t)c * plane;
    memset(pl, 0, sizeof(float) * plane);
    for (int ti = 0; ti < g->kh; ti++)
        for (int tj = 0; tj < g->kw; tj++) {
            size_t r = ((size_t)ch * g->kh + ti) * g->kw + tj;
            const float *src = j->col + r * ld + (size_t)b * P;
            float *base = pl + (size_t)ti * g->dh * j->Wp + (size_t)tj * g->dw;
            for (int oh = 0; oh < g->Ho; oh++) {
                float *d = base + (size_t)oh * g->sh * j->Wp;
                const float *s = src + (size_t)oh * g->Wo;
                if (sw == 2)
                    for (int ow = 0; ow < g->Wo; ow++) d[2 * ow] += s[ow];
                else
                    for (int ow = 0; ow < g->Wo; ow++) d[ow * sw] += s[ow];
            }
        }
    float *dst = j->img + ((size_t)b * g->C + ch) * g->H * g->W;
    float bb = j->bias ? j->bias[ch] : 0.0f;
    for (int h = 0; h < g->H; h++) {
        const float *s = pl + (size_t)(h + g->ph) * j->Wp + g->pw;
        float *d = dst + (size_t)h * g->W;
        if (j->bias)
            for (int w = 0; w < g->W; w++) d[w] = s[w] + bb;
        else
            memcpy(d, s, sizeof(float) * (size_t)g->W);
    }
}

void ginv_conv_pad_col2im(const ginv_conv_geom *g, const float *col, float *img, float *pad,
                          const float *bias, int G)
{
    scatter_job j = {*g, col, img, pad, bias, G, 0, 0};
    pad_dims(g, &j.Hp, &j.Wp);
    ginv_pool_run(G * g->C, scatter_chunk, &j);
}
