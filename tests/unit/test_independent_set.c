/* test_independent_set.c — the exact graph answers `experiment hardness`
 * builds its vertex-cover instances on: the maximum independent set against
 * brute force over every vertex subset, and the complement graph cliquer
 * reads, against the definition pair by pair. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* the largest independent set by trying all 2^n subsets (n <= 16) */
static int brute_independence(const ginv_graph *g)
{
    int best = 0;
    for (long mask = 0; mask < (1L << g->n); mask++) {
        int ok = 1;
        for (int e = 0; e < g->m && ok; e++) ok = !((mask >> g->u[e] & 1) && (mask >> g->v[e] & 1));
        if (ok && __builtin_popcountl(mask) > best) best = __builtin_popcountl(mask);
    }
    return best;
}

static int is_independent(const ginv_graph *g, const unsigned char *in)
{
    for (int e = 0; e < g->m; e++)
        if (in[g->u[e]] && in[g->v[e]]) return 0;
    return 1;
}

TEST(max_independent_set_matches_brute_force_on_random_graphs)
{
    /* G(n, p) for n = 1..14 at sparse, even and dense p: the size equals the
     * brute-force optimum and the set returned is independent and that large */
    int checked = 0;
    for (int n = 1; n <= 14; n++)
        for (int pi = 0; pi < 3; pi++) {
            double p = (double[]){0.2, 0.5, 0.8}[pi];
            ginv_graph g;
            CHECK_OK(ginv_graph_random(&g, n, p, 1, (uint64_t)(100 * n + pi)));
            unsigned char in[64];
            int alpha = -1, size = 0;
            CHECK_OK(ginv_graph_max_independent_set(&g, in, &alpha));
            for (int v = 0; v < n; v++) size += in[v];
            int want = brute_independence(&g);
            CHECK_MSG(alpha == want, "n %d p %g: alpha %d, brute force %d", n, p, alpha, want);
            CHECK_MSG(size == alpha && is_independent(&g, in), "n %d p %g: the set returned is not a maximum independent set", n, p);
            ginv_graph_release(&g);
            checked++;
        }
    CHECK(checked == 42);
}

TEST(max_independent_set_knows_the_edge_cases)
{
    /* no edges: every vertex; a complete graph: one vertex; a path of 5: 3;
     * 64 vertices still work; 65 are refused */
    ginv_graph g;
    int alpha;
    CHECK_OK(ginv_graph_random(&g, 64, 0.0, 1, 1));
    CHECK_OK(ginv_graph_max_independent_set(&g, NULL, &alpha));
    CHECK(alpha == 64);
    ginv_graph_release(&g);
    CHECK_OK(ginv_graph_random(&g, 9, 1.0, 1, 1));
    CHECK_OK(ginv_graph_max_independent_set(&g, NULL, &alpha));
    CHECK(alpha == 1);
    ginv_graph_release(&g);
    int u[4] = {0, 1, 2, 3}, v[4] = {1, 2, 3, 4};
    long long w[4] = {1, 1, 1, 1};
    ginv_graph path = {5, 4, u, v, w, 0};
    CHECK_OK(ginv_graph_max_independent_set(&path, NULL, &alpha));
    CHECK(alpha == 3);
    CHECK_OK(ginv_graph_random(&g, 65, 0.5, 1, 1));
    CHECK(ginv_graph_max_independent_set(&g, NULL, &alpha) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "65 vertices"));
    ginv_graph_release(&g);
}

TEST(graph_complement_holds_exactly_the_missing_pairs)
{
    /* every pair i < j is an edge of exactly one of g and its complement; the
     * complement's largest clique is g's independence number */
    ginv_graph g, c;
    CHECK_OK(ginv_graph_random(&g, 12, 0.4, 1, 5));
    CHECK_OK(ginv_graph_complement(&g, &c));
    CHECK(c.n == 12 && c.m == 66 - g.m && !c.weighted);
    unsigned char in_g[12 * 12] = {0}, in_c[12 * 12] = {0};
    for (int e = 0; e < g.m; e++) in_g[g.u[e] * 12 + g.v[e]] = 1;
    int ordered = 1;
    for (int e = 0; e < c.m; e++) {
        in_c[c.u[e] * 12 + c.v[e]] = 1;
        ordered &= c.u[e] < c.v[e] && (e == 0 || c.u[e - 1] * 12 + c.v[e - 1] < c.u[e] * 12 + c.v[e]);
    }
    int partition = 1;
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++) partition &= in_g[i * 12 + j] + in_c[i * 12 + j] == 1;
    CHECK(partition && ordered);
    unsigned char set[12];
    int alpha;
    CHECK_OK(ginv_graph_max_independent_set(&g, set, &alpha));
    CHECK(ginv_graph_is_clique(&c, set));
    /* the complement of the complement is g again */
    ginv_graph cc;
    CHECK_OK(ginv_graph_complement(&c, &cc));
    CHECK(cc.m == g.m && !memcmp(cc.u, g.u, sizeof(int) * g.m) && !memcmp(cc.v, g.v, sizeof(int) * g.m));
    ginv_graph_release(&cc);
    ginv_graph_release(&c);
    ginv_graph_release(&g);
}
