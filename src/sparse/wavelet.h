/* wavelet.h — inside libginv only: the 2-D periodized orthonormal wavelet
 * transforms behind GINV_BASIS_HAAR and GINV_BASIS_DB4 (wavelet.c). */
#ifndef GINV_SPARSE_WAVELET_H
#define GINV_SPARSE_WAVELET_H

#include "ginv.h"

/* The filter of a wavelet basis: taps (2 or 4) low-pass coefficients. */
typedef struct {
    int taps;
    double lo[4];
} ginv_wavelet;

/* The filter for GINV_BASIS_HAAR or GINV_BASIS_DB4. */
const ginv_wavelet *ginv_wavelet_of(ginv_basis b);
/* Levels of the 2-D transform of an h x w image: halve while both sides
 * are even and at least the filter length. */
int ginv_wavelet_levels(const ginv_wavelet *wv, int h, int w);
/* c (h x w) = the multi-level 2-D analysis of x (h x w), Mallat layout;
 * x = its inverse (the transpose). ws: h*w + 2*max(h, w) doubles. */
void ginv_wavelet_analyze(const ginv_wavelet *wv, int h, int w, const float *x, float *c,
                          double *ws);
void ginv_wavelet_synthesize(const ginv_wavelet *wv, int h, int w, const float *c, float *x,
                             double *ws);

#endif
