/* view.c — measurements drawn as an image, for figures: what an observer of
 * y would see on the signal's h x w grid (see ginv_op_view in ginv.h). Built
 * from the operator's adjoint alone, so it needs no kind's private state:
 * A^T 1 marks the observed pixels of a subsample, (n/m) A^T y undoes the
 * 1/f^2 of a block average's adjoint. */
#include "measure/op_impl.h"

#include <math.h>
#include <string.h>

ginv_status ginv_op_view(const ginv_op *op, int h, int w, const float *y /* (m) */,
                         float *img /* (h, w) */)
{
    if (!op || !y || !img) return ginv_fail(GINV_ERR_ARG, "ginv_op_view: op, y and img must not be NULL");
    if (h < 1 || w < 1 || (long long)h * w != op->n)
        return ginv_fail(GINV_ERR_SHAPE, "ginv_op_view: a %d x %d image does not match the "
                         "operator's %d signal coordinates", h, w, op->n);
    const char *name = op->vt->name;
    size_t n = (size_t)op->n, m = (size_t)op->m;
    if (!strcmp(name, "identity") || !strcmp(name, "blur")) { /* m = n: y is an image */
        memcpy(img, y, n * sizeof(float));
        return GINV_OK;
    }
    ginv_op_adjoint(op, 1, y, img);
    if (!strcmp(name, "subsample") || !strcmp(name, "inpaint-box")) {
        float *ones = ginv_malloc(m * sizeof(float)), *seen = ginv_malloc(n * sizeof(float));
        if (!ones || !seen) {
            ginv_free(ones);
            ginv_free(seen);
            return ginv_fail(GINV_ERR_NOMEM, "ginv_op_view: out of memory");
        }
        for (size_t i = 0; i < m; i++) ones[i] = 1;
        ginv_op_adjoint(op, 1, ones, seen); /* 1 where observed, 0 elsewhere */
        for (size_t j = 0; j < n; j++)
            if (seen[j] == 0) img[j] = NAN;
        ginv_free(ones);
        ginv_free(seen);
        return GINV_OK;
    }
    if (!strcmp(name, "downsample")) {
        float k = (float)n / (float)m; /* f^2 */
        for (size_t j = 0; j < n; j++) img[j] *= k;
        return GINV_OK;
    }
    /* dense operators: back-projection, min-max scaled */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        lo = fmin(lo, img[j]);
        hi = fmax(hi, img[j]);
    }
    for (size_t j = 0; j < n; j++)
        img[j] = hi > lo ? (float)(((double)img[j] - lo) / (hi - lo)) : 0.5f;
    return GINV_OK;
}
