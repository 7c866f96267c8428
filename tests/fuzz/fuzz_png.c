/* fuzz_png.c — libFuzzer target: ginv_png_parse_gray (libpng underneath) on
 * arbitrary bytes must return a status without crashing or leaking; on
 * success there is one image with every pixel in [0, 1]. */
#include "ginv.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_images im;
    if (ginv_png_parse_gray(data, size, &im) == GINV_OK) {
        if (im.count != 1 || im.h < 1 || im.w < 1 || !im.pix || im.labels) abort();
        for (size_t i = 0; i < (size_t)im.h * im.w; i++)
            if (!(im.pix[i] >= 0 && im.pix[i] <= 1)) abort();
    }
    ginv_images_release(&im);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
