/* independent_set.c — a maximum independent set of a small graph (n <= 64)
 * by branch and bound on a vertex of largest degree: the exact answer beside
 * which `experiment hardness` sets its vertex-cover instances (the vertex
 * cover number is n minus the independence number) and the complement's
 * maximum clique cliquer reports. Vertex sets are 64-bit masks. */
#include "ginv.h"
#include "base/check_internal.h"

#include <stdint.h>
#include <string.h>

typedef struct {
    const uint64_t *adj; /* adj[v]: v's neighbours */
    uint64_t best;       /* the largest independent set found */
    int best_size;
} mis_search;

static int popcount64(uint64_t x) { return __builtin_popcountll(x); }

/* Extend `chosen` (independent) by vertices of `mask` (none adjacent to it). */
static void mis_branch(mis_search *s, uint64_t mask, uint64_t chosen)
{
    int have = popcount64(chosen);
    if (have + popcount64(mask) <= s->best_size) return; /* cannot beat the best */
    int v_best = -1, deg_best = -1;
    for (int v = 0; v < 64; v++)
        if (mask >> v & 1) {
            int d = popcount64(s->adj[v] & mask);
            if (d > deg_best) deg_best = d, v_best = v;
        }
    if (deg_best <= 0) { /* no edges left (or nothing left): take every vertex */
        s->best = chosen | mask;
        s->best_size = have + popcount64(mask);
        return;
    }
    uint64_t without = mask & ~(1ULL << v_best);
    mis_branch(s, without & ~s->adj[v_best], chosen | 1ULL << v_best); /* v in the set */
    mis_branch(s, without, chosen);                                    /* v left out */
}

ginv_status ginv_graph_max_independent_set(const ginv_graph *g, unsigned char *in, int *size)
{
    GINV_NONNULL(g);
    GINV_NONNULL(size);
    *size = 0;
    if (g->n < 0 || g->n > 64)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "maximum independent set: %d vertices, at most 64 supported", g->n);
    uint64_t adj[64] = {0};
    for (int e = 0; e < g->m; e++) {
        if (g->u[e] < 0 || g->u[e] >= g->n || g->v[e] < 0 || g->v[e] >= g->n || g->u[e] == g->v[e])
            return ginv_fail(GINV_ERR_ARG, "maximum independent set: edge %d (%d, %d) is not between two vertices of 0..%d",
                             e, g->u[e], g->v[e], g->n - 1);
        adj[g->u[e]] |= 1ULL << g->v[e];
        adj[g->v[e]] |= 1ULL << g->u[e];
    }
    mis_search s = {adj, 0, -1};
    mis_branch(&s, g->n == 64 ? ~0ULL : (1ULL << g->n) - 1, 0);
    *size = s.best_size < 0 ? 0 : s.best_size;
    if (in)
        for (int v = 0; v < g->n; v++) in[v] = (unsigned char)(s.best >> v & 1);
    return GINV_OK;
}
