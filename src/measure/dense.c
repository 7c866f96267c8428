/* dense.c — dense measurement matrices: the Gaussian A of Hand & Voroninski
 * Thm 1 (entries i.i.d. N(0, 1/m)), the unit-variance Gaussian of Bora et
 * al.'s CSGM (N(0, 1)) and a caller's own matrix. Both store A
 * row-major (m x n); apply and adjoint are one ginv_gemm each (sgemv at
 * B = 1), the hot path of every solver iteration. The plain reference is
 * ginv_gemm_ref, which the tests mirror with their own double loops. */
#include "measure/op_impl.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Y (B x m) = X (B x n) A^T */
static void dense_apply(const ginv_op *op, int B, const float *x /* (B, n) */,
                        float *y /* (B, m) */)
{
    const float *A = op->state; /* (m, n) */
    ginv_gemm(0, 1, B, op->m, op->n, 1.0f, x, A, 0.0f, y);
}

/* X (B x n) = Y (B x m) A */
static void dense_adjoint(const ginv_op *op, int B, const float *y /* (B, m) */,
                          float *x /* (B, n) */)
{
    const float *A = op->state; /* (m, n) */
    ginv_gemm(0, 0, B, op->n, op->m, 1.0f, y, A, 0.0f, x);
}

static const ginv_op_vtable gaussian_vt = {"gaussian", dense_apply, dense_adjoint, NULL};
static const ginv_op_vtable matrix_vt = {"matrix", dense_apply, dense_adjoint, NULL};
static const ginv_op_vtable gaussian_unit_vt = {"gaussian-unit", dense_apply, dense_adjoint, NULL};
/* the nonlinear ones: the same A, then |.| or sign (op.c's ginv_op_measure) */
static const ginv_op_vtable phaseless_gaussian_vt = {"phaseless-gaussian", dense_apply,
                                                     dense_adjoint, NULL, GINV_LINK_ABS};
static const ginv_op_vtable onebit_gaussian_vt = {"onebit-gaussian", dense_apply, dense_adjoint,
                                                  NULL, GINV_LINK_SIGN};

/* Check m, n >= 1 and allocate the m x n float matrix, failing clearly. */
static ginv_status dense_alloc(const char *who, int m, int n, float **A /* (m, n) */)
{
    *A = NULL;
    if (m < 1 || n < 1)
        return ginv_fail(GINV_ERR_ARG, "%s: size %d x %d is invalid; m and n must be >= 1", who,
                         m, n);
    if ((size_t)m > SIZE_MAX / sizeof(float) / (size_t)n)
        return ginv_fail(GINV_ERR_ARG, "%s: a %d x %d float matrix overflows size_t; use "
                         "smaller m or n", who, m, n);
    size_t bytes = (size_t)m * (size_t)n * sizeof(float);
    *A = ginv_malloc(bytes);
    if (!*A)
        return ginv_fail(GINV_ERR_NOMEM, "%s: cannot allocate the %d x %d matrix (%zu bytes); "
                         "use smaller m or n", who, m, n, bytes);
    return GINV_OK;
}

/* A (m x n), entries N(0, 1/m) drawn row-major from stream (seed, OP, index),
 * wrapped with the kind vt; `who` names the caller in messages */
static ginv_status gaussian_kind(ginv_op **out, const ginv_op_vtable *vt, const char *who, int m,
                                 int n, uint64_t seed, uint64_t index)
{
    ginv_status s = ginv_op_check_out(out, who);
    if (s) return s;
    float *A; /* (m, n) */
    if ((s = dense_alloc(who, m, n, &A))) return s;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    ginv_rng_normal_f32(&r, A, (size_t)m * (size_t)n, 1.0 / sqrt((double)m));
    return ginv_op_wrap(out, vt, m, n, A);
}

ginv_status ginv_op_gaussian(ginv_op **out, int m, int n, uint64_t seed, uint64_t index)
{
    return gaussian_kind(out, &gaussian_vt, "ginv_op_gaussian", m, n, seed, index);
}

/* y = |A x|, A as ginv_op_gaussian's */
ginv_status ginv_op_phaseless_gaussian(ginv_op **out, int m, int n, uint64_t seed,
                                       uint64_t index)
{
    return gaussian_kind(out, &phaseless_gaussian_vt, "ginv_op_phaseless_gaussian", m, n, seed,
                         index);
}

/* y = sign(A x), A as ginv_op_gaussian's; the objective's loss kept on the op */
ginv_status ginv_op_onebit_gaussian(ginv_op **out, int m, int n, ginv_onebit_loss loss,
                                    uint64_t seed, uint64_t index)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_onebit_gaussian");
    if (s) return s;
    if ((unsigned)loss > GINV_ONEBIT_CORR)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_onebit_gaussian: unknown loss %d (expected "
                         "GINV_ONEBIT_ONESIDED or GINV_ONEBIT_CORR)", (int)loss);
    s = gaussian_kind(out, &onebit_gaussian_vt, "ginv_op_onebit_gaussian", m, n, seed, index);
    if (!s) (*out)->onebit_loss = (int)loss;
    return s;
}

/* A (m x n), entries N(0, 1) (the convention of Bora et al.'s CSGM), from
 * the same stream as ginv_op_gaussian: the same seed gives sqrt(m) times
 * that matrix (up to float rounding). y = A x + sigma e with this A is
 * y / sqrt(m) = (A / sqrt(m)) x + (sigma / sqrt(m)) e with A / sqrt(m) ~
 * N(0, 1/m). */
ginv_status ginv_op_gaussian_unit(ginv_op **out, int m, int n, uint64_t seed, uint64_t index)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_gaussian_unit");
    if (s) return s;
    float *A; /* (m, n) */
    if ((s = dense_alloc("ginv_op_gaussian_unit", m, n, &A))) return s;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    ginv_rng_normal_f32(&r, A, (size_t)m * (size_t)n, 1.0);
    return ginv_op_wrap(out, &gaussian_unit_vt, m, n, A);
}

/* A copy of the caller's row-major A (m x n); every entry must be finite */
ginv_status ginv_op_matrix(ginv_op **out, int m, int n, const float *A /* (m, n) */)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_matrix");
    if (s) return s;
    if (!A) return ginv_fail(GINV_ERR_ARG, "ginv_op_matrix: A is NULL; pass m x n floats");
    float *C; /* (m, n) */
    if ((s = dense_alloc("ginv_op_matrix", m, n, &C))) return s;
    size_t count = (size_t)m * (size_t)n;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(A[i])) {
            ginv_free(C);
            return ginv_fail(GINV_ERR_NUMERIC, "ginv_op_matrix: entry (%zu, %zu) is %g; the "
                             "matrix must be finite", i / (size_t)n, i % (size_t)n, A[i]);
        }
    memcpy(C, A, count * sizeof(float));
    return ginv_op_wrap(out, &matrix_vt, m, n, C);
}
