/* dlg_io.c — deep latent Gaussian encoder files: safetensors with the
 * structure as JSON in __metadata__["ginv.dlg"],
 *   {"format":"ginv-dlg","version":1,"n":N,"d":D,
 *    "graphs":[{"nodes":[{"op":"affine","a":1,"size":8,"bias":true},
 *                        {"op":"act","a":2,"act":"softplus"}, ...]}, ...],
 *    "layers":[{"graph":0,"count":L}, ...]}
 * (nodes 0 = x and 1 = z are implicit; "act"/"dact" carry "alpha" for
 * leaky_relu and elu; "lincomb" has "a" and "b"), every parameter in one F32
 * tensor "dlg.params" [N'] (layer by layer: gamma, then the nodes' in node
 * order), and the construction's record under "ginv.dlg.record". */
#include "ginv.h"
#include "base/check_internal.h"
#include "io/json_internal.h"
#include "learn/dlg_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define DLG_FORMAT "ginv-dlg"
#define DLG_KEY "ginv.dlg"
#define DLG_RECORD_KEY "ginv.dlg.record"
#define DLG_TENSOR "dlg.params"

static const char *const op_names[] = {"x", "z", "affine", "act", "dact", "square", "lincomb"};

static char *structure_json(const ginv_dlg *g)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", DLG_FORMAT);
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddNumberToObject(root, "n", g->n);
    cJSON_AddNumberToObject(root, "d", g->d);
    cJSON *gs = cJSON_AddArrayToObject(root, "graphs");
    for (int gi = 0; gi < g->ngraphs; gi++) {
        const ginv_dlg_graph *gr = &g->graphs[gi];
        cJSON *go = cJSON_CreateObject(), *ns = cJSON_AddArrayToObject(go, "nodes");
        for (int i = 2; i < gr->nnodes; i++) {
            const ginv_dlg_node *nd = &gr->nodes[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "op", op_names[nd->op]);
            cJSON_AddNumberToObject(o, "a", nd->a);
            if (nd->op == GINV_DLG_LINCOMB) cJSON_AddNumberToObject(o, "b", nd->b);
            if (nd->op == GINV_DLG_AFFINE) {
                cJSON_AddNumberToObject(o, "size", nd->size);
                cJSON_AddBoolToObject(o, "bias", nd->bias);
            }
            if (nd->op == GINV_DLG_ACT || nd->op == GINV_DLG_DACT) {
                cJSON_AddStringToObject(o, "act", ginv_layer_kind_name(nd->act));
                if (nd->act == GINV_LAYER_LEAKY_RELU || nd->act == GINV_LAYER_ELU || nd->act == GINV_LAYER_SMOOTH_LEAKY)
                    cJSON_AddNumberToObject(o, "alpha", nd->alpha);
            }
            cJSON_AddItemToArray(ns, o);
        }
        cJSON_AddItemToArray(gs, go);
    }
    cJSON *ls = cJSON_AddArrayToObject(root, "layers");
    for (int l = 0; l < g->nlayers;) { /* runs of one graph */
        int e = l;
        while (e < g->nlayers && g->layer_graph[e] == g->layer_graph[l]) e++;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "graph", g->layer_graph[l]);
        cJSON_AddNumberToObject(o, "count", e - l);
        cJSON_AddItemToArray(ls, o);
        l = e;
    }
    char *txt = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!txt) return NULL;
    char *out = ginv_strdup(txt);
    cJSON_free(txt);
    return out;
}

ginv_status ginv_dlg_save(const ginv_dlg *g, const char *path)
{
    GINV_NONNULL(g);
    GINV_NONNULL(path);
    if (g->nlayers < 1) return ginv_fail(GINV_ERR_ARG, "ginv_dlg_save: the encoder has no layers");
    char *meta = structure_json(g);
    ginv_st_writer *w = ginv_st_writer_new();
    ginv_status st = meta && w ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    int64_t shape[1] = {(int64_t)g->nparams};
    if (st == GINV_OK) st = ginv_st_writer_meta(w, DLG_KEY, meta);
    if (st == GINV_OK && g->record) st = ginv_st_writer_meta(w, DLG_RECORD_KEY, g->record);
    if (st == GINV_OK) st = ginv_st_writer_add(w, DLG_TENSOR, GINV_DT_F32, 1, shape, g->params);
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    ginv_free(meta);
    return st;
}

/* An integer member in [lo, hi], or an error naming where. */
static ginv_status get_int(const cJSON *o, const char *key, const char *where, int lo, int hi, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return ginv_fail(GINV_ERR_FORMAT, "%s: \"%s\" must be an integer in %d..%d", where, key, lo, hi);
    *out = (int)v->valuedouble;
    return GINV_OK;
}

/* One node object into nd (operands and sizes checked by ginv_dlg_node_add). */
static ginv_status parse_node(const cJSON *o, const char *where, ginv_dlg_node *nd)
{
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
    memset(nd, 0, sizeof *nd);
    nd->op = GINV_DLG_X;
    for (int k = GINV_DLG_AFFINE; cJSON_IsString(op) && k <= GINV_DLG_LINCOMB; k++)
        if (!strcmp(op->valuestring, op_names[k])) nd->op = (ginv_dlg_op)k;
    if (nd->op == GINV_DLG_X)
        return ginv_fail(GINV_ERR_FORMAT, "%s: \"op\" must be affine, act, dact, square or lincomb", where);
    ginv_status st = get_int(o, "a", where, 0, GINV_DLG_MAX_NODES, &nd->a);
    if (st == GINV_OK && nd->op == GINV_DLG_LINCOMB) st = get_int(o, "b", where, 0, GINV_DLG_MAX_NODES, &nd->b);
    if (st == GINV_OK && nd->op == GINV_DLG_AFFINE) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bias");
        st = get_int(o, "size", where, 1, 1 << 24, &nd->size);
        if (st == GINV_OK && !cJSON_IsBool(b)) st = ginv_fail(GINV_ERR_FORMAT, "%s: \"bias\" must be true or false", where);
        nd->bias = cJSON_IsTrue(b);
    }
    if (st == GINV_OK && (nd->op == GINV_DLG_ACT || nd->op == GINV_DLG_DACT)) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "act"), *al = cJSON_GetObjectItemCaseSensitive(o, "alpha");
        if (!cJSON_IsString(a) || ginv_layer_kind_parse(a->valuestring, &nd->act) != GINV_OK)
            return ginv_fail(GINV_ERR_FORMAT, "%s: \"act\" must name an activation", where);
        if (al && (!cJSON_IsNumber(al) || !isfinite(al->valuedouble)))
            return ginv_fail(GINV_ERR_FORMAT, "%s: \"alpha\" must be a finite number", where);
        nd->alpha = al ? al->valuedouble : nd->act == GINV_LAYER_ELU ? 1.0 : 0.0;
    }
    return st;
}

/* The structure JSON into an empty encoder. */
static ginv_status parse_structure(const char *txt, ginv_dlg **out)
{
    cJSON *root = NULL;
    ginv_status st = ginv_json_parse_strict(txt, (size_t)-1, "__metadata__[\"" DLG_KEY "\"]", &root);
    if (st != GINV_OK) return st;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *gs = cJSON_GetObjectItemCaseSensitive(root, "graphs");
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(root, "layers");
    int n = 0, d = 0, ver = 0;
    if (!cJSON_IsObject(root) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, DLG_FORMAT))
        st = ginv_fail(GINV_ERR_FORMAT, "\"" DLG_KEY "\" must be an object with \"format\": \"" DLG_FORMAT "\"");
    if (st == GINV_OK) st = get_int(root, "version", "\"" DLG_KEY "\"", 1, 1000, &ver);
    if (st == GINV_OK && ver != 1)
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "deep latent Gaussian format version %d (this ginv reads 1)", ver);
    if (st == GINV_OK) st = get_int(root, "n", "\"" DLG_KEY "\"", 1, 1 << 24, &n);
    if (st == GINV_OK) st = get_int(root, "d", "\"" DLG_KEY "\"", 1, 1 << 24, &d);
    if (st == GINV_OK && (!cJSON_IsArray(gs) || cJSON_GetArraySize(gs) < 1 || cJSON_GetArraySize(gs) > GINV_DLG_MAX_GRAPHS ||
                          !cJSON_IsArray(ls) || cJSON_GetArraySize(ls) < 1))
        st = ginv_fail(GINV_ERR_FORMAT, "\"" DLG_KEY "\" needs \"graphs\" (1 to %d) and \"layers\" lists",
                       GINV_DLG_MAX_GRAPHS);
    ginv_dlg *g = NULL;
    if (st == GINV_OK) st = ginv_dlg_new(&g, n, d);
    char where[80];
    for (int gi = 0; st == GINV_OK && gi < cJSON_GetArraySize(gs); gi++) {
        const cJSON *ns = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(gs, gi), "nodes");
        int idx;
        if (!cJSON_IsArray(ns) || cJSON_GetArraySize(ns) > GINV_DLG_MAX_NODES) {
            st = ginv_fail(GINV_ERR_FORMAT, "graph %d: \"nodes\" must be a list", gi);
            break;
        }
        st = ginv_dlg_graph_add(g, &idx);
        for (int i = 0; st == GINV_OK && i < cJSON_GetArraySize(ns); i++) {
            ginv_dlg_node nd;
            snprintf(where, sizeof where, "graph %d node %d", gi, i + 2);
            st = parse_node(cJSON_GetArrayItem(ns, i), where, &nd);
            if (st == GINV_OK && ginv_dlg_node_add(g, gi, &nd, NULL) != GINV_OK)
                st = ginv_fail(GINV_ERR_FORMAT, "graph %d: %s", gi, ginv_last_error());
        }
    }
    for (int r = 0; st == GINV_OK && r < cJSON_GetArraySize(ls); r++) {
        const cJSON *o = cJSON_GetArrayItem(ls, r);
        int gi = 0, count = 0;
        snprintf(where, sizeof where, "layer run %d", r);
        st = get_int(o, "graph", where, 0, g->ngraphs - 1, &gi);
        if (st == GINV_OK) st = get_int(o, "count", where, 1, GINV_DLG_MAX_LAYERS, &count);
        if (st == GINV_OK && ginv_dlg_layers_add(g, gi, count) != GINV_OK)
            st = ginv_fail(GINV_ERR_FORMAT, "%s: %s", where, ginv_last_error());
    }
    cJSON_Delete(root);
    if (st != GINV_OK) {
        ginv_dlg_free(g);
        return st;
    }
    *out = g;
    return GINV_OK;
}

ginv_status ginv_dlg_load(const char *path, ginv_dlg **out)
{
    GINV_NONNULL(path);
    GINV_NONNULL(out);
    *out = NULL;
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return st;
    const char *meta = NULL, *rec = NULL;
    cJSON *mroot = NULL;
    if (!f.metadata_json) {
        st = ginv_fail(GINV_ERR_FORMAT, "'%s' is not a deep latent Gaussian encoder: no __metadata__", path);
    } else if ((st = ginv_json_parse_strict(f.metadata_json, (size_t)-1, "__metadata__", &mroot)) == GINV_OK) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(mroot, DLG_KEY);
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(mroot, DLG_RECORD_KEY);
        meta = cJSON_IsString(m) ? m->valuestring : NULL;
        rec = cJSON_IsString(r) ? r->valuestring : NULL;
        if (!meta)
            st = ginv_fail(GINV_ERR_FORMAT, "'%s' is not a deep latent Gaussian encoder: no __metadata__[\"" DLG_KEY
                           "\"] (ginv encoder build writes one)", path);
    }
    ginv_dlg *g = NULL;
    if (st == GINV_OK) st = parse_structure(meta, &g);
    float *p = NULL;
    if (st == GINV_OK) st = ginv_st_get_f32(&f, DLG_TENSOR, g->nparams, &p);
    for (size_t i = 0; st == GINV_OK && i < g->nparams; i++)
        if (!isfinite(p[i])) st = ginv_fail(GINV_ERR_FORMAT, "parameter %zu of '%s' is not finite", i, path);
    if (st == GINV_OK) {
        memcpy(g->params, p, g->nparams * sizeof(float));
        if (rec && !(g->record = ginv_strdup(rec))) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    ginv_free(p);
    cJSON_Delete(mroot);
    ginv_st_release(&f);
    if (st != GINV_OK) {
        ginv_dlg_free(g);
        return st;
    }
    *out = g;
    return GINV_OK;
}
