/* ginv/io.h — arrays (.npy, text), safetensors, output files and sets, PNG
 * writing, IDX/PGM/PNG image reading and image specs.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_IO_H
#define GINV_IO_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
