/* fuzz_graph.c — libFuzzer target: ginv_graph_parse on arbitrary bytes,
 * strict and lenient, must return a status without crashing or leaking; on
 * success the edges are simple (u < v < n, no repeats, weights >= 1), every
 * strict success is a lenient success with the same graph, and the clique
 * and cover checks run. */
#include "ginv.h"

#include <stdlib.h>
#include <string.h>

static void check_graph(const ginv_graph *g)
{
    if (g->n < 1 || g->m < 0) abort();
    for (int e = 0; e < g->m; e++) {
        if (g->u[e] < 0 || g->u[e] >= g->v[e] || g->v[e] >= g->n || g->w[e] < 1) abort();
        if (e && (g->u[e] < g->u[e - 1] || (g->u[e] == g->u[e - 1] && g->v[e] <= g->v[e - 1]))) abort();
    }
    if (g->n <= 4096) {
        unsigned char *all = malloc((size_t)g->n);
        memset(all, 1, (size_t)g->n);
        if (!ginv_graph_is_vertex_cover(g, all)) abort(); /* every vertex covers every edge */
        if (ginv_graph_set_weight(g, all) < g->m) abort();
        (void)ginv_graph_is_clique(g, all);
        free(all);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_graph strict, lenient;
    ginv_status s = ginv_graph_parse((const char *)data, size, 1, &strict);
    ginv_status l = ginv_graph_parse((const char *)data, size, 0, &lenient);
    if (s == GINV_OK) check_graph(&strict);
    if (l == GINV_OK) check_graph(&lenient);
    if (s == GINV_OK && (l != GINV_OK || strict.m != lenient.m || strict.n != lenient.n ||
                         memcmp(strict.u, lenient.u, sizeof(int) * strict.m) ||
                         memcmp(strict.v, lenient.v, sizeof(int) * strict.m)))
        abort();
    ginv_graph_release(&strict);
    ginv_graph_release(&lenient);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
