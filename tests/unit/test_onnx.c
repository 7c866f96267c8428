/* test_onnx.c — ONNX in and out (src/io/onnx_*.c). The fixtures of
 * tests/fixtures/conv (torch.onnx.export by make_fixtures.py; no PyTorch
 * here): each imports, matches PyTorch's G(z) and J^T v, and equals the
 * ginv-format file of the same net; export -> import gives the same
 * parameters and bit-identical outputs for every layer kind; malformed and
 * unsupported graphs, made here by editing a valid model, are refused with
 * a message naming the problem. */
#include "test.h"

#include "io/onnx_internal.h"

#include <string.h>

#define FIX "tests/fixtures/conv/"

static ginv_net *load(const char *path)
{
    ginv_net *net = NULL;
    ginv_status st = ginv_net_load(path, &net);
    if (st != GINV_OK) test_fail(__FILE__, __LINE__, "%s: %s", path, ginv_last_error());
    return net;
}

static int read_arr(const char *name, const char *what, ginv_array *a)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.%s.npy", name, what);
    ginv_status st = ginv_array_read(path, a);
    if (st != GINV_OK) test_fail(__FILE__, __LINE__, "%s: %s", path, ginv_last_error());
    return st == GINV_OK;
}

/* forward and VJP of net against PyTorch's saved x and dz */
static void check_against_torch(const char *name, ginv_net *net)
{
    ginv_array z = {0}, x = {0}, v = {0}, dz = {0};
    if (read_arr(name, "z", &z) && read_arr(name, "x", &x) && read_arr(name, "v", &v) &&
        read_arr(name, "dz", &dz)) {
        int B = (int)z.shape[0], k = ginv_net_in(net), n = ginv_net_out(net);
        CHECK_MSG(z.shape[1] == k && ginv_array_count(&x) == (size_t)B * n, "%s: sizes k %d n %d",
                  name, k, n);
        if (z.shape[1] == k && ginv_array_count(&x) == (size_t)B * n) {
            ginv_net_ws *ws;
            CHECK_OK(ginv_net_ws_new(&ws, net, B));
            const float *y = ginv_net_forward(net, ws, B, z.data);
            double d = test_max_rel_diff(y, x.data, (size_t)B * n, 1e-6);
            CHECK_MSG(d < 1e-5, "%s.onnx: forward vs PyTorch, rel diff %g", name, d);
            float *g = ginv_malloc(sizeof(float) * B * k);
            ginv_net_backward(net, ws, B, v.data, g, 0);
            d = test_max_rel_diff(g, dz.data, (size_t)B * k, 1e-6);
            CHECK_MSG(d < 1e-4, "%s.onnx: VJP vs torch.autograd.grad, rel diff %g", name, d);
            ginv_free(g);
            ginv_net_ws_free(ws);
        }
    }
    ginv_array_release(&z);
    ginv_array_release(&x);
    ginv_array_release(&v);
    ginv_array_release(&dz);
}

/* the same layers and bit-identical parameters */
static int same_net(const ginv_net *a, const ginv_net *b)
{
    if (ginv_net_nlayers(a) != ginv_net_nlayers(b) || ginv_net_nparams(a) != ginv_net_nparams(b))
        return 0;
    char *ja = ginv_net_arch_json(a), *jb = ginv_net_arch_json(b);
    int same = ja && jb && !strcmp(ja, jb);
    ginv_free(ja);
    ginv_free(jb);
    return same && !memcmp(ginv_net_params((ginv_net *)a), ginv_net_params((ginv_net *)b),
                           sizeof(float) * ginv_net_nparams(a));
}

/* G(z) of both nets on a fixed batch: bit-identical (tol 0) or within tol */
static double out_diff(const ginv_net *a, const ginv_net *b, int B)
{
    int k = ginv_net_in(a), n = ginv_net_out(a);
    if (k != ginv_net_in(b) || n != ginv_net_out(b)) return INFINITY;
    float *z = ginv_malloc(sizeof(float) * B * k);
    ginv_rng r;
    ginv_rng_init(&r, 7, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, z, (size_t)B * k, 1.0);
    ginv_net_ws *wa, *wb;
    double d = INFINITY;
    if (ginv_net_ws_new(&wa, a, B) == GINV_OK) {
        if (ginv_net_ws_new(&wb, b, B) == GINV_OK) {
            const float *ya = ginv_net_forward(a, wa, B, z), *yb = ginv_net_forward(b, wb, B, z);
            d = memcmp(ya, yb, sizeof(float) * B * n) ? test_max_rel_diff(ya, yb, (size_t)B * n, 1e-6) : 0;
            ginv_net_ws_free(wb);
        }
        ginv_net_ws_free(wa);
    }
    ginv_free(z);
    return d;
}

static const char *const fixtures[] = {"mlp", "dcgan28", "dcgan32", "strided", "upsample", "dcgan_act"};

TEST(onnx_fixtures_from_pytorch_match_its_outputs_and_input_gradients)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char path[256];
        snprintf(path, sizeof path, FIX "%s.onnx", fixtures[i]);
        ginv_net *net = load(path);
        if (!net) continue;
        check_against_torch(fixtures[i], net);
        ginv_net_free(net);
    }
}

TEST(onnx_import_equals_the_ginv_format_fixture_nets)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char p1[256], p2[256];
        snprintf(p1, sizeof p1, FIX "%s.onnx", fixtures[i]);
        snprintf(p2, sizeof p2, FIX "%s.safetensors", fixtures[i]);
        ginv_net *a = load(p1), *b = load(p2);
        if (a && b) {
            if (!strcmp(fixtures[i], "dcgan32")) {
                /* the fixture keeps its BatchNorms as layers; the import folds
                 * them into the transposed convs: 3 layers fewer, same map */
                CHECK(ginv_net_nlayers(a) == ginv_net_nlayers(b) - 3);
                double d = out_diff(a, b, 3);
                CHECK_MSG(d < 1e-5, "dcgan32: folded vs unfolded, rel diff %g", d);
            } else {
                CHECK_MSG(same_net(a, b), "%s: the imported net differs from the fixture", fixtures[i]);
                CHECK_MSG(out_diff(a, b, 3) == 0, "%s: outputs not bit-identical", fixtures[i]);
            }
        }
        ginv_net_free(a);
        ginv_net_free(b);
    }
}

static void roundtrip(const char *what, ginv_net *net, int expect_same_layers)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK_OK(ginv_net_to_onnx(net, &buf, &len));
    ginv_net *back = NULL;
    ginv_status st = ginv_net_from_onnx(buf, len, &back);
    CHECK_MSG(st == GINV_OK, "%s: re-import failed: %s", what, ginv_last_error());
    if (back) {
        CHECK_MSG(ginv_net_nparams(back) == ginv_net_nparams(net) &&
                  !memcmp(ginv_net_params(back), ginv_net_params(net),
                          sizeof(float) * ginv_net_nparams(net)),
                  "%s: parameters differ after export -> import", what);
        if (expect_same_layers) CHECK_MSG(same_net(net, back), "%s: layers differ", what);
        double d = out_diff(net, back, 4);
        CHECK_MSG(d == 0, "%s: outputs differ after export -> import (rel %g)", what, d);
        /* and exporting the re-imported net gives the same bytes */
        unsigned char *buf2 = NULL;
        size_t len2 = 0;
        CHECK_OK(ginv_net_to_onnx(back, &buf2, &len2));
        if (expect_same_layers)
            CHECK_MSG(len2 == len && !memcmp(buf, buf2, len), "%s: export not stable", what);
        ginv_free(buf2);
        ginv_net_free(back);
    }
    ginv_free(buf);
}

TEST(onnx_export_then_import_is_bit_identical_for_the_fixtures)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        char path[256];
        snprintf(path, sizeof path, FIX "%s.safetensors", fixtures[i]);
        ginv_net *net = load(path);
        if (!net) continue;
        roundtrip(fixtures[i], net, 1);
        ginv_net_free(net);
    }
}

TEST(onnx_export_then_import_is_bit_identical_for_every_layer_kind)
{
    /* dense after an image (an implicit flatten: ONNX needs a Flatten, read
     * back as a reshape layer), batchnorm2d on a vector and on an image, every
     * activation */
    ginv_layer spec[] = {
        {.kind = GINV_LAYER_DENSE, .in = 6, .out = 32, .bias = 1},
        {.kind = GINV_LAYER_BATCHNORM2D, .bias = 1},
        {.kind = GINV_LAYER_ELU, .alpha = 0.7},
        {.kind = GINV_LAYER_RESHAPE, .c_out = 2, .h_out = 4, .w_out = 4},
        {.kind = GINV_LAYER_UPSAMPLE_NEAREST, .factor = 3},
        {.kind = GINV_LAYER_CONV2D, .c_out = 3, .kh = 3, .kw = 2, .stride_h = 2, .stride_w = 1,
         .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 2, .bias = 1},
        {.kind = GINV_LAYER_GELU_TANH},
        {.kind = GINV_LAYER_BATCHNORM2D, .bias = 1},
        {.kind = GINV_LAYER_SILU},
        {.kind = GINV_LAYER_CONV_TRANSPOSE2D, .c_out = 2, .kh = 3, .kw = 3, .stride_h = 2,
         .stride_w = 2, .pad_h = 1, .pad_w = 0, .dil_h = 1, .dil_w = 1, .outpad_h = 1, .bias = 0},
        {.kind = GINV_LAYER_GELU},
        {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.2},
        {.kind = GINV_LAYER_SOFTPLUS},
        {.kind = GINV_LAYER_IDENTITY},
        {.kind = GINV_LAYER_DENSE, .in = 2 * 12 * 25, .out = 5, .bias = 1},
        {.kind = GINV_LAYER_TANH},
        {.kind = GINV_LAYER_RELU},
        {.kind = GINV_LAYER_SIGMOID},
    };
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, (int)(sizeof spec / sizeof *spec), spec));
    if (!net) return;
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_FANIN, 0.3, 11, 0));
    /* batchnorm scales away from 1 */
    for (int i = 0; i < ginv_net_nlayers(net); i++) {
        ginv_layer *L = ginv_net_layer(net, i);
        if (L->kind == GINV_LAYER_BATCHNORM2D)
            for (int c = 0; c < L->c_in; c++) L->W[c] = 0.5f + 0.1f * (float)c;
    }
    roundtrip("every kind", net, 0);
    /* an elu alpha ONNX's float cannot hold is refused, not written as inf */
    ginv_net_layer(net, 2)->alpha = 1e300;
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK(ginv_net_to_onnx(net, &buf, &len) == GINV_ERR_UNSUPPORTED && !buf);
    CHECK(strstr(ginv_last_error(), "float's range") != NULL);
    ginv_net_free(net);
}

TEST(onnx_save_and_load_by_path_and_by_magic)
{
    ginv_net *net = load(FIX "dcgan28.safetensors");
    if (!net) return;
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/g.onnx", test_tmpdir());
    snprintf(p2, sizeof p2, "%s/g_onnx_without_extension.model", test_tmpdir());
    CHECK_OK(ginv_net_save_onnx(net, p1));
    CHECK_OK(ginv_net_save_onnx(net, p2));
    ginv_net *a = NULL, *b = NULL;
    CHECK_OK(ginv_net_load_onnx(p1, &a));
    CHECK_OK(ginv_net_load(p2, &b)); /* recognised by its first bytes */
    if (a && b) CHECK(same_net(a, b) && same_net(a, net));
    ginv_net_free(a);
    ginv_net_free(b);
    ginv_net_free(net);
}

/* ---- malformed and unsupported graphs: a valid model edited */

typedef void (*edit_fn)(onnx_model *m, void **keep);

static unsigned char *fixture_bytes(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.onnx", name);
    unsigned char *buf = NULL;
    CHECK_OK(ginv_read_file(path, 1 << 24, &buf, len));
    return buf;
}

/* ginv_net_from_onnx of the edited model fails with want and a message
 * containing sub */
static void refused(const char *what, const char *fixture, edit_fn fn, ginv_status want,
                    const char *sub)
{
    size_t len;
    unsigned char *buf = fixture_bytes(fixture, &len);
    if (!buf) return;
    onnx_model *m = NULL;
    CHECK_OK(ginv_onnx_unpack(buf, len, &m));
    ginv_free(buf);
    if (!m) return;
    void *keep[4] = {0};
    fn(m, keep);
    size_t n = ginv_onnx__model_proto__get_packed_size(m);
    unsigned char *out = ginv_malloc(n + 1);
    n = ginv_onnx__model_proto__pack(m, out);
    /* undo what would not be freed by the protobuf allocator */
    if (keep[0]) *(void **)keep[0] = keep[1];
    if (keep[2]) *(void **)keep[2] = keep[3];
    ginv_onnx_model_free(m);
    ginv_net *net = NULL;
    ginv_status st = ginv_net_from_onnx(out, n, &net);
    CHECK_MSG(st == want && !net, "%s: status %d (want %d), %s", what, st, want,
              st == GINV_OK ? "accepted" : ginv_last_error());
    if (st != GINV_OK) {
        const char *msg = ginv_last_error();
        CHECK_MSG(strstr(msg, sub) != NULL, "%s: message '%s' lacks '%s'", what, msg, sub);
        CHECK_MSG(!strchr(msg, '\n'), "%s: message of more than one line", what);
    }
    ginv_net_free(net);
    ginv_free(out);
}

static onnx_node *find_op(onnx_model *m, const char *op)
{
    for (size_t i = 0; i < m->graph->n_node; i++)
        if (!strcmp(m->graph->node[i]->op_type, op)) return m->graph->node[i];
    return NULL;
}

static onnx_tensor *find_init(onnx_model *m, const char *name)
{
    for (size_t i = 0; i < m->graph->n_initializer; i++)
        if (!strcmp(m->graph->initializer[i]->name, name)) return m->graph->initializer[i];
    return NULL;
}

static onnx_attr *find_attr(onnx_node *n, const char *name)
{
    for (size_t i = 0; n && i < n->n_attribute; i++)
        if (!strcmp(n->attribute[i]->name, name)) return n->attribute[i];
    return NULL;
}

static char op_softmax[] = "Softmax", op_selu[] = "Selu";

static void e_unsupported_op(onnx_model *m, void **keep)
{
    onnx_node *n = find_op(m, "Relu");
    keep[0] = &n->op_type, keep[1] = n->op_type;
    n->op_type = op_softmax;
}
static void e_huge_dim(onnx_model *m, void **keep)
{
    (void)keep;
    find_init(m, "0.weight")->dims[0] = (int64_t)1 << 40;
}
static void e_size_mismatch(onnx_model *m, void **keep)
{
    (void)keep;
    find_init(m, "0.weight")->dims[0] -= 1;
}
static void e_negative_pad(onnx_model *m, void **keep)
{
    (void)keep;
    onnx_attr *a = find_attr(find_op(m, "ConvTranspose"), "pads");
    for (size_t i = 0; i < a->n_ints; i++) a->ints[i] = -1;
}
static void e_asym_pad(onnx_model *m, void **keep)
{
    (void)keep;
    find_attr(find_op(m, "ConvTranspose"), "pads")->ints[2] = 0;
}
static void e_group(onnx_model *m, void **keep)
{
    (void)keep;
    find_attr(find_op(m, "ConvTranspose"), "group")->i = 2;
}
static void e_cycle(onnx_model *m, void **keep)
{
    /* the first Gemm reads the output of the Relu after it */
    onnx_node *g = find_op(m, "Gemm"), *r = find_op(m, "Relu");
    keep[0] = &g->input[0], keep[1] = g->input[0];
    g->input[0] = r->output[0];
}
static void e_missing_input(onnx_model *m, void **keep)
{
    static char nowhere[] = "nowhere";
    onnx_node *r = find_op(m, "Relu");
    keep[0] = &r->input[0], keep[1] = r->input[0];
    r->input[0] = nowhere;
}
static void e_external(onnx_model *m, void **keep)
{
    (void)keep;
    onnx_tensor *t = find_init(m, "0.weight");
    t->has_data_location = 1;
    t->data_location = GINV_ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
}
static void e_dtype(onnx_model *m, void **keep)
{
    (void)keep;
    onnx_tensor *t = find_init(m, "0.weight");
    t->data_type = 3; /* INT8 */
}
static void e_dynamic_dim(onnx_model *m, void **keep)
{
    static char k[] = "k";
    GinvOnnx__TensorShapeProto__Dimension *d = m->graph->input[0]->type->tensor_type->shape->dim[1];
    keep[0] = &d->dim_param, keep[1] = NULL;
    d->value_case = GINV_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    d->dim_param = k;
}
static void e_branch(onnx_model *m, void **keep)
{
    /* the second Gemm also reads the first Gemm's output: a skip connection */
    onnx_node *g2 = NULL;
    int seen = 0;
    for (size_t i = 0; i < m->graph->n_node; i++)
        if (!strcmp(m->graph->node[i]->op_type, "Gemm") && seen++ == 1) g2 = m->graph->node[i];
    onnx_node *g1 = find_op(m, "Gemm");
    keep[0] = &g2->input[0], keep[1] = g2->input[0];
    g2->input[0] = g1->output[0];
}
static void e_selu(onnx_model *m, void **keep)
{
    onnx_node *n = find_op(m, "Elu");
    keep[0] = &n->op_type, keep[1] = n->op_type;
    n->op_type = op_selu;
}

static void e_nan_weight(onnx_model *m, void **keep)
{
    (void)keep;
    float nan = NAN;
    memcpy(find_init(m, "0.weight")->raw_data.data + 4 * 5, &nan, 4);
}
static void e_alpha_overflow(onnx_model *m, void **keep)
{
    (void)keep;
    float big = 100.0f;
    memcpy(find_init(m, "0.weight")->raw_data.data, &big, 4);
    find_attr(find_op(m, "Gemm"), "alpha")->f = 3e38f; /* 100 * 3e38 > FLT_MAX */
}

TEST(onnx_malformed_and_unsupported_graphs_are_refused_with_one_line)
{
    refused("unsupported op", "mlp", e_unsupported_op, GINV_ERR_UNSUPPORTED, "op Softmax is not supported");
    refused("unsupported op Selu", "mlp", e_selu, GINV_ERR_UNSUPPORTED, "op Selu is not supported");
    refused("huge dims", "mlp", e_huge_dim, GINV_ERR_FORMAT, "initializer '0.weight': dimension 0 is 1099511627776");
    refused("initializer size != shape", "mlp", e_size_mismatch, GINV_ERR_FORMAT, "raw_data holds 1024 bytes, its shape needs 992");
    refused("negative pads", "dcgan28", e_negative_pad, GINV_ERR_FORMAT, "pad -1");
    refused("asymmetric pads", "dcgan28", e_asym_pad, GINV_ERR_UNSUPPORTED, "asymmetric pads");
    refused("groups", "dcgan28", e_group, GINV_ERR_UNSUPPORTED, "group = 2");
    refused("cycle", "mlp", e_cycle, GINV_ERR_FORMAT, "cycle");
    refused("missing input", "mlp", e_missing_input, GINV_ERR_FORMAT, "input 'nowhere' is no initializer");
    refused("external data", "mlp", e_external, GINV_ERR_UNSUPPORTED, "external data");
    refused("other dtype", "mlp", e_dtype, GINV_ERR_UNSUPPORTED, "data type 3");
    refused("dynamic non-batch dim", "mlp", e_dynamic_dim, GINV_ERR_UNSUPPORTED, "dimension 1 is dynamic");
    refused("not a chain", "mlp", e_branch, GINV_ERR_UNSUPPORTED, "not a chain");
    refused("NaN weight", "mlp", e_nan_weight, GINV_ERR_NUMERIC, "initializer '0.weight': a non-finite value at index 5");
    refused("alpha overflow", "mlp", e_alpha_overflow, GINV_ERR_NUMERIC, "overflows float");
}

TEST(onnx_truncated_and_garbled_bytes_are_refused)
{
    size_t len;
    unsigned char *buf = fixture_bytes("dcgan28", &len);
    if (!buf) return;
    ginv_net *net = NULL;
    for (size_t cut = 1; cut < len; cut += len / 37 + 1) {
        ginv_status st = ginv_net_from_onnx(buf, cut, &net);
        CHECK_MSG(st != GINV_OK && !net, "truncated at %zu of %zu: accepted", cut, len);
    }
    CHECK(ginv_net_from_onnx(buf, len / 2, &net) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "not a valid ONNX ModelProto") != NULL);
    /* field 1 (ir_version) with a wrong wire type: fixed32 instead of varint */
    CHECK(buf[0] == 0x08);
    buf[0] = 0x0d;
    CHECK(ginv_net_from_onnx(buf, len, &net) == GINV_ERR_FORMAT);
    CHECK(ginv_net_from_onnx(buf, 0, &net) == GINV_ERR_FORMAT);
    ginv_free(buf);
}

TEST(onnx_imported_activations_carry_nan_through_without_undefined_behaviour)
{
    /* a NaN latent through GELU, SiLU and ELU (the fast exp of activation.c
     * converted NaN to an integer before) stays NaN */
    ginv_net *net = load(FIX "dcgan_act.onnx");
    if (!net) return;
    int k = ginv_net_in(net), n = ginv_net_out(net);
    float *z = ginv_calloc((size_t)k, sizeof(float));
    z[0] = NAN;
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    const float *x = ws ? ginv_net_forward(net, ws, 1, z) : NULL;
    int nans = 0;
    for (int i = 0; x && i < n; i++) nans += isnan(x[i]);
    CHECK_MSG(nans == n, "%d of %d outputs NaN", nans, n);
    ginv_net_ws_free(ws);
    ginv_free(z);
    ginv_net_free(net);
}
