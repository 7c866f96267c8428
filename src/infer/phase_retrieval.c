/* phase_retrieval.c — the classical Fourier phase-retrieval baselines
 * (Fienup 1982, "Phase retrieval algorithms: a comparison", Appl. Opt. 21):
 * error reduction (ER, the Gerchberg–Saxton algorithm with object-domain
 * constraints, §II) and hybrid input-output (HIO, §IV, eq. 44), for real,
 * non-negative images supported in the h x w box of the OH x OW = (K h) x
 * (K w) grid whose Fourier magnitudes ginv_op_phaseless_fourier measures.
 *
 * One iteration on the padded grid g (Fienup's four steps):
 *     G = F g,  G' = y G / |G|  (y where G = 0),  g' = Re F^-1 G',
 *     ER:  g_{t+1} = g'   on gamma,  0            elsewhere,
 *     HIO: g_{t+1} = g'   on gamma,  g - beta g'  elsewhere,
 * gamma the pixels inside the box where g' >= 0 (g' anywhere in the box
 * without the non-negativity constraint), F the unitary 2-D DFT. Taking the
 * real part and clipping are the projection onto the convex object set, so
 * ER's Fourier error E_t = || |F g_t| - y || never increases (Fienup's
 * eqs. 14-16: E_F(t+1) <= E_O(t) <= E_F(t)). Restarts start from uniform
 * noise in the box scaled to ||g|| = ||y|| (Parseval); the one with the
 * smallest final magnitude residual is kept. Every (image, restart) is one
 * chunk of ginv's pool with its own random stream and buffers, so the
 * result does not depend on the thread count. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"
#include "base/fft_lock.h"
#include "linalg/pool.h"

#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <string.h>

void ginv_pr_opts_init(ginv_pr_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->algo = GINV_PR_HIO;
    o->iters = 500;
    o->er_iters = 100;
    o->beta = 0.9;
    o->restarts = 10;
    o->nonneg = 1;
    o->seed = 1;
    o->threads = 1;
}

typedef struct {
    int c, h, w, oh, ow;
    const ginv_pr_opts *o;
    fftw_plan fwd, inv;
    const float *Y;  /* images i0.. of the call: c oh ow magnitudes each */
    int i0, R;       /* first image of this group, restarts */
    float *Xr;       /* (images of the group x R) x c h w: every restart's answer */
    double *res;     /* (images x R): its squared magnitude residual */
    int failed;
} pr_job;

/* Fienup's magnitude step in place: G' = y G/|G| (y on the real axis where
 * G = 0), G in unitary scale; returns sum_k (|G_k| - y_k)^2 */
static double fourier_project(fftw_complex *G, const float *y, size_t N)
{
    double e = 0;
    for (size_t k = 0; k < N; k++) {
        double a = hypot(G[k][0], G[k][1]), d = a - y[k];
        e += d * d;
        if (a > 0) {
            G[k][0] *= y[k] / a;
            G[k][1] *= y[k] / a;
        } else {
            G[k][0] = y[k];
            G[k][1] = 0;
        }
    }
    return e;
}

/* One channel: T = iters (+ er_iters for HIO) iterations from g (oh x ow,
 * the start), trace2 (T, may be NULL) += E_t^2; x (h x w) gets the final g
 * projected on the object set, the return value its squared residual. */
static double pr_channel(const pr_job *j, const float *y, double *g, fftw_complex *G, float *x,
                         double *trace2)
{
    const ginv_pr_opts *o = j->o;
    size_t N = (size_t)j->oh * j->ow;
    double sc = 1.0 / sqrt((double)N);
    int T = o->iters + (o->algo == GINV_PR_HIO ? o->er_iters : 0);
    for (int t = 0; t < T; t++) {
        int hio = o->algo == GINV_PR_HIO && t < o->iters;
        for (size_t k = 0; k < N; k++) G[k][0] = g[k] * sc, G[k][1] = 0;
        fftw_execute_dft(j->fwd, G, G);
        double e = fourier_project(G, y, N);
        if (trace2) trace2[t] += e;
        fftw_execute_dft(j->inv, G, G);
        for (int p = 0; p < j->oh; p++)
            for (int q = 0; q < j->ow; q++) {
                size_t k = (size_t)p * j->ow + q;
                double gp = G[k][0] * sc;
                int in = p < j->h && q < j->w && (!o->nonneg || gp >= 0);
                g[k] = in ? gp : hio ? g[k] - o->beta * gp : 0;
            }
    }
    /* the answer: g on the object set (box, and >= 0), and its residual */
    for (size_t k = 0; k < N; k++) G[k][0] = G[k][1] = 0;
    for (int p = 0; p < j->h; p++)
        for (int q = 0; q < j->w; q++) {
            double v = g[(size_t)p * j->ow + q];
            if (o->nonneg && v < 0) v = 0;
            x[(size_t)p * j->w + q] = (float)v;
            G[(size_t)p * j->ow + q][0] = (double)x[(size_t)p * j->w + q] * sc;
        }
    fftw_execute_dft(j->fwd, G, G);
    double r = 0;
    for (size_t k = 0; k < N; k++) {
        double d = hypot(G[k][0], G[k][1]) - y[k];
        r += d * d;
    }
    return r;
}

/* Chunk b = (image b / R of the group, restart b % R): every channel from
 * its start, uniform in the box from stream (seed, PR_INIT, (image << 20) |
 * restart), scaled to the channel's ||y||. */
static void pr_chunk(void *ctx, int b)
{
    pr_job *j = ctx;
    const ginv_pr_opts *o = j->o;
    int i = b / j->R, r = b % j->R, hw = j->h * j->w;
    size_t N = (size_t)j->oh * j->ow;
    int T = o->iters + (o->algo == GINV_PR_HIO ? o->er_iters : 0);
    uint64_t img = o->first_index + (uint64_t)j->i0 + (uint64_t)i;
    double *g = ginv_malloc(N * sizeof(double));
    fftw_complex *G = fftw_malloc(N * sizeof(fftw_complex));
    double *tr = o->trace ? o->trace + ((size_t)(j->i0 + i) * j->R + r) * T : NULL;
    if (!g || !G) {
        ginv_free(g);
        fftw_free(G);
        j->failed = 1;
        return;
    }
    ginv_rng rng;
    ginv_rng_init(&rng, o->seed, GINV_STREAM_PR_INIT, (img << 20) | (uint64_t)r);
    if (tr) memset(tr, 0, (size_t)T * sizeof(double));
    double res = 0, yy = 0;
    for (int ch = 0; ch < j->c; ch++) {
        const float *y = j->Y + ((size_t)i * j->c + ch) * N;
        double ny = 0, ng = 0;
        for (size_t k = 0; k < N; k++) ny += (double)y[k] * y[k], g[k] = 0;
        for (int p = 0; p < j->h; p++)
            for (int q = 0; q < j->w; q++) {
                double v = ginv_rng_uniform(&rng);
                g[(size_t)p * j->ow + q] = v;
                ng += v * v;
            }
        for (size_t k = 0; k < N; k++) g[k] *= ng > 0 ? sqrt(ny / ng) : 0;
        res += pr_channel(j, y, g, G, j->Xr + ((size_t)b * j->c + ch) * hw, tr);
        yy += ny;
    }
    for (int t = 0; tr && t < T; t++) tr[t] = yy > 0 ? sqrt(tr[t] / yy) : sqrt(tr[t]);
    j->res[b] = res;
    ginv_free(g);
    fftw_free(G);
}

static ginv_status pr_check(int c, int h, int w, int K, int N, const float *Y,
                            const ginv_pr_opts *o)
{
    const char *who = "ginv_phase_retrieval_run";
    if (K < 1 || K > 16)
        return ginv_fail(GINV_ERR_ARG, "%s: oversampling factor %d is out of range; the image is "
                         "zero-padded K times per side with K an integer in [1, 16]", who, K);
    if (c < 1 || h < 1 || w < 1 || h > (1 << 15) / K || w > (1 << 15) / K ||
        (long long)c * h * w * K * K > INT_MAX / 2 || N < 0)
        return ginv_fail(GINV_ERR_ARG, "%s: %d images of %d x %d x %d padded %d times are invalid; "
                         "c, h, w >= 1, N >= 0 and c (K h) (K w) <= %d", who, N, c, h, w, K,
                         INT_MAX / 2);
    if ((o->algo != GINV_PR_ER && o->algo != GINV_PR_HIO) || o->iters < 0 || o->er_iters < 0 ||
        o->restarts < 1 || o->restarts > (1 << 20) || !(o->beta > 0 && o->beta <= 2))
        return ginv_fail(GINV_ERR_ARG, "%s: needs algo ER or HIO, iters >= 0, er_iters >= 0, "
                         "1 <= restarts <= 2^20 and 0 < beta <= 2 (got %d, %d, %d, %d, %g)", who,
                         (int)o->algo, o->iters, o->er_iters, o->restarts, o->beta);
    size_t m = (size_t)c * h * w * K * K;
    for (size_t i = 0; i < (size_t)N * m; i++)
        if (!isfinite(Y[i]) || Y[i] < 0)
            return ginv_fail(GINV_ERR_ARG, "%s: magnitude %zu of image %zu is %g; Fourier "
                             "magnitudes are finite and >= 0", who, i % m, i / m, Y[i]);
    return GINV_OK;
}

/* Images in groups of about 64 chunks: each group's (image, restart) pairs
 * on the pool, then the best restart of each image copied out. */
static ginv_status pr_run(int c, int h, int w, int K, int N, const float *Y,
                          const ginv_pr_opts *o, float *X, double *resid)
{
    ginv_status st = pr_check(c, h, w, K, N, Y, o);
    if (st != GINV_OK || N == 0) return st;
    int R = o->restarts, per = 64 / R > 1 ? 64 / R : 1, oh = K * h, ow = K * w;
    if (per > N) per = N;
    size_t hw = (size_t)h * w, m = (size_t)c * oh * ow;
    ginv_blas_set_threads(o->threads);
    pr_job j = {c, h, w, oh, ow, o, NULL, NULL, NULL, 0, R, NULL, NULL, 0};
    j.Xr = ginv_malloc((size_t)per * R * c * hw * sizeof(float));
    j.res = ginv_malloc((size_t)per * R * sizeof(double));
    fftw_complex *pbuf = fftw_malloc((size_t)oh * ow * sizeof(fftw_complex));
    if (j.Xr && j.res && pbuf) {
        ginv_fft_plan_lock();
        j.fwd = fftw_plan_dft_2d(oh, ow, pbuf, pbuf, FFTW_FORWARD, FFTW_ESTIMATE);
        j.inv = fftw_plan_dft_2d(oh, ow, pbuf, pbuf, FFTW_BACKWARD, FFTW_ESTIMATE);
        ginv_fft_plan_unlock();
    }
    if (!j.fwd || !j.inv)
        st = ginv_fail(GINV_ERR_NOMEM, "ginv_phase_retrieval_run: cannot allocate or plan the "
                       "%d x %d transforms", oh, ow);
    for (int i0 = 0; st == GINV_OK && i0 < N; i0 += per) {
        if ((st = ginv_check_cancel("phase retrieval")) != GINV_OK) break;
        int ni = N - i0 < per ? N - i0 : per;
        j.Y = Y + (size_t)i0 * m, j.i0 = i0;
        ginv_pool_run(ni * R, pr_chunk, &j);
        if (j.failed) {
            st = ginv_fail(GINV_ERR_NOMEM, "ginv_phase_retrieval_run: out of memory");
            break;
        }
        for (int i = 0; i < ni; i++) {
            int best = 0;
            for (int r = 1; r < R; r++)
                if (j.res[(size_t)i * R + r] < j.res[(size_t)i * R + best]) best = r;
            double yy = 0;
            for (size_t k = 0; k < m; k++) yy += (double)j.Y[i * m + k] * j.Y[i * m + k];
            double r2 = j.res[(size_t)i * R + best];
            if (X)
                memcpy(X + (size_t)(i0 + i) * c * hw, j.Xr + ((size_t)i * R + best) * c * hw,
                       c * hw * sizeof(float));
            if (resid) resid[i0 + i] = yy > 0 ? sqrt(r2 / yy) : sqrt(r2);
        }
        ginv_progress("phase retrieval", i0 + ni, N);
    }
    ginv_fft_plan_lock();
    if (j.fwd) fftw_destroy_plan(j.fwd);
    if (j.inv) fftw_destroy_plan(j.inv);
    ginv_fft_plan_unlock();
    fftw_free(pbuf);
    ginv_free(j.Xr);
    ginv_free(j.res);
    return st;
}

ginv_status ginv_phase_retrieval_run(int c, int h, int w, int K, int N, const float *Y,
                                     const ginv_pr_opts *o, float *X, double *resid)
{
    GINV_NONNULL(Y);
    GINV_NONNULL(o);
    ginv_run_scope sc;
    ginv_pr_opts oc = *o;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, pr_run(c, h, w, K, N, Y, &oc, X, resid));
}
