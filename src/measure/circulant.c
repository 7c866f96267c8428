/* circulant.c — partial random circulant sensing, the fast stand-in for a
 * dense Gaussian matrix: A = (1/sqrt(m)) P C_g D, where D = diag(eps) flips
 * random signs, C_g is the circular convolution with a filter g of n i.i.d.
 * N(0, 1) values, (C_g v)_i = sum_j g_{(i - j) mod n} v_j, and P keeps a
 * uniform random subset of m rows (in increasing order). Row i of C_g D is
 * (g_{(i - j) mod n} eps_j)_j: n distinct entries of g with random signs, so
 * every row of A is i.i.d. N(0, 1/m) as ginv_op_gaussian's and
 * E[A^T A] = I (E||Ax||^2 = ||x||^2); rows are dependent, which is the price
 * of the speed. C_g and its transpose (the correlation with g) are applied by
 * real FFTs in double precision: O(n log n) per signal against O(m n).
 *
 * The apply and the adjoint cut the batch into chunks of rows fixed by n and
 * run them on ginv's pool; each signal is transformed alone by the same
 * plan, so the results do not depend on the thread count. */
#include "measure/op_impl.h"
#include "base/fft_lock.h"
#include "linalg/pool.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int n, m;
    float *eps;         /* (n) the signs, +-1 */
    int *rows;          /* (m) the kept rows, increasing */
    fftw_complex *ghat; /* (n/2 + 1) the r2c transform of g */
    fftw_plan fwd, inv; /* r2c and c2r of length n, planned on fftw_malloc'd arrays */
} circulant_state;

static void circulant_free(void *p)
{
    circulant_state *s = p;
    ginv_fft_plan_lock();
    if (s->fwd) fftw_destroy_plan(s->fwd);
    if (s->inv) fftw_destroy_plan(s->inv);
    ginv_fft_plan_unlock();
    fftw_free(s->ghat);
    ginv_free(s->eps);
    ginv_free(s->rows);
    ginv_free(s);
}

/* One apply or adjoint over the batch, cut into chunks of `per` signals. */
typedef struct {
    const circulant_state *s;
    int B, per, adjoint;
    const float *in; /* (B, n) for apply, (B, m) for the adjoint */
    float *out;      /* (B, m) for apply, (B, n) for the adjoint */
    int failed;      /* a chunk could not allocate its buffers */
} circulant_job;

/* Signals [c * per, ..) of the batch, each alone: buf (n) -> spec (n/2+1),
 * multiplied by ghat (apply) or its conjugate (adjoint), back to buf. */
static void circulant_chunk(void *ctx, int chunk)
{
    circulant_job *j = ctx;
    const circulant_state *s = j->s;
    size_t n = (size_t)s->n, m = (size_t)s->m, nh = n / 2 + 1;
    double *buf = fftw_malloc(n * sizeof(double));               /* (n) */
    fftw_complex *spec = fftw_malloc(nh * sizeof(fftw_complex)); /* (n/2 + 1) */
    if (!buf || !spec) {
        fftw_free(buf);
        fftw_free(spec);
        j->failed = 1;
        return;
    }
    /* c2r is unnormalised (n times the inverse); A carries 1/sqrt(m) */
    double scale = 1.0 / ((double)n * sqrt((double)m));
    int b0 = chunk * j->per, b1 = b0 + j->per < j->B ? b0 + j->per : j->B;
    for (int b = b0; b < b1; b++) {
        if (!j->adjoint) {
            const float *x = j->in + (size_t)b * n;
            for (size_t i = 0; i < n; i++) buf[i] = (double)s->eps[i] * x[i];
        } else {
            const float *y = j->in + (size_t)b * m;
            memset(buf, 0, n * sizeof(double));
            for (size_t i = 0; i < m; i++) buf[s->rows[i]] = y[i];
        }
        fftw_execute_dft_r2c(s->fwd, buf, spec);
        double sign = j->adjoint ? -1.0 : 1.0; /* conj(ghat): the correlation C_g^T */
        for (size_t k = 0; k < nh; k++) {
            double gr = s->ghat[k][0], gi = sign * s->ghat[k][1];
            double vr = spec[k][0], vi = spec[k][1];
            spec[k][0] = vr * gr - vi * gi;
            spec[k][1] = vr * gi + vi * gr;
        }
        fftw_execute_dft_c2r(s->inv, spec, buf);
        if (!j->adjoint) {
            float *y = j->out + (size_t)b * m;
            for (size_t i = 0; i < m; i++) y[i] = (float)(buf[s->rows[i]] * scale);
        } else {
            float *x = j->out + (size_t)b * n;
            for (size_t i = 0; i < n; i++) x[i] = (float)((double)s->eps[i] * buf[i] * scale);
        }
    }
    fftw_free(buf);
    fftw_free(spec);
}

/* Run the job; a chunk that could not allocate fills its outputs with NaN
 * (the solvers stop on a non-finite loss), as nothing can be returned. */
static void circulant_run(const ginv_op *op, int B, int adjoint, const float *in, float *out)
{
    const circulant_state *s = op->state;
    int per = s->n >= 8192 ? 1 : 8192 / s->n; /* fixed by n, never by the thread count */
    circulant_job j = {s, B, per, adjoint, in, out, 0};
    ginv_pool_run((B + per - 1) / per, circulant_chunk, &j);
    if (j.failed) {
        size_t cnt = (size_t)B * (size_t)(adjoint ? s->n : s->m);
        for (size_t i = 0; i < cnt; i++) out[i] = NAN;
        ginv_fail(GINV_ERR_NOMEM, "circulant operator: cannot allocate FFT buffers of %d values",
                  s->n);
    }
}

/* y (B x m) = A x (B x n) */
static void circulant_apply(const ginv_op *op, int B, const float *x, float *y)
{
    circulant_run(op, B, 0, x, y);
}

/* x (B x n) = A^T y (B x m) */
static void circulant_adjoint(const ginv_op *op, int B, const float *y, float *x)
{
    circulant_run(op, B, 1, y, x);
}

static const ginv_op_vtable circulant_vt = {"circulant", circulant_apply, circulant_adjoint,
                                            circulant_free};

/* qsort order of ints */
static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

ginv_status ginv_op_circulant(ginv_op **out, int m, int n, uint64_t seed, uint64_t index)
{
    ginv_status st = ginv_op_check_out(out, "ginv_op_circulant");
    if (st) return st;
    if (n < 1 || n > (1 << 26))
        return ginv_fail(GINV_ERR_ARG, "ginv_op_circulant: n = %d is invalid; n must be in [1, %d]",
                         n, 1 << 26);
    if (m < 1 || m > n)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_circulant: m = %d measurements is out of range; "
                         "a partial circulant keeps 1 to n = %d rows", m, n);
    size_t nn = (size_t)n, nh = nn / 2 + 1;
    circulant_state *s = ginv_calloc(1, sizeof *s);
    double *g = fftw_malloc(nn * sizeof(double)); /* (n) the filter, transformed into ghat */
    int *perm = ginv_malloc(nn * sizeof(int));    /* (n) */
    if (s) {
        s->n = n;
        s->m = m;
        s->eps = ginv_malloc(nn * sizeof(float));
        s->ghat = fftw_malloc(nh * sizeof(fftw_complex));
    }
    if (!s || !g || !perm || !s->eps || !s->ghat) {
        fftw_free(g);
        ginv_free(perm);
        if (s) circulant_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_circulant: cannot allocate the operator for "
                         "n = %d", n);
    }
    /* the stream: g, then the signs, then the rows (partial Fisher-Yates) */
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
    for (size_t i = 0; i < nn; i++) g[i] = ginv_rng_normal(&r);
    for (size_t i = 0; i < nn; i++) s->eps[i] = (ginv_rng_u64(&r) >> 63) ? -1.0f : 1.0f;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = 0; i < m; i++) {
        int k = i + (int)ginv_rng_below(&r, (uint64_t)(n - i));
        int t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
    }
    qsort(perm, (size_t)m, sizeof(int), int_cmp);
    s->rows = ginv_realloc(perm, (size_t)m * sizeof(int));
    if (!s->rows) s->rows = perm; /* shrinking failed: keep the larger block */
    /* plans on this operator's own arrays; chunks run them on theirs (the
     * new-array execute, on fftw_malloc'd arrays of the same alignment) */
    double *pbuf = fftw_malloc(nn * sizeof(double));
    ginv_fft_plan_lock();
    s->fwd = fftw_plan_dft_r2c_1d(n, g, s->ghat, FFTW_ESTIMATE);
    s->inv = pbuf ? fftw_plan_dft_c2r_1d(n, s->ghat, pbuf, FFTW_ESTIMATE) : NULL;
    ginv_fft_plan_unlock();
    fftw_free(pbuf);
    if (!s->fwd || !s->inv) {
        fftw_free(g);
        circulant_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_circulant: FFTW could not plan a transform "
                         "of length %d", n);
    }
    fftw_execute(s->fwd); /* ghat = r2c(g) (ESTIMATE planning left g intact) */
    fftw_free(g);
    return ginv_op_wrap(out, &circulant_vt, m, n, s);
}
