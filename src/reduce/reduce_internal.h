/* reduce_internal.h — what the reductions (sat.c, cvp.c, clique.c,
 * vertex_cover.c) and map-back (witness.c) share. Not public. */
#ifndef GINV_REDUCE_INTERNAL_H
#define GINV_REDUCE_INTERNAL_H

#include "ginv.h"

#include <cjson/cJSON.h>

/* The paper the constructions follow (the "paper" field of every source). */
#define REDUCE_PAPER "Keles & Hegde 2023, On the Fine-Grained Hardness of Inverting Generative Models"

/* The largest integer float32 holds exactly: constants the proofs compare
 * (alpha, beta, n/2 beta, ...) must stay below it. */
#define REDUCE_F32_EXACT 16777216.0

/* An ordinary layered net of ndense dense layers with biases, each followed
 * by ReLU: sizes[0] -> sizes[1] -> ... -> sizes[ndense]; weights zeroed. */
ginv_status ginv_reduce_net(ginv_net **out, int ndense, const int *sizes);
/* Dense layer l's weight (out x in, row-major) and bias. */
float *ginv_reduce_W(ginv_net *net, int l);
float *ginv_reduce_b(ginv_net *net, int l);
/* Fill pb: target (n zeros), delta, p, latent; source becomes its JSON text
 * (src is deleted). */
ginv_status ginv_reduce_problem(ginv_problem *pb, int n, double delta, double p, ginv_latent_domain latent,
                           cJSON *src);
/* A source object with "kind", "theorem" and "paper". */
cJSON *ginv_reduce_source(const char *kind, const char *theorem);
/* Release net and pb after a failure, returning st. */
ginv_status ginv_reduce_undo(ginv_status st, ginv_net **net, ginv_problem *pb);

/* The pieces of source JSON map-back reads back (witness.c). */
ginv_status ginv_reduce_cnf_from_json(const cJSON *src, ginv_cnf *f);
ginv_status ginv_reduce_graph_from_json(const cJSON *src, ginv_graph *g);
ginv_status ginv_reduce_cvp_from_json(const cJSON *src, ginv_cvp *c);
cJSON *ginv_reduce_graph_json(const ginv_graph *g);

#endif
