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

/* The tape of a batch of R rows through the layers (dlg_grad.c): every
 * node's value of every layer (all) or of one layer at a time, for the
 * backward pass. Layer l's block holds nodes 1.. (z_{l-1} and the computed
 * ones), R x size each; node 0 (x) points at the caller's R x n rows. */
typedef struct {
    int R, all;
    float *val, *adj, *tmp;
    size_t *loff;        /* layer l's block in val (0 for every l unless all) */
    float **v, **a;      /* node pointers of the current layer */
    size_t wmax;         /* the widest node */
} ginv_dlg_tape;
ginv_status ginv_dlg_tape_new(const ginv_dlg *g, int R, int all, ginv_dlg_tape *t);
void ginv_dlg_tape_free(ginv_dlg_tape *t);
/* Layer l forward on the tape: z_{l-1} from zprev (R x d; NULL: zeros; with
 * all, layer l - 1's z_out when zprev == NULL and l > 0), the output
 * F_l + gamma_l xi_l (xi: R x d or NULL for none) written to zout (R x d,
 * may be NULL; with all and l < L - 1, the next block's node 1). Returns F_l's
 * output node (R x d, on the tape). */
const float *ginv_dlg_tape_forward(const ginv_dlg *g, ginv_dlg_tape *t, int l, const float *xrows,
                                   const float *zprev, const float *xi, float *zout);
/* Layer l's VJP from its values on the tape: adds dL/dtheta_l into gparams
 * (the layer's slice), writes dL/dz_{l-1} into gz (may be NULL). */
void ginv_dlg_tape_backward(const ginv_dlg *g, ginv_dlg_tape *t, int l, const float *xrows, const float *gout,
                            float *gparams, float *gz);
/* GINV_ERR_UNSUPPORTED when layer l's graph has a DACT node */
ginv_status ginv_dlg_check_differentiable(const ginv_dlg *g, int l);

/* Node i of a graph for B rows: v[i] from its operands' rows (v[0] = x rows,
 * v[1] = z), p the node's parameters; tmp (B x size) scratch (dlg.c). */
void ginv_dlg_node_eval(const ginv_dlg_graph *gr, int i, const float *p, int B, float **v, float *tmp);
/* The parameters a node of this kind and sizes holds. */
size_t ginv_dlg_node_nparams(const ginv_dlg_node *nd, int in_size);

#endif
