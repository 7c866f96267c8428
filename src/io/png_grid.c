/* png_grid.c — a montage of equally sized grayscale tiles as one PNG: rows x
 * cols tiles of h x w, `pad` pixels of white (hi) around and between them,
 * NaN pixels (a missing tile, or unobserved pixels) drawn flat mid-gray, the
 * whole canvas upscaled by an integer factor (nearest neighbour), written
 * atomically through ginv_png_write_gray. */
#include "ginv.h"

#include <math.h>
#include <stdint.h>

ginv_status ginv_png_write_grid(const char *path, int rows, int cols, int h, int w,
                                const float *tiles, int pad, double lo, double hi, int scale)
{
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
    int64_t H = (int64_t)rows * h + (int64_t)(rows + 1) * pad;
    int64_t W = (int64_t)cols * w + (int64_t)(cols + 1) * pad;
    int64_t HS = H * scale, WS = W * scale;
    if (HS > (1 << 20) || WS > (1 << 20) || HS * WS > ((int64_t)1 << 28))
        return ginv_fail(GINV_ERR_ARG, "ginv_png_write_grid: the picture would be %lld x %lld "
                         "pixels, more than a PNG ginv writes (2^28); use fewer tiles or a smaller "
                         "scale", (long long)WS, (long long)HS);
    float *canvas = ginv_malloc((size_t)HS * (size_t)WS * sizeof(float)); /* (HS, WS) */
    if (!canvas)
        return ginv_fail(GINV_ERR_NOMEM, "ginv_png_write_grid: cannot allocate a %lld x %lld "
                         "picture", (long long)WS, (long long)HS);
    float mid = (float)(0.5 * (lo + hi)), white = (float)hi;
    for (int64_t Y = 0; Y < HS; Y++) {
        int64_t y = Y / scale; /* canvas row before upscaling */
        int64_t ty = (y - pad) / (h + pad), iy = (y - pad) % (h + pad);
        int row_in = y >= pad && iy < h && ty < rows;
        float *out = canvas + (size_t)Y * (size_t)WS;
        for (int64_t X = 0; X < WS; X++) {
            int64_t x = X / scale;
            int64_t tx = (x - pad) / (w + pad), ix = (x - pad) % (w + pad);
            if (!row_in || x < pad || ix >= w || tx >= cols) {
                out[X] = white;
                continue;
            }
            size_t tile = (size_t)(ty * cols + tx);
            float v = tiles[tile * (size_t)h * (size_t)w + (size_t)(iy * w + ix)];
            out[X] = isnan(v) ? mid : v;
        }
    }
    ginv_status st = ginv_png_write_gray(path, (int)WS, (int)HS, canvas, lo, hi);
    ginv_free(canvas);
    return st;
}
