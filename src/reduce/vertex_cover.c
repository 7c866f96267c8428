/* vertex_cover.c — Vertex Cover -> approximate l_p inversion (Keles & Hegde
 * 2023, §5.3, the second proof of Theorem 5): one layer, z in {0,1}^n,
 * ReLU(W̄ z + b̄) with W̄ = [W; -W], b̄ = [b; -b], target 0. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

static size_t pair_row(int n, int i, int j) { return (size_t)i * (2 * (size_t)n - i - 1) / 2 + (size_t)(j - i - 1); }

/* §5.3 (is there a vertex cover D of exactly q vertices?), rows of W
 * (C(n,2) + 1 of them, n columns); z_i = 0 iff vertex i is in D:
 *   edge {i, j}:    C_ei = C_ej = 2 alpha,  c_e = -alpha
 *   non-edge:       zero row, bias 0
 *   last row:       beta in every column,  bias -(n - q) beta
 * An edge with s ends outside D contributes |2 s - 1|^p alpha^p: alpha^p if
 * covered (s <= 1), 3^p alpha^p if not. delta^p = Z alpha^p with Z the number
 * of edges. The proof needs only alpha > 0 (we take alpha = 1) and
 * beta^p > delta^p (a set of the wrong size adds beta^p): beta = floor(delta) + 1.
 * A cover of size q sits exactly on ||W z + b||_p = delta, and every other z
 * is at least min((3^p - 1) alpha^p, beta^p) >= 1 above it in ||.||_p^p, so
 * delta is stored rounded up by a relative 1e-12: the YES witnesses survive
 * rounding in a decider and no NO latent comes near. */
ginv_status ginv_reduce_vertex_cover(const ginv_graph *g, int q, int p, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    if (!g || g->n < 2) return ginv_fail(GINV_ERR_ARG, "vertex cover needs a graph of at least 2 vertices");
    int n = g->n;
    if (q < 0 || q > n) return ginv_fail(GINV_ERR_ARG, "cover size q = %d must be in 0..n = %d", q, n);
    if (p < 1 || p > 64) return ginv_fail(GINV_ERR_ARG, "norm p = %d must be an integer in 1..64", p);
    size_t P = (size_t)n * (n - 1) / 2;
    if (P + 1 > (size_t)1 << 24) return ginv_fail(GINV_ERR_UNSUPPORTED, "n = %d vertices make too many pair rows", n);
    double alpha = 1, Z = g->m;
    double dp = Z * pow(alpha, p), delta_paper = pow(dp, 1.0 / p);
    double beta = floor(delta_paper) + 1;
    if (beta * (n - q) >= REDUCE_F32_EXACT)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "(n - q) beta = %g exceeds float32's exact integers", beta * (n - q));
    int rows = (int)P + 1, sizes[2] = {n, 2 * rows};
    ginv_status st = ginv_reduce_net(net, 1, sizes);
    if (st) return st;
    float *W = ginv_reduce_W(*net, 0), *b = ginv_reduce_b(*net, 0);
    for (int e = 0; e < g->m; e++) {
        size_t r = pair_row(n, g->u[e], g->v[e]);
        W[r * n + g->u[e]] = W[r * n + g->v[e]] = 2 * (float)alpha;
        b[r] = -(float)alpha;
    }
    for (int i = 0; i < n; i++) W[(size_t)P * n + i] = (float)beta;
    b[P] = (float)(-(double)(n - q) * beta);
    for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) W[(size_t)(rows + r) * n + i] = -W[(size_t)r * n + i];
        b[rows + r] = -b[r];
    }
    cJSON *s = ginv_reduce_source("vertex-cover", "5 (§5.3)");
    cJSON_AddNumberToObject(s, "n", n);
    cJSON_AddNumberToObject(s, "m", g->m);
    cJSON_AddNumberToObject(s, "size", q);
    cJSON_AddNumberToObject(s, "p", p);
    cJSON_AddNumberToObject(s, "alpha", alpha);
    cJSON_AddNumberToObject(s, "beta", beta);
    cJSON_AddNumberToObject(s, "delta_p", dp);
    cJSON_AddNumberToObject(s, "delta_paper", delta_paper);
    cJSON_AddItemToObject(s, "edges", ginv_reduce_graph_json(g));
    cJSON_AddStringToObject(s, "encoding", "z_i = 0: vertex i in the cover D, 1: not");
    cJSON_AddStringToObject(s, "rows", "pairs {i < j} in lexicographic order, then the size row; then the same negated");
    if ((st = ginv_reduce_problem(pb, 2 * rows, delta_paper * (1 + 1e-12), p, GINV_LATENT_01, s)))
        return ginv_reduce_undo(st, net, pb);
    return GINV_OK;
}
