/* test_png.c — ginv_png_write_gray: the file read back by libpng has the
 * size and gray levels the formula gives (clipping, NaN), bad arguments and
 * unwritable paths fail cleanly, and a failed write leaves no file. */
#include "test.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read path as 8-bit gray with libpng's simplified API; NULL on failure. */
static unsigned char *read_gray(const char *path, int *w, int *h)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path)) return NULL;
    im.format = PNG_FORMAT_GRAY;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(im));
    if (!buf || !png_image_finish_read(&im, NULL, buf, 0, NULL)) {
        free(buf);
        png_image_free(&im);
        return NULL;
    }
    *w = (int)im.width;
    *h = (int)im.height;
    return buf;
}

TEST(png_gray_round_trips_size_and_levels)
{
    char path[256];
    snprintf(path, sizeof path, "%s/g.png", test_tmpdir());
    /* 3 x 2 on [-1, 1]: level = round(255 (v + 1) / 2), clipped; NaN -> 0 */
    const float pix[6] = {-1.0f, 0.0f, 1.0f, 2.5f, -7.0f, NAN};
    const unsigned char want[6] = {0, 128, 255, 255, 0, 0};
    CHECK_OK(ginv_png_write_gray(path, 3, 2, pix, -1.0, 1.0));
    int w = 0, h = 0;
    unsigned char *got = read_gray(path, &w, &h);
    CHECK_MSG(got != NULL, "libpng could not read %s back", path);
    if (got) {
        CHECK(w == 3 && h == 2);
        for (int i = 0; i < 6; i++) CHECK_MSG(got[i] == want[i], "pixel %d: %d, want %d", i, got[i], want[i]);
    }
    free(got);
    /* a non-square image keeps its row order */
    float ramp[4 * 7];
    for (int i = 0; i < 28; i++) ramp[i] = (float)i / 27.0f;
    CHECK_OK(ginv_png_write_gray(path, 4, 7, ramp, 0.0, 1.0));
    got = read_gray(path, &w, &h);
    CHECK(got && w == 4 && h == 7);
    if (got)
        for (int i = 0; i < 28; i++) CHECK(got[i] == (unsigned char)lround(255.0 * i / 27.0));
    free(got);
    unlink(path);
}

TEST(png_bad_arguments_fail_without_a_file)
{
    char path[256];
    snprintf(path, sizeof path, "%s/bad.png", test_tmpdir());
    float v[4] = {0};
    CHECK(ginv_png_write_gray(path, 0, 2, v, 0, 1) == GINV_ERR_ARG);
    CHECK(ginv_png_write_gray(path, 2, 2, v, 1, 1) == GINV_ERR_ARG);
    CHECK(ginv_png_write_gray(path, 2, 2, v, 0, NAN) == GINV_ERR_ARG);
    CHECK(access(path, F_OK) != 0);
    CHECK(ginv_png_write_gray("/nonexistent-dir/x.png", 2, 2, v, 0, 1) == GINV_ERR_IO);
    CHECK(strstr(ginv_last_error(), "x.png") != NULL);
}

/* A 2 x 3 grid of 2 x 2 tiles, pad 1, scale 2: tile t holds t/6 + 0.01 i
 * (tile 4 is NaN: mid-gray), padding is white. Checked pixel by pixel
 * against the layout computed here. */
TEST(png_grid_lays_out_tiles_padding_nan_and_scale)
{
    char path[256];
    snprintf(path, sizeof path, "%s/grid.png", test_tmpdir());
    enum { R = 2, C = 3, H = 2, W = 2, PAD = 1, S = 2 };
    float tiles[R * C * H * W];
    for (int t = 0; t < R * C; t++)
        for (int i = 0; i < H * W; i++) tiles[t * H * W + i] = t == 4 ? NAN : (float)t / 6.0f + 0.01f * i;
    CHECK_OK(ginv_png_write_grid(path, R, C, H, W, tiles, PAD, 0.0, 1.0, S));
    int w = 0, h = 0;
    unsigned char *got = read_gray(path, &w, &h);
    int WW = (C * W + (C + 1) * PAD) * S, HH = (R * H + (R + 1) * PAD) * S;
    CHECK_MSG(got && w == WW && h == HH, "size %d x %d, want %d x %d", w, h, WW, HH);
    int bad = 0;
    for (int Y = 0; got && Y < HH; Y++)
        for (int X = 0; X < WW; X++) {
            int y = Y / S, x = X / S, want = 255;
            int cy = (y - PAD) % (H + PAD), cx = (x - PAD) % (W + PAD);
            if (y >= PAD && x >= PAD && cy < H && cx < W) {
                int t = (y - PAD) / (H + PAD) * C + (x - PAD) / (W + PAD);
                want = t == 4 ? 128 : (int)lround(255.0 * tiles[t * H * W + cy * W + cx]);
            }
            if (got[Y * WW + X] != want && bad++ < 3)
                fprintf(stderr, "    (%d, %d): %d, want %d\n", X, Y, got[Y * WW + X], want);
        }
    CHECK(bad == 0);
    free(got);
    /* spot checks independent of the loop: the corner is padding, the first
     * tile's first pixel starts at (PAD*S, PAD*S), the NaN tile is gray */
    got = read_gray(path, &w, &h);
    if (got) {
        CHECK(got[0] == 255);
        CHECK(got[(PAD * S) * WW + PAD * S] == 0 + (int)lround(255 * 0.0));
        int y4 = (PAD + 1 * (H + PAD)) * S, x4 = (PAD + 1 * (W + PAD)) * S; /* tile 4 = (1, 1) */
        CHECK(got[y4 * WW + x4] == 128 && got[(y4 + H * S - 1) * WW + x4 + W * S - 1] == 128);
        CHECK(got[(y4 + H * S) * WW + x4] == 255);
    }
    free(got);
    unlink(path);
    float one = 0.5f;
    CHECK(ginv_png_write_grid(path, 0, 1, 1, 1, &one, 0, 0, 1, 1) == GINV_ERR_ARG);
    CHECK(ginv_png_write_grid(path, 1, 1, 1, 1, &one, 0, 0, 1, 0) == GINV_ERR_ARG);
    CHECK(ginv_png_write_grid(path, 1, 1, 1, 1, &one, 0, 1, 1, 1) == GINV_ERR_ARG);
    CHECK(access(path, F_OK) != 0);
}

/* The styled grid: labels, a title and the colour bar widen and heighten the
 * picture, keep the tiles' pixels (moved right and down by the label space),
 * draw text in black, and the colour bar runs from white (top) to black. */
TEST(png_grid_styled_labels_title_and_colorbar)
{
    char path[256];
    snprintf(path, sizeof path, "%s/styled.png", test_tmpdir());
    enum { R = 2, C = 2, H = 4, W = 4, S = 4 };
    float tiles[R * C * H * W];
    for (int i = 0; i < R * C * H * W; i++) tiles[i] = 0.5f;
    const char *rl[R] = {"truth", "A^T y"}, *cl[C] = {"#0", "#1"};
    ginv_grid_style gs;
    ginv_grid_style_init(&gs);
    CHECK(gs.pad == 2 && gs.scale == 1 && gs.lo == 0 && gs.hi == 1 && !gs.colorbar);
    gs.scale = S, gs.row_labels = rl, gs.col_labels = cl, gs.title = "title", gs.colorbar = 1;
    CHECK_OK(ginv_png_write_grid_styled(path, R, C, H, W, tiles, &gs));
    int w = 0, h = 0;
    unsigned char *got = read_gray(path, &w, &h);
    int plain_w = (C * W + (C + 1) * 2) * S, plain_h = (R * H + (R + 1) * 2) * S;
    CHECK_MSG(got && w > plain_w + 40 && h > plain_h + 20, "size %d x %d (plain %d x %d)", w, h, plain_w, plain_h);
    int black = 0, mid = 0;
    for (int i = 0; got && i < w * h; i++) black += got[i] == 0, mid += got[i] == 128;
    CHECK(black > 50);                 /* the text and the colour bar's frame */
    CHECK(mid >= R * C * H * W * S * S); /* every tile pixel kept */
    free(got);
    /* no labels: exactly ginv_png_write_grid's picture */
    ginv_grid_style_init(&gs);
    gs.scale = 2;
    CHECK_OK(ginv_png_write_grid_styled(path, R, C, H, W, tiles, &gs));
    got = read_gray(path, &w, &h);
    CHECK(got && w == (C * W + (C + 1) * 2) * 2 && h == (R * H + (R + 1) * 2) * 2);
    free(got);
    CHECK(ginv_png_write_grid_styled(path, R, C, H, W, tiles, NULL) == GINV_ERR_ARG);
    unlink(path);
}
