/* wavelet.c — periodized orthonormal wavelets on images: Haar (2 taps) and
 * Daubechies-4 ("db2" in PyWavelets: 4 taps, 2 vanishing moments). One
 * level on a line of even length L (indices mod L, periodic extension):
 *     a[k] = sum_j lo[j] x[(2k + j) mod L],  d[k] = sum_j hi[j] x[(2k + j) mod L],
 * hi[j] = (-1)^j lo[T-1-j], output [a | d]. The periodized filter bank is
 * an orthogonal matrix for any even L (the double-shift orthogonality of
 * lo), so synthesis is its transpose, scattered the same way. In 2-D every
 * level transforms the rows, then the columns, of the current low-pass
 * block (Mallat layout: the coarsest approximation top-left); levels go on
 * while both sides of that block are even and at least the filter length
 * (28 x 28: two levels, down to 7 x 7). Arithmetic is double. */
#include "sparse/wavelet.h"

#include <math.h>
#include <string.h>

static const ginv_wavelet haar = {2, {0.70710678118654752440, 0.70710678118654752440, 0, 0}};
/* (1 + sqrt 3, 3 + sqrt 3, 3 - sqrt 3, 1 - sqrt 3) / (4 sqrt 2) */
static const ginv_wavelet db4 = {4, {0.48296291314453410060, 0.83651630373780772043,
                                     0.22414386804201338887, -0.12940952255126034198}};

const ginv_wavelet *ginv_wavelet_of(ginv_basis b)
{
    return b == GINV_BASIS_HAAR ? &haar : b == GINV_BASIS_DB4 ? &db4 : NULL;
}

int ginv_wavelet_levels(const ginv_wavelet *wv, int h, int w)
{
    int lv = 0;
    while (h % 2 == 0 && w % 2 == 0 && h >= wv->taps && w >= wv->taps) {
        h /= 2;
        w /= 2;
        lv++;
    }
    return lv;
}

/* One analysis level on x[0], x[s], ..., x[(L-1) s] in place (tmp: L). */
static void analyze_line(const ginv_wavelet *wv, double *x, size_t s, int L, double *tmp)
{
    int T = wv->taps, half = L / 2;
    for (int k = 0; k < half; k++) {
        double a = 0, d = 0;
        for (int j = 0; j < T; j++) {
            double v = x[(size_t)((2 * k + j) % L) * s];
            a += wv->lo[j] * v;
            d += ((j & 1) ? -1 : 1) * wv->lo[T - 1 - j] * v;
        }
        tmp[k] = a;
        tmp[half + k] = d;
    }
    for (int i = 0; i < L; i++) x[(size_t)i * s] = tmp[i];
}

/* The transpose of analyze_line (its inverse), in place (tmp: L). */
static void synthesize_line(const ginv_wavelet *wv, double *x, size_t s, int L, double *tmp)
{
    int T = wv->taps, half = L / 2;
    memset(tmp, 0, (size_t)L * sizeof(double));
    for (int k = 0; k < half; k++) {
        double a = x[(size_t)k * s], d = x[(size_t)(half + k) * s];
        for (int j = 0; j < T; j++)
            tmp[(2 * k + j) % L] += wv->lo[j] * a + ((j & 1) ? -1 : 1) * wv->lo[T - 1 - j] * d;
    }
    for (int i = 0; i < L; i++) x[(size_t)i * s] = tmp[i];
}

void ginv_wavelet_analyze(const ginv_wavelet *wv, int h, int w, const float *x, float *c,
                          double *ws)
{
    double *buf = ws, *tmp = ws + (size_t)h * w; /* (h, w), (max(h, w)) */
    for (size_t i = 0; i < (size_t)h * w; i++) buf[i] = x[i];
    int levels = ginv_wavelet_levels(wv, h, w), hh = h, ww = w;
    for (int l = 0; l < levels; l++, hh /= 2, ww /= 2) {
        for (int r = 0; r < hh; r++) analyze_line(wv, buf + (size_t)r * w, 1, ww, tmp);
        for (int q = 0; q < ww; q++) analyze_line(wv, buf + q, (size_t)w, hh, tmp);
    }
    for (size_t i = 0; i < (size_t)h * w; i++) c[i] = (float)buf[i];
}

void ginv_wavelet_synthesize(const ginv_wavelet *wv, int h, int w, const float *c, float *x,
                             double *ws)
{
    double *buf = ws, *tmp = ws + (size_t)h * w;
    for (size_t i = 0; i < (size_t)h * w; i++) buf[i] = c[i];
    int levels = ginv_wavelet_levels(wv, h, w);
    for (int l = levels - 1; l >= 0; l--) {
        int hh = h >> l, ww = w >> l;
        for (int q = 0; q < ww; q++) synthesize_line(wv, buf + q, (size_t)w, hh, tmp);
        for (int r = 0; r < hh; r++) synthesize_line(wv, buf + (size_t)r * w, 1, ww, tmp);
    }
    for (size_t i = 0; i < (size_t)h * w; i++) x[i] = (float)buf[i];
}
