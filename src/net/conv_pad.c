/* conv_pad.c — im2col and col2im (conv.c) through zero-padded, stride-phase
 * split copies of the image, for grids with short rows.
 *
 * conv.c's im2col clips every patch-matrix row to the grid positions whose
 * tap lies inside the image (valid_range) and zero-fills the rest, row by
 * row; its col2im clips the same way. On small maps (the conv VAE decoder's
 * 7 x 7 grid, stride 2) the rows are a few floats long, the clipped bounds
 * change from row to row and the stride-2 accesses do not vectorise, so the
 * loops are mostly loop control and mispredicted branches (im2col and col2im
 * took a quarter of the decoder's B = 1 CSGM iteration, docs/benchmarks.md).
 *
 * Here the image is padded with zeros on every side by as much as any tap
 * reaches outside it,
 *     top ph, bottom max(0, (Ho - 1) sh - ph + (kh - 1) dh - (H - 1)),
 * (left and right alike), so image pixel (h, w) sits at padded (h + ph,
 * w + pw) and grid point (oh, ow) with tap (i, j) reads padded pixel
 *     (oh sh + i dh, ow sw + j dw),
 * always inside. The padded image is stored split by stride phase: padded
 * pixel (hp, wp) goes to plane (hp mod sh, wp mod sw) at row hp / sh, column
 * wp / sw. A tap then reads plane ((i dh) mod sh, (j dw) mod sw) from row
 * oh + (i dh) / sh and column ow + (j dw) / sw: every patch row is Ho
 * contiguous runs of Wo floats, the same loop for every row, without bounds.
 *
 * im2col: split the images into their planes (one chunk per sample and
 * channel), then copy runs. col2im: add the runs into zeroed planes, taps in
 * the same order as conv.c's, and read the image (+ bias) back out; taps
 * that fall outside the image land in the padding and are dropped. Both give
 * exactly conv.c's numbers (copies, and the same additions in the same
 * order); tests/unit/test_conv.c compares the two bit for bit. Chunks are
 * fixed by the sizes, so results do not depend on the threads. */
#include "linalg/pool.h"
#include "net/net_internal.h"

#include <string.h>

int ginv_conv_pad_mode = -1; /* -1: by the grid's width; 0: never; 1: always (tests) */

#define PAD_MAX_WO 16 /* grids narrower than this take the padded path */
#define PAD_CHUNK 8192 /* patch-matrix floats per im2col chunk */

/* the phase planes of one (sample, channel): sh x sw planes of Hq x Wq */
typedef struct {
    int Hq, Wq;
    size_t plane, block; /* floats of one plane, of the sh sw planes */
} phase_dims;

static phase_dims pad_dims(const ginv_conv_geom *g)
{
    int bh = (g->Ho - 1) * g->sh - g->ph + (g->kh - 1) * g->dh - (g->H - 1);
    int bw = (g->Wo - 1) * g->sw - g->pw + (g->kw - 1) * g->dw - (g->W - 1);
    int Hp = g->ph + g->H + (bh > 0 ? bh : 0), Wp = g->pw + g->W + (bw > 0 ? bw : 0);
    phase_dims d = {(Hp + g->sh - 1) / g->sh, (Wp + g->sw - 1) / g->sw, 0, 0};
    d.plane = (size_t)d.Hq * d.Wq;
    d.block = d.plane * g->sh * g->sw;
    return d;
}

int ginv_conv_pad_use(const ginv_conv_geom *g)
{
    return ginv_conv_pad_mode >= 0 ? ginv_conv_pad_mode : g->Wo < PAD_MAX_WO;
}

size_t ginv_conv_pad_floats(const ginv_conv_geom *g, int G)
{
    return (size_t)G * g->C * pad_dims(g).block;
}

/* image (H x W) <-> its block: with in, copy the image in's pixels into the
 * zeroed block; else the block's image pixels (+ bias) out to the image out.
 * Each image row is split into its sw column phases, each a unit-stride run
 * in its plane (no division per pixel). */
static void block_copy(const ginv_conv_geom *g, const phase_dims *q, float *blk, const float *in,
                       float *out, const float *bias)
{
    for (int h = 0; h < g->H; h++) {
        int hp = h + g->ph;
        const float *in_row = in ? in + (size_t)h * g->W : NULL;
        float *out_row = in ? NULL : out + (size_t)h * g->W;
        for (int b = 0; b < g->sw; b++) {
            int w0 = ((b - g->pw) % g->sw + g->sw) % g->sw; /* first w with (w + pw) mod sw = b */
            float *run = blk + ((size_t)(hp % g->sh) * g->sw + (size_t)b) * q->plane +
                         (size_t)(hp / g->sh) * q->Wq + (size_t)((w0 + g->pw) / g->sw);
            int n = w0 < g->W ? (g->W - w0 + g->sw - 1) / g->sw : 0;
            if (in_row)
                for (int u = 0; u < n; u++) run[u] = in_row[w0 + u * g->sw];
            else if (bias)
                for (int u = 0; u < n; u++) out_row[w0 + u * g->sw] = run[u] + *bias;
            else
                for (int u = 0; u < n; u++) out_row[w0 + u * g->sw] = run[u];
        }
    }
}

/* the start of tap (i, j)'s runs in a block: row oh's run begins oh Wq later */
static inline size_t tap_offset(const ginv_conv_geom *g, const phase_dims *q, int i, int j)
{
    int a = i * g->dh, b = j * g->dw;
    return ((size_t)(a % g->sh) * g->sw + (size_t)(b % g->sw)) * q->plane +
           (size_t)(a / g->sh) * q->Wq + (size_t)(b / g->sw);
}

/* ---- im2col */

typedef struct {
    ginv_conv_geom g;
    phase_dims q;
    const float *img;
    float *col, *pad;
    int G, rows_per_chunk, nrows;
} pad_job;

/* block c (sample c / C, channel c % C) from the image */
static void fill_chunk(void *ctx, int c)
{
    const pad_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    float *dst = j->pad + (size_t)c * j->q.block;
    memset(dst, 0, sizeof(float) * j->q.block);
    block_copy(g, &j->q, dst, j->img + (size_t)c * g->H * g->W, NULL, NULL);
}

static void gather_chunk(void *ctx, int c)
{
    const pad_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P;
    int r0 = c * j->rows_per_chunk, r1 = r0 + j->rows_per_chunk < j->nrows ? r0 + j->rows_per_chunk : j->nrows;
    for (int r = r0; r < r1; r++) {
        int ch = r / (g->kh * g->kw), ti = r / g->kw % g->kh, tj = r % g->kw;
        size_t off = tap_offset(g, &j->q, ti, tj);
        for (int b = 0; b < j->G; b++) {
            const float *src = j->pad + ((size_t)b * g->C + ch) * j->q.block + off;
            float *dst = j->col + (size_t)r * ld + (size_t)b * P;
            for (int oh = 0; oh < g->Ho; oh++)
                memcpy(dst + (size_t)oh * g->Wo, src + (size_t)oh * j->q.Wq, sizeof(float) * (size_t)g->Wo);
        }
    }
}

void ginv_conv_pad_im2col(const ginv_conv_geom *g, const float *img, float *col, float *pad, int G)
{
    int nrows = g->C * g->kh * g->kw;
    size_t per_row = (size_t)G * g->Ho * g->Wo;
    int rpc = per_row >= PAD_CHUNK ? 1 : (int)(PAD_CHUNK / per_row);
    pad_job j = {*g, pad_dims(g), img, col, pad, G, rpc, nrows};
    ginv_pool_run(G * g->C, fill_chunk, &j);
    ginv_pool_run((nrows + rpc - 1) / rpc, gather_chunk, &j);
}

/* ---- col2im: one chunk per (sample, channel), its own block */

typedef struct {
    ginv_conv_geom g;
    phase_dims q;
    const float *col;
    float *img, *pad;
    const float *bias;
    int G;
} scatter_job;

/* d += s over n floats (a tap's run; the block and col never overlap) */
static inline void add_run(float *restrict d, const float *restrict s, int n)
{
    for (int i = 0; i < n; i++) d[i] += s[i];
}

static void scatter_chunk(void *ctx, int c)
{
    const scatter_job *j = ctx;
    const ginv_conv_geom *g = &j->g;
    int b = c / g->C, ch = c % g->C;
    size_t P = (size_t)g->Ho * g->Wo, ld = (size_t)j->G * P;
    float *blk = j->pad + (size_t)c * j->q.block;
    memset(blk, 0, sizeof(float) * j->q.block);
    for (int ti = 0; ti < g->kh; ti++)
        for (int tj = 0; tj < g->kw; tj++) {
            size_t r = ((size_t)ch * g->kh + ti) * g->kw + tj;
            const float *src = j->col + r * ld + (size_t)b * P;
            float *base = blk + tap_offset(g, &j->q, ti, tj);
            for (int oh = 0; oh < g->Ho; oh++)
                add_run(base + (size_t)oh * j->q.Wq, src + (size_t)oh * g->Wo, g->Wo);
        }
    block_copy(g, &j->q, blk, NULL, j->img + ((size_t)b * g->C + ch) * g->H * g->W,
               j->bias ? j->bias + ch : NULL);
}

void ginv_conv_pad_col2im(const ginv_conv_geom *g, const float *col, float *img, float *pad,
                          const float *bias, int G)
{
    scatter_job j = {*g, pad_dims(g), col, img, pad, bias, G};
    ginv_pool_run(G * g->C, scatter_chunk, &j);
}
