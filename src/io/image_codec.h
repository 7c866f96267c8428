/* image_codec.h — inside libginv only: the size limits shared by the image
 * decoders (pgm.c, png_read.c) and the spec loader (images.c). */
#ifndef GINV_IO_IMAGE_CODEC_H
#define GINV_IO_IMAGE_CODEC_H

#include "ginv.h"

/* The largest image a decoder accepts: 16384 per side, 2^26 pixels
 * (256 MiB of float32). */
#define GINV_IMAGE_MAX_SIDE 16384
#define GINV_IMAGE_MAX_PIXELS (1 << 26)

#endif
