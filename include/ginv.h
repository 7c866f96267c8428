/* ginv.h — the public API of libginv, a library for inverting deep generative
 * models.
 *
 * Conventions (see docs/architecture.md):
 *  - every call that can fail returns a ginv_status; the message that goes
 *    with a failure is read with ginv_last_error() (thread-local);
 *  - the library never prints and never exits: logging and progress go
 *    through callbacks the caller installs;
 *  - latents are B x k row-major float32, signals B x n, measurements B x m;
 *  - _new/_free for heap objects, _init/_release for caller-owned structs.
 */
#ifndef GINV_H
#define GINV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GINV_VERSION "0.1.0"

/* ---------------------------------------------------------------- status */

typedef enum {
    GINV_OK = 0,
    GINV_ERR_ARG,         /* an argument or option is invalid */
    GINV_ERR_IO,          /* a file could not be opened, read or written */
    GINV_ERR_FORMAT,      /* a file's contents break its format's rules */
    GINV_ERR_SHAPE,       /* sizes do not agree */
    GINV_ERR_NOMEM,       /* an allocation failed */
    GINV_ERR_NUMERIC,     /* NaN/Inf or divergence */
    GINV_ERR_UNSUPPORTED  /* valid, but not supported by ginv */
} ginv_status;

const char *ginv_strerror(ginv_status s);
/* The message of the last failure on this thread ("" if none). */
const char *ginv_last_error(void);
/* The status of the last ginv_fail on this thread (GINV_OK after
 * ginv_clear_error): the class of the failure ginv_last_error() describes. */
ginv_status ginv_last_status(void);
/* Record a failure message (printf-style) and return s. */
ginv_status ginv_fail(ginv_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ginv_clear_error(void);

/* ------------------------------------------------------------ allocation */

/* Counted allocation: every byte the library holds goes through these, so
 * tests can assert that nothing is live at the end. */
void *ginv_malloc(size_t n);
void *ginv_calloc(size_t count, size_t size);
void *ginv_realloc(void *p, size_t n);
void ginv_free(void *p);
char *ginv_strdup(const char *s);
size_t ginv_live_bytes(void);
size_t ginv_live_blocks(void);
/* A cap on live bytes (tests, fuzzing, memory-bounded hosts): an allocation
 * that would take them above max_live fails (NULL) as if memory ran out.
 * 0 removes the cap. Returns the previous cap. */
size_t ginv_alloc_limit(size_t max_live);

/* ------------------------------------------------------ logging/progress */

enum { GINV_LOG_ERROR = 0, GINV_LOG_WARN = 1, GINV_LOG_INFO = 2, GINV_LOG_DEBUG = 3 };
typedef void (*ginv_log_fn)(void *user, int level, const char *msg);
/* done/total; total <= 0 means unknown. `what` names the work. */
typedef void (*ginv_progress_fn)(void *user, const char *what, long done, long total);
void ginv_set_log(ginv_log_fn fn, void *user);
void ginv_set_progress(ginv_progress_fn fn, void *user);
void ginv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ginv_progress(const char *what, long done, long total);

/* ------------------------------------------------------------------- RNG */

/* A random stream derived from (seed, purpose, index): trial i of purpose P
 * draws the same numbers whatever thread or process runs it. */
typedef struct { uint64_t s[4]; int has_spare; double spare; } ginv_rng;

enum {
    GINV_STREAM_NET = 1,      /* generator weights (per trial) */
    GINV_STREAM_TRUTH = 2,    /* z0 (per trial) */
    GINV_STREAM_OP = 3,       /* measurement operator (per trial) */
    GINV_STREAM_NOISE = 4,    /* measurement noise (per trial) */
    GINV_STREAM_INIT = 5,     /* solver initialisation (per trial) */
    GINV_STREAM_KINK = 6,     /* the fixed direction w of eq. (5) */
    GINV_STREAM_USER = 100
};
void ginv_rng_init(ginv_rng *r, uint64_t seed, uint64_t purpose, uint64_t index);
uint64_t ginv_rng_u64(ginv_rng *r);
double ginv_rng_uniform(ginv_rng *r);                   /* [0, 1) */
double ginv_rng_normal(ginv_rng *r);                    /* N(0, 1) */
void ginv_rng_normal_f32(ginv_rng *r, float *x, size_t n, double sd);
uint64_t ginv_rng_below(ginv_rng *r, uint64_t n);       /* uniform in [0, n) */

/* --------------------------------------------------------------- linalg */

/* C (M x N) = alpha * op(A) op(B) + beta * C, row-major; ta/tb: 0 or 1 for
 * transpose. A is M x K (K x M if ta), B is K x N (N x K if tb).
 * Dispatches to cblas_sgemv when M == 1 or N == 1. */
void ginv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A,
               const float *B, float beta, float *C);
/* The plain triple loop (double accumulation): the test oracle. */
void ginv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                   const float *B, float beta, float *C);
/* Threads for linear algebra (ginv's pool; OpenBLAS itself stays single-
 * threaded). Products are cut into chunks fixed by their sizes, so results
 * are bit-identical for any thread count. Drive from one thread at a time. */
void ginv_blas_set_threads(int n);
/* The kernel family OpenBLAS chose (e.g. "SkylakeX", "Haswell", "Prescott"). */
const char *ginv_blas_core(void);
/* When OpenBLAS fell back to generic kernels on a CPU that supports better
 * ones, the OPENBLAS_CORETYPE value to set before the program starts; else
 * NULL. */
const char *ginv_blas_better_core(void);
/* Switch OpenBLAS, already loaded, to the kernel family `name` ("SkylakeX",
 * "Haswell", "Sandybridge", "Prescott", ...). Needs an OpenBLAS built with
 * DYNAMIC_ARCH (Debian's is; GINV_ERR_UNSUPPORTED otherwise). Not thread-
 * safe: no thread may be inside a BLAS call meanwhile. */
ginv_status ginv_blas_switch_core(const char *name);

/* ------------------------------------------------------- library set-up */

/* The library's version ("0.1.0"), to compare with GINV_VERSION, the
 * header's. */
const char *ginv_version(void);

/* What ginv_lib_init found and did about OpenBLAS's kernels. */
typedef struct {
    const char *loaded; /* the family OpenBLAS picked when it loaded */
    const char *better; /* a better family the CPU supports, NULL if none */
    const char *core;   /* the family in use when ginv_lib_init returned */
    int switched;       /* 1: ginv_lib_init switched OpenBLAS to `better` */
} ginv_blas_report;

/* Flags of ginv_lib_init. */
#define GINV_LIB_INIT_REPORT_ONLY 1u /* find the better kernels, switch nothing */

/* Call once at the start of a program that uses libginv, before other
 * threads run (the ginv command does the same by re-executing itself).
 * OpenBLAS 0.3.21 falls back to its generic SSE3 kernels on CPUs it does not
 * recognise, several times slower for GEMM; when ginv_blas_better_core()
 * names a better family, this switches OpenBLAS to it in place
 * (ginv_blas_switch_core). It leaves OpenBLAS alone when OPENBLAS_CORETYPE is
 * set (the user chose) or flags has GINV_LIB_INIT_REPORT_ONLY. report may be
 * NULL. Returns GINV_OK when nothing needed doing or the switch worked; a
 * failed switch leaves the loaded kernels in use and returns its status
 * (the library works either way, only slower). Optional: every other call
 * works without it. */
ginv_status ginv_lib_init(unsigned flags, ginv_blas_report *report);

/* --------------------------------------------------------------- arrays */

/* A dense float array of up to 4 dimensions, read from or written to .npy
 * (v1/v2, little-endian f4/f8, C order) or whitespace-separated text. */
typedef struct {
    int ndim;
    int64_t shape[4];
    float *data; /* owned; ginv_free */
} ginv_array;

void ginv_array_release(ginv_array *a);
size_t ginv_array_count(const ginv_array *a);
/* Format by extension: .npy is NumPy, anything else text (one row a line). */
ginv_status ginv_array_read(const char *path, ginv_array *out);
ginv_status ginv_array_write(const char *path, const float *data, int ndim,
                             const int64_t *shape);
ginv_status ginv_npy_parse(const unsigned char *buf, size_t len, ginv_array *out);
ginv_status ginv_text_parse(const char *buf, size_t len, ginv_array *out);

/* ----------------------------------------------------------- safetensors */

typedef enum { GINV_DT_F32 = 0, GINV_DT_F64 = 1, GINV_DT_F16, GINV_DT_BF16,
               GINV_DT_I64, GINV_DT_I32, GINV_DT_I16, GINV_DT_I8, GINV_DT_U8,
               GINV_DT_BOOL } ginv_dtype;

typedef struct {
    char *name;
    ginv_dtype dtype;
    int ndim;
    int64_t shape[8];
    size_t offset, nbytes; /* within the data buffer */
} ginv_st_tensor;

typedef struct {
    size_t ntensors;
    ginv_st_tensor *tensors;
    char *metadata_json;      /* __metadata__ as a JSON object text, or NULL */
    unsigned char *data;      /* the byte buffer after the header */
    size_t data_len;
} ginv_st_file;

ginv_status ginv_st_parse(const unsigned char *buf, size_t len, ginv_st_file *out);
ginv_status ginv_st_read(const char *path, ginv_st_file *out);
void ginv_st_release(ginv_st_file *f);
const ginv_st_tensor *ginv_st_find(const ginv_st_file *f, const char *name);
/* Copy tensor `name` into a new float32 buffer (F32 or F64 source), checking
 * that it has `count` elements. */
ginv_status ginv_st_get_f32(const ginv_st_file *f, const char *name, size_t count,
                            float **out);

/* Writer: add tensors (copied), metadata key/values, then write atomically. */
typedef struct ginv_st_writer ginv_st_writer;
ginv_st_writer *ginv_st_writer_new(void);
void ginv_st_writer_free(ginv_st_writer *w);
ginv_status ginv_st_writer_add(ginv_st_writer *w, const char *name, ginv_dtype dt,
                               int ndim, const int64_t *shape, const void *data);
ginv_status ginv_st_writer_meta(ginv_st_writer *w, const char *key, const char *value);
ginv_status ginv_st_writer_save(ginv_st_writer *w, const char *path);

/* Write `len` bytes to path: every output file of the library and the CLI
 * goes through here. By what path names:
 *   "-": standard output, written directly.
 *   a regular file, or nothing: written to PATH.tmp.PID in the same
 *     directory, fsynced, renamed over PATH, the directory fsynced; an
 *     existing file is replaced whole (keeping its permission bits) or left
 *     untouched.
 *   a symbolic link: followed (through a chain; the last target need not
 *     exist, its directory must) and the target replaced as above; the link
 *     stays a link.
 *   one of this process's descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
 *     /proc/self/fd/N, or a link to one): written to that descriptor at its
 *     offset (stdio's buffer flushed first), whatever it is open on.
 *   a character or block device, FIFO or socket (/dev/null, /dev/stdout on a
 *     terminal or pipe): opened O_WRONLY and written directly (unbuffered
 *     write(2)s), never renamed over; a FIFO waits for its reader.
 *   a directory: refused (GINV_ERR_IO).
 * Before writing, PATH.tmp.PID files of PIDs that no longer run (a killed
 * writer's) are removed. */
ginv_status ginv_write_atomic(const char *path, const void *buf, size_t len);

/* An output set: files that appear in one directory together or not at all
 * (docs/architecture.md, "Outputs"). ginv_outset_begin makes a fresh
 * staging directory beside DIR (.BASE.staging.PID; links in DIR's path are
 * followed) after tidying what killed runs left there; write every file of
 * the set into ginv_outset_dir(s); ginv_outset_commit swaps the staging
 * directory and DIR in one rename (files DIR held that the set did not
 * write are kept); ginv_outset_free removes an uncommitted staging directory
 * and frees s. DIR's parent must exist. */
typedef struct ginv_outset ginv_outset;
ginv_status ginv_outset_begin(const char *dir, ginv_outset **out);
const char *ginv_outset_dir(const ginv_outset *s);
ginv_status ginv_outset_commit(ginv_outset *s);
void ginv_outset_free(ginv_outset *s);
/* Read a whole file (at most max_len bytes); *out is ginv_malloc'd. */
ginv_status ginv_read_file(const char *path, size_t max_len, unsigned char **out,
                           size_t *len);
/* An 8-bit grayscale PNG (w x h, row-major pix), written atomically: gray
 * level round(255 (v - lo) / (hi - lo)) clipped to [0, 255]; NaN is black. */
ginv_status ginv_png_write_gray(const char *path, int w, int h, const float *pix, double lo,
                                double hi);
/* A montage: rows x cols tiles of h x w (tiles: rows*cols x h*w, row-major,
 * tile r*cols + c at grid cell (r, c)), `pad` white (hi) pixels around and
 * between tiles, NaN pixels drawn mid-gray ((lo+hi)/2: a missing tile, or
 * pixels not observed), gray levels as ginv_png_write_gray, the picture
 * upscaled `scale` times (nearest neighbour), written atomically. */
ginv_status ginv_png_write_grid(const char *path, int rows, int cols, int h, int w,
                                const float *tiles, int pad, double lo, double hi, int scale);
/* A labelled montage for figures: the tiles as ginv_png_write_grid, plus an
 * optional title line, a label left of each row and above each column (a
 * built-in 5x7 bitmap font, ASCII; text pixels ceil(scale/2) wide, labels
 * above a column cut to its width) and a colour bar right of the grid (a
 * gray ramp lo..hi with both ends written). Text is drawn in lo (black) on
 * hi (white). */
typedef struct {
    int pad, scale;                /* white pixels around tiles (before scaling), 0..1024; upscale 1..64 */
    double lo, hi;                 /* the gray range: lo black, hi white */
    const char *const *row_labels; /* rows entries (or NULL; a NULL or "" entry: none) */
    const char *const *col_labels; /* cols entries (or NULL) */
    const char *title;             /* a line above the grid, or NULL */
    int colorbar;                  /* 1: the gray ramp with lo and hi labelled */
} ginv_grid_style;
/* pad 2, scale 1, lo 0, hi 1, no labels, no title, no colour bar. */
void ginv_grid_style_init(ginv_grid_style *s);
ginv_status ginv_png_write_grid_styled(const char *path, int rows, int cols, int h, int w,
                                       const float *tiles, const ginv_grid_style *s);

/* --------------------------------------------------------------- images */

/* IDX files (the MNIST / Fashion-MNIST format): two zero bytes, a type code,
 * a dimension count (1..4), that many big-endian u32 sizes, then the data,
 * big-endian, exactly as many bytes as the sizes say. Read raw or
 * gzip-compressed: gzip is recognised by its magic bytes (1f 8b), never by
 * the file name (a ".gz" file that is not gzip is read as raw IDX). */
typedef enum {
    GINV_IDX_U8 = 0x08, GINV_IDX_I8 = 0x09, GINV_IDX_I16 = 0x0B, GINV_IDX_I32 = 0x0C,
    GINV_IDX_F32 = 0x0D, GINV_IDX_F64 = 0x0E
} ginv_idx_type;
typedef struct {
    ginv_idx_type type;
    int ndim;              /* 1..4 */
    int64_t dims[4];       /* each <= INT32_MAX */
    size_t count;          /* the product of dims */
    void *data;            /* count elements of `type`, host byte order, owned */
} ginv_idx;
/* Parse a whole IDX file held in memory (raw or gzip). */
ginv_status ginv_idx_parse(const unsigned char *buf, size_t len, ginv_idx *out);
/* Read and parse a file; failures name the path. */
ginv_status ginv_idx_read(const char *path, ginv_idx *out);
void ginv_idx_release(ginv_idx *x);
/* Element i as a double; "ubyte", "byte", "short", "int", "float", "double". */
double ginv_idx_value(const ginv_idx *x, size_t i);
const char *ginv_idx_type_name(ginv_idx_type t);

/* A batch of grayscale images, all h x w: pix is count x (h*w) row-major with
 * values in [0, 1]; labels (count) or NULL. */
typedef struct {
    int count, h, w;
    float *pix;            /* owned */
    int *labels;           /* owned, or NULL */
} ginv_images;
void ginv_images_release(ginv_images *im);
/* Images described by text (docs/images.md):
 *   fashion-mnist:test | fashion-mnist:train   the Fashion-MNIST sets with labels,
 *       from $GINV_DATA_DIR or /usr/share/datasets/fashion-mnist
 *       ({t10k,train}-{images-idx3,labels-idx1}-ubyte[.gz]);
 *   idx:PATH                                    an IDX image file (N x H x W; ubyte
 *       scaled by 1/255, float/double taken as they are and checked in [0, 1]);
 *   A.png,B.pgm,...                             PNG or PGM files, one image each,
 *       all the same size (the format is told by the first bytes).
 * Any of them may end with a Python-style slice [a:b] or [a:b:step] (negative
 * indices count from the end; bounds past the end are refused). */
ginv_status ginv_images_load(const char *spec, ginv_images *out);
/* An IDX image file (N x H x W) and, unless labels_path is NULL, its IDX
 * label file (N integers >= 0; the counts must agree). */
ginv_status ginv_images_load_idx(const char *images_path, const char *labels_path,
                                 ginv_images *out);
/* One image (count 1) from PGM bytes: P5 (binary) or P2 (ASCII), maxval
 * 1..65535, "#" comments in the header; pixels sample / maxval. */
ginv_status ginv_pgm_parse(const unsigned char *buf, size_t len, ginv_images *out);
/* One image (count 1) from PNG bytes: grayscale of 1 to 16 bits, or gray +
 * alpha (the alpha is ignored); pixels sample / (2^depth - 1), no gamma
 * correction. Colour and palette PNGs are refused (GINV_ERR_UNSUPPORTED). */
ginv_status ginv_png_parse_gray(const unsigned char *buf, size_t len, ginv_images *out);

/* ------------------------------------------------------------- networks */

typedef enum {
    GINV_LAYER_DENSE = 0,
    GINV_LAYER_RELU,
    GINV_LAYER_LEAKY_RELU,
    GINV_LAYER_TANH,
    GINV_LAYER_SIGMOID,
    GINV_LAYER_SOFTPLUS,
    GINV_LAYER_IDENTITY
} ginv_layer_kind;

/* What the derivative of a ReLU (or leaky ReLU) is at an exact kink
 * (pre-activation == 0):
 *  ZERO     relu'(0) = 0, the usual convention (as PyTorch);
 *  ONESIDED the one-sided limit of Hand & Voroninski eq. (5): the gradient is
 *           lim_{t->0+} grad f(z + t w) for a fixed random direction w, i.e.
 *           a unit at a kink counts as active iff its directional derivative
 *           along w is positive. */
typedef enum { GINV_KINK_ZERO = 0, GINV_KINK_ONESIDED = 1 } ginv_kink_rule;

typedef struct {
    ginv_layer_kind kind;
    int in, out;        /* dense: sizes; activations: in == out */
    int bias;           /* dense: has a bias vector */
    double alpha;       /* leaky_relu slope */
    float *W;           /* dense: out x in, row-major (points into params) */
    float *b;           /* dense: out (or NULL) */
    float *dW, *db;     /* parameter gradients (points into grads), or NULL */
} ginv_layer;

typedef struct ginv_net ginv_net;

/* Build from a layer list (W/b pointers ignored); parameters zeroed. */
ginv_status ginv_net_new(ginv_net **out, int nlayers, const ginv_layer *spec);
void ginv_net_free(ginv_net *net);
int ginv_net_nlayers(const ginv_net *net);
ginv_layer *ginv_net_layer(ginv_net *net, int i);
const ginv_layer *ginv_net_layer_c(const ginv_net *net, int i);
int ginv_net_in(const ginv_net *net);   /* latent size k */
int ginv_net_out(const ginv_net *net);  /* signal size n */
size_t ginv_net_nparams(const ginv_net *net);
float *ginv_net_params(ginv_net *net);  /* all parameters, one block */
float *ginv_net_grads(ginv_net *net);   /* their gradients (allocated on first use) */
const char *ginv_layer_kind_name(ginv_layer_kind k);
ginv_status ginv_layer_kind_parse(const char *name, ginv_layer_kind *out);

/* Random weights as in Hand & Voroninski Thm 1: W_i entries N(0, 1/n_i) with
 * n_i the layer's output width ("paper"), or N(0, 1/fan_in) ("fanin"), or
 * the orthonormal factor of a Gaussian matrix ("orthogonal": W^T W = I for an
 * expanding or square layer, W W^T = I for a contracting one; with square
 * layers and leaky ReLU (slope a) every singular value of J_G lies in
 * [a^L, 1], a certified instance of Pareek & Risteski's Assumption 1);
 * biases N(0, bias_sd^2) when bias_sd > 0 else zero. */
typedef enum { GINV_INIT_PAPER = 0, GINV_INIT_FANIN = 1, GINV_INIT_ORTHOGONAL = 2 } ginv_init;
/* "paper", "fanin" or "orthogonal"; an error naming the choices otherwise. */
ginv_status ginv_init_parse(const char *name, ginv_init *out);
const char *ginv_init_name(ginv_init init);
ginv_status ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                        uint64_t index);

/* Model files: safetensors with the architecture in __metadata__["ginv"]. */
ginv_status ginv_net_load(const char *path, ginv_net **out);
ginv_status ginv_net_from_st(const ginv_st_file *f, ginv_net **out);
ginv_status ginv_net_save(const ginv_net *net, const char *path);
/* One of several networks in a file: its architecture under
 * __metadata__[meta_key], its tensors named PREFIX"layers.<i>.weight|bias".
 * The generator is ("ginv", ""); a VAE's encoder is ("ginv.encoder",
 * "encoder."). write_part adds to a writer the caller saves. */
ginv_status ginv_net_from_st_part(const ginv_st_file *f, const char *meta_key,
                                  const char *prefix, ginv_net **out);
ginv_status ginv_net_write_part(const ginv_net *net, ginv_st_writer *w, const char *meta_key,
                                const char *prefix);
/* The architecture as a JSON text (ginv_free it). */
char *ginv_net_arch_json(const ginv_net *net);

/* Workspace for batched forward/backward: caches every layer's input. */
typedef struct ginv_net_ws ginv_net_ws;
ginv_status ginv_net_ws_new(ginv_net_ws **out, const ginv_net *net, int B);
void ginv_net_ws_free(ginv_net_ws *ws);
/* Kink rule; ONESIDED needs the direction w (k floats, copied). */
void ginv_net_ws_set_kink(ginv_net_ws *ws, ginv_kink_rule rule, const float *w);

/* x (B x n) = G(z), z (B x k). Caches what backward needs. B <= ws capacity.
 * Returns a pointer to the output inside ws (valid until the next forward). */
const float *ginv_net_forward(const ginv_net *net, ginv_net_ws *ws, int B, const float *z);
/* Vector-Jacobian product after forward: dz (B x k) = J_G(z)^T dx, dx (B x n).
 * If want_params, also accumulate parameter gradients into the net's grads.
 * dz may be NULL when only the parameter gradients are wanted. */
void ginv_net_backward(ginv_net *net, ginv_net_ws *ws, int B, const float *dx, float *dz,
                       int want_params);
/* J_G(z) (n x k, row-major: row i = e_i^T J_G) at one latent z (k). */
ginv_status ginv_net_jacobian(ginv_net *net, const float *z, float *J);
/* The smallest and largest singular values of J_G(z) at npts latents z
 * (npts x k): the pointwise m and M of Pareek & Risteski's Assumptions 1-2. */
ginv_status ginv_net_jacobian_sv(ginv_net *net, int npts, const float *z, double *smin,
                                 double *smax);
enum { GINV_STREAM_JACOBIAN = GINV_STREAM_USER + 43 }; /* `ginv info --jacobian` latents */

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

/* ------------------------------------------------------------- Lasso */

/* ||A||^2 (largest eigenvalue of A^T A) by `iters` power iterations from a
 * fixed random start (stream (0, GINV_STREAM_OPNORM, 0)): a lower bound
 * that converges to it. */
enum { GINV_STREAM_OPNORM = GINV_STREAM_USER + 66 };
ginv_status ginv_op_sqnorm(const ginv_op *op, int iters, double *out);

/* The compressed-sensing baseline (docs/images.md): per image, minimise
 *     1/2 ||y - A Psi c||^2 + lambda ||c||_1,   x = Psi c,
 * by FISTA with step 1/(safety L), L = ||A||^2 by power iteration, and the
 * adaptive momentum restart of O'Donoghue & Candes; N images at once. */
typedef struct {
    double lambda;      /* weight of ||c||_1 (>= 0); default 0.01 */
    int iters;          /* most iterations; default 500 */
    double tol;         /* stop when every image has ||c_k - c_{k-1}|| <= tol ||c_{k-1}||
                           (0: run all iters); default 1e-5 */
    int clip;           /* clip the final x to [0, 1]; default 1 */
    int restart;        /* adaptive momentum restart; default 1 */
    int power_iters;    /* power iterations for L; default 100 */
    double safety;      /* L is multiplied by this (>= 1); default 1.1 */
} ginv_lasso_opts;
void ginv_lasso_opts_init(ginv_lasso_opts *o);
typedef struct {
    int iters;          /* iterations run */
    int converged;      /* stopped by tol */
    double L;           /* the power-iteration estimate of ||A||^2 (before safety) */
} ginv_lasso_info;
/* X (N x h*w) from Y (N x m); A's n must be h*w. */
ginv_status ginv_lasso_run(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                           const float *Y, const ginv_lasso_opts *o, float *X);
/* The same, also returning the coefficients C (N x h*w, before clipping;
 * may be NULL) and info (may be NULL). */
ginv_status ginv_lasso_run_ex(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                              const float *Y, const ginv_lasso_opts *o, float *X, float *C,
                              ginv_lasso_info *info);
/* Pick lambda from lambdas[0..nl) by the mean per-pixel squared error of
 * the recovered held-out images against X_true (N x h*w) from their Y
 * (N x m); mse_per_lambda (nl) may be NULL. Ties keep the earlier lambda. */
ginv_status ginv_lasso_tune(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                            const float *X_true, const float *Y, const double *lambdas, int nl,
                            const ginv_lasso_opts *o, double *best_lambda,
                            double *mse_per_lambda);

/* ------------------------------------------------------------ objective */

/* f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2 (Hand & Voroninski eq. 1 plus
 * a Gaussian-prior term), for a batch of latents. */
typedef struct ginv_objective ginv_objective;
/* y is ny x m with ny == 1 (shared by all rows) or ny == B. Copied. */
ginv_status ginv_objective_new(ginv_objective **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double lambda, int B);
void ginv_objective_free(ginv_objective *obj);
void ginv_objective_set_kink(ginv_objective *obj, ginv_kink_rule rule, const float *w);
/* f (B doubles) and, if grad != NULL, grad (B x k). */
ginv_status ginv_objective_eval(ginv_objective *obj, int B, const float *z, double *f,
                                float *grad);
/* The last evaluation's measurement loss 1/2||A G(z) - y||^2 per row. */
const double *ginv_objective_meas_loss(const ginv_objective *obj);
/* Latent size k. */
int ginv_objective_k(const ginv_objective *obj);
/* The last evaluation's G(z) (B x n). */
const float *ginv_objective_signal(const ginv_objective *obj);

/* -------------------------------------------------------------- solvers */

typedef struct ginv_solver_type ginv_solver_type;
extern const ginv_solver_type *const ginv_solver_gd;
extern const ginv_solver_type *const ginv_solver_adam;
/* GD with the negation check: if f(-z) < f(z), z <- -z, then step. */
extern const ginv_solver_type *const ginv_solver_signflip;
const ginv_solver_type *ginv_solver_find(const char *name);
const char *ginv_solver_name(const ginv_solver_type *t);

typedef struct {
    const ginv_solver_type *type;
    double lr;          /* step size */
    int iters;          /* maximum iterations */
    double tol;         /* stop when every row's f changes by < tol (0: never) */
    double beta1, beta2, eps; /* Adam */
    /* called before each update with the iteration t and f (B) at z (B x k);
     * a non-zero return stops the run there (cancelled). NULL: none */
    int (*on_iter)(void *user, int t, int B, const double *f, const float *z);
    void *user;
} ginv_solve_opts;
void ginv_solve_opts_init(ginv_solve_opts *o);

typedef struct {
    int iters;          /* iterations run */
    int converged;      /* stopped by tol */
    int *flips;         /* caller's array (B) for sign flips per row, or NULL */
    int cancelled;      /* stopped by on_iter */
} ginv_solve_info;

/* Minimise obj from z (B x k, updated in place); f_out (B) gets the final f.
 * The loop below, run to the end: ginv_solver_new, ginv_solver_step until
 * done, then f at the last z. */
ginv_status ginv_solve(ginv_objective *obj, const ginv_solve_opts *o, int B, float *z,
                       double *f_out, ginv_solve_info *info);

/* Callers own the loop (as GSL's multimin): a solver over obj and the
 * caller's z (B x k, updated in place by each step). ginv_solver_step
 * evaluates f (B) and the gradient at z, stops on NaN/Inf (GINV_ERR_NUMERIC)
 * or on o->tol (*done = 1, z unchanged), else takes one update; *done is also
 * set once o->iters steps were taken. */
typedef struct ginv_solver ginv_solver;
ginv_status ginv_solver_new(ginv_solver **out, ginv_objective *obj, const ginv_solve_opts *o, int B,
                            float *z);
ginv_status ginv_solver_step(ginv_solver *s, double *f, int *done);
int ginv_solver_iter(const ginv_solver *s);      /* updates taken */
int ginv_solver_converged(const ginv_solver *s); /* stopped by tol */
int ginv_solver_flips(const ginv_solver *s, int b); /* sign flips of row b so far */
void ginv_solver_free(ginv_solver *s);

/* ------------------------------------------------------------ scenario */

/* One trial's problem, drawn once from the seed streams, for every command
 * and sweep unit that simulates one (recover, sample, landscape, invert-lp):
 * the generator (given, or drawn from (seed, NET, trial) with `init`), the
 * operator A ((seed, OP, trial)), the truth z0 (given, or N(0, I) from
 * (seed, TRUTH, trial)), x0 = G(z0) and y = A x0 + N(0, noise^2 I) from
 * (seed, NOISE, trial) — or the caller's y, in which case there is no z0.
 * Same seed and trial, same problem, whichever command asks. */
typedef struct {
    ginv_net *net;              /* fixed generator (borrowed), or NULL: draw from spec */
    int nspec;
    const ginv_layer *spec;
    ginv_init init;
    double bias_sd;
    const ginv_op_spec *op;     /* NULL: the identity (y = x0 + noise) */
    const float *truth;         /* z0 (k), or NULL: drawn */
    const float *y;             /* given measurements, or NULL: simulate */
    size_t y_count;             /* ... how many (checked against m; 0: the caller checked) */
    double noise;               /* sigma of the additive noise on y (0: none) */
    uint64_t seed, trial;
} ginv_scenario_opts;
void ginv_scenario_opts_init(ginv_scenario_opts *o);

typedef struct {
    ginv_net *net;              /* the generator: o->net, or drawn (owned) */
    ginv_op *op;                /* owned */
    int k, n, m;
    float *z0;                  /* (k) owned; NULL when y was given */
    float *x0;                  /* (n) G(z0), owned; NULL when y was given */
    float *y;                   /* (m) owned */
    int owns_net;
} ginv_scenario;
/* Draws the problem into sc (released with ginv_scenario_release, also after
 * a failure). */
ginv_status ginv_scenario_draw(ginv_scenario *sc, const ginv_scenario_opts *o);
void ginv_scenario_release(ginv_scenario *sc);

/* ------------------------------------------------------ MAP inversion */

/* The recovery experiment of Hand & Voroninski §I-C: per trial, a generator
 * (fixed, or drawn from the trial's own stream), a truth z0, measurements
 * y = A G(z0) + noise (or the user's y), R restarts solved in one batch, the
 * restart with the lowest f kept. */
typedef struct {
    ginv_net *net;              /* fixed generator, or NULL: draw one per trial */
    int nspec;                  /* ... from this architecture */
    const ginv_layer *spec;
    ginv_init init;
    double bias_sd;
    const ginv_op_spec *op;
    double noise;               /* sigma of additive Gaussian noise on y */
    double lambda;              /* weight of lambda ||z||^2 */
    double success_tol;         /* success: rel_error < success_tol */
    double init_sd;             /* restarts start at N(0, init_sd^2 I) ... */
    int start_negative;         /* ... or at -z0 + N(0, (init_sd ||z0||)^2 I / k) */
    ginv_solve_opts solve;
    ginv_kink_rule kink;
    int restarts, trials, threads;
    uint64_t seed;
    uint64_t first_trial;       /* trials are numbered first_trial, first_trial + 1, ...: the
                                   index of their streams (0 for `ginv recover`) */
    const float *truth;         /* z0 (k) for every trial, or NULL: N(0, I) per trial */
    const float *y;             /* given measurements (m), or NULL: simulate */
} ginv_recover_opts;
void ginv_recover_opts_init(ginv_recover_opts *o);

typedef struct {
    ginv_status status;         /* of this trial */
    char error[256];
    int k, n, m;
    double rel_error;           /* ||z_hat - z0|| / ||z0||, NaN when y was given */
    double signal_error;        /* ||G(z_hat) - G(z0)|| / ||G(z0)||, NaN when y was given */
    double meas_loss;           /* 1/2 ||A G(z_hat) - y||^2 */
    double f;                   /* objective at z_hat */
    int iters, best_restart, success;
    int flips;                  /* sign flips of the kept restart (signflip) */
    int flips_total;            /* ... summed over all restarts */
    double seconds;             /* wall time of the solve loop */
    float *z_hat, *x_hat, *z0;  /* (k), (n), (k or NULL) owned */
    float *y;                   /* (m) the measurements used, owned */
} ginv_recover_trial;

/* Runs opts->trials trials into results[0..trials) (each released with
 * ginv_recover_trial_release). Trials run on opts->threads threads; the
 * numbers do not depend on the thread count. Returns the first failure. */
ginv_status ginv_recover_run(const ginv_recover_opts *opts, ginv_recover_trial *results);
void ginv_recover_trial_release(ginv_recover_trial *t);

/* ----------------------------------------------- compressed sensing (CSGM) */

/* CSGM (Bora, Jalal, Price & Dimakis 2017, eq. (2)): for each of N images
 * measured with one shared operator, y_i (N x m), minimise
 *   ||A G(z) - y_i||^2 + lambda ||z||^2
 * by Adam from R starts z ~ N(0, I) (stream (seed, GINV_STREAM_CSGM_INIT, i)
 * for image i), all images and restarts in one batch of at most max_batch
 * rows, and keep each image's restart with the lowest loss. (ginv's objective
 * is half of this loss: f = 1/2||.||^2 + (lambda/2)||z||^2; same minimisers.) */
enum { GINV_STREAM_CSGM_INIT = GINV_STREAM_USER + 71 };
typedef struct {
    int restarts, iters;
    double lr, lambda;
    uint64_t seed;
    int threads, max_batch;
    uint64_t first_index;      /* image i of this call is image first_index + i of the
                                  data: the index of its restart stream (0 for `ginv cs`) */
} ginv_csgm_opts;
void ginv_csgm_opts_init(ginv_csgm_opts *o); /* 10 restarts, 1000 iters, lr 0.01, lambda 0.1 */
/* Z (N x k), X = G(Z) (N x n) and loss (N: ||A G(z) - y||^2 + lambda||z||^2 at
 * the kept restart) may each be NULL. */
ginv_status ginv_csgm_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                          const ginv_csgm_opts *o, float *Z, float *X, double *loss);

/* ------------------------------------------------------------- WDC/RRIC */

/* Hand & Voroninski (2019) Definitions 2 and 3, measured on concrete weights
 * and operators (double precision). Estimates are maxima over sampled points
 * followed by a local ascent: lower bounds on the true suprema. */
enum {
    GINV_STREAM_WDC = GINV_STREAM_USER + 21,  /* WDC pairs and ascent (index: layer) */
    GINV_STREAM_RRIC = GINV_STREAM_USER + 22  /* RRIC quadruples and ascent */
};

/* Eigenvalues (ascending) of the symmetric k x k matrix A (row-major, only
 * its lower triangle is read): Householder tridiagonalisation + implicit QL. */
ginv_status ginv_sym_eigvals(int k, const double *A, double *eig);
/* Spectral norm max |lambda| of the symmetric k x k matrix A. */
ginv_status ginv_sym_norm(int k, const double *A, double *norm);

/* Def. 2 footnote 1: M (k x k) maps x^ -> y^, y^ -> x^ and kills
 * span{x, y}^perp; x^x^T at angle 0, -x^x^T at angle pi. x, y nonzero. */
ginv_status ginv_wdc_swap_matrix(int k, const double *x, const double *y, double *M);
/* Def. 2 eq. (2): Q_{x,y} = (pi - th)/(2 pi) I + sin(th)/(2 pi) M_{x<->y}. */
ginv_status ginv_wdc_q(int k, const double *x, const double *y, double *Q);
/* Def. 2 eq. (2): || sum_i 1[w_i.x > 0] 1[w_i.y > 0] w_i w_i^T - Q_{x,y} || for
 * W (n x k, row-major: a dense layer's weight, rows w_i). */
ginv_status ginv_wdc_deviation(int n, int k, const float *W, const double *x, const double *y,
                               double *dev);

typedef struct {
    int pairs;          /* sampled (x, y) pairs: a third uniform on the sphere, a third
                           at small angles, a third near pi (and the exact 0 and pi) */
    int ascent_starts;  /* local ascent from the worst this many pairs */
    int ascent_steps;   /* random-perturbation hill-climbing steps per start */
    uint64_t seed, index; /* stream (seed, GINV_STREAM_WDC, index) */
} ginv_wdc_opts;
void ginv_wdc_opts_init(ginv_wdc_opts *o);

typedef struct {
    double max;          /* the largest deviation found (after the ascent) */
    double max_sampled;  /* the largest over the sampled pairs alone */
    double mean;         /* mean over the sampled pairs */
    double angle;        /* angle(x, y) of the worst pair, radians */
    long evaluated;      /* deviations computed */
} ginv_wdc_result;

/* The WDC constant of W (n x k) over all nonzero x, y (Def. 2 as written). */
ginv_status ginv_wdc_estimate(int n, int k, const float *W, const ginv_wdc_opts *o,
                              ginv_wdc_result *res);
/* The same for dense layer `layer` (an index into the net's layer list) with
 * x, y restricted to that layer's inputs for latents z, z' (the range of the
 * layers before it; pairs z' near z and near -z included). */
ginv_status ginv_wdc_estimate_range(const ginv_net *net, int layer, const ginv_wdc_opts *o,
                                    ginv_wdc_result *res);

/* Def. 3: dev[q] = |<A d1, A d2> - <d1, d2>| / (||d1|| ||d2||), d1 = G(x1) - G(x2),
 * d2 = G(x3) - G(x4), for Q quadruples x (Q x 4 x k, row-major: x1..x4 of each
 * quadruple in a row); 0 when d1 or d2 is 0. Batched through ginv_net_forward. */
ginv_status ginv_rric_deviation(const ginv_net *net, const ginv_op *op, int Q, const float *x,
                                double *dev);

typedef struct {
    int quads;          /* sampled quadruples: latents N(0, I), including nearby pairs
                           x2 = x1 + small, equal pairs (x3, x4) = (x1, x2), x2 = x4 = 0 */
    int ascent_starts;  /* local ascent from the worst this many quadruples */
    int ascent_steps;   /* steps per start, each a batch of ascent_batch candidates */
    int ascent_batch;
    uint64_t seed, index; /* stream (seed, GINV_STREAM_RRIC, index) */
} ginv_rric_opts;
void ginv_rric_opts_init(ginv_rric_opts *o);

typedef struct {
    double max, max_sampled, mean; /* as in ginv_wdc_result */
    double dist12, dist34;  /* ||x1 - x2||, ||x3 - x4|| of the worst quadruple */
    long evaluated;
} ginv_rric_result;

/* The RRIC constant of op with respect to net (Def. 3), estimated. */
ginv_status ginv_rric_estimate(const ginv_net *net, const ginv_op *op, const ginv_rric_opts *o,
                               ginv_rric_result *res);

/* ------------------------------------------------------------ landscape */

/* The geometry of f(z) = 1/2 ||A G(z) - A G(z0)||^2 (Hand & Voroninski 2019,
 * §II and Lemma 10: stationary points only near z0 and -rho_d z0), measured
 * on a concrete generator and operator. */
enum {
    GINV_STREAM_LANDSCAPE_DIR = GINV_STREAM_USER + 31 /* the plane's direction */
};
typedef struct ginv_landscape ginv_landscape;
/* y = A G(z0) (noiseless), f with lambda 0; `batch` is the largest batch one
 * objective evaluation holds (larger requests are cut into chunks). */
ginv_status ginv_landscape_new(ginv_landscape **out, ginv_net *net, const ginv_op *op,
                               const float *z0, int batch);
void ginv_landscape_free(ginv_landscape *ls);
ginv_objective *ginv_landscape_objective(ginv_landscape *ls);
/* f (B) and, if grad != NULL, grad f (B x k) for any B (chunked). */
ginv_status ginv_landscape_eval(ginv_landscape *ls, int B, const float *z, double *f,
                                float *grad);
/* Along the line z = t z0: f, ||grad f|| and the slope <grad f, z0>/||z0||
 * (each nt doubles; gnorm and slope may be NULL). */
ginv_status ginv_landscape_line(ginv_landscape *ls, int nt, const double *t, double *f,
                                double *gnorm, double *slope);
/* The minimiser of t -> f(t z0) in [lo, hi] by golden-section search. */
ginv_status ginv_landscape_ray_min(ginv_landscape *ls, double lo, double hi, double *t_min,
                                   double *f_min);
/* The zero of the slope along the line in [lo, hi] by bisection (slope(lo) <
 * 0 < slope(hi) needed; else *t_zero = NaN): the finite-width analogue of
 * the zero of h_{x,x0} (eq. 29) on the ray. */
ginv_status ginv_landscape_slope_zero(ginv_landscape *ls, double lo, double hi,
                                      double *t_zero);
/* H (k x k, row-major) at z by central differences of grad f with step
 * `step` (absolute), one batch of 2k points; not symmetrised. */
ginv_status ginv_landscape_hessian(ginv_landscape *ls, const float *z, double step, double *H);
/* Eigenvalues (ascending) of the symmetric part of H (k x k). */
ginv_status ginv_landscape_eigvals(int k, const double *H, double *eig);
/* A unit direction orthogonal to z0, from stream (seed, GINV_STREAM_LANDSCAPE_DIR, 0). */
ginv_status ginv_landscape_orth_dir(ginv_landscape *ls, uint64_t seed, float *dir);
/* f on the plane z = a z0 + b ||z0|| dir for a = xs[i], b = ys[j]:
 * f[j * nx + i]. */
ginv_status ginv_landscape_plane(ginv_landscape *ls, const float *dir, int nx, const double *xs,
                                 int ny, const double *ys, double *f);
typedef struct {
    int n_pos, n_neg, n_other; /* ended within radius ||z0|| of z0, of t_neg z0, neither */
    double *dist_pos, *dist_neg; /* (n) ||z - z0||/||z0||, ||z - t_neg z0||/||z0||, owned */
    double *f;                   /* (n) final f, owned */
} ginv_landscape_basins;
/* n inits N(0, (||z0||^2/k) I) from stream (seed, GINV_STREAM_INIT, 0), run by
 * ginv_solve (batched), classified against z0 and t_neg z0. */
ginv_status ginv_landscape_basins_run(ginv_landscape *ls, const ginv_solve_opts *o, int n,
                                      uint64_t seed, double t_neg, double radius,
                                      ginv_landscape_basins *res);
void ginv_landscape_basins_release(ginv_landscape_basins *res);

/* ------------------------------------------------------------- sampling */

/* Posterior sampling in the latent space: Langevin chains (Daras et al. 2022,
 * Thm 3.1 eq. 2; Pareek & Risteski 2021, §5 eqs. 6 and 8). The energy of a
 * latent z is
 *     U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z),
 * prior: gaussian 1/2 ||z||^2, uniform on the ball ||z - c|| <= r (0 on the
 * ball, outside it the density is 0), or none; the chains target
 *     pi(z) ∝ exp(-beta U(z))      (beta: inverse temperature).
 * docs/sampling.md maps each paper's eta, beta and sigma onto these. */
enum {
    GINV_STREAM_SAMPLE = GINV_STREAM_USER + 41 /* chains: index chain * 4 + role
                                                  (0 start, 1 noise, 2 accept) */
};

typedef enum { GINV_PRIOR_GAUSSIAN = 0, GINV_PRIOR_UNIFORM = 1, GINV_PRIOR_NONE = 2 } ginv_prior;
ginv_status ginv_prior_parse(const char *name, ginv_prior *out);
const char *ginv_prior_name(ginv_prior p);

typedef struct ginv_posterior ginv_posterior;
/* y is ny x m with ny == 1 (shared by all chains) or ny == B (one per chain),
 * copied; sigma > 0 is the likelihood's noise level; B the largest batch. */
ginv_status ginv_posterior_new(ginv_posterior **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double sigma, ginv_prior prior, int B);
void ginv_posterior_free(ginv_posterior *p);
int ginv_posterior_k(const ginv_posterior *p);
ginv_prior ginv_posterior_prior(const ginv_posterior *p);
/* U (B doubles) and, if grad != NULL, grad U (B x k). The uniform prior's
 * ball is not checked here: the samplers keep the chains on it. */
ginv_status ginv_posterior_eval(ginv_posterior *p, int B, const float *z, double *U,
                                float *grad);
/* The objective 1/2||A G(z) - y||^2 + lambda ||z||^2 inside (lambda =
 * sigma^2/2 for the gaussian prior, else 0): U = f / sigma^2. */
ginv_objective *ginv_posterior_objective(ginv_posterior *p);

typedef struct ginv_sampler_type ginv_sampler_type;
/* z <- z - eta grad U(z) + sqrt(2 eta / beta) u  (Daras eq. 2, P&R eq. 6) */
extern const ginv_sampler_type *const ginv_sampler_ula;
/* the same proposal, accepted with the Metropolis-Hastings probability */
extern const ginv_sampler_type *const ginv_sampler_mala;
/* the ULA step projected onto the ball ||z - c|| <= r (P&R eq. 8) */
extern const ginv_sampler_type *const ginv_sampler_projected;
/* ULA whose burn-in runs through geometric temperature levels (see
 * ginv_sample_opts.levels), then plain ULA */
extern const ginv_sampler_type *const ginv_sampler_annealed;
const ginv_sampler_type *ginv_sampler_find(const char *name);
const char *ginv_sampler_name(const ginv_sampler_type *t);

typedef enum {
    GINV_CHAIN_INIT_ZERO = 0,   /* every chain starts at 0 */
    GINV_CHAIN_INIT_GD = 1,     /* P&R Thm 1: GD from 0 on 1/2||A G(z) - y||^2, then Langevin */
    GINV_CHAIN_INIT_RANDOM = 2, /* N(0, init_sd^2 I), stream (seed, SAMPLE, chain * 4) */
    GINV_CHAIN_INIT_GIVEN = 3   /* init_z */
} ginv_chain_init;
ginv_status ginv_chain_init_parse(const char *name, ginv_chain_init *out);

/* A constant preconditioner P for ULA and MALA (precond.c):
 *   z' = z - eta P grad U(z) + sqrt(2 eta / beta) P^{1/2} u.
 * laplace: P = H^{-1}, H the Gauss-Newton Hessian of U at the GD point,
 * (A J_G)^T (A J_G) / sigma^2 + I: the precision of the Laplace approximation
 * around the inverse that Pareek & Risteski's Lemma 5 shows log-concave. */
typedef enum { GINV_PRECOND_NONE = 0, GINV_PRECOND_LAPLACE = 1 } ginv_precond;
ginv_status ginv_precond_parse(const char *name, ginv_precond *out);
/* H = (A J_G(z))^T (A J_G(z)) / sigma^2 + I (k x k, row-major) for the
 * posterior's net, operator and sigma, gaussian prior. */
ginv_status ginv_posterior_gn_hessian(ginv_posterior *p, const float *z, double *H);

typedef struct {
    const ginv_sampler_type *type;
    double step;          /* eta */
    double beta;          /* inverse temperature */
    int chains, burn_in, samples, thin; /* C chains; keep every thin-th step after burn_in */
    ginv_chain_init init;
    double init_sd;       /* random */
    const float *init_z;  /* given: chains x k */
    int gd_iters;         /* gd: iterations of plain GD ... */
    double gd_lr;         /* ... and its step size */
    double radius;        /* projected (and the uniform prior): the ball's radius r */
    const float *centre;  /* its centre c (k, shared), or NULL: each chain's GD point with
                             init gd, else 0 */
    int levels;           /* annealed: L temperature levels T_i = level_max^(2(L-1-i)/(L-1)) */
    double level_max;     /*   over the burn-in, step eta_i = eta T_i (prop. to level^2) */
    ginv_precond precond; /* ula, mala: none, or laplace (needs init gd, gaussian prior) */
    int temps;            /* parallel tempering (ula, mala): R rungs per chain, 1 = off; rung r */
    double temp_max;      /*   targets exp(-beta U / T_r), T_r = temp_max^(r/(R-1)) */
    int swap_every;       /*   swaps of adjacent rungs every this many steps */
    uint64_t seed;
    int threads;          /* linear-algebra threads (numbers do not depend on it) */
} ginv_sample_opts;
void ginv_sample_opts_init(ginv_sample_opts *o);

typedef struct {
    int S, C, k;
    float *samples;       /* S x C x k: sample s of chain c at (s * C + c) * k, owned */
    double *energy;       /* S x C: U at each kept sample, owned */
    float *start;         /* C x k: where the chains started (after GD), owned */
    float *centre;        /* C x k: each chain's ball centre (projected, uniform prior), or
                             NULL; owned */
    long *accepted;       /* C: accepted proposals after burn-in, owned */
    long proposed;        /* proposals per chain after burn-in */
    double accept_rate;   /* all chains after burn-in; 1 for the unadjusted samplers */
    double gd_loss;       /* init gd: 1/2||A G(z_gd) - y||^2 at the end of GD, else NaN */
    int gd_iters;         /* init gd: iterations run */
    double precond_eig[2]; /* laplace: smallest and largest eigenvalue of H, else NaN */
    int temps;            /* rungs per chain (1: no tempering) */
    double *swap_rate;    /* temps - 1: accepted swaps of rungs r, r+1 after burn-in / proposed; owned */
    double seconds;       /* wall time of the chains (burn-in included, GD excluded) */
    long steps;           /* steps per chain, burn-in included */
} ginv_sample_result;

/* Runs o->chains chains in one batch (one posterior evaluation per step for
 * all of them). post must hold a batch of o->chains x o->temps. With
 * o->temps > 1 every chain is a ladder of rungs (replica exchange): only the
 * samples of rung 0 (T = 1) are kept. */
ginv_status ginv_sample_run(ginv_posterior *post, const ginv_sample_opts *o,
                            ginv_sample_result *res);
void ginv_sample_result_release(ginv_sample_result *r);
/* Per-coordinate mean and std of the samples (k each), and, when net is not
 * NULL, of the signals G(z) (n each; batched forward over the samples).
 * Any output may be NULL. */
ginv_status ginv_sample_moments(const ginv_sample_result *r, const ginv_net *net,
                                float *mean_z, float *std_z, float *mean_x, float *std_x);

/* MCMC diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021)
 * for one scalar quantity drawn by M chains of N draws, x[s * M + c]. */
typedef struct {
    double mean, sd;
    double rhat;          /* max of the rank-normalised split R-hat, bulk and folded */
    double rhat_bulk;     /* split R-hat of the rank-normalised draws */
    double ess_bulk;      /* ESS of the rank-normalised split chains */
    double ess_tail;      /* min ESS of the 5% and 95% quantile indicators */
    double ess_mean;      /* ESS of the raw split chains */
    double mcse_mean;     /* sd / sqrt(ess_mean) */
} ginv_diag;
/* N >= 4 draws per chain. Constant draws give NaN R-hat and ESS. */
ginv_status ginv_diag_compute(int N, int M, const double *x, ginv_diag *d);
/* The pieces, on chains as given (no splitting): R-hat (eq. 4) and the ESS
 * with Geyer's initial monotone sequence, for x[s * M + c]. */
double ginv_diag_rhat(int N, int M, const double *x);
double ginv_diag_ess(int N, int M, const double *x);
/* Only the R-hat of ginv_diag_compute (max of the rank-normalised split
 * R-hat, bulk and folded): no ESS, so cheap on long runs. NaN when N < 4. */
double ginv_diag_rhat_rank(int N, int M, const double *x);
/* Phi^{-1}(p), p in (0, 1), to double precision. */
double ginv_normal_quantile(double p);

/* The same diagnostics on the signal: for every output coordinate i of G
 * (every pixel), over the images G(z) of all samples. Pixels whose sd is at
 * most sd_floor (constant in the posterior) are left out of the summary;
 * per_pixel (n, may be NULL) gets every pixel's diagnostics. */
typedef struct {
    int pixels;           /* pixels with sd > sd_floor */
    double max_rhat, min_ess_bulk, min_ess_tail;  /* over those; NaN when none */
    int worst_pixel;      /* where max_rhat is, or -1 */
} ginv_signal_diag;
ginv_status ginv_sample_signal_diag(const ginv_sample_result *r, const ginv_net *net,
                                    double sd_floor, ginv_diag *per_pixel,
                                    ginv_signal_diag *summary);

/* R-hat against run length (rhat_curve.c): for up to GINV_RHAT_CURVE_MAX
 * geometric kept-draw counts T (8 .. S), the max over latent coordinates of
 * the split R-hat of draws [T/2, T); steps[i] = burn_in + T * thin, the
 * chain's length had it stopped there. steps_to_threshold: the first
 * steps[i] from which max_rhat stays below threshold, or -1. */
enum { GINV_RHAT_CURVE_MAX = 32 };
typedef struct {
    int points;
    int kept[GINV_RHAT_CURVE_MAX];
    long steps[GINV_RHAT_CURVE_MAX];
    double max_rhat[GINV_RHAT_CURVE_MAX];
    double threshold;
    long steps_to_threshold;
} ginv_rhat_curve;
ginv_status ginv_sample_rhat_curve(const ginv_sample_result *r, long burn_in, int thin,
                                   double threshold, ginv_rhat_curve *out);

/* W1 between two empirical laws: exact in 1-D (quantile functions), and the
 * sliced form: the mean over ndirs random unit directions u (stream (seed,
 * GINV_STREAM_W1, d)) of the 1-D W1 of <a_i, u> and <b_j, u>, for a (na x k)
 * and b (nb x k). The sliced W1 never exceeds the k-dimensional W1. */
enum { GINV_STREAM_W1 = GINV_STREAM_USER + 42 };
ginv_status ginv_w1_1d(int na, const double *a, int nb, const double *b, double *out);
ginv_status ginv_w1_sliced(int k, int na, const float *a, int nb, const float *b, int ndirs,
                           uint64_t seed, double *out);

/* ------------------------------------------------------------ learning */

/* A variational autoencoder (Kingma & Welling 2014; the generator class of
 * Pareek & Risteski §2 and of the CSGM experiments): encoder
 * E(x) = (mu, log sigma^2) (2k outputs, last layer linear), decoder logits
 * L(z) (n outputs); p(x|z) = Bernoulli(sigmoid(L(z))), p(z) = N(0, I). The
 * generator G(z) = sigmoid(L(z)) is what model files hold as "the net". */
typedef struct ginv_vae ginv_vae;
typedef struct {
    int n, k;                 /* data and latent sizes */
    int nhidden, hidden[8];   /* hidden widths, the same for encoder and decoder */
    ginv_layer_kind act;      /* hidden activation (softplus) */
} ginv_vae_arch;
/* Fan-in initialisation N(0, 1/fan_in), zero biases, from (seed,
 * GINV_STREAM_TRAIN_INIT, 0/1). */
ginv_status ginv_vae_new(ginv_vae **out, const ginv_vae_arch *a, uint64_t seed);
void ginv_vae_free(ginv_vae *v);
ginv_net *ginv_vae_encoder(ginv_vae *v);
ginv_net *ginv_vae_decoder_logits(ginv_vae *v);
/* Negative ELBO on a batch x (B x n, values in [0, 1]) with the
 * reparameterisation z = mu + sigma * eps, eps (B x k) given:
 *   loss_i = sum_j [softplus(l_ij) - x_ij l_ij]                (-log p(x|z))
 *          + 1/2 sum_c [mu_ic^2 + sigma_ic^2 - 1 - log sigma_ic^2]   (KL)
 * mean over the batch in *loss (recon and kl parts may be NULL). With
 * want_grad, the gradient of the mean loss w.r.t. every parameter is written
 * into each net's grads (overwritten, not accumulated). B <= the batch the
 * workspaces were sized for (ginv_vae_reserve). */
ginv_status ginv_vae_reserve(ginv_vae *v, int B);
ginv_status ginv_vae_loss(ginv_vae *v, int B, const float *x, const float *eps, double *loss,
                          double *recon, double *kl, int want_grad);
/* Training: Adam on all parameters, minibatches of a shuffled epoch
 * (permutation from (seed, GINV_STREAM_TRAIN_SHUFFLE, epoch), eps from
 * (seed, GINV_STREAM_TRAIN_EPS, step)). Resuming from a checkpoint continues
 * the same sequence: the result is bit-identical to an uninterrupted run. */
enum {
    GINV_STREAM_TRAIN_INIT = GINV_STREAM_USER + 61,
    GINV_STREAM_TRAIN_SHUFFLE = GINV_STREAM_USER + 62,
    GINV_STREAM_TRAIN_EPS = GINV_STREAM_USER + 63,
    GINV_STREAM_TRAIN_EVAL = GINV_STREAM_USER + 64
};
typedef struct {
    int epochs, batch;
    double lr, beta1, beta2, eps;
    uint64_t seed;
    int threads;
    const char *checkpoint;   /* written (atomically, with optimizer state) after each
                                 epoch; NULL: none */
} ginv_vae_train_opts;
void ginv_vae_train_opts_init(ginv_vae_train_opts *o);
/* Trains until o->epochs epochs are done in all (a resumed VAE starts at
 * ginv_vae_epoch). epoch_loss (o->epochs doubles, may be NULL) gets each
 * epoch's mean training loss (the epochs this call runs; others untouched).
 * The VAE records what it was trained on (ginv_vae_train_record; saved in
 * checkpoints): resuming on other data (count or pixels) is refused
 * (GINV_ERR_ARG), and another batch, lr or seed logs a warning (the result
 * is then not that of an uninterrupted run). */
ginv_status ginv_vae_train(ginv_vae *v, int N, const float *X, const ginv_vae_train_opts *o,
                           double *epoch_loss);
int ginv_vae_epoch(const ginv_vae *v);  /* epochs done */
const ginv_vae_arch *ginv_vae_get_arch(const ginv_vae *v);
/* What the last ginv_vae_train on this VAE (or its checkpoint) used. */
typedef struct {
    int images;               /* training examples */
    uint64_t data_hash;       /* a 64-bit hash of the count, size and pixel bits */
    int batch;
    double lr;
    uint64_t seed;
    double last_loss;         /* mean training loss of the last finished epoch (NaN: none) */
} ginv_vae_train_record;
/* 1 and *out when known (trained here, or loaded from a checkpoint that
 * records it), else 0. */
int ginv_vae_train_record_get(const ginv_vae *v, ginv_vae_train_record *out);
/* Mean negative ELBO (single-sample, eps from (seed, GINV_STREAM_TRAIN_EVAL,
 * i)) over N examples: an upper bound on -log p(x) in nats per example. */
ginv_status ginv_vae_eval(ginv_vae *v, int N, const float *X, uint64_t seed, double *loss,
                          double *recon, double *kl);
/* Save: the generator sigmoid(L) as the file's net ("ginv", "layers."), the
 * encoder as ("ginv.encoder", "encoder.") and, with_state, the optimizer state
 * for --resume. ginv_net_load on the file gives the generator alone. */
ginv_status ginv_vae_save(const ginv_vae *v, const char *path, int with_state);
/* Load a file written by ginv_vae_save (optimizer state if present). */
ginv_status ginv_vae_load(const char *path, ginv_vae **out);
/* The generator G = sigmoid(L) as a new net (copies the parameters). */
ginv_status ginv_vae_generator(const ginv_vae *v, ginv_net **out);

/* ------------------------------------------------------ inversion problems */

/* A decision problem of Keles & Hegde (2023): is there a latent z in the
 * domain with ||G(z) - x||_p <= delta (p = 0: exactly G(z) == x)? Stored
 * beside the net in a model file, under __metadata__["ginv.problem"], as
 * JSON {"target": [n numbers], "delta": d, "p": P ("exact", 1, 2, 3, ...,
 * "inf"), "latent": "01"|"pm1"|"real", "box": R (real only; absent or 0:
 * unbounded), "source": {...what built it: reduction, theorem, sizes...}}. */
typedef enum { GINV_LATENT_REAL = 0, GINV_LATENT_01, GINV_LATENT_PM1 } ginv_latent_domain;
#define GINV_NORM_EXACT 0.0  /* p value meaning x == G(z) */
typedef struct {
    int n;                     /* target length == the net's output size */
    double *target;            /* n, owned */
    double delta;              /* >= 0 (ignored for exact) */
    double p;                  /* GINV_NORM_EXACT, 1, 2, ..., or INFINITY */
    ginv_latent_domain latent;
    double box;                /* real latents: |z_i| <= box; 0 = unbounded */
    char *source_json;         /* JSON object text or NULL, owned */
} ginv_problem;
void ginv_problem_release(ginv_problem *pb);
const char *ginv_latent_domain_name(ginv_latent_domain d); /* "real", "01", "pm1" */
ginv_status ginv_latent_domain_parse(const char *text, ginv_latent_domain *out);
/* "exact", "1", "2", "3", ..., "inf" <-> p. */
ginv_status ginv_norm_parse(const char *text, double *p);
const char *ginv_norm_name(double p, char *buf, size_t len);
/* Read the problem stored in a parsed model file; *found = 0 (and GINV_OK)
 * when the file has none. Checks the target length against n_out. */
ginv_status ginv_problem_from_st(const ginv_st_file *f, int n_out, ginv_problem *out,
                                 int *found);
/* The box |z_i| <= R holding the "clamp" interval a real-latent reduction
 * stores in its source (G(z) = G(clamp(z)), docs/hardness.md), or 0. */
double ginv_problem_clamp_box(const ginv_problem *pb);
/* Save net + problem as one model file (atomic). */
ginv_status ginv_problem_save(const ginv_net *net, const ginv_problem *pb, const char *path);
/* ||a - b||_p in double (p = 0 or INFINITY: max norm; exact problems test
 * the distance against 0 with the max norm). */
double ginv_dist_p(int n, const double *a, const double *b, double p);

/* ------------------------------------------------ hardness reductions */

/* The instances behind Keles & Hegde (2023), §3-5: k-SAT (DIMACS CNF),
 * graphs (DIMACS edge format) and (0,1)-CVP lattices (array files), their
 * random generators, and the checks map-back needs. */
enum {
    GINV_STREAM_SAT = GINV_STREAM_USER + 51,     /* random k-SAT clauses */
    GINV_STREAM_GRAPH = GINV_STREAM_USER + 52,   /* G(n, p) edges and weights */
    GINV_STREAM_LATTICE = GINV_STREAM_USER + 53  /* random lattice, planted target */
};

/* A CNF formula: clause c holds lits[start[c] .. start[c+1]), each literal
 * +v or -v for variable v in 1..nvars (DIMACS numbering). */
typedef struct {
    int nvars, nclauses;
    int *start;   /* nclauses + 1, owned */
    int *lits;    /* start[nclauses], owned */
} ginv_cnf;
/* DIMACS CNF. Strict: one "p cnf V C" header before any clause, exactly C
 * clauses each ended by 0, nothing but comments after. Lenient also takes
 * SATLIB's "%" end marker (the rest of the file is ignored), a last clause
 * without its 0, and a clause count other than the header's. Both modes:
 * comment lines ("c ..."), clauses over several lines or several per line,
 * literals within 1..V. Errors name the line: "line 7: ...". */
ginv_status ginv_cnf_parse(const char *buf, size_t len, int strict, ginv_cnf *out);
/* The same from a file; errors start with the path. */
ginv_status ginv_cnf_read(const char *path, int strict, ginv_cnf *out);
ginv_status ginv_cnf_write(const char *path, const ginv_cnf *f, const char *comment);
void ginv_cnf_release(ginv_cnf *f);
/* Uniform random k-SAT: m clauses of k distinct variables of n, each negated
 * with probability 1/2, from stream (seed, GINV_STREAM_SAT, 0). */
ginv_status ginv_cnf_random(ginv_cnf *out, int n, int m, int k, uint64_t seed);
/* assign[v-1] in {0, 1} is variable v's value. The first clause it leaves
 * unsatisfied, or -1 when it satisfies every clause. */
int ginv_cnf_first_unsat(const ginv_cnf *f, const unsigned char *assign);
int ginv_cnf_satisfied(const ginv_cnf *f, const unsigned char *assign);

/* An undirected simple graph on vertices 0..n-1 (DIMACS numbers them from 1)
 * with positive integer edge weights (1 when the file gives none). */
typedef struct {
    int n, m;
    int *u, *v;          /* m edges, u[e] < v[e], owned */
    long long *w;        /* m weights >= 1, owned */
    int weighted;        /* some edge line gave a weight */
} ginv_graph;
/* DIMACS graph ("p edge N M" or "p col N M", "e U V" lines; "e U V W" gives
 * an edge weight W >= 1, used by Thm 5). Strict: exactly M distinct edges,
 * no vertex-weight "n" lines. Lenient: any edge count, repeated edges merged
 * (the same weight required), "n" lines ignored. Both: no self-loops,
 * vertices within 1..N, comments ("c"). Errors name the line. */
ginv_status ginv_graph_parse(const char *buf, size_t len, int strict, ginv_graph *out);
ginv_status ginv_graph_read(const char *path, int strict, ginv_graph *out);
ginv_status ginv_graph_write(const char *path, const ginv_graph *g, const char *comment);
void ginv_graph_release(ginv_graph *g);
/* G(n, p): each pair an edge with probability p; weights uniform in
 * 1..max_weight (max_weight 1: unweighted). Stream (seed, GINV_STREAM_GRAPH, 0). */
ginv_status ginv_graph_random(ginv_graph *out, int n, double p, long long max_weight,
                              uint64_t seed);
/* in[i] in {0, 1}: vertex i is in the set. */
int ginv_graph_is_clique(const ginv_graph *g, const unsigned char *in);
int ginv_graph_is_vertex_cover(const ginv_graph *g, const unsigned char *in);
/* The total weight of the edges with both ends in the set. */
long long ginv_graph_set_weight(const ginv_graph *g, const unsigned char *in);

/* A (0,1)-CVP instance (Keles & Hegde §3.3): basis vectors v_1..v_n in R^d
 * and a target t in R^d. */
typedef struct {
    int n, d;
    double *basis;   /* n x d: row i is v_{i+1}, owned */
    double *target;  /* d, owned */
} ginv_cvp;
/* basis: an n x d array file (one basis vector a row, as fplll), target: d
 * values (a 1-D array, or a 1 x d or d x 1 one). */
ginv_status ginv_cvp_read(const char *basis_path, const char *target_path, ginv_cvp *out);
ginv_status ginv_cvp_from_arrays(const ginv_array *basis, const ginv_array *target,
                                 ginv_cvp *out);
ginv_status ginv_cvp_write(const char *basis_path, const char *target_path, const ginv_cvp *c);
void ginv_cvp_release(ginv_cvp *c);
/* Integer basis entries uniform in [-range, range]; target t = B y0 + e with
 * y0 uniform in {0,1}^n and e uniform integers in [-noise, noise]. Stream
 * (seed, GINV_STREAM_LATTICE, 0). */
ginv_status ginv_cvp_random(ginv_cvp *out, int n, int d, int range, int noise, uint64_t seed);
/* ||B y - t||_p for coefficients y (n); p = INFINITY: max norm. */
double ginv_cvp_dist(const ginv_cvp *c, const int *y, double p);

/* The reductions (Keles & Hegde 2023). Each builds an ordinary layered net
 * (dense layers with bias, each followed by ReLU) and the decision problem
 * to store beside it (ginv_problem_save); pb->source_json describes the
 * reduction and embeds the original instance, which is what map-back reads.
 * docs/hardness.md gives each network layer by layer. */
/* Thm 1: 2 layers, z in {-1,1}^n, exact: G(z) = 0 iff z satisfies f. */
ginv_status ginv_reduce_sat_pm1(const ginv_cnf *f, ginv_net **net, ginv_problem *pb);
/* Thm 2: 4 layers, z in R^n, exact: G(z) = (0, n) iff clamp(z, -1, 1) is a
 * +-1 vector that satisfies f. */
ginv_status ginv_reduce_sat_real(const ginv_cnf *f, ginv_net **net, ginv_problem *pb);
/* Thm 3: 1 layer, z in {0,1}^{2n}, ||G(z)||_p <= delta = r iff z encodes y
 * in {0,1}^n with ||B y - t||_p <= r. p: 1..64 or INFINITY. */
ginv_status ginv_reduce_cvp_01(const ginv_cvp *c, double r, double p, ginv_net **net,
                               ginv_problem *pb);
/* Thm 4 (r < 1/4) or its Appendix A (any r): 5 layers, z in R^{2n}. */
ginv_status ginv_reduce_cvp_real(const ginv_cvp *c, double r, double p, ginv_net **net,
                                 ginv_problem *pb);
/* Thm 5: 1 layer, z in {0,1}^n (n even): some z with ||G(z)||_p <= delta iff
 * g has a clique of n/2 vertices whose edge weights sum to less than M
 * (integer weights; bound M >= 1). p: 1..64. */
ginv_status ginv_reduce_half_clique(const ginv_graph *g, long long M, int p, ginv_net **net,
                                    ginv_problem *pb);
/* §5.3: 1 layer, z in {0,1}^n: some z with ||G(z)||_p <= delta iff g has a
 * vertex cover of exactly q vertices. p: 1..64. */
ginv_status ginv_reduce_vertex_cover(const ginv_graph *g, int q, int p, ginv_net **net,
                                     ginv_problem *pb);

/* Map-back: what a latent z of a reduced net says about the original
 * instance (read from pb->source_json), checked against that instance. */
typedef struct {
    char kind[16];       /* "sat", "cvp", "half-clique", "vertex-cover" */
    int size;            /* entries in object */
    int *object;         /* owned. sat: value (0/1) of variable i+1; cvp: coefficient
                            y_{i+1} in {0,1}; half-clique: vertex i+1 in the clique;
                            vertex-cover: vertex i+1 in the cover D */
    int encoding_ok;     /* z is one of the encodings the proof names (see
                            docs/hardness.md); object is read from z either way */
    int solves;          /* object is a YES certificate of the original instance */
    double value;        /* sat: clauses left unsatisfied; cvp: ||B y - t||_p;
                            half-clique: |set| - n/2 == 0 and a clique ? its weight : NaN;
                            vertex-cover: |D| */
    double dist;         /* ||G(z) - x||_p (double-precision forward; max norm if exact) */
    int within;          /* dist <= delta (exact problems: dist == 0) */
    char why[256];       /* when !solves: the first reason, else "" */
} ginv_witness;
/* z: ginv_net_in(net) values in the problem's latent domain (real latents:
 * anything finite). */
ginv_status ginv_reduce_map_back(const ginv_net *net, const ginv_problem *pb, const double *z,
                                 ginv_witness *w);
void ginv_witness_release(ginv_witness *w);
/* The latent each proof builds from a certificate (object as in
 * ginv_witness, `size` entries): z (ginv_net_in values, k of them). */
ginv_status ginv_reduce_encode(const ginv_problem *pb, int size, const int *object, double *z,
                               int k);
/* x (ginv_net_out) = G(z) in double precision; dense, relu and identity
 * layers only. */
ginv_status ginv_reduce_forward(const ginv_net *net, const double *z, double *x);
/* ---------------------------------------------------------------- sweeps */

/* Experiments over parameter grids (docs/sweeps.md). A spec names a command,
 * fixed parameters, a grid and a trial count; each (cell, trial) is a unit of
 * work run by the command's unit runner with the streams (cell seed, trial),
 * the cell seed derived from the spec seed and the cell's canonical
 * parameters, so a unit's numbers never depend on where or when it runs.
 * Finished units are committed one by one to an SQLite store (WAL). */

/* A cell's parameters: option names of the command (without "--") and their
 * values as text ("true"/"false" for flags), sorted by name. */
#define GINV_PARAMS_MAX 48
typedef struct {
    int n;
    const char *name[GINV_PARAMS_MAX];
    const char *value[GINV_PARAMS_MAX];
} ginv_params;
/* The value of `name`, or NULL when the cell does not set it. */
const char *ginv_params_get(const ginv_params *p, const char *name);
/* Typed reads with a default when absent; a malformed or out-of-range value
 * fails with a message naming the parameter. */
ginv_status ginv_params_int(const ginv_params *p, const char *name, int def, int lo, int hi,
                            int *out);
ginv_status ginv_params_double(const ginv_params *p, const char *name, double def, double lo,
                               double hi, double *out);
ginv_status ginv_params_flag(const ginv_params *p, const char *name, int *out);
const char *ginv_params_str(const ginv_params *p, const char *name, const char *def);

/* What one unit measured: named doubles (NaN allowed), in the runner's order. */
#define GINV_METRICS_MAX 32
typedef struct {
    int n;
    const char *name[GINV_METRICS_MAX]; /* static strings */
    double value[GINV_METRICS_MAX];
} ginv_metrics;
ginv_status ginv_metrics_add(ginv_metrics *m, const char *name, double value);

/* A unit runner: how command `command` runs one (cell, trial). `params` lists
 * the option names a spec may set (NULL-terminated); check() validates a
 * cell's values once before anything runs (may be NULL); run() computes unit
 * `trial` with streams (seed, ..., trial) and fills the metrics. run() is
 * called from several threads at once. `success` names the 0/1 metric whose
 * rate `ginv results` reports with Wilson intervals (or NULL).
 * check_trials() (may be NULL), called after check() with the spec's trial
 * count, checks what needs it and the files a cell reads (e.g. `cs`: trial t
 * is image t, so the data must hold `trials` images of the generator's size),
 * so that a spec whose units could only fail is refused before a store is
 * created. */
typedef struct {
    const char *command;
    const char *const *params;
    ginv_status (*check)(const ginv_params *p);
    ginv_status (*run)(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out);
    const char *success;
    ginv_status (*check_trials)(const ginv_params *p, int trials);
} ginv_unit_runner;
/* The runner for a command (built-in or registered), or NULL. */
const ginv_unit_runner *ginv_unit_find(const char *command);
/* Register a runner at run time (library users; the built-in ones are in
 * src/run/registry.c). Fails when the command is already taken. */
ginv_status ginv_unit_register(const ginv_unit_runner *r);
/* The registered command names, comma-separated, into buf. */
const char *ginv_unit_commands(char *buf, size_t len);
/* The `recover` runner: one trial of `ginv recover` (same option names, same
 * numbers as `ginv recover ... --seed SEED` trial TRIAL). */
extern const ginv_unit_runner ginv_unit_recover;
/* `cs`: one image (trial t = image t of the data) of `ginv cs`, one method. */
extern const ginv_unit_runner ginv_unit_cs;

typedef struct ginv_sweep_spec ginv_sweep_spec;
/* Parse a spec (JSON text): {"command": C, "fixed": {...}, "grid": {name: [values]},
 * "trials": T, "seed": S, "seeds": "cell"|"shared"}. Unknown keys and
 * parameters, empty grids, duplicate cells and bad values are refused. */
ginv_status ginv_sweep_spec_parse(const char *json, size_t len, ginv_sweep_spec **out);
ginv_status ginv_sweep_spec_load(const char *path, ginv_sweep_spec **out);
void ginv_sweep_spec_free(ginv_sweep_spec *s);
const char *ginv_sweep_spec_command(const ginv_sweep_spec *s);
long ginv_sweep_spec_cells(const ginv_sweep_spec *s);
int ginv_sweep_spec_trials(const ginv_sweep_spec *s);
const ginv_params *ginv_sweep_spec_cell(const ginv_sweep_spec *s, long cell);
/* The canonical text of cell c's parameters (a JSON object, sorted keys). */
const char *ginv_sweep_spec_cell_text(const ginv_sweep_spec *s, long cell);
/* The seed of cell c's streams: the spec seed with "seeds": "shared", else a
 * hash of (spec seed, canonical parameters) below 2^63. */
uint64_t ginv_sweep_cell_seed(const ginv_sweep_spec *s, long cell);
/* The canonical spec (JSON text) and its 64-bit FNV-1a hash in hex. */
const char *ginv_sweep_spec_canonical(const ginv_sweep_spec *s);
const char *ginv_sweep_spec_hash(const ginv_sweep_spec *s);

typedef struct {
    const char *db;        /* the SQLite store */
    int resume;            /* continue a store made from the same spec */
    int threads;           /* compute threads in this process */
    int busy_timeout_ms;   /* wait this long for a locked store */
    int mpi;               /* split units over MPI ranks (built with MPI, under mpirun) */
    long max_units;        /* stop after this many new units (0: all) */
    int retry_errors;      /* with resume: run the units stored as errors again (each
                              error row is replaced when its unit's new result is stored) */
} ginv_sweep_opts;
void ginv_sweep_opts_init(ginv_sweep_opts *o);
typedef struct {
    long total;            /* units in the spec */
    long done_before;      /* already in the store at the start */
    long done_now;         /* finished by this run */
    long failed;           /* units of this run whose runner failed (stored with the error) */
    int ranks, threads;    /* MPI ranks (1 without MPI) and threads per rank used */
    int rank;              /* this process's rank (only rank 0 writes the store) */
    double seconds;
    long retried;          /* retry_errors: error units of the store run again now */
} ginv_sweep_stats;
/* Run every unit not yet in the store; progress via ginv_progress("units",
 * done, total) on the writer. */
ginv_status ginv_sweep_run(const ginv_sweep_spec *s, const ginv_sweep_opts *o,
                           ginv_sweep_stats *stats);
/* 1 when built with MPI and started by an MPI launcher (mpirun). */
int ginv_sweep_mpi_launched(void);

/* Reading a store: every finished unit, in insertion order. */
typedef struct {
    long cell;
    int trial;
    uint64_t seed;
    const char *params;    /* canonical JSON object text */
    const char *status;    /* "ok" or "error" */
    const char *error;     /* the runner's message, or "" */
    double seconds;
    int rank;
    const ginv_metrics *metrics;
} ginv_store_row;
typedef int (*ginv_store_row_fn)(void *user, const ginv_store_row *row);
/* Open the store read-only, check it (not SQLite, corrupted, locked, not a
 * ginv store: errors), read its meta (spec JSON, command: ginv_free) and call
 * fn for each row (a non-zero return stops). spec/command may be NULL. */
ginv_status ginv_store_read(const char *db, int busy_timeout_ms, char **spec, char **command,
                            ginv_store_row_fn fn, void *user);

/* A filter over a store's units (`ginv results --where`): "P=V;P=V;..." keeps
 * the units whose parameter P is V (text equality with the cell's canonical
 * value) for every condition. Spaces around names and values are dropped.
 * Refused (GINV_ERR_ARG, naming the condition): no condition, an empty one
 * (';' at an end or twice), no '=', an empty name or value, a value starting
 * with '=' ("m==5"), a name given twice, more than GINV_WHERE_MAX conditions;
 * with spec_json (a store's canonical spec, as ginv_store_read returns it;
 * NULL: syntax only) also a name that is not a parameter of the sweep and a
 * value it never takes (the message lists the valid ones). A spec that is not
 * JSON: GINV_ERR_FORMAT. Release with ginv_where_release (also after a
 * failure: harmless). */
#define GINV_WHERE_MAX 16
typedef struct {
    int n;
    const char *name[GINV_WHERE_MAX];
    const char *value[GINV_WHERE_MAX];
    char *buf;             /* owns the strings */
} ginv_where;
ginv_status ginv_where_parse(const char *text, const char *spec_json, ginv_where *out);
void ginv_where_release(ginv_where *w);
/* 1 when a unit's canonical parameters (a JSON object's text) meet every
 * condition (always, with none), else 0 (also for text that is no object). */
int ginv_where_match(const ginv_where *w, const char *params_json);

/* Summaries: the Wilson score interval for k successes of n at normal
 * quantile z (1.96: 95%), and the q-quantile of sorted x (linear, type 7). */
void ginv_wilson_interval(long k, long n, double z, double *lo, double *hi);
double ginv_quantile_sorted(const double *x, long n, double q);

/* Least squares y = a x + b over n >= 2 points (distinct x): the slope a,
 * intercept b and their standard errors (NaN when n == 2: no residual
 * degrees of freedom). Used for growth exponents: x = n, y = log2(time). */
ginv_status ginv_linear_fit(int n, const double *x, const double *y, double *a, double *b,
                            double *se_a, double *se_b);

/* External programs (the reference solvers experiments time beside ginv):
 * argv[0] looked up on PATH, run without a shell in its own process group,
 * stdin from stdin_path (NULL: /dev/null), stdout and stderr to stdout_path
 * (NULL: /dev/null), killed (with its process group) after `timeout` seconds
 * (0: none). GINV_ERR_UNSUPPORTED when the program is not installed. */
typedef struct {
    int started;       /* the program ran */
    int exited, code;  /* exited normally with status code */
    int signaled;      /* ended by a signal it did not get from us (code = 128 + signal) */
    int timed_out;     /* killed at the timeout */
    double seconds;    /* wall time from spawn to reaping the process */
} ginv_child_result;
ginv_status ginv_child_run(const char *const *argv, const char *stdin_path,
                           const char *stdout_path, double timeout, ginv_child_result *res);
/* 1 when `name` is an executable on PATH (or a path to one); its full path
 * into path (may be NULL). */
int ginv_child_find(const char *name, char *path, size_t len);
/* ------------------------------------------------------- exact decision */

/* Decide a ginv_problem exactly (Keles & Hegde 2023, §3.1): YES with a
 * witness latent whose distance a double-precision forward pass confirms, NO
 * with a certificate, or UNKNOWN (time limit, or a floating-point bound too
 * close to delta to trust) -- never a wrong answer. YES means
 * ||G(z) - x||_p <= delta (exact: ||G(z) - x||_inf <= 1e-9 max(1, ||x||_inf)).
 * Networks: dense layers, each followed by relu or nothing (docs/decide.md). */
typedef enum { GINV_ANSWER_UNKNOWN = 0, GINV_ANSWER_YES = 1, GINV_ANSWER_NO = 2 } ginv_answer;
const char *ginv_answer_name(ginv_answer a);  /* "UNKNOWN", "YES", "NO" */

typedef enum {
    GINV_DECIDE_AUTO = 0, /* enum for binary latents; milp for boxed real latents with exact,
                             l1, linf; bnb otherwise */
    GINV_DECIDE_ENUM,     /* binary latents, any p: DFS with interval pruning, Gray-code blocks */
    GINV_DECIDE_MILP,     /* GLPK, big-M from interval bounds: exact, l1, linf; binary or boxed */
    GINV_DECIDE_BNB       /* real latents: activation-pattern branch and bound, LP leaves
                             (exact, l1, linf) or convex QP leaves (l2) */
} ginv_decide_method;
const char *ginv_decide_method_name(ginv_decide_method m);
ginv_status ginv_decide_method_parse(const char *text, ginv_decide_method *out);

typedef struct {
    ginv_decide_method method;
    double time_limit;      /* seconds; 0: none */
    int minimize;           /* go on to the proven minimum distance instead of stopping as
                               soon as the answer is known */
    int max_pruned;         /* enumeration: pruned subtrees recorded in the certificate */
} ginv_decide_opts;
void ginv_decide_opts_init(ginv_decide_opts *o);

/* A subtree the enumeration skipped: latents whose first `depth` coordinates
 * are given by the bits of prefix (bit j = coordinate j: 1 means 1, 0 means 0
 * or -1), with the interval lower bound on their distance that excluded them. */
typedef struct { int depth; uint64_t prefix; double bound; } ginv_pruned;

typedef struct {
    ginv_answer answer;
    ginv_decide_method method;  /* the method that ran */
    int k;
    double *witness;            /* (k) YES: the latent, owned; else NULL */
    double distance;            /* YES: ||G(witness) - x||_p by the double forward pass;
                                   NO: the minimum distance when it is proven, else NaN */
    double lower_bound;         /* proven lower bound on min_z ||G(z) - x||_p */
    double upper_bound;         /* smallest verified distance found (INFINITY: none) */
    double threshold;           /* delta, or the exact tolerance */
    double margin;              /* a bound certifies NO only when > threshold + margin */
    long nodes;                 /* enumeration DFS nodes, MILP or bnb nodes */
    double seconds;
    char note[256];             /* what certifies the answer, or why UNKNOWN */
    /* enumeration certificate: visited + pruned_latents == 2^k when complete */
    uint64_t visited, pruned_latents;
    long pruned_subtrees;
    int npruned;                /* recorded in pruned (at most opts.max_pruned) */
    ginv_pruned *pruned;        /* owned */
    /* MILP / bnb certificate */
    double solver_bound;        /* GLPK's bound (MILP) or the least closing bound (bnb) */
    int unstable_units, stable_units; /* ReLUs with a big-M / a sign fixed by the intervals */
    long lp_solves, infeasible_nodes, bound_pruned_nodes, exact_leaves, qp_leaves;
    double max_kkt_residual;    /* bnb l2 without a box: worst stationarity residual accepted */
} ginv_decide_result;

ginv_status ginv_decide(const ginv_net *net, const ginv_problem *pb, const ginv_decide_opts *o,
                        ginv_decide_result *res);
void ginv_decide_result_release(ginv_decide_result *r);
/* G(z) in double (n values) for a dense/relu/identity net. */
ginv_status ginv_forward_f64(const ginv_net *net, const double *z, double *x);
/* Interval bounds of the output over the latent box [zlo, zhi] (k each). */
ginv_status ginv_output_bounds(const ginv_net *net, const double *zlo, const double *zhi,
                               double *xlo, double *xhi);
/* The MILP that decide --method milp solves (minimise the distance), in
 * CPLEX LP format, written atomically: for glpsol --lp or cbc. */
ginv_status ginv_milp_write_lp(const ginv_net *net, const ginv_problem *pb, const char *path);

/* Lei et al. (2019) layer-wise inversion of an expansive ReLU net by linear
 * programming: from the output back, the positive units of a layer give
 * equalities W_i h = x_i - b_i, the zero units inequalities W_i h + b_i <= 0;
 * one LP per layer (min the l1 residual of the equalities) gives its input. */
typedef struct {
    int in, out;        /* the dense layer's sizes */
    int active;         /* output units > act_tol: equalities */
    int rank;           /* rank of the active rows of W */
    int unique;         /* rank == in: the layer's input is determined */
    int lp_ok;          /* the LP solved (optimal) */
    double residual;    /* l1 residual of the equalities at the LP solution */
    double violation;   /* largest violation of the inequalities */
} ginv_invert_lp_layer;
typedef struct {
    int L, k;
    ginv_invert_lp_layer *layers; /* (L) layer 0 is the first dense layer, owned */
    double *z;                    /* (k) the recovered latent, owned */
    double fit;                   /* ||G(z) - x||_inf */
    int all_unique;
} ginv_invert_lp_result;
ginv_status ginv_invert_lp(const ginv_net *net, const double *x, double act_tol,
                           ginv_invert_lp_result *res);
void ginv_invert_lp_result_release(ginv_invert_lp_result *r);

/* ---------------------------------------------------------------- theory */

/* Hand & Voroninski (2019), double precision. */
double ginv_theory_g(double theta);             /* eq. (3) */
double ginv_theory_g_iter(double theta, int d); /* g composed d times */
double ginv_theory_rho(int d);                  /* rho_d of Lemma 10 */
/* h (k) = h_{x,x0} of eq. (29) for depth d. */
ginv_status ginv_theory_h(int d, int k, const double *x, const double *x0, double *h);

#ifdef __cplusplus
}
#endif
#endif
