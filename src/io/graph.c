/* graph.c — DIMACS graphs (the Half-Clique and Vertex Cover instances of
 * Keles & Hegde 2023, Thm 5 and §5.3): a strict and a lenient reader, a
 * writer, G(n, p), the complement, and the clique / vertex-cover checks
 * map-back uses. */
#include "io/dimacs.h"
#include "base/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRAPH_MAX_VERTICES (1 << 24)
#define GRAPH_MAX_EDGES (1 << 27)
#define GRAPH_MAX_WEIGHT (1LL << 40)

void ginv_graph_release(ginv_graph *g)
{
    if (!g) return;
    ginv_free(g->u);
    ginv_free(g->v);
    ginv_free(g->w);
    memset(g, 0, sizeof *g);
}

/* An edge as read, with its line for messages. */
typedef struct {
    int u, v;
    long long w;
    size_t line;
} raw_edge;

static int by_pair_then_line(const void *a, const void *b)
{
    const raw_edge *x = a, *y = b;
    if (x->u != y->u) return x->u < y->u ? -1 : 1;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Parse "U" or "V" of an 'e' line: a vertex number in 1..n. */
static ginv_status vertex(const char *tok, long long n, size_t line, int *out)
{
    char shown[DIMACS_SHOW_MAX];
    long long x;
    if (!ginv_dimacs_is_int(tok)) return ginv_fail(GINV_ERR_FORMAT, "line %zu: '%s' is not a vertex number", line, ginv_dimacs_show(tok, shown));
    if (!ginv_dimacs_int(tok, &x) || x > n)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: vertex %s, but the header declares %lld vertices", line,
                         ginv_dimacs_show(tok, shown), n);
    if (x < 1) return ginv_fail(GINV_ERR_FORMAT, "line %zu: vertex %lld: DIMACS numbers vertices from 1", line, x);
    *out = (int)x - 1;
    return GINV_OK;
}

ginv_status ginv_graph_parse(const char *buf, size_t len, int strict, ginv_graph *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_graph_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_graph_parse: buf is NULL");
    if (len == 0) return ginv_fail(GINV_ERR_FORMAT, "the file is empty (a graph needs a 'p edge VERTICES EDGES' line)");
    raw_edge *E = NULL;
    size_t ne = 0, cap = 0, line = 0, header_line = 0;
    long long n = -1, m = -1;
    int weighted = 0;
    ginv_status st = GINV_OK;
    char tok[DIMACS_TOKEN_MAX], shown[DIMACS_SHOW_MAX];
    size_t i = 0;
    while (i < len && st == GINV_OK) {
        size_t eol = i;
        while (eol < len && buf[eol] != '\n') eol++;
        line++;
        dimacs_line L = {buf + i, eol - i, 0};
        i = eol + 1;
        if (!ginv_dimacs_next(&L, tok, sizeof tok)) continue;
        if (tok[0] == 'c') continue; /* comment */
        if (!strcmp(tok, "p")) {
            char fmt[DIMACS_TOKEN_MAX], a[DIMACS_TOKEN_MAX], b[DIMACS_TOKEN_MAX], extra[DIMACS_TOKEN_MAX];
            if (header_line) {
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: a second 'p' header (the first is on line %zu)", line, header_line);
                break;
            }
            int nt = ginv_dimacs_next(&L, fmt, sizeof fmt) + ginv_dimacs_next(&L, a, sizeof a) + ginv_dimacs_next(&L, b, sizeof b);
            if (nt < 3) st = ginv_fail(GINV_ERR_FORMAT, "line %zu: the header must read 'p edge VERTICES EDGES'", line);
            else if (strcmp(fmt, "edge") && strcmp(fmt, "col"))
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: format '%s' in the header is not 'edge' (or 'col')", line,
                               ginv_dimacs_show(fmt, shown));
            else if (!ginv_dimacs_count(a, GRAPH_MAX_VERTICES, &n) || n < 1)
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: the number of vertices '%s' is not an integer in 1..%d", line,
                               ginv_dimacs_show(a, shown), GRAPH_MAX_VERTICES);
            else if (!ginv_dimacs_count(b, GRAPH_MAX_EDGES, &m))
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: the number of edges '%s' is not an integer in 0..%d", line,
                               ginv_dimacs_show(b, shown), GRAPH_MAX_EDGES);
            else if (ginv_dimacs_next(&L, extra, sizeof extra))
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: text '%s' after 'p %s %lld %lld'", line, ginv_dimacs_show(extra, shown),
                               fmt, n, m);
            header_line = line;
            continue;
        }
        if (!strcmp(tok, "n")) {
            if (strict)
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: vertex weights ('n' lines) are not used by the "
                                                "reductions (lenient mode ignores them)", line);
            continue;
        }
        if (strcmp(tok, "e")) {
            st = ginv_fail(GINV_ERR_FORMAT, "line %zu: a line starting with '%s' is none of 'c', 'p', 'e', 'n'", line,
                           ginv_dimacs_show(tok, shown));
            break;
        }
        if (!header_line) {
            st = ginv_fail(GINV_ERR_FORMAT, "line %zu: an edge comes before the 'p edge' header", line);
            break;
        }
        char a[DIMACS_TOKEN_MAX], b[DIMACS_TOKEN_MAX], c[DIMACS_TOKEN_MAX], extra[DIMACS_TOKEN_MAX];
        int nt = ginv_dimacs_next(&L, a, sizeof a) + ginv_dimacs_next(&L, b, sizeof b);
        int has_w = nt == 2 && ginv_dimacs_next(&L, c, sizeof c);
        nt += has_w;
        if (nt == 3)
            while (ginv_dimacs_next(&L, extra, sizeof extra)) nt++;
        if (nt < 2 || nt > 3) {
            st = ginv_fail(GINV_ERR_FORMAT, "line %zu: an edge line must read 'e U V' or 'e U V WEIGHT', not 'e' "
                                            "and %d field%s", line, nt, nt == 1 ? "" : "s");
            break;
        }
        raw_edge e = {0, 0, 1, line};
        if ((st = vertex(a, n, line, &e.u)) != GINV_OK || (st = vertex(b, n, line, &e.v)) != GINV_OK) break;
        if (e.u == e.v) {
            st = ginv_fail(GINV_ERR_FORMAT, "line %zu: self-loop on vertex %d (the reductions take simple graphs)", line, e.u + 1);
            break;
        }
        if (has_w) {
            long long w;
            if (!ginv_dimacs_is_int(c) || c[0] == '-' || !ginv_dimacs_count(c, GRAPH_MAX_WEIGHT, &w) || w < 1) {
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: edge weight '%s' is not an integer in 1..%lld", line,
                               ginv_dimacs_show(c, shown), GRAPH_MAX_WEIGHT);
                break;
            }
            e.w = w;
            weighted = 1;
        }
        if (e.u > e.v) { int t = e.u; e.u = e.v; e.v = t; }
        if (ne >= GRAPH_MAX_EDGES) {
            st = ginv_fail(GINV_ERR_FORMAT, "line %zu: more than %d edges", line, GRAPH_MAX_EDGES);
            break;
        }
        if (ne == cap) {
            size_t nc = cap ? 2 * cap : 256;
            raw_edge *p = ginv_realloc(E, nc * sizeof *E);
            if (!p) { st = ginv_fail(GINV_ERR_NOMEM, "out of memory reading a graph"); break; }
            E = p;
            cap = nc;
        }
        E[ne++] = e;
    }
    if (st == GINV_OK && !header_line) st = ginv_fail(GINV_ERR_FORMAT, "no 'p edge VERTICES EDGES' header");
    if (st == GINV_OK && strict && (long long)ne != m)
        st = ginv_fail(GINV_ERR_FORMAT, "the header (line %zu) declares %lld edges but the file has %zu edge lines",
                       header_line, m, ne);
    size_t kept = 0;
    if (st == GINV_OK && ne) {
        /* repeated edges (either orientation): strict refuses, lenient merges */
        qsort(E, ne, sizeof *E, by_pair_then_line);
        /* report the offending repeat that comes earliest in the file: strict,
         * any repeat; lenient, a repeat with another weight */
        size_t bad = 0;
        for (size_t j = 1; j < ne; j++)
            if (E[j].u == E[j - 1].u && E[j].v == E[j - 1].v && (strict || E[j].w != E[j - 1].w) &&
                (!bad || E[j].line < E[bad].line))
                bad = j;
        if (bad && strict)
            st = ginv_fail(GINV_ERR_FORMAT, "edge %d-%d appears twice (lines %zu and %zu)", E[bad].u + 1,
                           E[bad].v + 1, E[bad - 1].line, E[bad].line);
        else if (bad)
            st = ginv_fail(GINV_ERR_FORMAT, "edge %d-%d appears twice with different weights (%lld on line %zu, "
                                            "%lld on line %zu)", E[bad].u + 1, E[bad].v + 1, E[bad - 1].w,
                           E[bad - 1].line, E[bad].w, E[bad].line);
        for (size_t j = 0; j < ne && st == GINV_OK; j++)
            if (!j || E[j].u != E[kept - 1].u || E[j].v != E[kept - 1].v) E[kept++] = E[j];
    }
    if (st == GINV_OK) {
        out->n = (int)n;
        out->m = (int)kept;
        out->weighted = weighted;
        out->u = ginv_malloc((kept + 1) * sizeof(int));
        out->v = ginv_malloc((kept + 1) * sizeof(int));
        out->w = ginv_malloc((kept + 1) * sizeof(long long));
        if (!out->u || !out->v || !out->w) {
            ginv_graph_release(out);
            st = ginv_fail(GINV_ERR_NOMEM, "out of memory reading a graph");
        } else {
            for (size_t j = 0; j < kept; j++) {
                out->u[j] = E[j].u;
                out->v[j] = E[j].v;
                out->w[j] = E[j].w;
            }
        }
    }
    ginv_free(E);
    return st;
}

ginv_status ginv_graph_read(const char *path, int strict, ginv_graph *out)
{
    if (out) memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(path, (size_t)1 << 31, &buf, &len);
    if (st != GINV_OK) return st;
    st = ginv_graph_parse((const char *)buf, len, strict, out);
    ginv_free(buf);
    return st == GINV_OK ? GINV_OK : ginv_dimacs_prefix_path(st, path);
}

ginv_status ginv_graph_write(const char *path, const ginv_graph *g, const char *comment)
{
    GINV_NONNULL(path);
    GINV_NONNULL(g);
    dimacs_text t = {0};
    if (comment) ginv_dimacs_comment(&t, comment);
    ginv_dimacs_printf(&t, "p edge %d %d\n", g->n, g->m);
    for (int e = 0; e < g->m; e++) {
        if (g->weighted) ginv_dimacs_printf(&t, "e %d %d %lld\n", g->u[e] + 1, g->v[e] + 1, g->w[e]);
        else ginv_dimacs_printf(&t, "e %d %d\n", g->u[e] + 1, g->v[e] + 1);
    }
    return ginv_dimacs_text_save(&t, path);
}

ginv_status ginv_graph_random(ginv_graph *out, int n, double p, long long max_weight, uint64_t seed)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    if (n < 1 || n > 65536) return ginv_fail(GINV_ERR_ARG, "random graph: n = %d must be in 1..65536", n);
    if (!(p >= 0 && p <= 1)) return ginv_fail(GINV_ERR_ARG, "random graph: edge probability %g must be in [0, 1]", p);
    if (max_weight < 1 || max_weight > GRAPH_MAX_WEIGHT)
        return ginv_fail(GINV_ERR_ARG, "random graph: max weight %lld must be in 1..%lld", max_weight, GRAPH_MAX_WEIGHT);
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_GRAPH, 0);
    size_t pairs = (size_t)n * (n - 1) / 2, m = 0;
    if (pairs > GRAPH_MAX_EDGES) return ginv_fail(GINV_ERR_ARG, "random graph: n = %d has too many pairs", n);
    unsigned char *keep = ginv_malloc(pairs + 1);
    if (!keep) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (size_t e = 0; e < pairs; e++) m += keep[e] = ginv_rng_uniform(&r) < p; /* pairs in (i, j), i < j order */
    out->u = ginv_malloc((m + 1) * sizeof(int));
    out->v = ginv_malloc((m + 1) * sizeof(int));
    out->w = ginv_malloc((m + 1) * sizeof(long long));
    if (!out->u || !out->v || !out->w) {
        ginv_free(keep);
        ginv_graph_release(out);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    size_t e = 0, k = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++, e++)
            if (keep[e]) {
                out->u[k] = i;
                out->v[k] = j;
                out->w[k] = max_weight > 1 ? 1 + (long long)ginv_rng_below(&r, (uint64_t)max_weight) : 1;
                k++;
            }
    ginv_free(keep);
    out->n = n;
    out->m = (int)m;
    out->weighted = max_weight > 1;
    return GINV_OK;
}

ginv_status ginv_graph_complement(const ginv_graph *g, ginv_graph *out)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    GINV_NONNULL(g);
    if (g->n < 1 || g->n > 65536) return ginv_fail(GINV_ERR_ARG, "graph complement: n = %d must be in 1..65536", g->n);
    int n = g->n;
    size_t pairs = (size_t)n * (n - 1) / 2;
    if (pairs > GRAPH_MAX_EDGES) return ginv_fail(GINV_ERR_ARG, "graph complement: n = %d has too many pairs", n);
    unsigned char *edge = ginv_calloc(pairs + 1, 1); /* pair (i, j), i < j, at i n - i (i + 1) / 2 + j - i - 1 */
    if (!edge) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    size_t m = pairs;
    for (int e = 0; e < g->m; e++) {
        int i = g->u[e] < g->v[e] ? g->u[e] : g->v[e], j = g->u[e] < g->v[e] ? g->v[e] : g->u[e];
        if (i < 0 || j >= n || i == j) {
            ginv_free(edge);
            return ginv_fail(GINV_ERR_ARG, "graph complement: edge %d (%d, %d) is not between two vertices of 0..%d",
                             e, g->u[e], g->v[e], n - 1);
        }
        size_t at = (size_t)i * n - (size_t)i * (i + 1) / 2 + (size_t)(j - i - 1);
        m -= !edge[at];
        edge[at] = 1;
    }
    out->u = ginv_malloc((m + 1) * sizeof(int));
    out->v = ginv_malloc((m + 1) * sizeof(int));
    out->w = ginv_malloc((m + 1) * sizeof(long long));
    if (!out->u || !out->v || !out->w) {
        ginv_free(edge);
        ginv_graph_release(out);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    size_t at = 0, k = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++, at++)
            if (!edge[at]) {
                out->u[k] = i;
                out->v[k] = j;
                out->w[k] = 1;
                k++;
            }
    ginv_free(edge);
    out->n = n;
    out->m = (int)m;
    return GINV_OK;
}

int ginv_graph_is_clique(const ginv_graph *g, const unsigned char *in)
{
    long long k = 0, inside = 0;
    for (int i = 0; i < g->n; i++) k += in[i] != 0;
    for (int e = 0; e < g->m; e++) inside += in[g->u[e]] && in[g->v[e]];
    return inside == k * (k - 1) / 2; /* simple graph: every pair of the set is an edge */
}

int ginv_graph_is_vertex_cover(const ginv_graph *g, const unsigned char *in)
{
    for (int e = 0; e < g->m; e++)
        if (!in[g->u[e]] && !in[g->v[e]]) return 0;
    return 1;
}

long long ginv_graph_set_weight(const ginv_graph *g, const unsigned char *in)
{
    long long s = 0;
    for (int e = 0; e < g->m; e++)
        if (in[g->u[e]] && in[g->v[e]]) s += g->w[e];
    return s;
}
