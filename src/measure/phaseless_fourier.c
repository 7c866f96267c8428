/* phaseless_fourier.c — Fourier phase retrieval (the optical problem; issue
 * #17, in the amplitude form of Hand, Leong & Voroninski 2018, eq. 2):
 * y = |F x|, F the unitary 2-D DFT of each channel of a c x h x w image
 * zero-padded (bottom, right) to OH x OW = (K h) x (K w),
 *     X_k = (OH OW)^(-1/2) sum_{p<h, q<w} x[p, q] e^{-2 pi i (k1 p/OH + k2 q/OW)},
 * all OH OW frequencies in FFT order (k = k1 OW + k2). The operator is the
 * linear part u = A x and the link CABS (op.c): for real x, X_p(k) =
 * conj(X_k) with p(k) = (-k1 mod OH, -k2 mod OW), so the real orthonormal
 * form of the DFT stores, per conjugate pair k < p(k),
 *     (u_k, u_p(k)) = sqrt(2) (Re X_k, Im X_k),   and u_k = X_k if p(k) = k,
 * and |X_k| = |X_p(k)| = sqrt((u_k^2 + u_p(k)^2) / 2). ||u|| = ||X|| = ||x||
 * (Parseval), so A^T A = I and A^T u = crop(Re IDFT(X(u))), X(u) the
 * Hermitian spectrum the pairs encode. Also the ambiguity metric of
 * ginv_op_rel_error: min over sign, circular shift and flip per channel. */
#include "measure/op_impl.h"
#include "base/check_internal.h"
#include "base/fft_lock.h"
#include "linalg/pool.h"

#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <string.h>

typedef struct {
    int c, h, w, K, oh, ow;
    int *pair;          /* (oh * ow * c) p(i) for every output, channel offsets included */
    fftw_plan fwd, inv; /* in-place 2-D c2c, oh x ow */
} pf_state;

static void pf_free(void *p)
{
    pf_state *s = p;
    ginv_fft_plan_lock();
    if (s->fwd) fftw_destroy_plan(s->fwd);
    if (s->inv) fftw_destroy_plan(s->inv);
    ginv_fft_plan_unlock();
    ginv_free(s->pair);
    ginv_free(s);
}

typedef struct {
    const pf_state *s;
    int planes, adjoint;
    const float *in;
    float *out;
    int failed;
} pf_job;

/* One plane (channel pl % c of signal pl / c): x at pl * h w, u at pl * oh ow.
 * Forward: pad, DFT, unitary scale, pack the pairs. Adjoint: unpack the
 * Hermitian X, inverse DFT, scale, real part of the h x w corner. */
static void pf_chunk(void *ctx, int pl)
{
    pf_job *j = ctx;
    const pf_state *s = j->s;
    size_t hw = (size_t)s->h * s->w, N = (size_t)s->oh * s->ow;
    const int *pair = s->pair; /* plane 0's: p(k) within the plane */
    fftw_complex *buf = fftw_malloc(N * sizeof(fftw_complex)); /* (oh, ow) */
    if (!buf) {
        j->failed = 1;
        return;
    }
    double scale = 1.0 / sqrt((double)N), r2 = sqrt(2.0);
    memset(buf, 0, N * sizeof(fftw_complex));
    if (!j->adjoint) {
        const float *x = j->in + (size_t)pl * hw; /* (h, w) */
        float *u = j->out + (size_t)pl * N;       /* (oh, ow) */
        for (int p = 0; p < s->h; p++)
            for (int q = 0; q < s->w; q++) buf[(size_t)p * s->ow + q][0] = x[(size_t)p * s->w + q];
        fftw_execute_dft(s->fwd, buf, buf);
        for (size_t k = 0; k < N; k++) {
            size_t pk = (size_t)pair[k];
            if (pk == k) u[k] = (float)(buf[k][0] * scale);
            else if (k < pk) {
                u[k] = (float)(r2 * buf[k][0] * scale);
                u[pk] = (float)(r2 * buf[k][1] * scale);
            }
        }
    } else {
        const float *u = j->in + (size_t)pl * N; /* (oh, ow) */
        float *x = j->out + (size_t)pl * hw;     /* (h, w) */
        for (size_t k = 0; k < N; k++) {
            size_t pk = (size_t)pair[k];
            if (pk == k) buf[k][0] = u[k];
            else if (k < pk) { /* X_k = (u_k + i u_p(k)) / sqrt 2, X_p(k) its conjugate */
                buf[k][0] = buf[pk][0] = u[k] / r2;
                buf[k][1] = u[pk] / r2;
                buf[pk][1] = -u[pk] / r2;
            }
        }
        fftw_execute_dft(s->inv, buf, buf); /* e^{+2 pi i ...}, unnormalised */
        for (int p = 0; p < s->h; p++)
            for (int q = 0; q < s->w; q++)
                x[(size_t)p * s->w + q] = (float)(buf[(size_t)p * s->ow + q][0] * scale);
    }
    fftw_free(buf);
}

static void pf_run(const ginv_op *op, int B, int adjoint, const float *in, float *out)
{
    const pf_state *s = op->state;
    pf_job j = {s, B * s->c, adjoint, in, out, 0};
    ginv_pool_run(j.planes, pf_chunk, &j);
    if (j.failed) {
        size_t cnt = (size_t)B * (size_t)(adjoint ? op->n : op->m);
        for (size_t i = 0; i < cnt; i++) out[i] = NAN;
        ginv_fail(GINV_ERR_NOMEM, "phaseless-fourier operator: cannot allocate an FFT buffer "
                  "of %d x %d", s->oh, s->ow);
    }
}

/* u (B x m) = A x (B x n): the real orthonormal padded DFT */
static void pf_apply(const ginv_op *op, int B, const float *x, float *u) { pf_run(op, B, 0, x, u); }

/* x (B x n) = A^T u (B x m) = crop(Re IDFT(X(u))) */
static void pf_adjoint(const ginv_op *op, int B, const float *u, float *x)
{
    pf_run(op, B, 1, u, x);
}

/* The best trivial ambiguity of one channel: the sign s = +-1, flip f and
 * shift t = (t1, t2) maximising <a, s S_t f b> on the padded grid.
 * <a, S_t b> = (a corr b)[t] = IDFT(A conj B)[t] and <a, S_t f b> =
 * (a conv b)[t] = IDFT(A B)[t], the flip f b[p] = b[-p]. b's pixel (p, q)
 * lands on (t1 + p, t2 + q) (shift) or (t1 - p, t2 - q) (flip) mod (oh, ow). */
typedef struct {
    int flip, sgn, t1, t2;
} pf_move;

static pf_move best_move(const pf_state *s, const float *a, const float *b, fftw_complex *fa,
                         fftw_complex *fb, fftw_complex *fc)
{
    size_t N = (size_t)s->oh * s->ow;
    memset(fa, 0, N * sizeof(fftw_complex));
    memset(fb, 0, N * sizeof(fftw_complex));
    for (int p = 0; p < s->h; p++)
        for (int q = 0; q < s->w; q++) {
            fa[(size_t)p * s->ow + q][0] = a[(size_t)p * s->w + q];
            fb[(size_t)p * s->ow + q][0] = b[(size_t)p * s->w + q];
        }
    fftw_execute_dft(s->fwd, fa, fa);
    fftw_execute_dft(s->fwd, fb, fb);
    double best = -INFINITY;
    int bf = 0, bsgn = 1;
    size_t bt = 0;
    for (int flip = 0; flip < 2; flip++) {
        for (size_t k = 0; k < N; k++) { /* A conj(B) or A B */
            double br = fb[k][0], bi = flip ? fb[k][1] : -fb[k][1];
            fc[k][0] = fa[k][0] * br - fa[k][1] * bi;
            fc[k][1] = fa[k][0] * bi + fa[k][1] * br;
        }
        fftw_execute_dft(s->inv, fc, fc);
        for (size_t t = 0; t < N; t++)
            if (fabs(fc[t][0]) > best) {
                best = fabs(fc[t][0]);
                bf = flip, bt = t, bsgn = fc[t][0] < 0 ? -1 : 1;
            }
    }
    return (pf_move){bf, bsgn, (int)(bt / (size_t)s->ow), (int)(bt % (size_t)s->ow)};
}

/* where the move sends pixel (p, q) of the h x w box, on the padded grid */
static size_t moved_index(const pf_state *s, pf_move mv, int p, int q)
{
    int r = mv.flip ? mv.t1 - p : mv.t1 + p, c = mv.flip ? mv.t2 - q : mv.t2 + q;
    r = ((r % s->oh) + s->oh) % s->oh;
    c = ((c % s->ow) + s->ow) % s->ow;
    return (size_t)r * s->ow + c;
}

/* Channel ch's part of the metric: min over s = +-1, flip f and shift t of
 * ||a - s S_t f b||^2 on the padded grid: the best (s, f, t) found by
 * best_move, then its distance measured directly. */
static double channel_sqdist(const pf_state *s, const float *a, const float *b,
                             fftw_complex *fa, fftw_complex *fb, fftw_complex *fc)
{
    size_t N = (size_t)s->oh * s->ow;
    pf_move mv = best_move(s, a, b, fa, fb, fc);
    double d = 0, bb = 0, overlap = 0;
    float *moved = ginv_calloc(N, sizeof(float)); /* s S_t f b, (oh, ow) */
    if (!moved) return NAN;
    for (int p = 0; p < s->h; p++)
        for (int q = 0; q < s->w; q++) {
            moved[moved_index(s, mv, p, q)] = (float)mv.sgn * b[(size_t)p * s->w + q];
            bb += (double)b[(size_t)p * s->w + q] * b[(size_t)p * s->w + q];
        }
    for (int p = 0; p < s->h; p++)
        for (int q = 0; q < s->w; q++) {
            double av = a[(size_t)p * s->w + q], mv_ = moved[(size_t)p * s->ow + q];
            d += (av - mv_) * (av - mv_);
            overlap += mv_ * mv_;
        }
    ginv_free(moved);
    return d + (bb - overlap); /* plus the part of s S_t f b outside a's h x w corner */
}

/* sqrt(sum_ch min_{s, t, f} ||a_ch - s S_t f b_ch||^2) / ||b|| */
static double pf_rel_error(const ginv_op *op, const float *a, const float *b)
{
    const pf_state *s = op->state;
    size_t hw = (size_t)s->h * s->w, N = (size_t)s->oh * s->ow;
    fftw_complex *fa = fftw_malloc(N * sizeof(fftw_complex));
    fftw_complex *fb = fftw_malloc(N * sizeof(fftw_complex));
    fftw_complex *fc = fftw_malloc(N * sizeof(fftw_complex));
    double d = 0, bb = 0;
    for (int ch = 0; fa && fb && fc && ch < s->c; ch++)
        d += channel_sqdist(s, a + ch * hw, b + ch * hw, fa, fb, fc);
    for (size_t i = 0; i < (size_t)s->c * hw; i++) bb += (double)b[i] * b[i];
    int ok = fa && fb && fc;
    fftw_free(fa);
    fftw_free(fb);
    fftw_free(fc);
    if (!ok) return NAN;
    if (d < 0) d = 0;
    return bb > 0 ? sqrt(d / bb) : sqrt(d);
}

static const ginv_op_vtable pf_vt = {"phaseless-fourier", pf_apply, pf_adjoint, pf_free,
                                     GINV_LINK_CABS, pf_rel_error};

ginv_status ginv_op_phaseless_fourier(ginv_op **out, int c, int h, int w, int oversample)
{
    const char *who = "ginv_op_phaseless_fourier";
    ginv_status st = ginv_op_check_out(out, who);
    if (st) return st;
    if (oversample < 1 || oversample > 16)
        return ginv_fail(GINV_ERR_ARG, "%s: oversampling factor %d is out of range; the image "
                         "is zero-padded K times per side with K an integer in [1, 16] "
                         "(2 is the classic choice)", who, oversample);
    if (c < 1 || h < 1 || w < 1 || h > (1 << 15) / oversample || w > (1 << 15) / oversample ||
        (long long)c * h * w * oversample * oversample > INT_MAX / 2)
        return ginv_fail(GINV_ERR_ARG, "%s: image %d x %d x %d padded %d times is invalid; c, h "
                         "and w must be >= 1 with c (K h) (K w) <= %d", who, c, h, w, oversample,
                         INT_MAX / 2);
    int oh = oversample * h, ow = oversample * w, N = oh * ow;
    pf_state *s = ginv_calloc(1, sizeof *s);
    int *pair = ginv_malloc((size_t)N * c * sizeof(int));
    fftw_complex *pbuf = fftw_malloc((size_t)N * sizeof(fftw_complex));
    if (!s || !pair || !pbuf) {
        ginv_free(s);
        ginv_free(pair);
        fftw_free(pbuf);
        return ginv_fail(GINV_ERR_NOMEM, "%s: cannot allocate the operator for %d x %d padded to "
                         "%d x %d", who, h, w, oh, ow);
    }
    for (int ch = 0; ch < c; ch++) /* p(k) = (-k1 mod oh, -k2 mod ow), within each channel */
        for (int k1 = 0; k1 < oh; k1++)
            for (int k2 = 0; k2 < ow; k2++)
                pair[(size_t)ch * N + (size_t)k1 * ow + k2] =
                    ch * N + ((oh - k1) % oh) * ow + (ow - k2) % ow;
    *s = (pf_state){c, h, w, oversample, oh, ow, pair, NULL, NULL};
    ginv_fft_plan_lock();
    s->fwd = fftw_plan_dft_2d(oh, ow, pbuf, pbuf, FFTW_FORWARD, FFTW_ESTIMATE);
    s->inv = fftw_plan_dft_2d(oh, ow, pbuf, pbuf, FFTW_BACKWARD, FFTW_ESTIMATE);
    ginv_fft_plan_unlock();
    fftw_free(pbuf);
    if (!s->fwd || !s->inv) {
        pf_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "%s: FFTW could not plan a %d x %d transform", who, oh,
                         ow);
    }
    st = ginv_op_wrap(out, &pf_vt, c * N, c * h * w, s);
    if (st == GINV_OK) (*out)->pair = pair;
    return st;
}

/* out = a moved by the inverse of the best ambiguity of ginv_op_rel_error:
 * out[p, q] = s a_pad[where (p, q) of b goes], a_pad zero outside a's box. */
ginv_status ginv_op_align(const ginv_op *op, const float *a, const float *b, float *out)
{
    GINV_NONNULL(op);
    GINV_NONNULL(a);
    GINV_NONNULL(b);
    GINV_NONNULL(out);
    if (op->vt != &pf_vt) {
        memmove(out, a, (size_t)op->n * sizeof(float));
        return GINV_OK;
    }
    const pf_state *s = op->state;
    size_t hw = (size_t)s->h * s->w, N = (size_t)s->oh * s->ow;
    fftw_complex *fa = fftw_malloc(N * sizeof(fftw_complex));
    fftw_complex *fb = fftw_malloc(N * sizeof(fftw_complex));
    fftw_complex *fc = fftw_malloc(N * sizeof(fftw_complex));
    float *apad = ginv_calloc(N, sizeof(float));
    ginv_status st = GINV_OK;
    if (!fa || !fb || !fc || !apad) st = ginv_fail(GINV_ERR_NOMEM, "ginv_op_align: out of memory");
    for (int ch = 0; st == GINV_OK && ch < s->c; ch++) {
        const float *ac = a + ch * hw, *bc = b + ch * hw;
        pf_move mv = best_move(s, ac, bc, fa, fb, fc);
        memset(apad, 0, N * sizeof(float));
        for (int p = 0; p < s->h; p++)
            for (int q = 0; q < s->w; q++) apad[(size_t)p * s->ow + q] = ac[(size_t)p * s->w + q];
        for (int p = 0; p < s->h; p++)
            for (int q = 0; q < s->w; q++)
                out[ch * hw + (size_t)p * s->w + q] = (float)mv.sgn * apad[moved_index(s, mv, p, q)];
    }
    fftw_free(fa);
    fftw_free(fb);
    fftw_free(fc);
    ginv_free(apad);
    return st;
}
