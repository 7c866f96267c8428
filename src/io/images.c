/* images.c — batches of grayscale images from a text spec: the Fashion-MNIST
 * sets (IDX, gzip), any IDX image file, or a list of PNG/PGM files (decoded
 * by png_read.c and pgm.c), each optionally cut by a Python-style slice
 * [a:b:step]. Pixels end in [0, 1]. */
#include "io/idx_internal.h"
#include "io/image_codec.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"

void ginv_images_release(ginv_images *im)
{
    if (!im) return;
    ginv_free(im->pix);
    ginv_free(im->labels);
    memset(im, 0, sizeof *im);
}

/* ----------------------------------------------------------------- slices */

/* A Python slice; has == 0: everything. */
typedef struct {
    int has;
    int has_start, has_stop;
    long start, stop, step;
    char text[64]; /* as written, for messages */
} slice;

/* Parse one optional signed integer of a slice part [s, e); empty -> *has 0. */
static ginv_status parse_slice_int(const char *s, const char *e, int *has, long *v,
                                   const char *whole)
{
    *has = 0;
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
    if (s == e) return GINV_OK;
    char tmp[32];
    if ((size_t)(e - s) >= sizeof tmp)
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]': a number is too long", whole);
    memcpy(tmp, s, (size_t)(e - s));
    tmp[e - s] = 0;
    char *end;
    errno = 0;
    long x = strtol(tmp, &end, 10);
    if (*end || end == tmp || errno || x < -(long)INT_MAX || x > INT_MAX)
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]': '%s' is not an integer in [-%d, %d]; write "
                         "[start:stop] or [start:stop:step]", whole, tmp, INT_MAX, INT_MAX);
    *has = 1;
    *v = x;
    return GINV_OK;
}

/* Parse "a:b" or "a:b:step" (text between the brackets). */
static ginv_status parse_slice(const char *s, size_t n, slice *sl)
{
    memset(sl, 0, sizeof *sl);
    snprintf(sl->text, sizeof sl->text, "%.*s", (int)(n < 60 ? n : 60), s);
    const char *e = s + n, *c1 = memchr(s, ':', n);
    if (!c1)
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]' has no ':'; write [start:stop] or "
                         "[start:stop:step] (one image: [i:i+1])", sl->text);
    const char *c2 = memchr(c1 + 1, ':', (size_t)(e - c1 - 1));
    if (c2 && memchr(c2 + 1, ':', (size_t)(e - c2 - 1)))
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]' has more than two ':'", sl->text);
    ginv_status st;
    int has_step;
    if ((st = parse_slice_int(s, c1, &sl->has_start, &sl->start, sl->text))) return st;
    if ((st = parse_slice_int(c1 + 1, c2 ? c2 : e, &sl->has_stop, &sl->stop, sl->text))) return st;
    sl->step = 1;
    if (c2 && (st = parse_slice_int(c2 + 1, e, &has_step, &sl->step, sl->text))) return st;
    if (sl->step == 0) return ginv_fail(GINV_ERR_ARG, "slice '[%s]': step 0 is invalid", sl->text);
    sl->has = 1;
    return GINV_OK;
}

/* Resolve a slice against n items as Python does (negative = from the end),
 * but refuse bounds past either end and empty selections. Fills the first
 * index and count; `what` names the items for messages. */
static ginv_status resolve_slice(const slice *sl, long n, const char *what, long *first,
                                 long *count)
{
    if (!sl->has) {
        *first = 0;
        *count = n;
        return GINV_OK;
    }
    long step = sl->step;
    long start = sl->has_start ? sl->start : (step > 0 ? 0 : n - 1);
    long stop = sl->has_stop ? sl->stop : (step > 0 ? n : -1);
    if (sl->has_start && start < 0) start += n;
    if (sl->has_stop && stop < 0) stop += n;
    int bad_start = sl->has_start && (start < 0 || start > (step > 0 ? n : n - 1));
    int bad_stop = sl->has_stop && (stop < (step > 0 ? 0 : -1) || stop > n);
    if (bad_start || bad_stop)
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]' runs past the %ld %s (indices 0..%ld, or "
                         "-%ld..-1 from the end)", sl->text, n, what, n - 1, n);
    long c = 0;
    if (step > 0 && start < stop) c = (stop - start - 1) / step + 1;
    if (step < 0 && stop < start) c = (start - stop - 1) / (-step) + 1;
    if (c == 0)
        return ginv_fail(GINV_ERR_ARG, "slice '[%s]' selects none of the %ld %s", sl->text, n,
                         what);
    *first = start;
    *count = c;
    return GINV_OK;
}

/* ------------------------------------------------------------------- IDX */

/* What load_idx reads from an IDX image file and its label file: the
 * slice resolved against the header's image count, and how many leading
 * images (and labels) that needs. */
typedef struct {
    const char *ipath, *lpath;
    const slice *sl;
    long n;          /* images the header declares */
    long first, cnt, step;
    int64_t rows;    /* leading entries needed: the last selected index + 1 */
} idx_plan;

/* The image file's header: shape checks, the slice, the rows it needs. */
static ginv_status image_rows(const ginv_idx *img, void *ctx, int64_t *rows)
{
    idx_plan *p = ctx;
    const char *ipath = p->ipath;
    if (img->ndim != 3)
        return ginv_fail(GINV_ERR_SHAPE, "'%s': an IDX image file has 3 dimensions (count x "
                         "height x width), this one has %d", ipath, img->ndim);
    if (img->type != GINV_IDX_U8 && img->type != GINV_IDX_F32 && img->type != GINV_IDX_F64)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "'%s': IDX images of type %s are not supported; "
                         "ginv reads ubyte pixels (scaled by 1/255) or float/double pixels in "
                         "[0, 1]", ipath, ginv_idx_type_name(img->type));
    long n = (long)img->dims[0];
    int h = (int)img->dims[1], w = (int)img->dims[2];
    if (n < 1 || h < 1 || w < 1)
        return ginv_fail(GINV_ERR_FORMAT, "'%s' holds no image (sizes %ld x %d x %d)", ipath, n,
                         h, w);
    if ((size_t)h * (size_t)w > (size_t)INT_MAX)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "'%s': images of %d x %d pixels are more than ginv's "
                         "limit of %d pixels", ipath, h, w, INT_MAX);
    ginv_status st = resolve_slice(p->sl, n, "images", &p->first, &p->cnt);
    if (st) return st;
    p->n = n;
    p->step = p->sl->has ? p->sl->step : 1;
    long last = p->first + (p->cnt - 1) * p->step;
    p->rows = (p->step > 0 ? last : p->first) + 1;
    *rows = p->rows;
    return GINV_OK;
}

/* The label file's header: one dimension, integers, one label an image. */
static ginv_status label_rows(const ginv_idx *lab, void *ctx, int64_t *rows)
{
    idx_plan *p = ctx;
    if (lab->ndim != 1)
        return ginv_fail(GINV_ERR_SHAPE, "'%s': an IDX label file has 1 dimension (count), "
                         "this one has %d", p->lpath, lab->ndim);
    if (lab->type == GINV_IDX_F32 || lab->type == GINV_IDX_F64)
        return ginv_fail(GINV_ERR_FORMAT, "'%s': labels must be integers, not %s", p->lpath,
                         ginv_idx_type_name(lab->type));
    if ((long)lab->dims[0] != p->n)
        return ginv_fail(GINV_ERR_SHAPE, "count mismatch: '%s' holds %ld images but '%s' "
                         "holds %" PRId64 " labels; use the label file that belongs to the "
                         "image file", p->ipath, p->n, p->lpath, lab->dims[0]);
    *rows = p->rows;
    return GINV_OK;
}

/* Take the sliced images (and labels) out of the leading entries read. */
static ginv_status images_from_idx(const ginv_idx *img, const ginv_idx *lab, const idx_plan *p,
                                   int label_max, ginv_images *out)
{
    const char *ipath = p->ipath, *lpath = p->lpath;
    int h = (int)img->dims[1], w = (int)img->dims[2];
    long first = p->first, cnt = p->cnt, step = p->step;
    size_t px = (size_t)h * (size_t)w;
    if ((size_t)cnt > SIZE_MAX / sizeof(float) / px)
        return ginv_fail(GINV_ERR_NOMEM, "%ld images of %d x %d floats overflow size_t", cnt, h, w);
    memset(out, 0, sizeof *out);
    out->pix = ginv_malloc((size_t)cnt * px * sizeof(float));
    if (lab) out->labels = ginv_malloc((size_t)cnt * sizeof(int));
    if (!out->pix || (lab && !out->labels)) {
        ginv_images_release(out);
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %ld images of %d x %d floats", cnt, h, w);
    }
    for (long k = 0; k < cnt; k++) {
        size_t src = (size_t)(first + k * step); /* < p->rows, the entries read */
        float *dst = out->pix + (size_t)k * px;
        if (img->type == GINV_IDX_U8) {
            const uint8_t *q = (const uint8_t *)img->data + src * px;
            for (size_t i = 0; i < px; i++) dst[i] = (float)q[i] / 255.0f;
        } else {
            for (size_t i = 0; i < px; i++) {
                double v = ginv_idx_value(img, src * px + i);
                if (!(v >= 0 && v <= 1)) {
                    ginv_images_release(out);
                    return ginv_fail(GINV_ERR_FORMAT, "'%s': image %zu, pixel (%zu, %zu) is %g; "
                                     "float pixels must lie in [0, 1]", ipath, src, i / (size_t)w,
                                     i % (size_t)w, v);
                }
                dst[i] = (float)v;
            }
        }
        if (lab) {
            double v = ginv_idx_value(lab, src);
            if (v < 0 || (label_max >= 0 && v > label_max) || v > INT_MAX) {
                ginv_images_release(out);
                if (label_max >= 0)
                    return ginv_fail(GINV_ERR_FORMAT, "'%s': label %zu is %.0f, outside 0..%d",
                                     lpath, src, v, label_max);
                return ginv_fail(GINV_ERR_FORMAT, "'%s': label %zu is %.0f; labels must be "
                                 "non-negative", lpath, src, v);
            }
            out->labels[k] = (int)v;
        }
    }
    out->count = (int)cnt;
    out->h = h;
    out->w = w;
    return GINV_OK;
}

/* Read the images (and labels) a slice selects: the headers first, then
 * only the leading entries up to the last selected one (a gzip stream is
 * inflated no further), then convert. */
static ginv_status load_idx(const char *ipath, const char *lpath, const slice *sl, int label_max,
                            ginv_images *out)
{
    memset(out, 0, sizeof *out);
    idx_plan plan = {.ipath = ipath, .lpath = lpath, .sl = sl};
    ginv_idx img, lab;
    memset(&lab, 0, sizeof lab);
    ginv_status st = ginv_idx_read_rows(ipath, image_rows, &plan, &img);
    if (st) return st;
    if (lpath && (st = ginv_idx_read_rows(lpath, label_rows, &plan, &lab))) {
        ginv_idx_release(&img);
        return st;
    }
    st = images_from_idx(&img, lpath ? &lab : NULL, &plan, label_max, out);
    ginv_idx_release(&img);
    ginv_idx_release(&lab);
    return st;
}

ginv_status ginv_images_load_idx(const char *images_path, const char *labels_path,
                                 ginv_images *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_images_load_idx: out is NULL");
    memset(out, 0, sizeof *out);
    if (!images_path) return ginv_fail(GINV_ERR_ARG, "ginv_images_load_idx: images_path is NULL");
    slice all = {0};
    return load_idx(images_path, labels_path, &all, -1, out);
}

/* The path of a Fashion-MNIST file in the data folder: NAME.gz, or NAME
 * when only the unpacked file is there. */
static void fashion_path(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s.gz", dir, name);
    if (access(buf, F_OK) == 0) return;
    char raw[4096];
    snprintf(raw, sizeof raw, "%s/%s", dir, name);
    if (access(raw, F_OK) == 0) snprintf(buf, size, "%s", raw);
}

static ginv_status load_fashion(const char *part, const slice *sl, ginv_images *out)
{
    const char *prefix;
    if (!strcmp(part, "test")) prefix = "t10k";
    else if (!strcmp(part, "train")) prefix = "train";
    else
        return ginv_fail(GINV_ERR_ARG, "unknown Fashion-MNIST set '%s'; write fashion-mnist:test "
                         "(10000 images) or fashion-mnist:train (60000)", part);
    const char *dir = getenv("GINV_DATA_DIR");
    if (!dir || !*dir) dir = FASHION_DEFAULT_DIR;
    char iname[64], lname[64], ipath[4096], lpath[4096];
    snprintf(iname, sizeof iname, "%s-images-idx3-ubyte", prefix);
    snprintf(lname, sizeof lname, "%s-labels-idx1-ubyte", prefix);
    fashion_path(ipath, sizeof ipath, dir, iname);
    fashion_path(lpath, sizeof lpath, dir, lname);
    const char *missing = access(ipath, R_OK) != 0   ? ipath
                          : access(lpath, R_OK) != 0 ? lpath
                                                     : NULL;
    if (missing)
        return ginv_fail(GINV_ERR_IO, "cannot read '%s' (%s): install the Debian package "
                         "dataset-fashion-mnist, or set GINV_DATA_DIR to a folder holding "
                         "%s.gz and %s.gz", missing, strerror(errno), iname, lname);
    return load_idx(ipath, lpath, sl, 9, out);
}

/* ------------------------------------------------------------ PNG / PGM */

/* Whether a list item names a .png or .pgm file (any case). */
static int is_image_name(const char *s, size_t n)
{
    return n > 4 && (!strncasecmp(s + n - 4, ".png", 4) || !strncasecmp(s + n - 4, ".pgm", 4));
}

/* Decode one PNG or PGM file, told apart by its first bytes. */
static ginv_status load_one_image(const char *path, ginv_images *out)
{
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(path, (size_t)1 << 30, &buf, &len);
    if (st) return st;
    if (len >= 8 && !memcmp(buf, "\x89PNG", 4)) st = ginv_png_parse_gray(buf, len, out);
    else st = ginv_pgm_parse(buf, len, out);
    ginv_free(buf);
    if (st) return ginv_fail(st, "'%s': %s", path, ginv_last_error());
    return GINV_OK;
}

/* A comma-separated list of PNG/PGM files, sliced, all the same size. */
static ginv_status load_files(const char *list, const slice *sl, ginv_images *out)
{
    /* split into items, checking each names an image file */
    long n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    char **items = ginv_calloc((size_t)n, sizeof *items);
    char *copy = ginv_strdup(list);
    ginv_status st = GINV_OK;
    if (!items || !copy) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto done;
    }
    long k = 0;
    for (char *p = copy;; k++) {
        char *comma = strchr(p, ',');
        if (comma) *comma = 0;
        items[k] = p;
        if (!is_image_name(p, strlen(p))) {
            st = ginv_fail(GINV_ERR_ARG, "unknown image spec '%s'%s; write fashion-mnist:test, "
                           "fashion-mnist:train, idx:PATH or a comma-separated list of .png/.pgm "
                           "files, each with an optional [start:stop:step]", p,
                           n > 1 ? " in the list" : "");
            goto done;
        }
        if (!comma) break;
        p = comma + 1;
    }
    long first = 0, cnt = 0;
    if ((st = resolve_slice(sl, n, "files", &first, &cnt))) goto done;
    long step = sl->has ? sl->step : 1;
    for (long j = 0; j < cnt; j++) {
        const char *path = items[first + j * step];
        ginv_images one;
        if ((st = load_one_image(path, &one))) goto done;
        if (j == 0) {
            size_t px = (size_t)one.h * (size_t)one.w;
            if ((size_t)cnt > SIZE_MAX / sizeof(float) / px ||
                !(out->pix = ginv_malloc((size_t)cnt * px * sizeof(float)))) {
                ginv_images_release(&one);
                st = ginv_fail(GINV_ERR_NOMEM, "cannot allocate %ld images of %d x %d", cnt, one.h,
                               one.w);
                goto done;
            }
            out->h = one.h;
            out->w = one.w;
        } else if (one.h != out->h || one.w != out->w) {
            st = ginv_fail(GINV_ERR_SHAPE, "'%s' is %d x %d (height x width) but '%s' is %d x %d; "
                           "all images in one spec must have the same size", path, one.h, one.w,
                           items[first], out->h, out->w);
            ginv_images_release(&one);
            goto done;
        }
        memcpy(out->pix + (size_t)j * one.h * one.w, one.pix,
               (size_t)one.h * one.w * sizeof(float));
        ginv_images_release(&one);
    }
    out->count = (int)cnt;
done:
    if (st) ginv_images_release(out);
    ginv_free(items);
    ginv_free(copy);
    return st;
}

/* ------------------------------------------------------------- the spec */

ginv_status ginv_images_load(const char *spec, ginv_images *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_images_load: out is NULL");
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return ginv_fail(GINV_ERR_ARG, "empty image spec; write fashion-mnist:test, "
                         "fashion-mnist:train, idx:PATH or FILE.png,FILE.pgm,... (each with an "
                         "optional [start:stop:step])");
    size_t n = strlen(spec);
    char *base = ginv_strdup(spec);
    if (!base) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    slice sl = {0};
    ginv_status st = GINV_OK;
    if (spec[n - 1] == ']') { /* a trailing [..] is a slice */
        char *lb = strrchr(base, '[');
        if (!lb) {
            ginv_free(base);
            return ginv_fail(GINV_ERR_ARG, "image spec '%s' ends with ']' but has no '['", spec);
        }
        st = parse_slice(lb + 1, (size_t)(base + n - 1 - (lb + 1)), &sl);
        *lb = 0;
    }
    if (st == GINV_OK) {
        if (!strncmp(base, "fashion-mnist:", 14)) st = load_fashion(base + 14, &sl, out);
        else if (!strcmp(base, "fashion-mnist"))
            st = ginv_fail(GINV_ERR_ARG, "'fashion-mnist' needs a set: fashion-mnist:test or "
                           "fashion-mnist:train");
        else if (!strncmp(base, "idx:", 4)) {
            if (!base[4]) st = ginv_fail(GINV_ERR_ARG, "'idx:' needs a path: idx:FILE");
            else st = load_idx(base + 4, NULL, &sl, -1, out);
        } else
            st = load_files(base, &sl, out);
    }
    ginv_free(base);
    return st;
}
