/* onednn_deconv.c — see onednn_deconv.h. */
#include "onednn_deconv.h"

#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CK(x)                                                                                  \
    do {                                                                                       \
        dnnl_status_t s_ = (x);                                                                \
        if (s_ != dnnl_success) {                                                              \
            fprintf(stderr, "onednn_deconv:%d: %s: %s\n", __LINE__, #x, dnnl_status2str(s_));    \
            exit(1);                                                                           \
        }                                                                                      \
    } while (0)

static dnnl_engine_t eng;
static dnnl_stream_t strm;

static void exec2(dnnl_primitive_t p, int a0, dnnl_memory_t m0, int a1, dnnl_memory_t m1)
{
    dnnl_exec_arg_t args[2] = {{a0, m0}, {a1, m1}};
    CK(dnnl_primitive_execute(p, strm, 2, args));
}

void dstep_run(const dstep *d, int reorders)
{
    if (reorders && d->rin) exec2(d->rin, DNNL_ARG_FROM, d->in_u, DNNL_ARG_TO, d->in_b);
    dnnl_exec_arg_t args[4] = {{d->in_arg, d->in_b}, {DNNL_ARG_WEIGHTS, d->w}, {d->out_arg, d->out_b}};
    int n = 3;
    if (d->bias) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, d->bias};
    CK(dnnl_primitive_execute(d->p, strm, n, args));
    if (reorders && d->rout) exec2(d->rout, DNNL_ARG_FROM, d->out_b, DNNL_ARG_TO, d->out_u);
    CK(dnnl_stream_wait(strm));
}

/* A reorder from a to b, or NULL when their layouts agree. */
static dnnl_primitive_t reorder(const dnnl_memory_desc_t *a, const dnnl_memory_desc_t *b)
{
    if (dnnl_memory_desc_equal(a, b)) return NULL;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p;
    CK(dnnl_reorder_primitive_desc_create(&pd, a, eng, b, eng, NULL));
    CK(dnnl_primitive_create(&p, pd));
    CK(dnnl_primitive_desc_destroy(pd));
    return p;
}

/* The memory for a layout the primitive chose: the user's buffer when it is
 * the user's layout, else one of oneDNN's own. */
static dnnl_memory_t mem_for(const dnnl_memory_desc_t *chosen, const dnnl_memory_desc_t *user,
                             dnnl_memory_t user_mem)
{
    if (dnnl_memory_desc_equal(chosen, user)) return user_mem;
    dnnl_memory_t m;
    CK(dnnl_memory_create(&m, chosen, eng, DNNL_MEMORY_ALLOCATE));
    return m;
}

/* Forward (bwd = 0) or backward-data (bwd = 1) deconvolution of layer L at
 * batch B; x (B x in) and y (B x out) the user's NCHW buffers (for bwd: y is
 * dy, the input, and x is dx, the output). blocked: let oneDNN pick the
 * activation layouts. */
dstep dstep_make(const ginv_layer *L, int B, int bwd, int blocked, float *x, float *y)
{
    dnnl_dims_t xd = {B, L->c_in, L->h_in, L->w_in}, yd = {B, L->c_out, L->h_out, L->w_out};
    dnnl_dims_t wd = {L->c_out, L->c_in, L->kh, L->kw}, bd = {L->c_out};
    dnnl_dims_t st = {L->stride_h, L->stride_w}, dil = {L->dil_h - 1, L->dil_w - 1};
    dnnl_dims_t pl = {L->pad_h, L->pad_w};
    dnnl_dims_t pr = {(L->h_in - 1) * L->stride_h - L->pad_h + L->dil_h * (L->kh - 1) + 1 - L->h_out,
                      (L->w_in - 1) * L->stride_w - L->pad_w + L->dil_w * (L->kw - 1) + 1 - L->w_out};
    dnnl_memory_desc_t xu, yu, wu, bu, xa, ya, wa;
    CK(dnnl_memory_desc_init_by_tag(&xu, 4, xd, dnnl_f32, dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&yu, 4, yd, dnnl_f32, dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&wu, 4, wd, dnnl_f32, dnnl_iohw)); /* ginv's [c_in, c_out, kh, kw] */
    CK(dnnl_memory_desc_init_by_tag(&bu, 1, bd, dnnl_f32, dnnl_a));
    CK(dnnl_memory_desc_init_by_tag(&xa, 4, xd, dnnl_f32, blocked ? dnnl_format_tag_any : dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&ya, 4, yd, dnnl_f32, blocked ? dnnl_format_tag_any : dnnl_nchw));
    CK(dnnl_memory_desc_init_by_tag(&wa, 4, wd, dnnl_f32, dnnl_format_tag_any));
    const dnnl_memory_desc_t *bias = L->bias ? &bu : NULL;
    dnnl_deconvolution_desc_t fdesc, bdesc;
    dnnl_primitive_desc_t fpd, pd;
    CK(dnnl_dilated_deconvolution_forward_desc_init(&fdesc, bwd ? dnnl_forward_training : dnnl_forward_inference,
                                                    dnnl_deconvolution_direct, &xa, &wa, bias, &ya, st,
                                                    dil, pl, pr));
    CK(dnnl_primitive_desc_create(&fpd, &fdesc, NULL, eng, NULL));
    pd = fpd;
    if (bwd) {
        CK(dnnl_dilated_deconvolution_backward_data_desc_init(&bdesc, dnnl_deconvolution_direct, &xa, &wa,
                                                              &ya, st, dil, pl, pr));
        CK(dnnl_primitive_desc_create(&pd, &bdesc, NULL, eng, fpd));
    }
    dstep d = {.in_arg = bwd ? DNNL_ARG_DIFF_DST : DNNL_ARG_SRC, .out_arg = bwd ? DNNL_ARG_DIFF_SRC : DNNL_ARG_DST};
    const dnnl_memory_desc_t *in_md = dnnl_primitive_desc_query_md(pd, bwd ? dnnl_query_diff_dst_md : dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *out_md = dnnl_primitive_desc_query_md(pd, bwd ? dnnl_query_diff_src_md : dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *w_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *iu = bwd ? &yu : &xu, *ou = bwd ? &xu : &yu;
    CK(dnnl_memory_create(&d.in_u, iu, eng, bwd ? (void *)y : (void *)x));
    CK(dnnl_memory_create(&d.out_u, ou, eng, bwd ? (void *)x : (void *)y));
    d.in_b = mem_for(in_md, iu, d.in_u);
    d.out_b = mem_for(out_md, ou, d.out_u);
    d.rin = reorder(iu, in_md);
    d.rout = reorder(out_md, ou);
    CK(dnnl_memory_create(&d.wu, &wu, eng, L->W));
    d.w = mem_for(w_md, &wu, d.wu);
    dnnl_primitive_t rw = reorder(&wu, w_md);
    if (rw) {
        exec2(rw, DNNL_ARG_FROM, d.wu, DNNL_ARG_TO, d.w);
        CK(dnnl_stream_wait(strm));
        CK(dnnl_primitive_destroy(rw));
    }
    if (L->bias && !bwd) CK(dnnl_memory_create(&d.bias, &bu, eng, L->b));
    const char *impl;
    CK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    d.impl = strdup(impl);
    CK(dnnl_primitive_create(&d.p, pd));
    if (pd != fpd) CK(dnnl_primitive_desc_destroy(pd));
    CK(dnnl_primitive_desc_destroy(fpd));
    return d;
}

void dstep_free(dstep *d)
{
    dnnl_primitive_t ps[3] = {d->p, d->rin, d->rout};
    for (int i = 0; i < 3; i++)
        if (ps[i]) dnnl_primitive_destroy(ps[i]);
    if (d->in_b != d->in_u) dnnl_memory_destroy(d->in_b);
    if (d->out_b != d->out_u) dnnl_memory_destroy(d->out_b);
    if (d->w != d->wu) dnnl_memory_destroy(d->w);
    dnnl_memory_t ms[4] = {d->in_u, d->out_u, d->wu, d->bias};
    for (int i = 0; i < 4; i++)
        if (ms[i]) dnnl_memory_destroy(ms[i]);
    free(d->impl);
}

void dstep_init(void)
{
    CK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    CK(dnnl_stream_create(&strm, eng, dnnl_stream_default_flags));
}
