/* sgilo_internal.h — SGILO's Laplace preconditioner (sgilo_precond.c), used
 * by sgilo.c. Not part of the public API. */
#ifndef GINV_SGILO_INTERNAL_H
#define GINV_SGILO_INTERNAL_H

#include "ginv.h"

/* L (N x p x p, row-major lower) with H_i = L_i L_i^T at h's row i * C
 * (image i's first chain; h is N C x p). */
ginv_status ginv_sgilo_precond(ginv_net *g2, const ginv_op *op, int N, int C, const float *h,
                               const ginv_sgilo_opts *o, const ginv_score_prior *pr, double *L);
/* out = H^{-1} g = L^{-T} L^{-1} g */
void ginv_sgilo_precond_apply(const double *L, int p, const float *g, double *out);
/* u <- L^{-T} u: N(0, I) noise made N(0, H^{-1}) */
void ginv_sgilo_precond_noise(const double *L, int p, double *u);

#endif
