/* witness.c — map-back: read a latent z of a reduced net as the object the
 * proof encodes (an assignment, a coefficient vector, a vertex set), check
 * it against the original instance stored in the problem's "source", and
 * the other way, encode a certificate as the latent the proof builds. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

ginv_status ginv_reduce_forward(const ginv_net *net, const double *z, double *x)
{
    GINV_NONNULL(net);
    GINV_NONNULL(z);
    GINV_NONNULL(x);
    int L = ginv_net_nlayers(net), w = ginv_net_in(net), maxw = w;
    for (int l = 0; l < L; l++) {
        const ginv_layer *ly = ginv_net_layer_c(net, l);
        if (ly->kind == GINV_LAYER_DENSE && ly->out > maxw) maxw = ly->out;
    }
    double *a = ginv_malloc(2 * (size_t)maxw * sizeof(double));
    if (!a) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double *cur = a, *nxt = a + maxw;
    memcpy(cur, z, (size_t)w * sizeof(double));
    for (int l = 0; l < L; l++) {
        const ginv_layer *ly = ginv_net_layer_c(net, l);
        if (ly->kind == GINV_LAYER_DENSE) {
            for (int o = 0; o < ly->out; o++) {
                const float *row = ly->W + (size_t)o * ly->in;
                double s = ly->bias && ly->b ? ly->b[o] : 0;
                for (int i = 0; i < ly->in; i++) s += (double)row[i] * cur[i];
                nxt[o] = s;
            }
            double *t = cur;
            cur = nxt;
            nxt = t;
            w = ly->out;
        } else if (ly->kind == GINV_LAYER_RELU) {
            for (int i = 0; i < w; i++) cur[i] = cur[i] > 0 ? cur[i] : 0;
        } else if (ly->kind != GINV_LAYER_IDENTITY) {
            ginv_free(a);
            return ginv_fail(GINV_ERR_UNSUPPORTED, "layer %d is %s; reduced nets have only dense and relu layers", l,
                             ginv_layer_kind_name(ly->kind));
        }
    }
    memcpy(x, cur, (size_t)w * sizeof(double));
    ginv_free(a);
    return GINV_OK;
}

void ginv_witness_release(ginv_witness *w)
{
    if (!w) return;
    ginv_free(w->object);
    memset(w, 0, sizeof *w);
}

/* The source object, its kind and theorem. */
static ginv_status load_source(const ginv_problem *pb, cJSON **src, const char **kind, const char **thm)
{
    *src = pb->source_json ? cJSON_Parse(pb->source_json) : NULL;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(*src, "kind"), *t = cJSON_GetObjectItemCaseSensitive(*src, "theorem");
    if (!cJSON_IsString(k) || !cJSON_IsString(t)) {
        cJSON_Delete(*src);
        *src = NULL;
        return ginv_fail(GINV_ERR_FORMAT, "the problem has no \"source\" with a \"kind\" and \"theorem\" "
                                          "(was it made by 'ginv reduce'?)");
    }
    *kind = k->valuestring;
    *thm = t->valuestring;
    if (strcmp(*kind, "sat") && strcmp(*kind, "cvp") && strcmp(*kind, "half-clique") && strcmp(*kind, "vertex-cover")) {
        ginv_status st = ginv_fail(GINV_ERR_UNSUPPORTED, "the problem's source kind '%s' has no map-back", *kind);
        cJSON_Delete(*src);
        *src = NULL;
        return st;
    }
    return GINV_OK;
}

static double num(const cJSON *src, const char *key, double dflt)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(src, key);
    if (cJSON_IsNumber(x)) return x->valuedouble;
    if (cJSON_IsString(x) && !strcmp(x->valuestring, "inf")) return INFINITY;
    return dflt;
}

/* An integer field of the source, or dflt when it is absent, not a number
 * or outside [lo, hi] (so that no conversion of a hostile double to an
 * integer type is undefined). */
static long long inum(const cJSON *src, const char *key, long long dflt, long long lo, long long hi)
{
    double v = num(src, key, NAN);
    if (!(v >= (double)lo && v <= (double)hi)) return dflt;
    return (long long)v;
}

/* The latent size each theorem's net takes for this source (-1: no valid
 * "n", which matches no net). */
static int latent_size(const char *kind, const cJSON *src)
{
    int n = (int)inum(src, "n", -1, 0, 1 << 24);
    return n < 0 ? -1 : !strcmp(kind, "cvp") ? 2 * n : n;
}

static int is01(double v) { return v == 0 || v == 1; }

static void map_sat(const cJSON *src, const char *thm, const double *z, ginv_witness *w, const ginv_cnf *f)
{
    int real = !strcmp(thm, "2");
    w->encoding_ok = 1;
    for (int i = 0; i < f->nvars; i++) {
        double v = real ? fmin(fmax(z[i], -1), 1) : z[i];
        w->encoding_ok &= v == 1 || v == -1;
        w->object[i] = v > 0;
    }
    int unsat = 0, first = -1;
    for (int c = 0; c < f->nclauses; c++) {
        int sat = 0;
        for (int q = f->start[c]; q < f->start[c + 1] && !sat; q++) {
            int l = f->lits[q];
            sat = l > 0 ? w->object[l - 1] : !w->object[-l - 1];
        }
        if (!sat && !unsat++) first = c;
    }
    w->value = unsat;
    w->solves = unsat == 0;
    if (first >= 0) {
        int len = snprintf(w->why, sizeof w->why, "clause %d (", first + 1);
        for (int q = f->start[first]; q < f->start[first + 1] && len < (int)sizeof w->why - 16; q++)
            len += snprintf(w->why + len, sizeof w->why - len, q > f->start[first] ? " %d" : "%d", f->lits[q]);
        snprintf(w->why + len, sizeof w->why - len, ") is unsatisfied; %d of %d clauses are", unsat, f->nclauses);
    }
}

static void map_cvp(const cJSON *src, const char *thm, const double *z, ginv_witness *w, const ginv_cvp *c)
{
    int real = thm[0] == '4';
    double r = num(src, "radius", 0), p = num(src, "p", 2), B = num(src, "box", 1), h = num(src, "half", 0.5);
    double band = num(src, "delta_no", r); /* Gap-CVP_gamma: the bands are gamma r wide */
    w->encoding_ok = 1;
    for (int i = 0; i < c->n; i++) {
        int bit[2];
        for (int s = 0; s < 2; s++) {
            double v = z[2 * i + s];
            if (real) {
                v = fmin(fmax(v, 0), B);
                w->encoding_ok &= v <= band || v >= B - band;
                bit[s] = v > h;
            } else {
                w->encoding_ok &= is01(v);
                bit[s] = v > 0.5;
            }
        }
        w->encoding_ok &= bit[0] != bit[1];
        w->object[i] = bit[0];
    }
    w->value = ginv_cvp_dist(c, w->object, p);
    w->solves = w->value <= r;
    if (!w->solves)
        snprintf(w->why, sizeof w->why, "||B y - t||_%s = %.17g exceeds the radius %.17g", isinf(p) ? "inf" : "p", w->value, r);
}

static void map_graph(const cJSON *src, int cover, const double *z, ginv_witness *w, const ginv_graph *g)
{
    unsigned char *in = ginv_malloc((size_t)g->n);
    if (!in) return;
    int size = 0;
    /* real latents (Thm 6, §5.3 behind the same front end: a "clamp" in the
     * source): v = clamp(z, 0, box) reads as the bit v > half; an encoding has
     * every v_i in a band [0, delta] or [box - delta, box] */
    int real = cJSON_HasObjectItem(src, "clamp");
    double B = num(src, "box", 1), h = num(src, "half", 0.5), dl = num(src, "delta", 0);
    w->encoding_ok = 1;
    for (int i = 0; i < g->n; i++) {
        double v = real ? fmin(fmax(z[i], 0), B) : z[i];
        w->encoding_ok &= real ? v <= dl || v >= B - dl : is01(v);
        int one = real ? v > h : v > 0.5;
        in[i] = (unsigned char)(cover ? !one : one); /* vertex cover: z_i = 0 puts i in D */
        w->object[i] = in[i];
        size += in[i];
    }
    if (cover) {
        int q = (int)inum(src, "size", -1, 0, 1 << 24), ok = ginv_graph_is_vertex_cover(g, in);
        w->value = size;
        w->solves = ok && size == q;
        if (!ok) {
            for (int e = 0; e < g->m; e++)
                if (!in[g->u[e]] && !in[g->v[e]]) {
                    snprintf(w->why, sizeof w->why, "edge %d-%d is not covered", g->u[e] + 1, g->v[e] + 1);
                    break;
                }
        } else if (size != q) {
            snprintf(w->why, sizeof w->why, "the cover has %d vertices, not %d", size, q);
        }
    } else {
        long long M = inum(src, "bound", 0, 0, 1LL << 62);
        int clique = ginv_graph_is_clique(g, in);
        long long wt = ginv_graph_set_weight(g, in);
        w->value = clique && 2 * size == g->n ? (double)wt : NAN;
        w->solves = clique && 2 * size == g->n && wt < M;
        if (2 * size != g->n) snprintf(w->why, sizeof w->why, "the set has %d vertices, not n/2 = %d", size, g->n / 2);
        else if (!clique) snprintf(w->why, sizeof w->why, "the set is not a clique");
        else if (wt >= M) snprintf(w->why, sizeof w->why, "the clique weighs %lld, not less than %lld", wt, M);
    }
    ginv_free(in);
}

ginv_status ginv_reduce_map_back(const ginv_net *net, const ginv_problem *pb, const double *z, ginv_witness *w)
{
    GINV_NONNULL(w);
    memset(w, 0, sizeof *w);
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    GINV_NONNULL(z);
    cJSON *src;
    const char *kind, *thm;
    ginv_status st = load_source(pb, &src, &kind, &thm);
    if (st) return st;
    int k = ginv_net_in(net);
    int want = latent_size(kind, src);
    if (want != k || pb->n != ginv_net_out(net)) {
        /* the message reads kind, which lives in src: fail before freeing it */
        st = ginv_fail(GINV_ERR_SHAPE, "the net (%d -> %d) does not match its problem's source (%s, latent %d, "
                                       "target %d)", k, ginv_net_out(net), kind, want, pb->n);
        cJSON_Delete(src);
        return st;
    }
    for (int i = 0; i < k; i++)
        if (!isfinite(z[i])) {
            cJSON_Delete(src);
            return ginv_fail(GINV_ERR_NUMERIC, "latent z[%d] is not finite", i);
        }
    double *x = ginv_malloc((size_t)pb->n * sizeof(double));
    if (!x) {
        cJSON_Delete(src);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    st = ginv_reduce_forward(net, z, x);
    if (st == GINV_OK) {
        w->dist = ginv_dist_p(pb->n, x, pb->target, pb->p);
        w->within = pb->p == GINV_NORM_EXACT ? w->dist == 0 : w->dist <= pb->delta;
    }
    ginv_free(x);
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    union { ginv_cnf f; ginv_cvp c; ginv_graph g; } inst;
    int is_sat = !strcmp(kind, "sat"), is_cvp = !strcmp(kind, "cvp");
    if (st == GINV_OK)
        st = is_sat ? ginv_reduce_cnf_from_json(src, &inst.f) : is_cvp ? ginv_reduce_cvp_from_json(src, &inst.c)
                                                                  : ginv_reduce_graph_from_json(src, &inst.g);
    if (st == GINV_OK && (is_sat ? inst.f.nvars : is_cvp ? 2 * inst.c.n : inst.g.n) != k) {
        /* "n" sized the latent check above; the instance itself must agree
         * (map_* read z by the instance's size) */
        st = ginv_fail(GINV_ERR_FORMAT, "the problem's source is inconsistent: its \"n\" gives a latent of %d "
                       "but its %s has %d %s", k, is_sat ? "formula" : is_cvp ? "basis" : "graph",
                       is_sat ? inst.f.nvars : is_cvp ? inst.c.n : inst.g.n,
                       is_sat ? "variables" : is_cvp ? "rows" : "vertices");
        if (is_sat) ginv_cnf_release(&inst.f);
        else if (is_cvp) ginv_cvp_release(&inst.c);
        else ginv_graph_release(&inst.g);
    }
    if (st == GINV_OK) {
        w->size = is_sat ? inst.f.nvars : is_cvp ? inst.c.n : inst.g.n;
        w->object = ginv_calloc((size_t)w->size + 1, sizeof(int));
        if (!w->object) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else if (is_sat) map_sat(src, thm, z, w, &inst.f);
        else if (is_cvp) map_cvp(src, thm, z, w, &inst.c);
        else map_graph(src, !strcmp(kind, "vertex-cover"), z, w, &inst.g);
        if (is_sat) ginv_cnf_release(&inst.f);
        else if (is_cvp) ginv_cvp_release(&inst.c);
        else ginv_graph_release(&inst.g);
    }
    cJSON_Delete(src);
    if (st != GINV_OK) ginv_witness_release(w);
    return st;
}

ginv_status ginv_reduce_encode(const ginv_problem *pb, int size, const int *object, double *z, int k)
{
    GINV_NONNULL(pb);
    GINV_NONNULL(object);
    GINV_NONNULL(z);
    cJSON *src;
    const char *kind, *thm;
    ginv_status st = load_source(pb, &src, &kind, &thm);
    if (st) return st;
    int n = (int)inum(src, "n", -1, 0, 1 << 24);
    if (size != n || latent_size(kind, src) != k) {
        st = ginv_fail(GINV_ERR_SHAPE, "a %s certificate has %d entries (got %d) and a latent %d (got %d)", kind, n,
                       size, latent_size(kind, src), k);
        cJSON_Delete(src);
        return st;
    }
    for (int i = 0; i < size; i++)
        if (object[i] != 0 && object[i] != 1) {
            cJSON_Delete(src);
            return ginv_fail(GINV_ERR_ARG, "certificate entry %d is %d; entries must be 0 or 1", i + 1, object[i]);
        }
    if (!strcmp(kind, "sat")) {
        for (int i = 0; i < n; i++) z[i] = object[i] ? 1 : -1; /* Thms 1-2: +1 true, -1 false */
    } else if (!strcmp(kind, "cvp")) {
        double B = thm[0] == '4' ? num(src, "box", 1) : 1; /* Thm 4's v_i in {0, B} */
        for (int i = 0; i < n; i++) {
            z[2 * i] = object[i] ? B : 0;
            z[2 * i + 1] = object[i] ? 0 : B;
        }
    } else {
        /* Thm 5 and §5.3: z in {0,1}^n; behind the real front end (Thm 6):
         * v_i in {0, B} */
        double B = cJSON_HasObjectItem(src, "clamp") ? num(src, "box", 1) : 1;
        int cover = !strcmp(kind, "vertex-cover");
        for (int i = 0; i < n; i++) z[i] = (cover ? !object[i] : object[i]) ? B : 0; /* §5.3: z_i = 0 iff i in D */
    }
    cJSON_Delete(src);
    return GINV_OK;
}
