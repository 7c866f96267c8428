/* png.c — 8-bit grayscale PNG images of float arrays (posterior means, std
 * maps, samples), encoded in memory by libpng and written atomically. The
 * library never prints: libpng's errors come back through longjmp as a
 * ginv_fail message, and its warnings are dropped. */
#include "ginv.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>

typedef struct {
    unsigned char *buf;
    size_t len, cap;
    int nomem;
} membuf;

/* libpng's write callback: append to the growing buffer. */
static void mem_write(png_structp png, png_bytep data, png_size_t n)
{
    membuf *m = png_get_io_ptr(png);
    if (m->nomem) return;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + n) cap *= 2;
        unsigned char *nb = ginv_realloc(m->buf, cap);
        if (!nb) {
            m->nomem = 1;
            return;
        }
        m->buf = nb;
        m->cap = cap;
    }
    memcpy(m->buf + m->len, data, n);
    m->len += n;
}

static void mem_flush(png_structp png) { (void)png; }

/* libpng's error handler: keep the message, jump back to the writer. */
static void on_error(png_structp png, png_const_charp msg)
{
    ginv_fail(GINV_ERR_IO, "PNG encoder: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/* Gray level of v on [lo, hi]: round(255 (v - lo)/(hi - lo)), clipped; NaN -> 0. */
static unsigned char gray_level(float v, double lo, double hi)
{
    double t = ((double)v - lo) / (hi - lo);
    if (!(t > 0)) return 0;
    if (t >= 1) return 255;
    return (unsigned char)lround(255.0 * t);
}

ginv_status ginv_png_write_gray(const char *path, int w, int h, const float *pix, double lo,
                                double hi)
{
    if (w < 1 || h < 1 || w > (1 << 20) || h > (1 << 20) || (size_t)w * h > ((size_t)1 << 28))
        return ginv_fail(GINV_ERR_ARG, "PNG size %d x %d is out of range", w, h);
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return ginv_fail(GINV_ERR_ARG, "PNG gray range [%g, %g] must be finite with hi > lo", lo, hi);
    unsigned char *row = ginv_malloc((size_t)w);
    membuf m = {0};
    if (!row) return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d-pixel PNG row", w);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    ginv_status st = GINV_OK;
    if (!png || !info) {
        st = ginv_fail(GINV_ERR_NOMEM, "cannot start the PNG encoder");
        goto done;
    }
    if (setjmp(png_jmpbuf(png))) {
        st = GINV_ERR_IO; /* on_error recorded the message */
        goto done;
    }
    png_set_write_fn(png, &m, mem_write, mem_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) row[x] = gray_level(pix[(size_t)y * w + x], lo, hi);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    if (m.nomem) st = ginv_fail(GINV_ERR_NOMEM, "out of memory encoding '%s'", path);
    else st = ginv_write_atomic(path, m.buf, m.len);
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    ginv_free(row);
    ginv_free(m.buf);
    return st;
}
