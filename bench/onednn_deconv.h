/* onednn_deconv.h — oneDNN's deconvolution primitive for one ginv
 * conv_transpose2d layer (bench/conv_onednn.c): forward_inference or
 * backward_data, plain NCHW activations or the layout oneDNN prefers (with
 * reorders from / to the caller's NCHW buffers). Weights are reordered once,
 * when the step is made. Errors end the program (a benchmark). */
#ifndef GINV_BENCH_ONEDNN_DECONV_H
#define GINV_BENCH_ONEDNN_DECONV_H

#include "ginv.h"

#include <oneapi/dnnl/dnnl.h>

/* One direction: p maps `in` to `out`; with a blocked layout the user's
 * NCHW buffers go through rin / rout (NULL when oneDNN chose NCHW). */
typedef struct {
    dnnl_primitive_t p, rin, rout;
    dnnl_memory_t in_u, in_b, out_u, out_b, w, wu, bias;
    int in_arg, out_arg;
    char *impl; /* oneDNN's implementation name */
} dstep;

/* The engine and stream every step uses; once, first. */
void dstep_init(void);
/* Layer L at batch B, forward (bwd 0: x -> y) or backward data (bwd 1: dy,
 * given as y, -> dx, written to x); blocked: oneDNN picks the activation
 * layout. The primitive is made for the OpenMP thread count in force. */
dstep dstep_make(const ginv_layer *L, int B, int bwd, int blocked, float *x, float *y);
/* Run it; with reorders, from and to the user's NCHW buffers. */
void dstep_run(const dstep *d, int reorders);
void dstep_free(dstep *d);

#endif
