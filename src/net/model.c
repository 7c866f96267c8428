/* model.c — networks in safetensors model files. The architecture travels in
 * __metadata__["ginv"] as a JSON string:
 *   {"format":"ginv-net","version":2,"layers":[
 *     {"type":"dense","in":100,"out":6272,"bias":true}, {"type":"relu"},
 *     {"type":"reshape","in_shape":[6272,1,1],"out_shape":[128,7,7]},
 *     {"type":"conv_transpose2d","in_shape":[128,7,7],"out_shape":[64,14,14],
 *      "out_channels":64,"kernel":[4,4],"stride":[2,2],"padding":[1,1],
 *      "dilation":[1,1],"output_padding":[0,0],"bias":false},
 *     {"type":"batchnorm2d","in_shape":[64,14,14],"out_shape":[64,14,14]},
 *     {"type":"leaky_relu","alpha":0.2}, {"type":"elu","alpha":1}, ...]}
 * Layer i's parameters are the tensors "layers.<i>.weight" and
 * "layers.<i>.bias" (F32 or F64): dense [out, in] and [out]; conv2d
 * [c_out, c_in, kh, kw] and [c_out]; conv_transpose2d [c_in, c_out, kh, kw]
 * and [c_out]; batchnorm2d scale [C] and shift [C].
 *
 * Version 1 has the kinds dense ... identity only; version 2 adds the image
 * layers (and their shapes) and elu, gelu, gelu_tanh, silu, sign. Both are read;
 * a net is written as version 1 when every layer is a version-1 kind (so
 * older readers keep reading it), else as version 2. docs/models.md has the
 * field list. */
#include "io/json_internal.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ARCH_FORMAT "ginv-net"
#define ARCH_VERSION 2   /* the newest version read and written */
#define ARCH_VERSION_1_KINDS GINV_LAYER_IDENTITY /* the last kind version 1 knows */

static int is_conv(ginv_layer_kind k)
{
    return k == GINV_LAYER_CONV2D || k == GINV_LAYER_CONV_TRANSPOSE2D;
}

/* The shapes of layer L's weight and bias tensors: *wnd dims in wshape, the
 * bias [*b0] when *b0 > 0. 0 dims: no parameters. */
static void tensor_shapes(const ginv_layer *L, int *wnd, int64_t wshape[4], int64_t *b0)
{
    *wnd = 0;
    *b0 = 0;
    switch (L->kind) {
    case GINV_LAYER_DENSE:
        *wnd = 2, wshape[0] = L->out, wshape[1] = L->in;
        *b0 = L->bias ? L->out : 0;
        break;
    case GINV_LAYER_CONV2D:
    case GINV_LAYER_CONV_TRANSPOSE2D: {
        int tr = L->kind == GINV_LAYER_CONV_TRANSPOSE2D;
        *wnd = 4;
        wshape[0] = tr ? L->c_in : L->c_out;
        wshape[1] = tr ? L->c_out : L->c_in;
        wshape[2] = L->kh, wshape[3] = L->kw;
        *b0 = L->bias ? L->c_out : 0;
        break;
    }
    case GINV_LAYER_BATCHNORM2D:
        *wnd = 1, wshape[0] = L->c_in;
        *b0 = L->c_in;
        break;
    default:
        break;
    }
}

static void add_pair(cJSON *o, const char *key, int a, int b)
{
    int v[2] = {a, b};
    cJSON_AddItemToObject(o, key, cJSON_CreateIntArray(v, 2));
}

static void add_shape(cJSON *o, const char *key, int c, int h, int w)
{
    int v[3] = {c, h, w};
    cJSON_AddItemToObject(o, key, cJSON_CreateIntArray(v, 3));
}

char *ginv_net_arch_json(const ginv_net *net)
{
    if (!net) return NULL;
    int version = 1;
    for (int i = 0; i < net->nlayers; i++)
        if ((int)net->layers[i].kind > ARCH_VERSION_1_KINDS) version = 2;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", ARCH_FORMAT);
    cJSON_AddNumberToObject(root, "version", version);
    cJSON *arr = cJSON_AddArrayToObject(root, "layers");
    for (int i = 0; i < net->nlayers; i++) {
        const ginv_layer *L = &net->layers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", ginv_layer_kind_name(L->kind));
        if (L->kind == GINV_LAYER_DENSE) {
            cJSON_AddNumberToObject(o, "in", L->in);
            cJSON_AddNumberToObject(o, "out", L->out);
            cJSON_AddBoolToObject(o, "bias", L->bias);
        } else if (ginv_layer_is_act(L->kind)) {
            if (i == 0) {
                cJSON_AddNumberToObject(o, "in", L->in);
                if (L->h_in != 1 || L->w_in != 1) add_shape(o, "in_shape", L->c_in, L->h_in, L->w_in);
            }
        } else {
            add_shape(o, "in_shape", L->c_in, L->h_in, L->w_in);
            add_shape(o, "out_shape", L->c_out, L->h_out, L->w_out);
        }
        if (is_conv(L->kind)) {
            cJSON_AddNumberToObject(o, "out_channels", L->c_out);
            add_pair(o, "kernel", L->kh, L->kw);
            add_pair(o, "stride", L->stride_h, L->stride_w);
            add_pair(o, "padding", L->pad_h, L->pad_w);
            add_pair(o, "dilation", L->dil_h, L->dil_w);
            if (L->kind == GINV_LAYER_CONV_TRANSPOSE2D)
                add_pair(o, "output_padding", L->outpad_h, L->outpad_w);
            cJSON_AddBoolToObject(o, "bias", L->bias);
        }
        if (L->kind == GINV_LAYER_UPSAMPLE_NEAREST) cJSON_AddNumberToObject(o, "factor", L->factor);
        if (L->kind == GINV_LAYER_LEAKY_RELU || L->kind == GINV_LAYER_ELU || L->kind == GINV_LAYER_SMOOTH_LEAKY)
            cJSON_AddNumberToObject(o, "alpha", L->alpha);
        cJSON_AddItemToArray(arr, o);
    }
    char *txt = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!txt) return NULL;
    char *out = ginv_strdup(txt);
    cJSON_free(txt);
    return out;
}

/* An integer field in [lo, hi], or an error naming layer and field. */
static ginv_status get_int(const cJSON *o, const char *key, int i, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"%s\" must be an integer in [%d, %d]", i,
                         key, lo, hi);
    *out = (int)v->valuedouble;
    return GINV_OK;
}

/* An array of n integers in [lo, hi] under key: absent leaves out[] alone
 * (its defaults) unless required. */
static ginv_status get_ints(const cJSON *o, const char *key, int i, int n, int lo, int hi,
                            int required, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (required) return ginv_fail(GINV_ERR_FORMAT, "layer %d: needs \"%s\"", i, key);
        return GINV_OK;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != n)
        return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"%s\" must be a list of %d integers", i,
                         key, n);
    for (int k = 0; k < n; k++) {
        const cJSON *e = cJSON_GetArrayItem(v, k);
        if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) || e->valuedouble < lo ||
            e->valuedouble > hi)
            return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"%s\" must be a list of %d integers "
                             "in [%d, %d]", i, key, n, lo, hi);
        out[k] = (int)e->valuedouble;
    }
    return GINV_OK;
}

static ginv_status get_bool(const cJSON *o, const char *key, int i, int *out)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, key);
    if (b && !cJSON_IsBool(b))
        return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"%s\" must be true or false", i, key);
    *out = cJSON_IsTrue(b);
    return GINV_OK;
}

/* The fields of one version-2 image layer or reshape. */
static ginv_status parse_image_layer(const cJSON *o, int i, ginv_layer *L)
{
    ginv_status st;
    int in[3] = {0, 0, 0}, out[3] = {0, 0, 0}, pair[2];
    int first = i == 0;
    if ((st = get_ints(o, "in_shape", i, 3, 1, GINV_MAX_WIDTH, first && L->kind != GINV_LAYER_RESHAPE, in)))
        return st;
    if (first && L->kind == GINV_LAYER_RESHAPE && !in[0]) {
        if ((st = get_int(o, "in", i, 1, GINV_MAX_WIDTH, &L->in)))
            return ginv_fail(GINV_ERR_FORMAT, "layer 0 (reshape): needs \"in_shape\" or \"in\"");
    }
    if ((st = get_ints(o, "out_shape", i, 3, 1, GINV_MAX_WIDTH, L->kind == GINV_LAYER_RESHAPE, out)))
        return st;
    L->c_in = in[0], L->h_in = in[1], L->w_in = in[2];
    L->c_out = out[0], L->h_out = out[1], L->w_out = out[2];
    if (is_conv(L->kind)) {
        int oc = 0;
        if ((st = get_int(o, "out_channels", i, 1, GINV_MAX_WIDTH, &oc))) return st;
        if (L->c_out && L->c_out != oc)
            return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"out_channels\" %d disagrees with "
                             "\"out_shape\"", i, oc);
        L->c_out = oc;
        if ((st = get_ints(o, "kernel", i, 2, 1, 1 << 20, 1, pair))) return st;
        L->kh = pair[0], L->kw = pair[1];
        pair[0] = pair[1] = 1;
        if ((st = get_ints(o, "stride", i, 2, 1, 1 << 20, 0, pair))) return st;
        L->stride_h = pair[0], L->stride_w = pair[1];
        pair[0] = pair[1] = 1;
        if ((st = get_ints(o, "dilation", i, 2, 1, 1 << 20, 0, pair))) return st;
        L->dil_h = pair[0], L->dil_w = pair[1];
        pair[0] = pair[1] = 0;
        if ((st = get_ints(o, "padding", i, 2, 0, 1 << 20, 0, pair))) return st;
        L->pad_h = pair[0], L->pad_w = pair[1];
        if (L->kind == GINV_LAYER_CONV_TRANSPOSE2D) {
            pair[0] = pair[1] = 0;
            if ((st = get_ints(o, "output_padding", i, 2, 0, 1 << 20, 0, pair))) return st;
            L->outpad_h = pair[0], L->outpad_w = pair[1];
        } else if (cJSON_GetObjectItemCaseSensitive(o, "output_padding")) {
            return ginv_fail(GINV_ERR_FORMAT, "layer %d: \"output_padding\" belongs to "
                             "conv_transpose2d only", i);
        }
        if ((st = get_bool(o, "bias", i, &L->bias))) return st;
    } else if (L->kind == GINV_LAYER_UPSAMPLE_NEAREST) {
        if ((st = get_int(o, "factor", i, 1, 1 << 20, &L->factor))) return st;
    }
    return GINV_OK;
}

/* Parse the architecture JSON text (metadata entry meta_key) into a layer
 * list (ginv_free'd by caller). */
static ginv_status parse_arch(const char *txt, const char *meta_key, int *nlayers, ginv_layer **out)
{
    *out = NULL;
    char what[96];
    snprintf(what, sizeof what, "the \"%.40s\" metadata entry", meta_key);
    cJSON *root;
    ginv_status st = ginv_json_parse_strict(txt, (size_t)-1, what, &root);
    if (st != GINV_OK) return st;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ginv_fail(GINV_ERR_FORMAT, "%s is not a JSON object", what);
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "layers");
    int version = 0;
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, ARCH_FORMAT)) {
        st = ginv_fail(GINV_ERR_FORMAT, "architecture \"format\" must be \"%s\"", ARCH_FORMAT);
    } else if (!cJSON_IsNumber(ver) || (ver->valuedouble != 1 && ver->valuedouble != 2)) {
        st = ginv_fail(GINV_ERR_UNSUPPORTED,
                       "architecture version %g is not supported (this ginv reads versions 1 to %d)",
                       cJSON_IsNumber(ver) ? ver->valuedouble : -1.0, ARCH_VERSION);
    } else if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
               cJSON_GetArraySize(arr) > GINV_MAX_LAYERS) {
        st = ginv_fail(GINV_ERR_FORMAT, "architecture \"layers\" must be a list of 1 to %d layers",
                       GINV_MAX_LAYERS);
    } else {
        version = (int)ver->valuedouble;
    }
    int n = st == GINV_OK ? cJSON_GetArraySize(arr) : 0;
    ginv_layer *spec = st == GINV_OK ? ginv_calloc((size_t)n, sizeof *spec) : NULL;
    if (st == GINV_OK && !spec) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; st == GINV_OK && i < n; i++) {
        const cJSON *o = cJSON_GetArrayItem(arr, i);
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
        ginv_layer *L = &spec[i];
        if (!cJSON_IsObject(o) || !cJSON_IsString(ty)) {
            st = ginv_fail(GINV_ERR_FORMAT, "layer %d: needs a \"type\" string", i);
            break;
        }
        if ((st = ginv_layer_kind_parse(ty->valuestring, &L->kind)) != GINV_OK) {
            st = ginv_fail(GINV_ERR_FORMAT, "layer %d: %s", i, ginv_last_error());
            break;
        }
        if (version < 2 && (int)L->kind > ARCH_VERSION_1_KINDS) {
            st = ginv_fail(GINV_ERR_FORMAT, "layer %d: type \"%s\" needs architecture version 2 "
                           "(the file says version %d)", i, ty->valuestring, version);
            break;
        }
        if (L->kind == GINV_LAYER_DENSE) {
            if ((st = get_int(o, "in", i, 1, GINV_MAX_WIDTH, &L->in)) ||
                (st = get_int(o, "out", i, 1, GINV_MAX_WIDTH, &L->out)) ||
                (st = get_bool(o, "bias", i, &L->bias)))
                break;
        } else if (ginv_layer_is_act(L->kind)) {
            if (cJSON_GetObjectItemCaseSensitive(o, "in") &&
                (st = get_int(o, "in", i, 1, GINV_MAX_WIDTH, &L->in)))
                break;
            int shp[3] = {0, 0, 0};
            if (version >= 2 && (st = get_ints(o, "in_shape", i, 3, 1, GINV_MAX_WIDTH, 0, shp))) break;
            if (shp[0]) {
                if (i > 0) { /* checked against the chain: only the first layer's shape is taken */
                    st = ginv_fail(GINV_ERR_FORMAT, "layer %d: \"in_shape\" of an activation "
                                   "belongs to the first layer only", i);
                    break;
                }
                if (L->in && (long long)shp[0] * shp[1] * shp[2] != L->in) {
                    st = ginv_fail(GINV_ERR_FORMAT, "layer 0: \"in_shape\" disagrees with \"in\"");
                    break;
                }
                L->in = 0;
                L->c_in = shp[0], L->h_in = shp[1], L->w_in = shp[2];
            }
            if (L->kind == GINV_LAYER_LEAKY_RELU || L->kind == GINV_LAYER_ELU || L->kind == GINV_LAYER_SMOOTH_LEAKY) {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "alpha");
                if (!cJSON_IsNumber(a)) {
                    st = ginv_fail(GINV_ERR_FORMAT, "layer %d: %s needs a number \"alpha\"", i,
                                   ty->valuestring);
                    break;
                }
                L->alpha = a->valuedouble;
            }
        } else if ((st = parse_image_layer(o, i, L))) {
            break;
        }
    }
    cJSON_Delete(root);
    if (st != GINV_OK) {
        ginv_free(spec);
        return st;
    }
    *nlayers = n;
    *out = spec;
    return GINV_OK;
}

/* "[d0, d1, ...]" into buf */
static void shape_text(char *buf, size_t len, int nd, const int64_t *shape)
{
    size_t k = (size_t)snprintf(buf, len, "[");
    for (int d = 0; d < nd && k < len; d++)
        k += (size_t)snprintf(buf + k, len - k, d ? ", %lld" : "%lld", (long long)shape[d]);
    if (k < len) snprintf(buf + k, len - k, "]");
}

/* Copy tensor `name` (checked by check_tensors) into dst, checking
 * finiteness. */
static ginv_status load_tensor(const ginv_st_file *f, const char *name, size_t count, float *dst)
{
    float *tmp = NULL;
    ginv_status st = ginv_st_get_f32(f, name, count, &tmp);
    if (st != GINV_OK) return st;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(tmp[i])) {
            ginv_free(tmp);
            return ginv_fail(GINV_ERR_NUMERIC, "tensor '%s' has a non-finite value at index %zu",
                             name, i);
        }
    memcpy(dst, tmp, count * sizeof(float));
    ginv_free(tmp);
    return GINV_OK;
}

/* Check that the file holds every layer's tensors with the shapes and dtypes
 * the architecture declares (layers resolved: every field filled), and that
 * its data buffer can hold the declared parameters at all; allocates
 * nothing. */
static ginv_status check_tensors(const ginv_st_file *f, const char *prefix, int n,
                                 const ginv_layer *layers, size_t np)
{
    char name[160];
    for (int i = 0; i < n; i++) {
        const ginv_layer *L = &layers[i];
        int wnd;
        int64_t ws[4], b0;
        tensor_shapes(L, &wnd, ws, &b0);
        for (int b = 0; wnd && b < 1 + (b0 > 0); b++) {
            snprintf(name, sizeof name, "%slayers.%d.%s", prefix, i, b ? "bias" : "weight");
            const ginv_st_tensor *t = ginv_st_find(f, name);
            if (!t) return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' is missing", name);
            int nd = b ? 1 : wnd;
            const int64_t *want = b ? &b0 : ws;
            int same = t->ndim == nd;
            for (int d = 0; same && d < nd; d++) same = t->shape[d] == want[d];
            if (!same) {
                char have[160], need[160], what[96];
                shape_text(have, sizeof have, t->ndim, t->shape);
                shape_text(need, sizeof need, nd, want);
                if (L->kind == GINV_LAYER_DENSE)
                    snprintf(what, sizeof what, "dense %d -> %d", L->in, L->out);
                else
                    snprintf(what, sizeof what, "%s %dx%dx%d -> %dx%dx%d", ginv_layer_kind_name(L->kind),
                             L->c_in, L->h_in, L->w_in, L->c_out, L->h_out, L->w_out);
                return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' has shape %s but layer %d (%s) "
                                 "needs %s: the file's tensors disagree with its metadata",
                                 name, have, i, what, need);
            }
            if (t->dtype != GINV_DT_F32 && t->dtype != GINV_DT_F64)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "tensor '%s' is not F32 or F64; ginv reads model "
                                 "parameters of those types only (convert it to F32)", name);
        }
    }
    /* F32 and F64 take at least 4 bytes a parameter */
    if (np > f->data_len / 4)
        return ginv_fail(GINV_ERR_FORMAT, "the architecture declares %zu parameters but the file's data "
                         "holds only %zu bytes, room for at most %zu float32 values", np, f->data_len,
                         f->data_len / 4);
    return GINV_OK;
}

ginv_status ginv_net_from_st_part(const ginv_st_file *f, const char *meta_key,
                                  const char *prefix, ginv_net **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(f);
    GINV_NONNULL(meta_key);
    GINV_NONNULL(prefix);
    if (!f->metadata_json)
        return ginv_fail(GINV_ERR_FORMAT, "no __metadata__: this is not a ginv model file "
                                          "(the architecture belongs in __metadata__[\"ginv\"])");
    cJSON *meta = cJSON_Parse(f->metadata_json);
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(meta, meta_key);
    if (!cJSON_IsString(arch)) {
        cJSON_Delete(meta);
        if (!strcmp(meta_key, "ginv"))
            return ginv_fail(GINV_ERR_FORMAT, "__metadata__ has no \"ginv\" architecture "
                                              "string: this is not a ginv model file");
        return ginv_fail(GINV_ERR_FORMAT, "__metadata__ has no \"%s\" architecture string: "
                                          "the file holds no such network", meta_key);
    }
    int n = 0;
    ginv_layer *spec = NULL;
    ginv_status st = parse_arch(arch->valuestring, meta_key, &n, &spec);
    cJSON_Delete(meta);
    if (st != GINV_OK) return st;
    /* everything the metadata declares is checked against the file before
     * the parameter block is allocated (a forged header cannot make us
     * allocate more than the file holds) */
    size_t np = 0;
    st = ginv_net_spec_check(n, spec, &np);
    if (st != GINV_OK) st = ginv_fail(st, "architecture: %s", ginv_last_error());
    ginv_net *net = NULL;
    if (st == GINV_OK) {
        /* resolved layers (shapes filled) without their parameter block yet:
         * a net with nparams checked against the file before it is allocated */
        ginv_layer *res = ginv_calloc((size_t)n, sizeof *res);
        if (!res) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else st = ginv_net_spec_resolve(n, spec, res);
        if (st == GINV_OK) st = check_tensors(f, prefix, n, res, np);
        ginv_free(res);
    }
    if (st == GINV_OK) {
        st = ginv_net_new(&net, n, spec);
        if (st != GINV_OK) st = ginv_fail(st, "architecture: %s", ginv_last_error());
    }
    ginv_free(spec);
    if (st != GINV_OK) return st;
    char name[160];
    for (int i = 0; st == GINV_OK && i < n; i++) {
        ginv_layer *L = &net->layers[i];
        int wnd;
        int64_t ws[4], b0;
        tensor_shapes(L, &wnd, ws, &b0);
        if (!wnd) continue;
        size_t count = 1;
        for (int d = 0; d < wnd; d++) count *= (size_t)ws[d];
        snprintf(name, sizeof name, "%slayers.%d.weight", prefix, i);
        st = load_tensor(f, name, count, L->W);
        if (st == GINV_OK && b0 > 0) {
            snprintf(name, sizeof name, "%slayers.%d.bias", prefix, i);
            st = load_tensor(f, name, (size_t)b0, L->b);
        }
    }
    if (st != GINV_OK) {
        ginv_net_free(net);
        return st;
    }
    *out = net;
    return GINV_OK;
}

ginv_status ginv_net_from_st(const ginv_st_file *f, ginv_net **out)
{
    return ginv_net_from_st_part(f, "ginv", "", out);
}

/* An ONNX file: by its extension, or by its first bytes: a ModelProto opens
 * with field 1 (ir_version, tag 0x08) where a safetensors file opens with an
 * 8-byte header length followed by '{'. */
static int is_onnx(const char *path)
{
    size_t n = strlen(path);
    if (n >= 5 && !strcasecmp(path + n - 5, ".onnx")) return 1;
    unsigned char b[9];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t got = fread(b, 1, sizeof b, f);
    fclose(f);
    return got == sizeof b && b[0] == 0x08 && b[8] != '{';
}

ginv_status ginv_net_load(const char *path, ginv_net **out)
{
    GINV_NONNULL(path);
    if (is_onnx(path)) return ginv_net_load_onnx(path, out);
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return st;
    st = ginv_net_from_st(&f, out);
    ginv_st_release(&f);
    if (st != GINV_OK) return ginv_fail(st, "model '%s': %s", path, ginv_last_error());
    return GINV_OK;
}

ginv_status ginv_net_write_part(const ginv_net *net, ginv_st_writer *w, const char *meta_key,
                                const char *prefix)
{
    GINV_NONNULL(net);
    GINV_NONNULL(w);
    GINV_NONNULL(meta_key);
    GINV_NONNULL(prefix);
    char *arch = ginv_net_arch_json(net);
    ginv_status st = arch ? ginv_st_writer_meta(w, meta_key, arch)
                          : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_free(arch);
    char name[160];
    for (int i = 0; st == GINV_OK && i < net->nlayers; i++) {
        const ginv_layer *L = &net->layers[i];
        int wnd;
        int64_t ws[4], b0;
        tensor_shapes(L, &wnd, ws, &b0);
        if (!wnd) continue;
        snprintf(name, sizeof name, "%slayers.%d.weight", prefix, i);
        st = ginv_st_writer_add(w, name, GINV_DT_F32, wnd, ws, L->W);
        if (st == GINV_OK && b0 > 0 && L->b) {
            snprintf(name, sizeof name, "%slayers.%d.bias", prefix, i);
            st = ginv_st_writer_add(w, name, GINV_DT_F32, 1, &b0, L->b);
        }
    }
    return st;
}

ginv_status ginv_net_save(const ginv_net *net, const char *path)
{
    GINV_NONNULL(net);
    GINV_NONNULL(path);
    ginv_st_writer *w = ginv_st_writer_new();
    if (!w) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_status st = ginv_net_write_part(net, w, "ginv", "");
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    return st;
}
