/* downsample.c — block averaging by a factor f (super-resolution): a c x h x w
 * image (c-major, then row-major) becomes c x (h/f) x (w/f), each output the
 * mean of its f x f block. The adjoint spreads each value / (f*f) back over
 * its block. */
#include "measure/op_impl.h"

#include <limits.h>

typedef struct { int c, h, w, f; } downsample_geom;

/* y (B x c x h/f x w/f) = the f x f block means of x (B x c x h x w) */
static void downsample_apply(const ginv_op *op, int B, const float *x /* (B, c, h, w) */,
                             float *y /* (B, c, h/f, w/f) */)
{
    const downsample_geom *g = op->state;
    size_t w = (size_t)g->w, f = (size_t)g->f;
    size_t ho = (size_t)(g->h / g->f), wo = (size_t)(g->w / g->f);
    size_t planes = (size_t)B * (size_t)g->c; /* every (b, channel) plane alike */
    float inv = 1.0f / (float)(f * f);
    for (size_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * (size_t)g->h * w;
        float *yp = y + pl * ho * wo;
        for (size_t i = 0; i < ho; i++)
            for (size_t j = 0; j < wo; j++) {
                float acc = 0;
                for (size_t r = 0; r < f; r++) {
                    const float *xr = xp + (i * f + r) * w + j * f;
                    for (size_t s = 0; s < f; s++) acc += xr[s];
                }
                yp[i * wo + j] = acc * inv;
            }
    }
}

/* x (B x c x h x w): x[.., p, q] = y[.., p/f, q/f] / (f*f) */
static void downsample_adjoint(const ginv_op *op, int B, const float *y /* (B, c, h/f, w/f) */,
                               float *x /* (B, c, h, w) */)
{
    const downsample_geom *g = op->state;
    size_t h = (size_t)g->h, w = (size_t)g->w, f = (size_t)g->f;
    size_t wo = w / f;
    size_t planes = (size_t)B * (size_t)g->c;
    float inv = 1.0f / (float)(f * f);
    for (size_t pl = 0; pl < planes; pl++) {
        const float *yp = y + pl * (h / f) * wo;
        float *xp = x + pl * h * w;
        for (size_t p = 0; p < h; p++)
            for (size_t q = 0; q < w; q++) xp[p * w + q] = yp[(p / f) * wo + q / f] * inv;
    }
}

static const ginv_op_vtable downsample_vt = {"downsample", downsample_apply, downsample_adjoint,
                                             NULL};

/* Block average by f over a c x h x w image; f must divide h and w */
ginv_status ginv_op_downsample(ginv_op **out, int c, int h, int w, int f)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_downsample");
    if (s) return s;
    if (c < 1 || h < 1 || w < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_downsample: image %d x %d x %d is invalid; c, h "
                         "and w must be >= 1", c, h, w);
    if (f < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_downsample: factor f = %d is invalid; f must be "
                         ">= 1", f);
    if (h % f || w % f)
        return ginv_fail(GINV_ERR_SHAPE, "ginv_op_downsample: factor %d does not divide the "
                         "image's %s %d; pick f dividing both h = %d and w = %d", f,
                         h % f ? "height" : "width", h % f ? h : w, h, w);
    if (h > INT_MAX / w || c > INT_MAX / (h * w))
        return ginv_fail(GINV_ERR_ARG, "ginv_op_downsample: image %d x %d x %d has more than "
                         "%d pixels; use a smaller image", c, h, w, INT_MAX);
    downsample_geom *g = ginv_malloc(sizeof *g);
    if (!g) return ginv_fail(GINV_ERR_NOMEM, "ginv_op_downsample: out of memory");
    *g = (downsample_geom){c, h, w, f};
    return ginv_op_wrap(out, &downsample_vt, c * (h / f) * (w / f), c * h * w, g);
}
