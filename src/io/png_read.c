/* png_read.c — grayscale PNG images decoded from memory by libpng: gray of
 * 1, 2, 4, 8 or 16 bits, or gray + alpha (alpha dropped); interlaced or
 * not. Sample values are used as stored (no gamma or colour-space
 * conversion), divided by 2^depth - 1. Colour and palette images are
 * refused with the command that converts them: ginv works on grayscale
 * images and does not choose a luma formula for the user. libpng's errors
 * come back through longjmp as a ginv_fail message; warnings are dropped. */
#include "io/image_codec.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>

typedef struct {
    const unsigned char *buf;
    size_t len, pos;
} memsrc;

/* libpng's read callback: copy from the buffer, or fail at its end. */
static void mem_read(png_structp png, png_bytep data, png_size_t n)
{
    memsrc *m = png_get_io_ptr(png);
    if (n > m->len - m->pos) png_error(png, "file is truncated (read past its end)");
    memcpy(data, m->buf + m->pos, n);
    m->pos += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
    ginv_fail(GINV_ERR_FORMAT, "PNG decoder: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static png_voidp png_alloc(png_structp png, png_alloc_size_t n)
{
    (void)png;
    return ginv_malloc(n);
}

static void png_dealloc(png_structp png, png_voidp p)
{
    (void)png;
    ginv_free(p);
}

static const char *colour_name(int ct)
{
    switch (ct) {
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
    case PNG_COLOR_TYPE_PALETTE: return "palette (indexed colour)";
    }
    return "non-grayscale";
}

ginv_status ginv_png_parse_gray(const unsigned char *buf, size_t len, ginv_images *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_png_parse_gray: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_png_parse_gray: buf is NULL");
    if (len < 8 || png_sig_cmp(buf, 0, 8))
        return ginv_fail(GINV_ERR_FORMAT, "not a PNG file: the 8-byte PNG signature is missing");
    memsrc src = {buf, len, 8};
    png_structp png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning,
                                               NULL, png_alloc, png_dealloc);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        return ginv_fail(GINV_ERR_NOMEM, "cannot start the PNG decoder");
    }
    /* written between setjmp and a longjmp: volatile */
    unsigned char *volatile data = NULL;
    png_bytep *volatile rows = NULL;
    float *volatile pix = NULL;
    volatile ginv_status st = GINV_OK;
    if (setjmp(png_jmpbuf(png))) {
        st = GINV_ERR_FORMAT; /* on_error recorded the message */
        goto done;
    }
    png_set_read_fn(png, &src, mem_read);
    png_set_sig_bytes(png, 8);
    png_set_user_limits(png, GINV_IMAGE_MAX_SIDE, GINV_IMAGE_MAX_SIDE);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), ct = png_get_color_type(png, info);
    if (ct != PNG_COLOR_TYPE_GRAY && ct != PNG_COLOR_TYPE_GRAY_ALPHA) {
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "the PNG is %s; ginv works on grayscale images: "
                       "convert it with `convert in.png -colorspace Gray out.png` (ImageMagick)",
                       colour_name(ct));
        goto done;
    }
    if ((size_t)w * h > GINV_IMAGE_MAX_PIXELS) {
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "PNG image %u x %u is larger than ginv's limit of %d "
                       "pixels", (unsigned)w, (unsigned)h, GINV_IMAGE_MAX_PIXELS);
        goto done;
    }
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (ct == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rb = png_get_rowbytes(png, info), bps = depth == 16 ? 2 : 1;
    if (rb != (size_t)w * bps) {
        st = ginv_fail(GINV_ERR_FORMAT, "PNG decoder: unexpected row size %zu for %u samples",
                       rb, (unsigned)w);
        goto done;
    }
    data = ginv_malloc(rb * h);
    rows = ginv_malloc(h * sizeof *rows);
    pix = ginv_malloc((size_t)w * h * sizeof(float));
    if (!data || !rows || !pix) {
        st = ginv_fail(GINV_ERR_NOMEM, "cannot allocate a %u x %u image", (unsigned)w,
                       (unsigned)h);
        goto done;
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = data + (size_t)y * rb;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    double scale = depth == 16 ? 1.0 / 65535.0 : 1.0 / 255.0;
    for (size_t k = 0; k < (size_t)w * h; k++) {
        unsigned v = bps == 2 ? (unsigned)data[2 * k] << 8 | data[2 * k + 1] : data[k];
        pix[k] = (float)(v * scale);
    }
    out->count = 1;
    out->w = (int)w;
    out->h = (int)h;
    out->pix = pix;
    pix = NULL;
done:
    png_destroy_read_struct(&png, &info, NULL);
    ginv_free(data);
    ginv_free(rows);
    ginv_free(pix);
    return st;
}
