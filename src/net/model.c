/* model.c — networks in safetensors model files. The architecture travels in
 * __metadata__["ginv"] as a JSON string:
 *   {"format":"ginv-net","version":1,"layers":[
 *     {"type":"dense","in":10,"out":250,"bias":false}, {"type":"relu"},
 *     {"type":"leaky_relu","alpha":0.2}, ...]}
 * and dense layer i's parameters are the tensors "layers.<i>.weight" [out, in]
 * and "layers.<i>.bias" [out] (F32 or F64). */
#include "io/json_internal.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ARCH_FORMAT "ginv-net"
#define ARCH_VERSION 1

char *ginv_net_arch_json(const ginv_net *net)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", ARCH_FORMAT);
    cJSON_AddNumberToObject(root, "version", ARCH_VERSION);
    cJSON *arr = cJSON_AddArrayToObject(root, "layers");
    for (int i = 0; i < net->nlayers; i++) {
        const ginv_layer *L = &net->layers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", ginv_layer_kind_name(L->kind));
        if (L->kind == GINV_LAYER_DENSE) {
            cJSON_AddNumberToObject(o, "in", L->in);
            cJSON_AddNumberToObject(o, "out", L->out);
            cJSON_AddBoolToObject(o, "bias", L->bias);
        } else if (i == 0) {
            cJSON_AddNumberToObject(o, "in", L->in);
        }
        if (L->kind == GINV_LAYER_LEAKY_RELU) cJSON_AddNumberToObject(o, "alpha", L->alpha);
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
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, ARCH_FORMAT)) {
        st = ginv_fail(GINV_ERR_FORMAT, "architecture \"format\" must be \"%s\"", ARCH_FORMAT);
    } else if (!cJSON_IsNumber(ver) || ver->valuedouble != ARCH_VERSION) {
        st = ginv_fail(GINV_ERR_UNSUPPORTED,
                       "architecture version %g is not supported (this ginv reads version %d)",
                       cJSON_IsNumber(ver) ? ver->valuedouble : -1.0, ARCH_VERSION);
    } else if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
               cJSON_GetArraySize(arr) > GINV_MAX_LAYERS) {
        st = ginv_fail(GINV_ERR_FORMAT, "architecture \"layers\" must be a list of 1 to %d layers",
                       GINV_MAX_LAYERS);
    }
    int n = st == GINV_OK ? cJSON_GetArraySize(arr) : 0;
    ginv_layer *spec = st == GINV_OK ? ginv_calloc((size_t)n, sizeof *spec) : NULL;
    if (st == GINV_OK && !spec) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; st == GINV_OK && i < n; i++) {
        const cJSON *o = cJSON_GetArrayItem(arr, i);
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
        if (!cJSON_IsObject(o) || !cJSON_IsString(ty)) {
            st = ginv_fail(GINV_ERR_FORMAT, "layer %d: needs a \"type\" string", i);
            break;
        }
        if ((st = ginv_layer_kind_parse(ty->valuestring, &spec[i].kind)) != GINV_OK) {
            st = ginv_fail(GINV_ERR_FORMAT, "layer %d: %s", i, ginv_last_error());
            break;
        }
        if (spec[i].kind == GINV_LAYER_DENSE) {
            if ((st = get_int(o, "in", i, 1, GINV_MAX_WIDTH, &spec[i].in)) ||
                (st = get_int(o, "out", i, 1, GINV_MAX_WIDTH, &spec[i].out)))
                break;
            const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bias");
            if (b && !cJSON_IsBool(b)) {
                st = ginv_fail(GINV_ERR_FORMAT, "layer %d: \"bias\" must be true or false", i);
                break;
            }
            spec[i].bias = cJSON_IsTrue(b);
        } else {
            if (cJSON_GetObjectItemCaseSensitive(o, "in") &&
                (st = get_int(o, "in", i, 1, GINV_MAX_WIDTH, &spec[i].in)))
                break;
            if (spec[i].kind == GINV_LAYER_LEAKY_RELU) {
                const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "alpha");
                if (!cJSON_IsNumber(a)) {
                    st = ginv_fail(GINV_ERR_FORMAT, "layer %d: leaky_relu needs a number \"alpha\"", i);
                    break;
                }
                spec[i].alpha = a->valuedouble;
            }
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

/* Copy tensor `name` of shape [d0] or [d0, d1] into dst, checking shape and
 * finiteness. */
static ginv_status load_tensor(const ginv_st_file *f, const char *name, int ndim, int64_t d0,
                               int64_t d1, float *dst)
{
    const ginv_st_tensor *t = ginv_st_find(f, name);
    if (!t) return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' is missing", name);
    if (t->ndim != ndim || t->shape[0] != d0 || (ndim == 2 && t->shape[1] != d1)) {
        if (ndim == 2)
            return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' must have shape [%lld, %lld]", name,
                             (long long)d0, (long long)d1);
        return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' must have shape [%lld]", name,
                         (long long)d0);
    }
    size_t count = (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1);
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

/* Check that the file holds every dense layer's tensors with the shapes and
 * dtypes the architecture declares, and that its data buffer can hold the
 * declared parameters at all; allocates nothing. */
static ginv_status check_tensors(const ginv_st_file *f, const char *prefix, int n,
                                 const ginv_layer *spec, size_t np)
{
    char name[160];
    for (int i = 0; i < n; i++) {
        const ginv_layer *L = &spec[i];
        if (L->kind != GINV_LAYER_DENSE) continue;
        for (int b = 0; b < 1 + (L->bias != 0); b++) {
            snprintf(name, sizeof name, "%slayers.%d.%s", prefix, i, b ? "bias" : "weight");
            const ginv_st_tensor *t = ginv_st_find(f, name);
            if (!t) return ginv_fail(GINV_ERR_FORMAT, "tensor '%s' is missing", name);
            int nd = b ? 1 : 2;
            if (t->ndim != nd || t->shape[0] != L->out || (nd == 2 && t->shape[1] != L->in)) {
                char have[160];
                size_t k = (size_t)snprintf(have, sizeof have, "[");
                for (int d = 0; d < t->ndim && k < sizeof have; d++)
                    k += (size_t)snprintf(have + k, sizeof have - k, d ? ", %lld" : "%lld",
                                          (long long)t->shape[d]);
                if (k < sizeof have) snprintf(have + k, sizeof have - k, "]");
                if (nd == 2)
                    return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' has shape %s but layer %d (dense %d -> %d) "
                                     "needs [%d, %d]: the file's tensors disagree with its metadata",
                                     name, have, i, L->in, L->out, L->out, L->in);
                return ginv_fail(GINV_ERR_SHAPE, "tensor '%s' has shape %s but layer %d (dense %d -> %d) "
                                 "needs [%d]: the file's tensors disagree with its metadata", name, have, i,
                                 L->in, L->out, L->out);
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
    else st = check_tensors(f, prefix, n, spec, np);
    ginv_net *net = NULL;
    if (st == GINV_OK) {
        st = ginv_net_new(&net, n, spec);
        if (st != GINV_OK) st = ginv_fail(st, "architecture: %s", ginv_last_error());
    }
    ginv_free(spec);
    if (st != GINV_OK) return st;
    char name[160];
    for (int i = 0; st == GINV_OK && i < n; i++) {
        ginv_layer *L = &net->layers[i];
        if (L->kind != GINV_LAYER_DENSE) continue;
        snprintf(name, sizeof name, "%slayers.%d.weight", prefix, i);
        st = load_tensor(f, name, 2, L->out, L->in, L->W);
        if (st == GINV_OK && L->b) {
            snprintf(name, sizeof name, "%slayers.%d.bias", prefix, i);
            st = load_tensor(f, name, 1, L->out, 0, L->b);
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

ginv_status ginv_net_load(const char *path, ginv_net **out)
{
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
        if (L->kind != GINV_LAYER_DENSE) continue;
        int64_t shape[2] = {L->out, L->in};
        snprintf(name, sizeof name, "%slayers.%d.weight", prefix, i);
        st = ginv_st_writer_add(w, name, GINV_DT_F32, 2, shape, L->W);
        if (st == GINV_OK && L->b) {
            snprintf(name, sizeof name, "%slayers.%d.bias", prefix, i);
            st = ginv_st_writer_add(w, name, GINV_DT_F32, 1, shape, L->b);
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
