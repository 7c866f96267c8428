/* onnx_internal.h — inside libginv only: what the ONNX reader and writer
 * (src/io/onnx_*.c) share. The message structs come from protoc-c run at
 * build time on Debian's onnx.proto with the package renamed ginv_onnx
 * (Makefile), so the generated symbols carry the library's prefix. */
#ifndef GINV_IO_ONNX_INTERNAL_H
#define GINV_IO_ONNX_INTERNAL_H

#include "ginv.h"

#include "onnx.pb-c.h"

typedef GinvOnnx__ModelProto onnx_model;
typedef GinvOnnx__GraphProto onnx_graph;
typedef GinvOnnx__NodeProto onnx_node;
typedef GinvOnnx__TensorProto onnx_tensor;
typedef GinvOnnx__AttributeProto onnx_attr;

/* The largest model file read (the whole file is parsed at once). */
#define GINV_ONNX_MAX_BYTES ((size_t)1 << 31)
/* Limits on what a graph may declare: tensor rank, one dimension, values
 * per tensor, nodes. */
#define ONNX_MAX_RANK 8
#define ONNX_MAX_DIM ((int64_t)1 << 31)
#define ONNX_MAX_COUNT ((int64_t)1 << 30)
#define ONNX_MAX_NODES (1 << 20)
/* The batch dimension inside a folded shape vector (Shape of a data tensor). */
#define ONNX_BATCH INT64_MIN

/* protobuf-c with ginv's counted allocator. */
extern ProtobufCAllocator ginv_onnx_allocator;
/* Unpack a ModelProto (one line naming the problem when the bytes are not
 * one: truncated, wrong wire types, ...). */
ginv_status ginv_onnx_unpack(const unsigned char *buf, size_t len, onnx_model **out);
void ginv_onnx_model_free(onnx_model *m);

/* A value of the graph: a constant (initializer, Constant, folded shape
 * arithmetic) or a data tensor (the one chain of activations). */
enum { ONNX_VAL_CONST = 1, ONNX_VAL_DATA = 2 };
typedef struct {
    const char *name;
    int kind;
    int ndim;                      /* constants: dims; data: rank (dim 0 the batch) */
    int64_t dims[ONNX_MAX_RANK];
    size_t count;                  /* constants: values */
    int is_int;                    /* constants: int64 values in iv, else floats in fv */
    float *fv;                     /* ginv_malloc'd (constants) */
    int64_t *iv;
    int nuse;                      /* consumers not yet processed (Shape nodes left out) */
    int producer;                  /* the node writing it, -1 for initializers and the input */
} onnx_value;

/* Values by name (open addressing over the graph's names). */
typedef struct {
    onnx_value *v;
    size_t n, cap;
    size_t *slot;                  /* hash slots: index + 1, 0 empty */
    size_t nslot;
} onnx_values;
ginv_status ginv_onnx_values_init(onnx_values *t, size_t expect);
void ginv_onnx_values_free(onnx_values *t);
onnx_value *ginv_onnx_values_find(const onnx_values *t, const char *name);
/* Add a value named name (NULL when out of memory; the name must be new). */
onnx_value *ginv_onnx_values_add(onnx_values *t, const char *name);

/* A graph ready to be walked (onnx_graph.c): every initializer a constant,
 * the one graph input the data tensor (dims[0] = -1: the batch; the others
 * fixed), every node output a value (kind 0 until computed) with its
 * producer, the number of consumers of each value (Shape nodes not counted;
 * the graph output counts one), and the nodes in a topological order. */
typedef struct {
    const onnx_graph *g;
    onnx_values vals;
    onnx_value *input;
    int64_t batch_static;          /* the input's batch dimension when fixed, else 0 */
    int64_t opset;                 /* of the default domain (0: not given) */
    int *order, norder;
} onnx_prep;
ginv_status ginv_onnx_prepare(const onnx_model *m, onnx_prep *p);
void ginv_onnx_prep_free(onnx_prep *p);

/* A TensorProto as a constant: dims checked (rank <= 8, each in [0, 2^31),
 * at most 2^30 values), float32 / float64 / float16 as floats, int64 / int32
 * as int64; raw_data or the typed field with exactly as many values as the
 * dims say; external data and other types refused. `what` names it. */
ginv_status ginv_onnx_tensor_value(const onnx_tensor *t, const char *what, onnx_value *v);

/* Attributes of a node (NULL when absent). */
const onnx_attr *ginv_onnx_attr(const onnx_node *n, const char *name);
/* Typed reads with a default; a present attribute of the wrong type is an
 * error naming the node. */
ginv_status ginv_onnx_attr_int(const onnx_node *n, const char *name, int64_t def, int64_t *out);
ginv_status ginv_onnx_attr_float(const onnx_node *n, const char *name, double def, double *out);
/* ints: at most max values into out, *count their number (0 when absent). */
ginv_status ginv_onnx_attr_ints(const onnx_node *n, const char *name, int64_t *out, int max,
                                int *count);
/* a string attribute compared with s (def when absent): 1 equal, 0 not. */
int ginv_onnx_attr_is(const onnx_node *n, const char *name, const char *def, const char *s);
/* The float a float attribute holds, as the shortest decimal that rounds to
 * it (0.2f reads as 0.2, PyTorch's eps 1e-5f as 1e-5): what the exporter
 * was given, before it was rounded to float. */
double ginv_onnx_float_decimal(float f);
/* A node's label for messages: "node 'NAME' (OP)" or "node #I (OP)". */
const char *ginv_onnx_node_label(const onnx_node *n, int index, char *buf, size_t len);
/* 1 when s is NULL or "". */
static inline int ginv_onnx_empty(const char *s) { return !s || !*s; }

/* Folding of the constant ops (Constant, Identity, Cast, Shape's result,
 * Gather, Unsqueeze, Squeeze, Concat, Reshape of a constant): out is a fresh
 * constant computed from the node's inputs in (all constants; `shape_of`
 * for Shape: the data value whose shape it takes). GINV_ERR_UNSUPPORTED
 * when op is none of these. */
ginv_status ginv_onnx_fold(const onnx_node *n, const char *label, onnx_value *const *in,
                           int nin, const onnx_value *shape_of, onnx_value *out);
int ginv_onnx_is_fold_op(const char *op);
/* The axes of an Unsqueeze / Squeeze node: its second input (opset 13,
 * in[1] a constant) or its attribute. */
ginv_status ginv_onnx_axes(const onnx_node *n, const char *label, onnx_value *const *in, int nin,
                           int64_t *axes, int *naxes);
/* The dims after Unsqueeze (insert = 1) or Squeeze (0) of dims at axes. */
ginv_status ginv_onnx_axes_dims(const char *label, int insert, const int64_t *dims, int ndim,
                                const int64_t *axes, int naxes, int64_t *out, int *nout);

/* Pointwise regions (onnx_pointwise.c): the ops that may make up an
 * elementwise function of one tensor with scalar constants (PyTorch's
 * decompositions of GELU, GELU-tanh and SiLU). */
int ginv_onnx_is_pointwise_op(const char *op);
/* The function that nodes (in order; their inputs the data value `x`, the
 * region's own outputs or scalar constants in vals) compute from x, matched
 * against gelu, gelu_tanh and silu at probe points: the kind, or -1. */
int ginv_onnx_pointwise_identify(const onnx_node *const *nodes, int n, const char *x,
                                 const onnx_values *vals, const char *out_name);

#endif
