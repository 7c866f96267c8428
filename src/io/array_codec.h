/* array_codec.h — inside libginv only: encoders for the two array file
 * formats (npy.c, text.c), used by ginv_array_write (array.c). */
#ifndef GINV_IO_ARRAY_CODEC_H
#define GINV_IO_ARRAY_CODEC_H

#include "ginv.h"

/* Encode as .npy v1.0, '<f4', C order; header padded so the data starts at
 * a multiple of 64 bytes. *out is ginv_malloc'd. */
ginv_status ginv_npy_encode(const float *data, int ndim, const int64_t *shape, unsigned char **out,
                            size_t *len);
/* Encode as text, "%.9g" (exact for float32): ndim 0 or 1 as one line, ndim 2
 * one row a line; more dimensions are refused. *out is ginv_malloc'd. */
ginv_status ginv_text_encode(const float *data, int ndim, const int64_t *shape, char **out,
                             size_t *len);

#endif
