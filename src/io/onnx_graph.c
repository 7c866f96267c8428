/* onnx_graph.c — an ONNX graph's values and order before it is read as a
 * chain: initializers as checked constants, the one graph input as the data
 * tensor (batch dimension first, every other dimension fixed), a
 * topological order of the nodes (missing inputs, outputs written twice and
 * cycles refused) and the number of consumers of every value. */
#include "io/onnx_internal.h"

#include <stdio.h>
#include <string.h>

/* The data type of a graph input: float32, float64 or float16. */
static int float_elem(int t)
{
    return t == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
           t == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ||
           t == GINV_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
}

static ginv_status read_input(onnx_prep *p, const GinvOnnx__ValueInfoProto *vi)
{
    const char *name = vi->name;
    const GinvOnnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != GINV_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type ||
        !tp->tensor_type->shape)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "graph input '%.80s': not a tensor of known rank; "
                         "export with an example input of the latent's shape", name);
    const GinvOnnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (!tt->has_elem_type || !float_elem(tt->elem_type))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "graph input '%.80s': element type %d is not float32, "
                         "float64 or float16", name, tt->has_elem_type ? tt->elem_type : 0);
    size_t r = tt->shape->n_dim;
    if (r < 2 || r > 4)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "graph input '%.80s': rank %zu; ginv reads a batch "
                         "of latents [B, k] or of images [B, C, H, W]", name, r);
    onnx_value *v = ginv_onnx_values_add(&p->vals, name);
    if (!v) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    v->kind = ONNX_VAL_DATA;
    v->ndim = (int)r;
    v->dims[0] = -1;
    for (size_t i = 0; i < r; i++) {
        const GinvOnnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        int has = d->value_case == GINV_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (i == 0) {
            if (has && (d->dim_value < 1 || d->dim_value >= ONNX_MAX_DIM))
                return ginv_fail(GINV_ERR_FORMAT, "graph input '%.80s': batch dimension %lld",
                                 name, (long long)d->dim_value);
            p->batch_static = has ? d->dim_value : 0;
            continue;
        }
        if (!has)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "graph input '%.80s': dimension %zu is dynamic "
                             "('%.40s'); only the batch dimension may be (torch.onnx.export's "
                             "dynamic_axes: {0: 'B'} only)", name, i,
                             d->value_case == GINV_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                             d->dim_param ? d->dim_param : "?");
        if (d->dim_value < 1 || d->dim_value > (1 << 24))
            return ginv_fail(GINV_ERR_FORMAT, "graph input '%.80s': dimension %zu is %lld (must be "
                             "in [1, 2^24])", name, i, (long long)d->dim_value);
        v->dims[i] = d->dim_value;
    }
    p->input = v;
    return GINV_OK;
}

ginv_status ginv_onnx_prepare(const onnx_model *m, onnx_prep *p)
{
    memset(p, 0, sizeof *p);
    const onnx_graph *g = m->graph;
    p->g = g;
    char lab[160];
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *d = m->opset_import[i]->domain;
        if (ginv_onnx_empty(d) || !strcmp(d, "ai.onnx"))
            p->opset = m->opset_import[i]->has_version ? m->opset_import[i]->version : 0;
    }
    if (g->n_node > ONNX_MAX_NODES)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "%zu nodes (at most %d)", g->n_node, ONNX_MAX_NODES);
    if (g->n_sparse_initializer)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "sparse initializers are not read; export dense weights");
    size_t expect = g->n_initializer + g->n_input;
    for (size_t i = 0; i < g->n_node; i++) expect += g->node[i]->n_output;
    ginv_status st = ginv_onnx_values_init(&p->vals, expect);
    if (st != GINV_OK) return st;
    for (size_t i = 0; i < g->n_initializer; i++) {
        const onnx_tensor *t = g->initializer[i];
        if (ginv_onnx_empty(t->name))
            return ginv_fail(GINV_ERR_FORMAT, "initializer #%zu has no name", i);
        if (ginv_onnx_values_find(&p->vals, t->name))
            return ginv_fail(GINV_ERR_FORMAT, "initializer '%.80s' is given twice", t->name);
        onnx_value *v = ginv_onnx_values_add(&p->vals, t->name);
        if (!v) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        v->producer = -1;
        snprintf(lab, sizeof lab, "initializer '%.80s'", t->name);
        if ((st = ginv_onnx_tensor_value(t, lab, v))) return st;
    }
    for (size_t i = 0; i < g->n_input; i++) {
        const GinvOnnx__ValueInfoProto *vi = g->input[i];
        if (ginv_onnx_empty(vi->name)) return ginv_fail(GINV_ERR_FORMAT, "graph input #%zu has no name", i);
        if (ginv_onnx_values_find(&p->vals, vi->name)) continue; /* an initializer (IR < 4 lists them) */
        if (p->input)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "graph inputs '%.80s' and '%.80s': ginv reads a "
                             "generator of one input (the latent)", p->input->name, vi->name);
        if ((st = read_input(p, vi))) return st;
        p->input->producer = -1;
    }
    if (!p->input) return ginv_fail(GINV_ERR_UNSUPPORTED, "the graph has no input (every input is "
                                    "an initializer)");
    if (g->n_output != 1 || ginv_onnx_empty(g->output[0]->name))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "the graph has %zu outputs; ginv reads a generator "
                         "of one output", g->n_output);
    /* node outputs: each written once */
    for (size_t i = 0; i < g->n_node; i++) {
        const onnx_node *n = g->node[i];
        if (ginv_onnx_empty(n->op_type)) return ginv_fail(GINV_ERR_FORMAT, "node #%zu has no op_type", i);
        if (!ginv_onnx_empty(n->domain) && strcmp(n->domain, "ai.onnx"))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "%s: op domain '%.40s' (only the standard ONNX "
                             "ops are read)", ginv_onnx_node_label(n, (int)i, lab, sizeof lab), n->domain);
        for (size_t j = 0; j < n->n_output; j++) {
            const char *o = n->output[j];
            if (ginv_onnx_empty(o)) continue;
            if (ginv_onnx_values_find(&p->vals, o))
                return ginv_fail(GINV_ERR_FORMAT, "%s: output '%.80s' is written twice",
                                 ginv_onnx_node_label(n, (int)i, lab, sizeof lab), o);
            onnx_value *v = ginv_onnx_values_add(&p->vals, o);
            if (!v) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
            v->producer = (int)i;
        }
    }
    /* edges, in-degrees, consumers */
    size_t N = g->n_node;
    p->order = ginv_malloc(sizeof(int) * (N + 1));
    int *indeg = ginv_calloc(N + 1, sizeof(int));
    size_t *start = ginv_calloc(N + 2, sizeof(size_t));
    size_t nedge = 0;
    for (size_t i = 0; i < N; i++) nedge += g->node[i]->n_input;
    int *adj = ginv_malloc(sizeof(int) * (nedge + 1));
    if (!p->order || !indeg || !start || !adj) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < N; i++) {
        const onnx_node *n = g->node[i];
        for (size_t j = 0; j < n->n_input; j++) {
            const char *in = n->input[j];
            if (ginv_onnx_empty(in)) continue;
            onnx_value *v = ginv_onnx_values_find(&p->vals, in);
            if (!v) {
                st = ginv_fail(GINV_ERR_FORMAT, "%s: input '%.80s' is no initializer, graph input "
                               "or node output", ginv_onnx_node_label(n, (int)i, lab, sizeof lab), in);
                goto out;
            }
            if (strcmp(n->op_type, "Shape")) v->nuse++;
            if (v->producer >= 0) {
                start[v->producer + 1]++;
                indeg[i]++;
            }
        }
    }
    onnx_value *ov = ginv_onnx_values_find(&p->vals, g->output[0]->name);
    if (!ov) {
        st = ginv_fail(GINV_ERR_FORMAT, "graph output '%.80s' is computed by no node",
                       g->output[0]->name);
        goto out;
    }
    ov->nuse++;
    for (size_t i = 0; i < N; i++) start[i + 1] += start[i];
    {
        size_t *fill = ginv_malloc(sizeof(size_t) * (N + 1));
        if (!fill) {
            st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
            goto out;
        }
        memcpy(fill, start, sizeof(size_t) * (N + 1));
        for (size_t i = 0; i < N; i++) {
            const onnx_node *n = g->node[i];
            for (size_t j = 0; j < n->n_input; j++) {
                if (ginv_onnx_empty(n->input[j])) continue;
                onnx_value *v = ginv_onnx_values_find(&p->vals, n->input[j]);
                if (v->producer >= 0) adj[fill[v->producer]++] = (int)i;
            }
        }
        ginv_free(fill);
    }
    /* Kahn, first-in first-out from the nodes in file order */
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < N; i++)
        if (!indeg[i]) p->order[tail++] = (int)i;
    while (head < tail) {
        int u = p->order[head++];
        for (size_t e = start[u]; e < start[u + 1]; e++)
            if (--indeg[adj[e]] == 0) p->order[tail++] = adj[e];
    }
    if (tail < N) {
        for (size_t i = 0; i < N; i++)
            if (indeg[i]) {
                st = ginv_fail(GINV_ERR_FORMAT, "%s: the graph has a cycle through it",
                               ginv_onnx_node_label(g->node[i], (int)i, lab, sizeof lab));
                break;
            }
        goto out;
    }
    p->norder = (int)N;
out:
    ginv_free(indeg);
    ginv_free(start);
    ginv_free(adj);
    return st;
}

void ginv_onnx_prep_free(onnx_prep *p)
{
    ginv_onnx_values_free(&p->vals);
    ginv_free(p->order);
    p->order = NULL;
}
