/* ref_net.h — a plain double-precision forward pass over a ginv_net's layer
 * list, written independently of src/net: the oracle for forward values and,
 * through central differences, for every gradient. */
#ifndef GINV_TEST_REF_NET_H
#define GINV_TEST_REF_NET_H

#include "ginv.h"

/* params: the net's parameter block in double (same layout as
 * ginv_net_params), so tests can perturb any parameter. x (n) = G(z (k)). */
void ref_forward(ginv_net *net, const double *params, const double *z, double *x);
/* The net's parameters as doubles (malloc'd). */
double *ref_params(ginv_net *net);
/* A random net: sizes[0..ns) with activation act after every dense layer. */
ginv_net *ref_random_net(const int *sizes, int ns, ginv_layer_kind act, int bias, uint64_t seed);

#endif
