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
/* Partial random circulant sensing (docs/operators.md): A = (1/sqrt(m))
 * P C_g D, with D = diag(eps) random signs, C_g the circular convolution with
 * a filter g of n i.i.d. N(0, 1) values (by FFT, O(n log n)) and P the
 * selection of m of the n rows, a uniform random subset in increasing order.
 * Every row of A has i.i.d. N(0, 1/m) entries, as ginv_op_gaussian's, and
 * E[A^T A] = I. Drawn from stream (seed, OP, index): g, then the n signs,
 * then the subset. 1 <= m <= n. */
ginv_status ginv_op_circulant(ginv_op **out, int m, int n, uint64_t seed, uint64_t index);
/* Fourier undersampling of a c x h x w image: the unitary 2-D DFT of each
 * channel, X[k, l] = (hw)^(-1/2) sum_{p,q} x[p, q] e^{-2 pi i (kp/h + lq/w)},
 * at the `kept` listed frequencies. idx holds distinct cells r * w + s of the
 * centred (fftshift) h x w grid: cell (r, s) is frequency
 * ((r - h/2) mod h, (s - w/2) mod w), so DC is cell (h/2, w/2) (integer
 * division). y is per channel, per listed cell in the order given, the pair
 * (Re X, Im X): y[ch * 2 kept + 2 t + {0, 1}], m = 2 c kept. The adjoint is
 * the real part of the zero-filled unitary inverse DFT. */
ginv_status ginv_op_fourier_subsample(ginv_op **out, int c, int h, int w, int kept,
                                      const int *idx);
/* Boundary rules of ginv_op_blur: how x is extended past the image's edge. */
typedef enum {
    GINV_BOUNDARY_REFLECT = 0, /* half-sample symmetric: ... b a | a b c ... (the default) */
    GINV_BOUNDARY_ZERO,        /* zero outside */
    GINV_BOUNDARY_CIRCULAR     /* periodic */
} ginv_boundary;
const char *ginv_boundary_name(ginv_boundary b);           /* "reflect", "zero", "circular" */
ginv_status ginv_boundary_parse(const char *name, ginv_boundary *out);
/* Blur (deblurring) of each channel of a c x h x w image by the kh x kw
 * kernel K (kh, kw odd, row-major; used as given, not normalised):
 * y[p, q] = sum_{u, v} K[u, v] x~[p + kh/2 - u, q + kw/2 - v] (a true
 * convolution, centred), x~ the image extended by the boundary rule. m = n. */
ginv_status ginv_op_blur(ginv_op **out, int c, int h, int w, const float *kernel, int kh,
                         int kw, ginv_boundary boundary);
/* The Gaussian blur of std sigma pixels: the kernel exp(-d^2 / (2 sigma^2))
 * on radius ceil(3 sigma) normalised to sum 1, applied as two 1-D passes
 * (rows then columns; the same operator as the 2-D kernel). 0 < sigma <= 64. */
ginv_status ginv_op_blur_gaussian(ginv_op **out, int c, int h, int w, double sigma,
                                  ginv_boundary boundary);
/* RGB to luminance of a 3 x h x w image (ITU-R BT.601):
 * y = 0.299 R + 0.587 G + 0.114 B, m = h w. */
ginv_status ginv_op_colorize(ginv_op **out, int h, int w);
/* ------------------------------------------- nonlinear forward models
 * An operator is a linear map A (apply / adjoint above) followed by an
 * elementwise link phi declared by its kind: the measurements are
 * y = phi(A x). LINEAR: phi = identity (every operator above). ABS: the
 * phaseless y = |A x|. SIGN: the 1-bit y = sign(A x), sign(0) = +1.
 * ginv_op_apply stays the linear part; ginv_op_measure applies phi. The
 * objective, the simulated measurements, the samplers' likelihood and the
 * error metric follow the link (docs/operators.md "Nonlinear operators"). */
typedef enum { GINV_LINK_LINEAR = 0, GINV_LINK_ABS, GINV_LINK_SIGN, GINV_LINK_CABS } ginv_link;
/* CABS, the complex modulus (phaseless-fourier): the linear part packs each
 * complex coefficient X_i into two real outputs, output i and its partner
 * p(i) = ginv_op_link_pairs(op)[i] (an involution: p(p(i)) = i), so that
 * |X_i| = sqrt((u_i^2 + u_p(i)^2) / 2) with u = A x, for every output i
 * (p(i) = i for a real coefficient, |X_i| = |u_i|). m stays the number of
 * outputs of A and of measurements alike. */
/* The loss a 1-bit operator's objective uses (u = A x, s = ||x||):
 * ONESIDED: 1/2 sum_i max(0, -y_i u_i / s)^2, the one-sided (ReLU) loss of
 * the normalised signal (zero on the sign-consistent cone; the default);
 * CORR: 1 - <y, A x> / (s ||A^T y||), one minus the cosine between x and the
 * linear estimator A^T y (the normalised-correlation estimator). */
typedef enum { GINV_ONEBIT_ONESIDED = 0, GINV_ONEBIT_CORR } ginv_onebit_loss;
/* Phase retrieval: y = |A x| with A m x n, entries N(0, 1/m), the same
 * matrix as ginv_op_gaussian with that seed and index (Hand, Leong &
 * Voroninski 2018). */
ginv_status ginv_op_phaseless_gaussian(ginv_op **out, int m, int n, uint64_t seed,
                                       uint64_t index);
/* 1-bit sensing: y = sign(A x) with ginv_op_gaussian's A; `loss` the
 * objective's ginv_onebit_loss. Recovery is up to a positive scale. */
ginv_status ginv_op_onebit_gaussian(ginv_op **out, int m, int n, ginv_onebit_loss loss,
                                    uint64_t seed, uint64_t index);
/* Phaseless Fourier measurements (the classic optical phase retrieval
 * problem; Hand, Leong & Voroninski 2018 pose phase retrieval y = |A x| for a
 * generative prior, issue #17 asks for this Fourier A): each channel of a
 * c x h x w image is zero-padded to OH x OW = (K h) x (K w), K = oversample
 * >= 1 (bottom and right), and y holds the magnitudes |X_k| of its unitary
 * 2-D DFT, X_k = (OH OW)^(-1/2) sum_{p,q} x[p, q] e^{-2 pi i (k1 p/OH +
 * k2 q/OW)}, for all OH OW frequencies in FFT order (k = k1 OW + k2, DC
 * first): m = c OH OW, y[ch OH OW + k]. Link CABS: the linear part A is the
 * real orthonormal form of the DFT, for each conjugate pair k < p(k) =
 * (-k1 mod OH, -k2 mod OW): (u_k, u_p(k)) = sqrt(2) (Re X_k, Im X_k), and
 * u_k = X_k where p(k) = k; so A^T A = I (Parseval) and A^T is the cropped
 * real inverse DFT. docs/operators.md: the ambiguities (sign, shift, flip)
 * and ginv_op_rel_error's metric. 1 <= oversample <= 16. */
ginv_status ginv_op_phaseless_fourier(ginv_op **out, int c, int h, int w, int oversample);
ginv_link ginv_op_link(const ginv_op *op);              /* LINEAR for NULL */
/* CABS: the m partner indices p(i) of the outputs (the op's own array);
 * NULL for every other link and for NULL. */
const int *ginv_op_link_pairs(const ginv_op *op);
ginv_onebit_loss ginv_op_onebit_loss(const ginv_op *op); /* ONESIDED unless set */
const char *ginv_link_name(ginv_link l);                /* "linear", "abs", "sign", "cabs" */
const char *ginv_onebit_loss_name(ginv_onebit_loss l);  /* "onesided", "corr" */
/* y (B x m) = phi(A x) for x (B x n): the noiseless measurements. */
void ginv_op_measure(const ginv_op *op, int B, const float *x, float *y);
/* Measurements y (count values) the link can produce, else GINV_ERR_ARG
 * naming the first bad one: ABS and CABS need y_i >= 0, SIGN y_i in {-1, +1};
 * every link needs finite values. */
ginv_status ginv_op_check_y(const ginv_op *op, const float *y, size_t count);
/* The link's error of an estimate a of b (n values), relative to ||b||:
 * LINEAR ||a - b|| / ||b||; ABS and CABS (global sign ambiguity, x and -x
 * give the same y) min(||a - b||, ||a + b||) / ||b||; SIGN (recovery up to scale) the
 * distance of the normalised vectors || a/||a|| - b/||b|| || (in [0, 2];
 * 2 sin(angle / 2)); 0-norm vectors count as the zero direction. */
double ginv_link_rel_error(ginv_link l, const float *a, const float *b, size_t n);
/* What ginv_link_rel_error measures, for reports: "relative" (LINEAR),
 * "relative-up-to-sign" (ABS, CABS), "direction" (SIGN). */
const char *ginv_link_error_name(ginv_link l);
/* The error of an estimate a of the signal b (n values): the operator's own
 * ambiguity metric where it has one and n = ginv_op_n(op), else
 * ginv_link_rel_error of its link. phaseless-fourier: the minimum over the
 * trivial ambiguities of each channel's magnitudes (global sign, circular
 * shift on the padded OH x OW grid, and the flip x[-p, -q]), channel by
 * channel: sqrt(sum_ch min ||a_ch - s S_t F b_ch||^2) / ||b||. */
double ginv_op_rel_error(const ginv_op *op, const float *a, const float *b, size_t n);
/* What ginv_op_rel_error measures on signals of the op: its link's
 * ginv_link_error_name, or "relative-up-to-sign-shift-flip"
 * (phaseless-fourier). */
const char *ginv_op_error_name(const ginv_op *op);
/* An estimate a (n values) moved onto the truth b for display: for
 * phaseless-fourier, channel by channel, a under the inverse of the
 * ambiguity (sign, circular shift, flip) that ginv_op_rel_error finds
 * closest, cropped to the h x w box (out[p] = s a_pad[where b's pixel p
 * goes]); for every other operator a copy of a. out (n) may not alias b. */
ginv_status ginv_op_align(const ginv_op *op, const float *a, const float *b, float *out);
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
/* Simulated measurements under each link's noise model (docs/operators.md):
 * for every row b of X (B x n), Y (B x m) gets y = A x + e (linear),
 * max(0, phi(A x) + e) (phaseless: ABS, CABS; a magnitude stays >= 0) or
 * sign(A x + e) (1-bit), e ~ N(0, sigma^2 I) from stream (seed,
 * GINV_STREAM_NOISE, first_index + b). What `recover`'s scenario (B = 1,
 * first_index the trial) and `cs` (image i: first_index + i) measure. */
ginv_status ginv_op_observe(const ginv_op *op, int B, const float *X, double sigma,
                            uint64_t seed, uint64_t first_index, float *Y);
/* "A view of the measurements" y (m) as an h x w image img (h*w == n) for a
 * figure: subsample / inpaint-box: the observed pixels, NaN elsewhere (drawn
 * mid-gray by ginv_png_write_grid); downsample: the low-resolution image
 * upsampled (each value over its block, (n/m) A^T y); identity: y; gaussian,
 * gaussian-unit, matrix: the back-projection A^T y min-max scaled to [0, 1]
 * (0.5 if constant); blur: y itself (the blurred image); circulant,
 * fourier-subsample, phaseless-fourier (magnitudes without phases: little to
 * see): the back-projection, scaled so. */
ginv_status ginv_op_view(const ginv_op *op, int h, int w, const float *y, float *img);

/* An operator described by text, built per trial: "identity", "gaussian"
 * (needs m; entries N(0, 1/m)), "gaussian-unit" (needs m; entries N(0, 1)),
 * "subsample" (random m of n), "subsample:MASK" (array file of n values,
 * nonzero = observed), "inpaint-box" or "inpaint-box:R0,C0,H,W" (every pixel
 * but a box; default the centred box of half the side), "downsample:F", the
 * last two needing an image shape c x h x w (a perfect-square n is taken as
 * 1 x sqrt(n) x sqrt(n)), "matrix:FILE" (an m x n array file);
 * "circulant:M" (M wins over m) or "circulant" (M = m): partial random circulant;
 * "fourier-subsample:random:M|radial:L|cartesian:R|MASK" (a mask file of
 * h x w values on the centred grid, nonzero = kept; "random" alone takes M
 * from m); "blur:SIGMA[,RULE]" or "blur:FILE[,RULE]" (an odd-sized kernel
 * array, divided by its sum), RULE reflect (default), zero or circular;
 * "colorize" (3 x h x w; without a shape, n = 3 s^2 is 3 x s x s). The last
 * three need an image shape, as downsample; "phaseless-gaussian" (needs m;
 * y = |A x|), "onebit-gaussian" or "onebit-gaussian:onesided|corr" (needs
 * m; y = sign(A x), the suffix picks the objective's loss, default
 * onesided), "phaseless-fourier" or "phaseless-fourier:K" (y = |F x| of
 * the image zero-padded to K h x K w, K an integer in [1, 16], default 2;
 * needs an image shape, as downsample); docs/operators.md defines each. */
typedef enum { GINV_OPK_IDENTITY, GINV_OPK_GAUSSIAN, GINV_OPK_SUBSAMPLE, GINV_OPK_DOWNSAMPLE,
               GINV_OPK_MATRIX, GINV_OPK_GAUSSIAN_UNIT, GINV_OPK_INPAINT_BOX,
               GINV_OPK_CIRCULANT, GINV_OPK_FOURIER, GINV_OPK_BLUR,
               GINV_OPK_COLORIZE, GINV_OPK_PHASELESS_GAUSSIAN,
               GINV_OPK_ONEBIT_GAUSSIAN, GINV_OPK_PHASELESS_FOURIER } ginv_op_kind;
/* How fourier-subsample picks its frequencies. */
typedef enum { GINV_FOURIER_MASK, GINV_FOURIER_RANDOM, GINV_FOURIER_RADIAL,
               GINV_FOURIER_CARTESIAN } ginv_fourier_mode;
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
    /* circulant uses m; fourier-subsample:MASK uses mask_idx / mask_m (cells
     * of the centred grid) with the mask's shape: */
    int mask_h, mask_w;    /* the mask's rows x columns (0 x mask_n when 1-D) */
    int fourier_mode;      /* fourier-subsample: a ginv_fourier_mode */
    int fourier_param;     /* random: M coefficients; radial: L lines; cartesian: R */
    double blur_sigma;     /* blur:SIGMA (0 with a kernel file) */
    int boundary;          /* blur: a ginv_boundary */
    float *kernel;         /* blur:FILE: kernel_h x kernel_w, divided by its sum, owned */
    int kernel_h, kernel_w;
    int onebit_loss;       /* onebit-gaussian: a ginv_onebit_loss */
    int oversample;        /* phaseless-fourier: the padding factor K (default 2) */
} ginv_op_spec;
/* The link of the operator the spec builds (without building it). */
ginv_link ginv_op_spec_link(const ginv_op_spec *spec);
/* Parse the text (loading any file it names). m is --m (0 if not given). */
ginv_status ginv_op_spec_parse(ginv_op_spec *spec, const char *text, int m);
void ginv_op_spec_release(ginv_op_spec *spec);
/* Build the operator for signals of size n; random kinds draw from stream
 * (seed, GINV_STREAM_OP, trial). */
ginv_status ginv_op_from_spec(ginv_op **out, const ginv_op_spec *spec, int n, uint64_t seed,
                              uint64_t trial);
/* The number of measurements the spec's operator has on signals of size n,
 * with the checks ginv_op_from_spec makes, but without drawing a dense
 * matrix (the Gaussian kinds are sized, not built; the others are built
 * and freed): what a parameter check needs before anything runs. */
ginv_status ginv_op_spec_rows(const ginv_op_spec *spec, int n, int *m);

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
