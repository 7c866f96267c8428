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
