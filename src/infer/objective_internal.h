/* objective_internal.h — what the samplers ask of the objective beyond the
 * public API. Private to libginv. */
#ifndef GINV_INFER_OBJECTIVE_INTERNAL_H
#define GINV_INFER_OBJECTIVE_INTERNAL_H

#include "ginv.h"

/* For a 1-bit (SIGN) operator: replace the measurement term by the probit
 * negative log-likelihood of y = sign(A x + e), e ~ N(0, sigma^2) i.i.d.,
 * times sigma^2 (so that the posterior's U = f / sigma^2 is exactly
 * -sum_i log Phi(y_i (A x)_i / sigma) plus the prior):
 *     f_meas = sigma^2 sum_i -log Phi(y_i u_i / sigma),
 *     d f_meas / du_i = -sigma y_i phi(t_i) / Phi(t_i),  t_i = y_i u_i / sigma.
 * sigma <= 0 restores the operator's own loss. No effect on other links. */
void ginv_objective_set_probit(ginv_objective *o, double sigma);

/* A gathered batch (NUTS evaluates only the chains still building their
 * trees): batch row b is measured against y row rows[b] (when y has one row
 * per chain; no effect when it is shared) until the next call; NULL restores
 * row b for batch row b. rows must stay valid while it is set. */
void ginv_objective_set_rows(ginv_objective *o, const int *rows);

/* The measurement term of one row for the links that compare values or
 * magnitudes (Hand, Leong & Voroninski 2018 eq. 2 for ABS and CABS):
 *   LINEAR  1/2 ||u - y||^2;   ABS  1/2 sum (|u_i| - y_i)^2;
 *   CABS    1/2 sum_k (rho_k - y_k)^2, rho_k = sqrt((u_k^2 + u_p(k)^2) / 2)
 * from u = A x in r (m values, overwritten with d loss / du) and y; pair is
 * CABS's partner index (ginv_op_link_pairs). Not for SIGN. The objective,
 * ILO's stages and SGILO's likelihood all use it. */
double ginv_link_amplitude_loss(int link, const int *pair, int m, float *r, const float *y);

#endif
