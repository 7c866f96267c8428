/* png_grid.c — montages of equally sized grayscale tiles as one PNG: rows x
 * cols tiles of h x w, `pad` pixels of white (hi) around and between them,
 * NaN pixels (a missing tile, or unobserved pixels) drawn flat mid-gray, the
 * tiles upscaled by an integer factor (nearest neighbour); optionally a title,
 * row labels (left), column labels (above) and a gray colour bar labelled
 * with its ends, in a built-in 5x7 bitmap font; written atomically through
 * ginv_png_write_gray. */
#include "ginv.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* 5x7 glyphs for ASCII 32..126: 7 rows top to bottom, bit 4 the leftmost
 * column. Drawn for this file (lower case with the descenders of g, j, p, q,
 * y folded into the cell). Other bytes are drawn as a hollow box. */
static const unsigned char font5x7[95][7] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' ' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}, /* '!' */
    {0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '"' */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a}, /* '#' */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04}, /* '$' */
    {0x19, 0x19, 0x02, 0x04, 0x08, 0x13, 0x13}, /* '%' */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d}, /* '&' */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* "'" */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* '(' */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, /* ')' */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00}, /* '*' */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00}, /* '+' */
    {0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08}, /* ',' */
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}, /* '-' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}, /* '.' */
    {0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10}, /* '/' */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}, /* '0' */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* '1' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}, /* '2' */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e}, /* '3' */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}, /* '4' */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}, /* '5' */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}, /* '6' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* '7' */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}, /* '8' */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}, /* '9' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00}, /* ':' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08}, /* ';' */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, /* '<' */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00}, /* '=' */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, /* '>' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, /* '?' */
    {0x0e, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0e}, /* '@' */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'A' */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e}, /* 'B' */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}, /* 'C' */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c}, /* 'D' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f}, /* 'E' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10}, /* 'F' */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f}, /* 'G' */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'H' */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'I' */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* 'J' */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* 'K' */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f}, /* 'L' */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11}, /* 'M' */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* 'N' */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'O' */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10}, /* 'P' */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d}, /* 'Q' */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}, /* 'R' */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}, /* 'S' */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* 'T' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'U' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'V' */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a}, /* 'W' */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11}, /* 'X' */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04}, /* 'Y' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}, /* 'Z' */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e}, /* '[' */
    {0x10, 0x10, 0x08, 0x04, 0x02, 0x01, 0x01}, /* '\\' */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e}, /* ']' */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00}, /* '^' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f}, /* '_' */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, /* '`' */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f}, /* 'a' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e}, /* 'b' */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e}, /* 'c' */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f}, /* 'd' */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e}, /* 'e' */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08}, /* 'f' */
    {0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* 'g' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'h' */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e}, /* 'i' */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0c}, /* 'j' */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, /* 'k' */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'l' */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11}, /* 'm' */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'n' */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e}, /* 'o' */
    {0x00, 0x00, 0x1e, 0x11, 0x1e, 0x10, 0x10}, /* 'p' */
    {0x00, 0x00, 0x0d, 0x13, 0x0f, 0x01, 0x01}, /* 'q' */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* 'r' */
    {0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e}, /* 's' */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06}, /* 't' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d}, /* 'u' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'v' */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a}, /* 'w' */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11}, /* 'x' */
    {0x00, 0x00, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* 'y' */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f}, /* 'z' */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02}, /* '{' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* '|' */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08}, /* '}' */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00}, /* '~' */
};

enum { GLYPH_W = 5, GLYPH_H = 7, ADV = 6 };

void ginv_grid_style_init(ginv_grid_style *s)
{
    memset(s, 0, sizeof *s);
    s->pad = 2;
    s->scale = 1;
    s->lo = 0.0;
    s->hi = 1.0;
}

/* Width in canvas pixels of text at text scale ts. */
static int64_t text_w(const char *t, int ts) { return t && *t ? ((int64_t)strlen(t) * ADV - 1) * ts : 0; }

typedef struct {
    float *pix;
    int64_t W, H;
} canvas;

static void fill(canvas *c, int64_t x0, int64_t y0, int64_t w, int64_t h, float v)
{
    for (int64_t y = y0 < 0 ? 0 : y0; y < y0 + h && y < c->H; y++)
        for (int64_t x = x0 < 0 ? 0 : x0; x < x0 + w && x < c->W; x++) c->pix[y * c->W + x] = v;
}

/* Text with its top-left at (x0, y0), at most maxw pixels wide (the rest cut
 * off, the last visible character replaced by '.' when cut). */
static void draw_text(canvas *c, int64_t x0, int64_t y0, const char *t, int ts, int64_t maxw, float ink)
{
    if (!t) return;
    int64_t n = (int64_t)strlen(t), fit = (maxw + ts) / (ADV * ts);
    int cut = n > fit;
    if (cut) n = fit;
    for (int64_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)t[i];
        unsigned char box[GLYPH_H] = {0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f};
        const unsigned char *g = ch >= 32 && ch < 127 ? font5x7[ch - 32] : box;
        if (cut && i == n - 1) g = font5x7['.' - 32];
        for (int r = 0; r < GLYPH_H; r++)
            for (int b = 0; b < GLYPH_W; b++)
                if (g[r] & (0x10 >> b)) fill(c, x0 + (i * ADV + b) * ts, y0 + (int64_t)r * ts, ts, ts, ink);
    }
}

static const char *nonempty(const char *const *labels, int i)
{
    return labels && labels[i] && *labels[i] ? labels[i] : NULL;
}

ginv_status ginv_png_write_grid_styled(const char *path, int rows, int cols, int h, int w,
                                       const float *tiles, const ginv_grid_style *s)
{
    if (!s) return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid_styled: style is NULL");
    int pad = s->pad, scale = s->scale;
    double lo = s->lo, hi = s->hi;
    if (rows < 1 || cols < 1 || h < 1 || w < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: %d x %d tiles of %d x %d is empty; "
                         "rows, cols, h and w must be >= 1", rows, cols, h, w);
    if (pad < 0 || pad > 1024 || scale < 1 || scale > 64)
        return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: pad %d or scale %d out of range "
                         "(pad 0..1024, scale 1..64)", pad, scale);
    if (!tiles) return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: tiles is NULL");
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: gray range [%g, %g] must be finite "
                         "with hi > lo", lo, hi);
    /* the layout, in output pixels: tiles and padding upscaled, text at
     * ts = ceil(scale / 2) pixels per font pixel, a margin m around text */
    int ts = (scale + 1) / 2, m = 3 * ts;
    int64_t P = (int64_t)pad * scale, TW = (int64_t)w * scale, TH = (int64_t)h * scale;
    int64_t lh = (int64_t)GLYPH_H * ts; /* a text line's height */
    int64_t left = 0, top = 0, right = 0;
    for (int r = 0; r < rows; r++)
        if (nonempty(s->row_labels, r)) {
            int64_t tw = text_w(s->row_labels[r], ts) + 2 * m;
            if (tw > left) left = tw;
        }
    int has_cols = 0;
    for (int c = 0; c < cols; c++) has_cols |= nonempty(s->col_labels, c) != NULL;
    int64_t title_h = s->title && *s->title ? lh + 2 * m : 0;
    top = title_h + (has_cols ? lh + m : 0);
    char lo_txt[32], hi_txt[32];
    snprintf(lo_txt, sizeof lo_txt, "%.3g", lo);
    snprintf(hi_txt, sizeof hi_txt, "%.3g", hi);
    int64_t bar_w = 4 * (int64_t)ts + 6, grid_h = (int64_t)rows * TH + (int64_t)(rows + 1) * P;
    if (s->colorbar) {
        int64_t lw = text_w(lo_txt, ts) > text_w(hi_txt, ts) ? text_w(lo_txt, ts) : text_w(hi_txt, ts);
        right = m + bar_w + m + lw + m;
        if (grid_h < 2 * lh + 3 * m) grid_h = 2 * lh + 3 * m; /* room for both labels */
    }
    int64_t gw = (int64_t)cols * TW + (int64_t)(cols + 1) * P;
    int64_t WS = left + gw + right, HS = top + grid_h + (top || left || right ? m : 0);
    if (s->title && *s->title && WS < text_w(s->title, ts) + 2 * m) WS = text_w(s->title, ts) + 2 * m;
    if (HS > (1 << 20) || WS > (1 << 20) || HS * WS > ((int64_t)1 << 28))
        return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: the picture would be %lld x %lld "
                         "pixels, more than a PNG ginv writes (2^28); use fewer tiles or a smaller "
                         "scale", (long long)WS, (long long)HS);
    canvas cv = {ginv_malloc((size_t)HS * (size_t)WS * sizeof(float)), WS, HS}; /* (HS, WS) */
    if (!cv.pix)
        return ginv_fail(GINV_ERR_NOMEM, "ginv_png_write_grid: cannot allocate a %lld x %lld "
                         "picture", (long long)WS, (long long)HS);
    float mid = (float)(0.5 * (lo + hi)), white = (float)hi, ink = (float)lo;
    fill(&cv, 0, 0, WS, HS, white);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            const float *t = tiles + ((size_t)r * cols + c) * (size_t)h * (size_t)w;
            int64_t y0 = top + P + r * (TH + P), x0 = left + P + c * (TW + P);
            for (int64_t Y = 0; Y < TH; Y++) {
                float *out = cv.pix + (size_t)(y0 + Y) * (size_t)WS + (size_t)x0;
                const float *in = t + (size_t)(Y / scale) * (size_t)w;
                for (int64_t X = 0; X < TW; X++) {
                    float v = in[X / scale];
                    out[X] = isnan(v) ? mid : v;
                }
            }
        }
    if (title_h) draw_text(&cv, m, m, s->title, ts, WS - 2 * m, ink);
    for (int r = 0; r < rows; r++) /* right-aligned, centred on the row */
        if (nonempty(s->row_labels, r)) {
            int64_t y = top + P + r * (TH + P) + (TH - lh) / 2;
            draw_text(&cv, left - m - text_w(s->row_labels[r], ts), y, s->row_labels[r], ts, left, ink);
        }
    for (int c = 0; c < cols; c++) /* centred over the column, cut to its width */
        if (nonempty(s->col_labels, c)) {
            int64_t cw = TW + P, tw = text_w(s->col_labels[c], ts);
            if (tw > cw) tw = cw;
            int64_t x = left + P + c * (TW + P) + (TW - tw) / 2;
            draw_text(&cv, x < 0 ? 0 : x, title_h, s->col_labels[c], ts, cw, ink);
        }
    if (s->colorbar) { /* hi at the top, lo at the bottom, framed in ink */
        int64_t bx = left + gw + m, by = top + P, bh = grid_h - 2 * P;
        if (bh < 2) bh = 2;
        fill(&cv, bx - 1, by - 1, bar_w + 2, bh + 2, ink);
        for (int64_t y = 0; y < bh; y++)
            fill(&cv, bx, by + y, bar_w, 1, (float)(hi - (hi - lo) * (double)y / (double)(bh - 1)));
        draw_text(&cv, bx + bar_w + m, by, hi_txt, ts, WS, ink);
        draw_text(&cv, bx + bar_w + m, by + bh - lh, lo_txt, ts, WS, ink);
    }
    ginv_status st = ginv_png_write_gray(path, (int)WS, (int)HS, cv.pix, lo, hi);
    ginv_free(cv.pix);
    return st;
}

ginv_status ginv_png_write_grid(const char *path, int rows, int cols, int h, int w,
                                const float *tiles, int pad, double lo, double hi, int scale)
{
    ginv_grid_style s;
    ginv_grid_style_init(&s);
    s.pad = pad, s.scale = scale, s.lo = lo, s.hi = hi;
    return ginv_png_write_grid_styled(path, rows, cols, h, w, tiles, &s);
}
