/* common.c — building the layered nets and the problems the reductions
 * return, and reading their instances back from the source JSON. */
#include "reduce/reduce_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ginv_status ginv_reduce_net(ginv_net **out, int ndense, const int *sizes)
{
    ginv_layer spec[16];
    if (ndense < 1 || ndense > 8) return ginv_fail(GINV_ERR_ARG, "ginv_reduce_net: %d layers", ndense);
    for (int l = 0; l < ndense; l++) {
        if ((double)sizes[l] * sizes[l + 1] > (double)(1u << 31))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "the reduced network's layer %d would be %d x %d, larger than "
                                                   "supported (2^31 weights)", l + 1, sizes[l + 1], sizes[l]);
        spec[2 * l] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = sizes[l], .out = sizes[l + 1], .bias = 1};
        spec[2 * l + 1] = (ginv_layer){.kind = GINV_LAYER_RELU, .in = sizes[l + 1], .out = sizes[l + 1]};
    }
    return ginv_net_new(out, 2 * ndense, spec);
}

float *ginv_reduce_W(ginv_net *net, int l) { return ginv_net_layer(net, 2 * l)->W; }
float *ginv_reduce_b(ginv_net *net, int l) { return ginv_net_layer(net, 2 * l)->b; }

cJSON *ginv_reduce_source(const char *kind, const char *theorem)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "kind", kind);
    cJSON_AddStringToObject(s, "theorem", theorem);
    cJSON_AddStringToObject(s, "paper", REDUCE_PAPER);
    return s;
}

ginv_status ginv_reduce_problem(ginv_problem *pb, int n, double delta, double p, ginv_latent_domain latent, cJSON *src)
{
    memset(pb, 0, sizeof *pb);
    char *txt = cJSON_PrintUnformatted(src);
    cJSON_Delete(src);
    pb->target = ginv_calloc((size_t)n, sizeof(double));
    pb->source_json = txt ? ginv_strdup(txt) : NULL;
    free(txt);
    if (!pb->target || !pb->source_json) {
        ginv_problem_release(pb);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    pb->n = n;
    pb->delta = delta;
    pb->p = p;
    pb->latent = latent;
    return GINV_OK;
}

ginv_status ginv_reduce_undo(ginv_status st, ginv_net **net, ginv_problem *pb)
{
    ginv_net_free(*net);
    *net = NULL;
    ginv_problem_release(pb);
    return st;
}

/* --------------------------------------------------- instances from JSON */

static ginv_status bad_source(const char *what)
{
    return ginv_fail(GINV_ERR_FORMAT, "the problem's \"source\" %s", what);
}

/* An integer-valued JSON number in [lo, hi]. */
static int json_int(const cJSON *o, const char *key, double lo, double hi, long long *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x) || x->valuedouble != floor(x->valuedouble) || x->valuedouble < lo || x->valuedouble > hi)
        return 0;
    *v = (long long)x->valuedouble;
    return 1;
}

ginv_status ginv_reduce_cnf_from_json(const cJSON *src, ginv_cnf *f)
{
    memset(f, 0, sizeof *f);
    long long n;
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(src, "clauses");
    if (!json_int(src, "n", 1, 1 << 24, &n)) return bad_source("has no variable count \"n\"");
    if (!cJSON_IsArray(cl)) return bad_source("has no \"clauses\" array");
    int m = cJSON_GetArraySize(cl);
    size_t nl = 0;
    for (const cJSON *c = cl->child; c; c = c->next) {
        if (!cJSON_IsArray(c)) return bad_source("\"clauses\" holds something that is not an array");
        nl += (size_t)cJSON_GetArraySize(c);
    }
    f->start = ginv_malloc(((size_t)m + 1) * sizeof(int));
    f->lits = ginv_malloc((nl + 1) * sizeof(int));
    if (!f->start || !f->lits) {
        ginv_cnf_release(f);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    f->nvars = (int)n;
    f->nclauses = m;
    size_t k = 0;
    int c = 0;
    for (const cJSON *cj = cl->child; cj; cj = cj->next, c++) {
        f->start[c] = (int)k;
        for (const cJSON *l = cj->child; l; l = l->next) {
            double v = cJSON_IsNumber(l) ? l->valuedouble : 0;
            if (v != floor(v) || v == 0 || fabs(v) > n) {
                ginv_cnf_release(f);
                return bad_source("has a literal that is not in +-1..n");
            }
            f->lits[k++] = (int)v;
        }
    }
    f->start[m] = (int)k;
    return GINV_OK;
}

cJSON *ginv_reduce_graph_json(const ginv_graph *g)
{
    cJSON *a = cJSON_CreateArray();
    for (int e = 0; e < g->m; e++) {
        cJSON *x = cJSON_CreateArray();
        cJSON_AddItemToArray(x, cJSON_CreateNumber(g->u[e] + 1));
        cJSON_AddItemToArray(x, cJSON_CreateNumber(g->v[e] + 1));
        if (g->weighted) cJSON_AddItemToArray(x, cJSON_CreateNumber((double)g->w[e]));
        cJSON_AddItemToArray(a, x);
    }
    return a;
}

ginv_status ginv_reduce_graph_from_json(const cJSON *src, ginv_graph *g)
{
    memset(g, 0, sizeof *g);
    long long n;
    const cJSON *ed = cJSON_GetObjectItemCaseSensitive(src, "edges");
    if (!json_int(src, "n", 1, 1 << 24, &n)) return bad_source("has no vertex count \"n\"");
    if (!cJSON_IsArray(ed)) return bad_source("has no \"edges\" array");
    int m = cJSON_GetArraySize(ed);
    g->u = ginv_malloc(((size_t)m + 1) * sizeof(int));
    g->v = ginv_malloc(((size_t)m + 1) * sizeof(int));
    g->w = ginv_malloc(((size_t)m + 1) * sizeof(long long));
    if (!g->u || !g->v || !g->w) {
        ginv_graph_release(g);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    g->n = (int)n;
    g->m = m;
    int e = 0;
    for (const cJSON *x = ed->child; x; x = x->next, e++) {
        int len = cJSON_GetArraySize(x);
        const cJSON *a = cJSON_GetArrayItem(x, 0), *b = cJSON_GetArrayItem(x, 1), *w = cJSON_GetArrayItem(x, 2);
        if (!cJSON_IsArray(x) || (len != 2 && len != 3) || !cJSON_IsNumber(a) || !cJSON_IsNumber(b) ||
            a->valuedouble < 1 || a->valuedouble > n || b->valuedouble < 1 || b->valuedouble > n ||
            a->valuedouble != floor(a->valuedouble) || b->valuedouble != floor(b->valuedouble) ||
            (w && (!cJSON_IsNumber(w) || !(w->valuedouble >= 1 && w->valuedouble <= (double)(1LL << 40)) ||
                   w->valuedouble != floor(w->valuedouble)))) {
            ginv_graph_release(g);
            return bad_source("has an edge that is not [U, V] or [U, V, W] with vertices in 1..n and an "
                              "integer weight in 1..2^40");
        }
        g->u[e] = (int)a->valuedouble - 1;
        g->v[e] = (int)b->valuedouble - 1;
        g->w[e] = w ? (long long)w->valuedouble : 1;
        g->weighted |= w != NULL;
    }
    return GINV_OK;
}

ginv_status ginv_reduce_cvp_from_json(const cJSON *src, ginv_cvp *c)
{
    memset(c, 0, sizeof *c);
    const cJSON *B = cJSON_GetObjectItemCaseSensitive(src, "basis"), *t = cJSON_GetObjectItemCaseSensitive(src, "target");
    if (!cJSON_IsArray(B) || !cJSON_IsArray(t) || cJSON_GetArraySize(B) < 1)
        return bad_source("has no \"basis\" (rows) and \"target\" arrays");
    int n = cJSON_GetArraySize(B), d = cJSON_GetArraySize(t);
    c->basis = ginv_malloc((size_t)n * (d ? d : 1) * sizeof(double));
    c->target = ginv_malloc((size_t)(d ? d : 1) * sizeof(double));
    if (!c->basis || !c->target) {
        ginv_cvp_release(c);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    c->n = n;
    c->d = d;
    int i = 0;
    for (const cJSON *row = B->child; row; row = row->next, i++) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != d) {
            ginv_cvp_release(c);
            return bad_source("has a basis row whose length is not the target's");
        }
        int j = 0;
        for (const cJSON *x = row->child; x; x = x->next, j++) c->basis[(size_t)i * d + j] = x->valuedouble;
    }
    int j = 0;
    for (const cJSON *x = t->child; x; x = x->next, j++) c->target[j] = x->valuedouble;
    return GINV_OK;
}
