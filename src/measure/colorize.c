/* colorize.c — RGB to luminance (colourisation): a 3 x h x w image (channel-
 * major: R plane, G plane, B plane) becomes the h x w luma of ITU-R BT.601,
 * y = 0.299 R + 0.587 G + 0.114 B. The adjoint spreads each y over the three
 * planes with the same weights. */
#include "measure/op_impl.h"

#include <limits.h>

static const float luma[3] = {0.299f, 0.587f, 0.114f}; /* BT.601 */

/* y (B x hw) = sum_ch luma[ch] x[b, ch] */
static void colorize_apply(const ginv_op *op, int B, const float *x /* (B, 3, hw) */,
                           float *y /* (B, hw) */)
{
    size_t hw = (size_t)op->m;
    for (size_t b = 0; b < (size_t)B; b++) {
        const float *r = x + b * 3 * hw, *g = r + hw, *bl = g + hw;
        float *yb = y + b * hw;
        for (size_t i = 0; i < hw; i++) yb[i] = luma[0] * r[i] + luma[1] * g[i] + luma[2] * bl[i];
    }
}

/* x[b, ch] = luma[ch] y[b] */
static void colorize_adjoint(const ginv_op *op, int B, const float *y /* (B, hw) */,
                             float *x /* (B, 3, hw) */)
{
    size_t hw = (size_t)op->m;
    for (size_t b = 0; b < (size_t)B; b++) {
        const float *yb = y + b * hw;
        for (int ch = 0; ch < 3; ch++) {
            float *xc = x + (b * 3 + (size_t)ch) * hw;
            for (size_t i = 0; i < hw; i++) xc[i] = luma[ch] * yb[i];
        }
    }
}

static const ginv_op_vtable colorize_vt = {"colorize", colorize_apply, colorize_adjoint, NULL};

ginv_status ginv_op_colorize(ginv_op **out, int h, int w)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_colorize");
    if (s) return s;
    if (h < 1 || w < 1 || h > (1 << 15) || w > (1 << 15) || (long long)3 * h * w > INT_MAX)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_colorize: image 3 x %d x %d is invalid; h and w "
                         "must be >= 1 with 3*h*w <= %d", h, w, INT_MAX);
    return ginv_op_wrap(out, &colorize_vt, h * w, 3 * h * w, NULL);
}
