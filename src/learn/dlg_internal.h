/* dlg_internal.h — the deep latent Gaussian encoder object (dlg.c), shared
 * with its file format (dlg_io.c) and Theorem 1's construction
 * (dlg_build.c). Not part of the public API. */
#ifndef GINV_DLG_INTERNAL_H
#define GINV_DLG_INTERNAL_H

#include "ginv.h"

#define GINV_DLG_MAX_GRAPHS 16
#define GINV_DLG_MAX_NODES 4096
#define GINV_DLG_MAX_LAYERS (1 << 24)

/* One computation graph: nodes 0 (x) and 1 (z) then the added ones; its
 * output is its last node. A layer using it holds nparams floats: gamma, then
 * every node's parameters in node order (poff[i]: node i's offset). */
typedef struct {
    int nnodes, cap;
    ginv_dlg_node *nodes;
    size_t *poff;
    size_t nparams;
    size_t width; /* the floats of all node outputs of one row */
} ginv_dlg_graph;

struct ginv_dlg {
    int n, d;
    int ngraphs;
    ginv_dlg_graph graphs[GINV_DLG_MAX_GRAPHS];
    int nlayers, lcap;
    int *layer_graph;   /* graph of layer i */
    size_t *layer_off;  /* its parameters in params */
    float *params;
    size_t nparams, pcap;
    char *record;       /* the construction's record (JSON text), or NULL */
};

/* The parameters a node of this kind and sizes holds. */
size_t ginv_dlg_node_nparams(const ginv_dlg_node *nd, int in_size);

#endif
