/* subsample.c — keep m of the n coordinates (inpainting, missing pixels):
 * y[b, i] = x[b, idx[i]]. The adjoint scatters y back and zeroes the rest. */
#include "measure/op_impl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* y (B x m): y[b, i] = x[b, idx[i]] */
static void subsample_apply(const ginv_op *op, int B, const float *x /* (B, n) */,
                            float *y /* (B, m) */)
{
    const int *idx = op->state; /* (m) */
    size_t m = (size_t)op->m, n = (size_t)op->n;
    for (size_t b = 0; b < (size_t)B; b++) {
        const float *xb = x + b * n;
        float *yb = y + b * m;
        for (size_t i = 0; i < m; i++) yb[i] = xb[idx[i]];
    }
}

/* x (B x n): x[b, idx[i]] = y[b, i], every other coordinate 0 */
static void subsample_adjoint(const ginv_op *op, int B, const float *y /* (B, m) */,
                              float *x /* (B, n) */)
{
    const int *idx = op->state; /* (m) */
    size_t m = (size_t)op->m, n = (size_t)op->n;
    for (size_t b = 0; b < (size_t)B; b++) {
        const float *yb = y + b * m;
        float *xb = x + b * n;
        memset(xb, 0, n * sizeof(float));
        for (size_t i = 0; i < m; i++) xb[idx[i]] = yb[i];
    }
}

static const ginv_op_vtable subsample_vt = {"subsample", subsample_apply, subsample_adjoint,
                                            NULL};

/* Fail unless 1 <= m <= n. */
static ginv_status check_sizes(const char *who, int n, int m)
{
    if (n < 1) return ginv_fail(GINV_ERR_ARG, "%s: n = %d is invalid; n must be >= 1", who, n);
    if (m < 1) return ginv_fail(GINV_ERR_ARG, "%s: m = %d is invalid; keep at least 1 coordinate", who, m);
    if (m > n)
        return ginv_fail(GINV_ERR_ARG, "%s: cannot keep m = %d of n = %d coordinates; m must be "
                         "<= n", who, m, n);
    return GINV_OK;
}

/* Keep coordinates idx[0..m) of n, in the order given; distinct, in [0, n) */
ginv_status ginv_op_subsample(ginv_op **out, int n, int m, const int *idx /* (m) */)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_subsample");
    if (s) return s;
    if ((s = check_sizes("ginv_op_subsample", n, m))) return s;
    if (!idx) return ginv_fail(GINV_ERR_ARG, "ginv_op_subsample: idx is NULL; pass m indices");
    int *first = ginv_calloc((size_t)n, sizeof(int)); /* (n): 1 + where each index was seen */
    if (!first)
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_subsample: cannot allocate %d ints to check "
                         "the indices", n);
    for (int i = 0; i < m; i++) {
        if (idx[i] < 0 || idx[i] >= n) {
            ginv_free(first);
            return ginv_fail(GINV_ERR_ARG, "ginv_op_subsample: idx[%d] = %d is outside [0, %d); "
                             "indices must address the n = %d coordinates", i, idx[i], n, n);
        }
        if (first[idx[i]]) {
            int j = first[idx[i]] - 1;
            ginv_free(first);
            return ginv_fail(GINV_ERR_ARG, "ginv_op_subsample: idx[%d] = %d repeats idx[%d]; "
                             "indices must be distinct", i, idx[i], j);
        }
        first[idx[i]] = i + 1;
    }
    ginv_free(first);
    int *keep = ginv_malloc((size_t)m * sizeof(int)); /* (m) */
    if (!keep)
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_subsample: cannot allocate %d indices", m);
    memcpy(keep, idx, (size_t)m * sizeof(int));
    return ginv_op_wrap(out, &subsample_vt, m, n, keep);
}

/* qsort order of ints */
static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* m distinct coordinates of n, uniformly at random (partial Fisher-Yates on
 * stream (seed, OP, index)), stored sorted */
ginv_status ginv_op_subsample_random(ginv_op **out, int n, int m, uint64_t seed, uint64_t index)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_subsample_random");
    if (s) return s;
    if ((s = check_sizes("ginv_op_subsample_random", n, m))) return s;
    int *perm = ginv_malloc((size_t)n * sizeof(int)); /* (n) */
    if (!perm)
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_subsample_random: cannot allocate %d ints; "
                         "use a smaller n", n);
    for (int i = 0; i < n; i++) perm[i] = i;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    for (int i = 0; i < m; i++) { /* perm[0..i) is a uniform sample; extend it by one */
        int j = i + (int)ginv_rng_below(&r, (uint64_t)(n - i));
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    qsort(perm, (size_t)m, sizeof(int), int_cmp);
    int *keep = ginv_realloc(perm, (size_t)m * sizeof(int)); /* (m) */
    if (!keep) keep = perm; /* shrinking failed: keep the larger block */
    return ginv_op_wrap(out, &subsample_vt, m, n, keep);
}

/* The same operator under the name of the inpainting problem it poses. */
static const ginv_op_vtable inpaint_vt = {"inpaint-box", subsample_apply, subsample_adjoint,
                                          NULL};

/* Observe every pixel of a c x h x w image except the box of bh x bw pixels
 * at (r0, c0) in each channel: a subsample operator over the complement of
 * the box, indices in raster order. bh = bw = 0: the centred box of half
 * the image's height and width (rounded down). */
ginv_status ginv_op_inpaint_box(ginv_op **out, int c, int h, int w, int r0, int c0, int bh,
                                int bw)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_inpaint_box");
    if (s) return s;
    if (c < 1 || h < 1 || w < 1 || h > (1 << 15) || w > (1 << 15) || c > (1 << 15) ||
        (long long)c * h * w > INT_MAX)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_inpaint_box: image %d x %d x %d is invalid; c, h "
                         "and w must be >= 1 with c*h*w <= %d", c, h, w, INT_MAX);
    if (bh == 0 && bw == 0) {
        bh = h / 2;
        bw = w / 2;
        r0 = (h - bh) / 2;
        c0 = (w - bw) / 2;
        if (bh < 1 || bw < 1)
            return ginv_fail(GINV_ERR_ARG, "ginv_op_inpaint_box: a %d x %d image is too small for "
                             "the default box of half its side; give the box", h, w);
    }
    if (bh < 1 || bw < 1 || r0 < 0 || c0 < 0 || r0 > h - bh || c0 > w - bw)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_inpaint_box: box %d,%d,%d,%d (row, column, height, "
                         "width) does not fit inside the %d x %d image with at least one pixel",
                         r0, c0, bh, bw, h, w);
    if (bh == h && bw == w)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_inpaint_box: the box covers the whole %d x %d "
                         "image; nothing would be observed", h, w);
    int n = c * h * w, m = c * (h * w - bh * bw);
    int *keep = ginv_malloc((size_t)m * sizeof(int)); /* (m) */
    if (!keep) return ginv_fail(GINV_ERR_NOMEM, "ginv_op_inpaint_box: cannot allocate %d indices", m);
    int k = 0;
    for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (y < r0 || y >= r0 + bh || x < c0 || x >= c0 + bw)
                    keep[k++] = (ch * h + y) * w + x;
    return ginv_op_wrap(out, &inpaint_vt, m, n, keep);
}
