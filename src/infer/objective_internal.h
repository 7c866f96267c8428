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

#endif
