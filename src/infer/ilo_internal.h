/* ilo_internal.h — one ILO stage (Daras et al. 2021; 2022 §2): the
 * objective f(u, d) = ||A G^b(G^a(u) + d) - y||^2 with its gradient, and the
 * projected Adam that minimises it (src/infer/ilo_stage.c). */
#ifndef GINV_ILO_INTERNAL_H
#define GINV_ILO_INTERNAL_H

#include "ginv.h"

/* G^a = layers [a, b) of G, G^b = layers [b, end) (views sharing G's
 * parameters) and the scratch of N images. */
typedef struct {
    ginv_net *ga, *gb;
    ginv_net_ws *wa, *wb;
    const ginv_op *op;
    const float *Y;             /* N x m */
    int N, pin, p, n, m;        /* pin: G^a's input size (k when a = 0), p: its output */
    const float *a, *x;         /* after a run: G^a(U) (N x p) and G^b(H) (N x n), in the ws */
    float *H;                   /* N x p: G^a(U) + D after a run */
    float *R, *gx, *gh, *gu;    /* N x m residual, N x n, N x p (the gradient in h and d),
                                   N x pin (in u) */
} ginv_ilo_eval;

/* 1 <= b < nlayers, 0 <= a < b. Errors: out of memory, a bad split. */
ginv_status ginv_ilo_eval_new(ginv_ilo_eval *e, ginv_net *net, int a, int b, const ginv_op *op,
                              int N, const float *Y);
void ginv_ilo_eval_free(ginv_ilo_eval *e);
/* H = G^a(U) + D (an entry of D that is 0 adds nothing: H_j = a_j exactly),
 * f_i = ||A G^b(H_i) - y_i||^2. With grad: gh = J_G^b(H)^T A^T (A x - y), the
 * gradient of f/2 in H and so in D, and gu = J_G^a(U)^T gh, the gradient of
 * f/2 in U. D may be NULL (zero). */
void ginv_ilo_eval_run(ginv_ilo_eval *e, const float *U, const float *D, double *f, int grad);

/* One stage: projected Adam (step lr, iters steps) on (u, d), after each
 * step d_i onto rd B1 and, with cu, u_i - cu_i onto ru B1; fix_u: u stays.
 * U (N x pin) and D (N x p) hold the start and get each image's kept iterate
 * (lowest f, the start included), fb (N) its f. */
typedef struct {
    double rd;             /* radius of d */
    const float *cu;       /* N x pin centre of u, or NULL: u free */
    double ru;             /* radius of u - cu */
    int fix_u, iters;
    double lr;
} ginv_ilo_stage_cfg;
ginv_status ginv_ilo_stage(ginv_ilo_eval *e, const ginv_ilo_stage_cfg *c, float *U, float *D,
                           double *fb);

#endif
