/* fourier.c — Fourier undersampling (MRI-like): the unitary 2-D DFT of each
 * channel of a c x h x w image, X[k, l] = (hw)^(-1/2) sum_{p,q} x[p, q]
 * e^{-2 pi i (kp/h + lq/w)}, kept at a list of frequencies. Frequencies are
 * named by cells of the centred (fftshift) grid: cell (r, s) is frequency
 * ((r - h/2) mod h, (s - w/2) mod w), DC at (h/2, w/2). Each kept X is
 * stored as the pair (Re X, Im X), so the operator is a real-linear map
 * R^n -> R^{2 c kept} and its adjoint is the real part of the zero-filled
 * unitary inverse DFT of (y_re + i y_im): for z_t = sum_p x_p w_tp,
 * <Ax, y> = Re sum_t conj(y_t) z_t = sum_p x_p Re sum_t y_t conj(w_tp).
 * A full mask makes A an isometry; no other scaling is applied (as
 * subsample's).
 *
 * Also the frequency sets of the text specs (random, radial lines,
 * Cartesian rows with a centre band; docs/operators.md). */
#include "measure/op_impl.h"
#include "base/fft_lock.h"
#include "linalg/pool.h"

#include <fftw3.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int c, h, w, kept;
    int *fidx;          /* (kept) index k * w + l of each kept frequency in the FFT's array */
    fftw_plan fwd, inv; /* in-place 2-D c2c, h x w */
} fourier_state;

static void fourier_free(void *p)
{
    fourier_state *s = p;
    ginv_fft_plan_lock();
    if (s->fwd) fftw_destroy_plan(s->fwd);
    if (s->inv) fftw_destroy_plan(s->inv);
    ginv_fft_plan_unlock();
    ginv_free(s->fidx);
    ginv_free(s);
}

typedef struct {
    const fourier_state *s;
    int planes, per, adjoint;
    const float *in;
    float *out;
    int failed;
} fourier_job;

/* Planes [c * per, ..) of the B x c planes, each alone. Plane pl is channel
 * pl % c of signal pl / c: x at pl * hw, y at pl * 2 kept (the layout of
 * y[b, ch * 2 kept + 2 t + {0, 1}]). */
static void fourier_chunk(void *ctx, int chunk)
{
    fourier_job *j = ctx;
    const fourier_state *s = j->s;
    size_t hw = (size_t)s->h * (size_t)s->w, K = (size_t)s->kept;
    fftw_complex *buf = fftw_malloc(hw * sizeof(fftw_complex)); /* (h, w) */
    if (!buf) {
        j->failed = 1;
        return;
    }
    double scale = 1.0 / sqrt((double)hw); /* unitary */
    int p0 = chunk * j->per, p1 = p0 + j->per < j->planes ? p0 + j->per : j->planes;
    for (int pl = p0; pl < p1; pl++) {
        if (!j->adjoint) {
            const float *x = j->in + (size_t)pl * hw;
            for (size_t i = 0; i < hw; i++) {
                buf[i][0] = x[i];
                buf[i][1] = 0;
            }
            fftw_execute_dft(s->fwd, buf, buf);
            float *y = j->out + (size_t)pl * 2 * K;
            for (size_t t = 0; t < K; t++) {
                y[2 * t] = (float)(buf[s->fidx[t]][0] * scale);
                y[2 * t + 1] = (float)(buf[s->fidx[t]][1] * scale);
            }
        } else {
            const float *y = j->in + (size_t)pl * 2 * K;
            memset(buf, 0, hw * sizeof(fftw_complex));
            for (size_t t = 0; t < K; t++) {
                buf[s->fidx[t]][0] = y[2 * t];
                buf[s->fidx[t]][1] = y[2 * t + 1];
            }
            fftw_execute_dft(s->inv, buf, buf); /* e^{+2 pi i ...}, unnormalised */
            float *x = j->out + (size_t)pl * hw;
            for (size_t i = 0; i < hw; i++) x[i] = (float)(buf[i][0] * scale);
        }
    }
    fftw_free(buf);
}

static void fourier_run(const ginv_op *op, int B, int adjoint, const float *in, float *out)
{
    const fourier_state *s = op->state;
    int hw = s->h * s->w, planes = B * s->c;
    int per = hw >= 4096 ? 1 : 4096 / hw; /* fixed by the sizes, never by the thread count */
    fourier_job j = {s, planes, per, adjoint, in, out, 0};
    ginv_pool_run((planes + per - 1) / per, fourier_chunk, &j);
    if (j.failed) {
        size_t cnt = (size_t)B * (size_t)(adjoint ? op->n : op->m);
        for (size_t i = 0; i < cnt; i++) out[i] = NAN;
        ginv_fail(GINV_ERR_NOMEM, "fourier-subsample operator: cannot allocate an FFT buffer "
                  "of %d x %d", s->h, s->w);
    }
}

static void fourier_apply(const ginv_op *op, int B, const float *x, float *y)
{
    fourier_run(op, B, 0, x, y);
}

static void fourier_adjoint(const ginv_op *op, int B, const float *y, float *x)
{
    fourier_run(op, B, 1, y, x);
}

static const ginv_op_vtable fourier_vt = {"fourier-subsample", fourier_apply, fourier_adjoint,
                                          fourier_free};

/* Fail unless c x h x w is a valid image of at most INT_MAX values. */
static ginv_status check_image(const char *who, int c, int h, int w)
{
    if (c < 1 || h < 1 || w < 1 || h > (1 << 15) || w > (1 << 15) || c > (1 << 15) ||
        (long long)c * h * w > INT_MAX / 2)
        return ginv_fail(GINV_ERR_ARG, "%s: image %d x %d x %d is invalid; c, h and w must be "
                         ">= 1 with 2*c*h*w <= %d", who, c, h, w, INT_MAX);
    return GINV_OK;
}

ginv_status ginv_op_fourier_subsample(ginv_op **out, int c, int h, int w, int kept,
                                      const int *idx /* (kept) */)
{
    const char *who = "ginv_op_fourier_subsample";
    ginv_status st = ginv_op_check_out(out, who);
    if (st) return st;
    if ((st = check_image(who, c, h, w))) return st;
    int hw = h * w;
    if (!idx) return ginv_fail(GINV_ERR_ARG, "%s: idx is NULL; pass the kept cells", who);
    if (kept < 1 || kept > hw)
        return ginv_fail(GINV_ERR_ARG, "%s: %d kept frequencies is out of range; keep 1 to "
                         "h*w = %d", who, kept, hw);
    char *seen = ginv_calloc((size_t)hw, 1);
    fourier_state *s = ginv_calloc(1, sizeof *s);
    int *fidx = ginv_malloc((size_t)kept * sizeof(int));
    fftw_complex *pbuf = fftw_malloc((size_t)hw * sizeof(fftw_complex));
    if (!seen || !s || !fidx || !pbuf) {
        ginv_free(seen);
        ginv_free(s);
        ginv_free(fidx);
        fftw_free(pbuf);
        return ginv_fail(GINV_ERR_NOMEM, "%s: cannot allocate the operator for %d x %d", who,
                         h, w);
    }
    for (int t = 0; t < kept; t++) {
        int cell = idx[t];
        if (cell < 0 || cell >= hw || seen[cell]) {
            ginv_free(seen);
            ginv_free(s);
            ginv_free(fidx);
            fftw_free(pbuf);
            if (cell < 0 || cell >= hw)
                return ginv_fail(GINV_ERR_ARG, "%s: idx[%d] = %d is outside the %d x %d grid "
                                 "[0, %d)", who, t, cell, h, w, hw);
            return ginv_fail(GINV_ERR_ARG, "%s: idx[%d] = %d repeats an earlier cell; cells "
                             "must be distinct", who, t, cell);
        }
        seen[cell] = 1;
        int r = cell / w, q = cell % w;
        int k = (r - h / 2 + h) % h, l = (q - w / 2 + w) % w; /* undo the fftshift */
        fidx[t] = k * w + l;
    }
    ginv_free(seen);
    *s = (fourier_state){c, h, w, kept, fidx, NULL, NULL};
    ginv_fft_plan_lock();
    s->fwd = fftw_plan_dft_2d(h, w, pbuf, pbuf, FFTW_FORWARD, FFTW_ESTIMATE);
    s->inv = fftw_plan_dft_2d(h, w, pbuf, pbuf, FFTW_BACKWARD, FFTW_ESTIMATE);
    ginv_fft_plan_unlock();
    fftw_free(pbuf);
    if (!s->fwd || !s->inv) {
        fourier_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "%s: FFTW could not plan a %d x %d transform", who, h,
                         w);
    }
    return ginv_op_wrap(out, &fourier_vt, 2 * c * kept, c * hw, s);
}

/* qsort order of ints */
static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The cells of the centred h x w grid a spec's mode keeps, increasing:
 * random: `param` cells uniformly (partial Fisher-Yates on stream
 * (seed, OP, index)); radial: `param` lines through DC at angles pi j / L,
 * each rasterised at half-cell steps; cartesian: every R-th row counted from
 * DC's row, plus the B = max(1, round(0.32 h / R)) rows of the centre band
 * (rows h/2 - B/2 .. h/2 - B/2 + B - 1), all columns. */
ginv_status ginv_fourier_cells(int mode, int param, int h, int w, uint64_t seed, uint64_t index,
                               int **cells, int *kept)
{
    *cells = NULL;
    *kept = 0;
    ginv_status st = check_image("fourier-subsample", 1, h, w);
    if (st) return st;
    int hw = h * w, ch = h / 2, cw = w / 2;
    if (mode == GINV_FOURIER_RANDOM && (param < 1 || param > hw))
        return ginv_fail(GINV_ERR_ARG, "fourier-subsample:random:%d is out of range; keep 1 to "
                         "h*w = %d coefficients of the %d x %d grid", param, hw, h, w);
    if (mode == GINV_FOURIER_RADIAL && (param < 1 || param > 2 * (h + w)))
        return ginv_fail(GINV_ERR_ARG, "fourier-subsample:radial:%d is out of range; a %d x %d "
                         "grid takes 1 to %d lines", param, h, w, 2 * (h + w));
    if (mode == GINV_FOURIER_CARTESIAN && (param < 1 || param > h))
        return ginv_fail(GINV_ERR_ARG, "fourier-subsample:cartesian:%d is out of range; R must "
                         "be in [1, h = %d]", param, h);
    if (mode != GINV_FOURIER_RANDOM && mode != GINV_FOURIER_RADIAL &&
        mode != GINV_FOURIER_CARTESIAN)
        return ginv_fail(GINV_ERR_ARG, "fourier-subsample: unknown frequency set %d", mode);
    int *out = ginv_malloc((size_t)hw * sizeof(int)); /* (hw) */
    if (!out) return ginv_fail(GINV_ERR_NOMEM, "fourier-subsample: out of memory");
    int K = 0;
    if (mode == GINV_FOURIER_RANDOM) {
        for (int i = 0; i < hw; i++) out[i] = i;
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_OP, index);
        for (int i = 0; i < param; i++) {
            int k = i + (int)ginv_rng_below(&r, (uint64_t)(hw - i));
            int t = out[i];
            out[i] = out[k];
            out[k] = t;
        }
        K = param;
        qsort(out, (size_t)K, sizeof(int), int_cmp);
    } else {
        char *mark = ginv_calloc((size_t)hw, 1);
        if (!mark) {
            ginv_free(out);
            return ginv_fail(GINV_ERR_NOMEM, "fourier-subsample: out of memory");
        }
        if (mode == GINV_FOURIER_RADIAL) {
            const double pi = 3.14159265358979323846;
            int T = 2 * (h > w ? h : w); /* half-steps reach every edge */
            for (int j = 0; j < param; j++) {
                double th = pi * j / param, sn = sin(th), cs = cos(th);
                for (int t = -T; t <= T; t++) {
                    int r = ch + (int)floor(0.5 * t * sn + 0.5);
                    int q = cw + (int)floor(0.5 * t * cs + 0.5);
                    if (r >= 0 && r < h && q >= 0 && q < w) mark[r * w + q] = 1;
                }
            }
        } else {
            int R = param;
            int band = (int)floor(0.32 * h / R + 0.5);
            if (band < 1) band = 1;
            int b0 = ch - band / 2;
            for (int r = 0; r < h; r++)
                if (((r - ch) % R + R) % R == 0 || (r >= b0 && r < b0 + band))
                    memset(mark + (size_t)r * w, 1, (size_t)w);
        }
        for (int i = 0; i < hw; i++)
            if (mark[i]) out[K++] = i;
        ginv_free(mark);
    }
    *cells = out;
    *kept = K;
    return GINV_OK;
}
