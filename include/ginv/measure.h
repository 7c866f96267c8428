/* ginv/measure.h — measurement operators, their text specs, noise, and the
 * sparsifying bases (DCT, wavelets).
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_MEASURE_H
#define GINV_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------ measurement operators */

typedef struct ginv_op ginv_op;
/* Dense m x n matrix with entries N(0, 1/m) (Hand & Voroninski Thm 1). */
ginv_status ginv_op_gaussian(ginv_op **out, int m, int n, uint64_t seed, uint64_t index);
/* Dense m x n matrix given row-major (copied). */
ginv_status ginv_op_matrix(ginv_op **out, int m, int n, const float *A);
ginv_status ginv_op_identity(ginv_op **out, int n);
/* Keep the listed coordinates (inpainting). idx has m distinct entries < n. */
ginv_status ginv_op_subsample(ginv_op **out, int n, int m, const int *idx);
/* A random subset of m of n coordinates. */
ginv_status ginv_op_subsample_random(ginv_op **out, int n, int m, uint64_t seed,
                                     uint64_t index);
/* Block average by factor f over a c x h x w image (super-resolution). */
ginv_status ginv_op_downsample(ginv_op **out, int c, int h, int w, int f);
/* Dense m x n matrix with entries N(0, 1), the convention of Bora et al.
 * (CSGM): from the same stream as ginv_op_gaussian, so the same seed gives
 * sqrt(m) times that matrix. Noise sigma per measurement with this A equals
 * noise sigma/sqrt(m) with A/sqrt(m) ~ N(0, 1/m) (divide y by sqrt(m)). */
ginv_status ginv_op_gaussian_unit(ginv_op **out, int m, int n, uint64_t seed, uint64_t index);
/* Inpainting: observe every pixel of a c x h x w image except a bh x bw box
 * at row r0, column c0 (in every channel): a subsample operator over the
 * complement of the box, raster order. bh = bw = 0: the centred box of half
 * the height and width, at ((h - h/2)/2, (w - w/2)/2). */
ginv_status ginv_op_inpaint_box(ginv_op **out, int c, int h, int w, int r0, int c0, int bh,
                                int bw);
void ginv_op_free(ginv_op *op);
int ginv_op_m(const ginv_op *op);
int ginv_op_n(const ginv_op *op);
const char *ginv_op_name(const ginv_op *op);
/* y (B x m) = A x (B x n);  x (B x n) = A^T y (B x m). */
void ginv_op_apply(const ginv_op *op, int B, const float *x, float *y);
void ginv_op_adjoint(const ginv_op *op, int B, const float *y, float *x);
/* Measurement noise (not an operator): y (n) += N(0, sigma^2) i.i.d., drawn
 * from stream (seed, GINV_STREAM_NOISE, index). sigma <= 0 adds nothing. */
void ginv_add_noise(float *y, size_t n, double sigma, uint64_t seed, uint64_t index);
/* "A view of the measurements" y (m) as an h x w image img (h*w == n) for a
 * figure: subsample / inpaint-box: the observed pixels, NaN elsewhere (drawn
 * mid-gray by ginv_png_write_grid); downsample: the low-resolution image
 * upsampled (each value over its block, (n/m) A^T y); identity: y; gaussian,
 * gaussian-unit, matrix: the back-projection A^T y min-max scaled to [0, 1]
 * (0.5 if constant). */
ginv_status ginv_op_view(const ginv_op *op, int h, int w, const float *y, float *img);

/* An operator described by text, built per trial: "identity", "gaussian"
 * (needs m; entries N(0, 1/m)), "gaussian-unit" (needs m; entries N(0, 1)),
 * "subsample" (random m of n), "subsample:MASK" (array file of n values,
 * nonzero = observed), "inpaint-box" or "inpaint-box:R0,C0,H,W" (every pixel
 * but a box; default the centred box of half the side), "downsample:F", the
 * last two needing an image shape c x h x w (a perfect-square n is taken as
 * 1 x sqrt(n) x sqrt(n)), "matrix:FILE" (an m x n array file). */
typedef enum { GINV_OPK_IDENTITY, GINV_OPK_GAUSSIAN, GINV_OPK_SUBSAMPLE, GINV_OPK_DOWNSAMPLE,
               GINV_OPK_MATRIX, GINV_OPK_GAUSSIAN_UNIT, GINV_OPK_INPAINT_BOX } ginv_op_kind;
typedef struct {
    ginv_op_kind kind;
    int m;                 /* gaussian / random subsample: number of measurements */
    int factor;            /* downsample */
    int c, h, w;           /* image shape for downsample (0: infer from n) */
    float *matrix;         /* matrix: rows x cols, owned */
    int rows, cols;
    int *mask_idx;         /* subsample:MASK: observed indices, owned */
    int mask_n, mask_m;
    int box_r0, box_c0, box_h, box_w; /* inpaint-box (all 0: the centred half-side box) */
} ginv_op_spec;
/* Parse the text (loading any file it names). m is --m (0 if not given). */
ginv_status ginv_op_spec_parse(ginv_op_spec *spec, const char *text, int m);
void ginv_op_spec_release(ginv_op_spec *spec);
/* Build the operator for signals of size n; random kinds draw from stream
 * (seed, GINV_STREAM_OP, trial). */
ginv_status ginv_op_from_spec(ginv_op **out, const ginv_op_spec *spec, int n, uint64_t seed,
                              uint64_t trial);

/* ------------------------------------------------- sparsifying bases */

/* Orthonormal bases Psi for h x w images (docs/images.md): analysis
 * c = Psi^T x and synthesis x = Psi c on N images at once (N x h*w,
 * row-major; in and out distinct). PIXEL: the identity. DCT: the
 * orthonormal 2-D DCT-II (coefficient (k, l) at k*w + l). HAAR, DB4
 * (PyWavelets' "db2", 4 taps): periodized multi-level 2-D wavelets, Mallat
 * layout, levels while both sides of the low-pass block are even and at
 * least the filter length (28 x 28: 2 levels, to 7 x 7). */
typedef enum { GINV_BASIS_PIXEL = 0, GINV_BASIS_DCT, GINV_BASIS_HAAR, GINV_BASIS_DB4 } ginv_basis;
const char *ginv_basis_name(ginv_basis b);              /* "pixel", "dct", "haar", "db4" */
ginv_status ginv_basis_parse(const char *name, ginv_basis *out); /* also "db2" */
int ginv_basis_levels(ginv_basis b, int h, int w);      /* wavelet levels (0 otherwise) */
ginv_status ginv_basis_analyze(ginv_basis b, int h, int w, int N, const float *x, float *c);
ginv_status ginv_basis_synthesize(ginv_basis b, int h, int w, int N, const float *c, float *x);

#ifdef __cplusplus
}
#endif
#endif
