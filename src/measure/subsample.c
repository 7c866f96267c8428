/* subsample.c — keep m of the n coordinates (inpainting, missing pixels):
 * y[b, i] = x[b, idx[i]]. The adjoint scatters y back and zeroes the rest. */
#include "measure/op_impl.h"

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
