/* clique.c — Half-Clique -> approximate l_p inversion (Keles & Hegde 2023,
 * Theorem 5): one layer, z in {0,1}^n, layer ReLU(W z + b) with the Thm 3
 * trick W̄ = [W; -W], b̄ = [b; -b] so that ||G(z) - 0||_p = ||W z + b||_p. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

/* Row of the pair {i, j}, i < j, in lexicographic order of the C(n,2) pairs. */
static size_t pair_row(int n, int i, int j) { return (size_t)i * (2 * (size_t)n - i - 1) / 2 + (size_t)(j - i - 1); }

/* Thm 5 (weighted Half-Clique: is there a clique of n/2 vertices whose edges
 * weigh less than M in total?), rows of W (C(n,2) + 1 of them, n columns):
 *   edge e = {i, j}, weight w_e:  C_ei = C_ej = 2 w_e^{1/p},  c_e = -w_e^{1/p}
 *   non-edge {i, j}:              C_ei = C_ej = 2 alpha,      c_e = -alpha
 *   last row:                     beta in every column,       bias -(n/2) beta
 * A pair with s of its ends in the set contributes |2 s - 1|^p times w_e (or
 * alpha^p): 1 for s = 0 or 1, 3^p for s = 2. With Z non-edges,
 *   delta^p = sum_E w_e + alpha^p Z + (3^p - 1) M'.
 * The paper proves "< M" with a strict "< delta"; ginv's problems are
 * "<= delta", and for integer weights "weight < M" is "weight <= M - 1/2",
 * so M' = M - 1/2 (a margin of (3^p - 1)/2 in ||.||^p on each side).
 * alpha: a non-edge inside the set adds (3^p - 1) alpha^p, which must exceed
 * the slack (3^p - 1) M': alpha^p > M'; the smallest such integer.
 * beta > delta: a set of the wrong size adds beta^p > delta^p on its own.
 * w_e^{1/p} is stored as float32; delta^p uses the stored values' p-th powers
 * (so the net and delta agree exactly), which differ from w_e by less than
 * 1/4 in total (checked): the answer is the same. */
ginv_status ginv_reduce_half_clique(const ginv_graph *g, long long M, int p, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    if (!g || g->n < 2) return ginv_fail(GINV_ERR_ARG, "half-clique needs a graph of at least 2 vertices");
    int n = g->n;
    if (n % 2) return ginv_fail(GINV_ERR_ARG, "half-clique needs an even number of vertices (n/2), not %d", n);
    if (p < 1 || p > 64) return ginv_fail(GINV_ERR_ARG, "norm p = %d must be an integer in 1..64", p);
    if (M < 1 || M > (long long)REDUCE_F32_EXACT)
        return ginv_fail(GINV_ERR_ARG, "bound M = %lld must be in 1..%.0f", M, REDUCE_F32_EXACT);
    size_t P = (size_t)n * (n - 1) / 2;
    if (P + 1 > (size_t)1 << 24) return ginv_fail(GINV_ERR_UNSUPPORTED, "n = %d vertices make too many pair rows", n);
    double Mp = (double)M - 0.5;
    double alpha = floor(pow(Mp, 1.0 / p)) + 1;
    while (alpha > 1 && pow(alpha - 1, p) > Mp) alpha--;
    while (pow(alpha, p) <= Mp) alpha++;
    float *root = ginv_malloc(((size_t)g->m + 1) * sizeof(float));
    if (!root) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double sumw = 0, err = 0;
    for (int e = 0; e < g->m; e++) {
        root[e] = (float)pow((double)g->w[e], 1.0 / p);
        double wp = pow((double)root[e], p);
        sumw += wp;
        err += fabs(wp - (double)g->w[e]);
    }
    if (err >= 0.25) {
        ginv_free(root);
        return ginv_fail(GINV_ERR_UNSUPPORTED, "edge weights too large for float32: their p-th roots lose %g in total "
                                               "(at most 1/4 keeps the reduction exact)", err);
    }
    long long Z = (long long)P - g->m;
    double dp = sumw + pow(alpha, p) * (double)Z + (pow(3, p) - 1) * Mp;
    double delta = pow(dp, 1.0 / p);
    double beta = floor(delta) + 1;
    if (2 * alpha >= REDUCE_F32_EXACT || beta * (n / 2) >= REDUCE_F32_EXACT || !isfinite(dp)) {
        ginv_free(root);
        return ginv_fail(GINV_ERR_UNSUPPORTED, "the constants (alpha %g, beta %g, n/2 beta) exceed float32's exact "
                                               "integers; use a smaller bound, p or graph", alpha, beta);
    }
    int rows = (int)P + 1, sizes[2] = {n, 2 * rows};
    ginv_status st = ginv_reduce_net(net, 1, sizes);
    if (st) {
        ginv_free(root);
        return st;
    }
    float *W = ginv_reduce_W(*net, 0), *b = ginv_reduce_b(*net, 0);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            size_t r = pair_row(n, i, j);
            W[r * n + i] = W[r * n + j] = 2 * (float)alpha;
            b[r] = -(float)alpha;
        }
    for (int e = 0; e < g->m; e++) {
        size_t r = pair_row(n, g->u[e], g->v[e]);
        W[r * n + g->u[e]] = W[r * n + g->v[e]] = 2 * root[e];
        b[r] = -root[e];
    }
    ginv_free(root);
    for (int i = 0; i < n; i++) W[(size_t)P * n + i] = (float)beta;
    b[P] = (float)(-(n / 2) * beta);
    for (int r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) W[(size_t)(rows + r) * n + i] = -W[(size_t)r * n + i];
        b[rows + r] = -b[r];
    }
    cJSON *s = ginv_reduce_source("half-clique", "5");
    cJSON_AddNumberToObject(s, "n", n);
    cJSON_AddNumberToObject(s, "m", g->m);
    cJSON_AddNumberToObject(s, "bound", (double)M);
    cJSON_AddNumberToObject(s, "p", p);
    cJSON_AddNumberToObject(s, "alpha", alpha);
    cJSON_AddNumberToObject(s, "beta", beta);
    cJSON_AddNumberToObject(s, "non_edges", (double)Z);
    cJSON_AddNumberToObject(s, "delta_p", dp);
    cJSON_AddBoolToObject(s, "weighted", g->weighted);
    cJSON_AddItemToObject(s, "edges", ginv_reduce_graph_json(g));
    cJSON_AddStringToObject(s, "encoding", "z_i = 1: vertex i in the clique");
    cJSON_AddStringToObject(s, "rows", "pairs {i < j} in lexicographic order, then the size row; then the same negated");
    if ((st = ginv_reduce_problem(pb, 2 * rows, delta, p, GINV_LATENT_01, s))) return ginv_reduce_undo(st, net, pb);
    return GINV_OK;
}
