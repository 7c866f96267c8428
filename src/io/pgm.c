/* pgm.c — Netpbm grayscale images, strictly: "P5" (binary) or "P2" (ASCII),
 * whitespace, width, height, maxval (1..65535) as decimal numbers with
 * optional "#" comments (to the end of the line) between them; P5: one
 * whitespace character, then width x height samples of 1 byte (maxval < 256)
 * or 2 bytes big-endian, and nothing after them; P2: decimal samples
 * separated by whitespace, and nothing but whitespace after them. Every
 * sample must be <= maxval. Pixels become sample / maxval. One image per
 * file (multi-image files are refused). */
#include "io/image_codec.h"

#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t n, i;
} cursor;

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Skip whitespace and comments in the header. Fails if a comment runs to
 * the end of the file. */
static ginv_status skip_header_space(cursor *c, const char *next)
{
    while (c->i < c->n) {
        if (is_ws(c->s[c->i])) c->i++;
        else if (c->s[c->i] == '#') {
            size_t start = c->i;
            while (c->i < c->n && c->s[c->i] != '\n' && c->s[c->i] != '\r') c->i++;
            if (c->i == c->n)
                return ginv_fail(GINV_ERR_FORMAT, "PGM comment at byte %zu runs to the end of the "
                                 "file before the %s", start, next);
        } else break;
    }
    return GINV_OK;
}

/* A header number (width, height or maxval), at most 10^9. */
static ginv_status header_number(cursor *c, const char *what, long *out)
{
    size_t before = c->i;
    ginv_status s = skip_header_space(c, what);
    if (s) return s;
    if (c->i == c->n)
        return ginv_fail(GINV_ERR_FORMAT, "PGM header ends before the %s", what);
    if (c->i == before)
        return ginv_fail(GINV_ERR_FORMAT, "PGM header: no whitespace before the %s at byte %zu",
                         what, c->i);
    if (!is_digit(c->s[c->i]))
        return ginv_fail(GINV_ERR_FORMAT, "PGM %s is not a decimal number: byte %zu is '%c' "
                         "(0x%02x)", what, c->i, c->s[c->i] >= 0x20 && c->s[c->i] < 0x7f ?
                         c->s[c->i] : '?', c->s[c->i]);
    long v = 0;
    while (c->i < c->n && is_digit(c->s[c->i])) {
        v = v * 10 + (c->s[c->i] - '0');
        if (v > 1000000000L)
            return ginv_fail(GINV_ERR_FORMAT, "PGM %s at byte %zu is too large (more than "
                             "10^9)", what, before);
        c->i++;
    }
    *out = v;
    return GINV_OK;
}

ginv_status ginv_pgm_parse(const unsigned char *buf, size_t len, ginv_images *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_pgm_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_pgm_parse: buf is NULL");
    if (len < 2)
        return ginv_fail(GINV_ERR_FORMAT, "file is %zu bytes, too short for the PGM magic (P2 or "
                         "P5)", len);
    if (buf[0] != 'P' || !is_digit(buf[1]))
        return ginv_fail(GINV_ERR_FORMAT, "not a PGM file: it does not start with P2 or P5");
    switch (buf[1]) {
    case '2': case '5': break;
    case '1': case '4':
        return ginv_fail(GINV_ERR_UNSUPPORTED, "P%c is a PBM bitmap, not a PGM; convert it with "
                         "`convert in.pbm -depth 8 out.pgm` (ImageMagick)", buf[1]);
    case '3': case '6':
        return ginv_fail(GINV_ERR_UNSUPPORTED, "P%c is a colour PPM; ginv works on grayscale "
                         "images: convert it with `convert in.ppm -colorspace Gray out.pgm` "
                         "(ImageMagick)", buf[1]);
    default:
        return ginv_fail(GINV_ERR_FORMAT, "P%c is not a PGM magic; PGM files start with P2 "
                         "(ASCII) or P5 (binary)", buf[1]);
    }
    int ascii = buf[1] == '2';
    cursor c = {buf, len, 2};
    long w, h, maxval;
    ginv_status s;
    if ((s = header_number(&c, "width", &w))) return s;
    if ((s = header_number(&c, "height", &h))) return s;
    if ((s = header_number(&c, "maxval", &maxval))) return s;
    if (w < 1 || h < 1)
        return ginv_fail(GINV_ERR_FORMAT, "PGM %s is 0; an image needs at least one %s",
                         w < 1 ? "width" : "height", w < 1 ? "column" : "row");
    if (w > GINV_IMAGE_MAX_SIDE || h > GINV_IMAGE_MAX_SIDE ||
        (size_t)w * (size_t)h > GINV_IMAGE_MAX_PIXELS)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "PGM image %ld x %ld is larger than ginv's limit "
                         "(%d per side, %d pixels)", w, h, GINV_IMAGE_MAX_SIDE,
                         GINV_IMAGE_MAX_PIXELS);
    if (maxval < 1 || maxval > 65535)
        return ginv_fail(GINV_ERR_FORMAT, "PGM maxval %ld is out of range 1..65535", maxval);
    if (c.i == c.n || !is_ws(c.s[c.i]))
        return ginv_fail(GINV_ERR_FORMAT, "PGM maxval must be followed by one whitespace "
                         "character before the raster (byte %zu)", c.i);
    c.i++;
    size_t npix = (size_t)w * (size_t)h;
    float *pix = NULL;
    double scale = 1.0 / (double)maxval;
    if (!ascii) {
        size_t bps = maxval < 256 ? 1 : 2, need = npix * bps, have = len - c.i;
        if (have < need)
            return ginv_fail(GINV_ERR_FORMAT, "PGM raster is truncated: %ld x %ld samples of %zu "
                             "byte(s) need %zu bytes, the file has %zu after the header", w, h,
                             bps, need, have);
        if (have > need)
            return ginv_fail(GINV_ERR_FORMAT, "%zu bytes of trailing data after the PGM raster "
                             "(multi-image PGM files are not supported)", have - need);
        pix = ginv_malloc(npix * sizeof(float));
        if (!pix) return ginv_fail(GINV_ERR_NOMEM, "cannot allocate a %ld x %ld image", w, h);
        const unsigned char *r = buf + c.i;
        for (size_t k = 0; k < npix; k++) {
            long v = bps == 1 ? r[k] : (long)r[2 * k] << 8 | r[2 * k + 1];
            if (v > maxval) {
                ginv_free(pix);
                return ginv_fail(GINV_ERR_FORMAT, "PGM sample at row %zu, column %zu is %ld, "
                                 "above maxval %ld", k / (size_t)w, k % (size_t)w, v, maxval);
            }
            pix[k] = (float)((double)v * scale);
        }
    } else {
        /* each sample takes at least one digit and one separator: refuse
         * impossible sizes before allocating */
        int plausible = len - c.i >= 2 * npix - 1;
        if (plausible && !(pix = ginv_malloc(npix * sizeof(float))))
            return ginv_fail(GINV_ERR_NOMEM, "cannot allocate a %ld x %ld image", w, h);
        size_t k = 0;
        for (; k < npix; k++) {
            while (c.i < c.n && is_ws(c.s[c.i])) c.i++;
            if (c.i == c.n) break;
            if (!is_digit(c.s[c.i])) {
                ginv_free(pix);
                return ginv_fail(GINV_ERR_FORMAT, "PGM ASCII raster: byte %zu is '%c' (0x%02x), "
                                 "not a digit (sample %zu)", c.i, c.s[c.i] >= 0x20 &&
                                 c.s[c.i] < 0x7f ? c.s[c.i] : '?', c.s[c.i], k);
            }
            long v = 0;
            while (c.i < c.n && is_digit(c.s[c.i]) && v <= maxval) v = v * 10 + (c.s[c.i++] - '0');
            if (v > maxval) {
                ginv_free(pix);
                return ginv_fail(GINV_ERR_FORMAT, "PGM ASCII sample at row %zu, column %zu is "
                                 "above maxval %ld", k / (size_t)w, k % (size_t)w, maxval);
            }
            if (c.i < c.n && !is_ws(c.s[c.i])) {
                ginv_free(pix);
                return ginv_fail(GINV_ERR_FORMAT, "PGM ASCII raster: sample %zu is followed by "
                                 "'%c' at byte %zu, not whitespace", k, c.s[c.i] >= 0x20 &&
                                 c.s[c.i] < 0x7f ? c.s[c.i] : '?', c.i);
            }
            if (pix) pix[k] = (float)((double)v * scale);
        }
        if (k < npix) {
            ginv_free(pix);
            return ginv_fail(GINV_ERR_FORMAT, "PGM ASCII raster ends after %zu of the %ld x %ld = "
                             "%zu samples", k, w, h, npix);
        }
        while (c.i < c.n && is_ws(c.s[c.i])) c.i++;
        if (c.i < c.n) {
            ginv_free(pix);
            return ginv_fail(GINV_ERR_FORMAT, "data after the %zu samples of the PGM ASCII raster "
                             "at byte %zu (multi-image PGM files are not supported)", npix, c.i);
        }
    }
    out->count = 1;
    out->h = (int)h;
    out->w = (int)w;
    out->pix = pix;
    return GINV_OK;
}
