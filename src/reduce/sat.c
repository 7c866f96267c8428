/* sat.c — k-SAT -> exact inversion (Keles & Hegde 2023, §4): Theorem 1 (2
 * layers, z in {-1,1}^n) and Theorem 2 (4 layers, z in R^n). Every layer is
 * ReLU(W h + b), the last one included (its inputs are sums of ReLUs, so the
 * ReLU changes nothing there, as in the paper). */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <stdlib.h>
#include <string.h>

/* Thm 1's first layer for f: A (m x n) and b1 (m). Clause j: A_ji = -1 if
 * variable i appears positively, +1 if negatively, 0 otherwise;
 * (b1)_j = -(k_j - 1) with k_j the clause's number of distinct literals (the
 * paper's k for k-SAT: with every clause of size k this is its b1 exactly).
 * For z in {-1,1}^n, (A z + b1)_j = (k_j - T_j) - T_j - (k_j - 1) = 1 - 2 T_j
 * with T_j the clause's true literals: ReLU gives 1 when none is true and 0
 * otherwise. A clause with x and -x is
 * always true: its row is 0 with bias 0. An empty clause is never true: row 0,
 * bias -(0 - 1) = 1. */
static ginv_status thm1_layer(const ginv_cnf *f, float *A, float *b1)
{
    int n = f->nvars;
    int *seen = ginv_calloc((size_t)n, sizeof(int)); /* seen[v-1]: +1 / -1 / 2 (both) in this clause */
    if (!seen) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int j = 0; j < f->nclauses; j++) {
        float *row = A + (size_t)j * n;
        int k = 0, taut = 0;
        for (int q = f->start[j]; q < f->start[j + 1]; q++) {
            int l = f->lits[q], v = abs(l) - 1, s = l > 0 ? 1 : -1;
            if (!seen[v]) {
                seen[v] = s;
                k++;
            } else if (seen[v] != s) {
                taut = 1;
            }
        }
        for (int q = f->start[j]; q < f->start[j + 1]; q++) {
            int v = abs(f->lits[q]) - 1;
            if (!taut && seen[v]) row[v] = seen[v] > 0 ? -1.0f : 1.0f;
            seen[v] = 0;
        }
        b1[j] = taut ? 0.0f : (float)-(k - 1);
    }
    ginv_free(seen);
    return GINV_OK;
}

static cJSON *sat_source(const ginv_cnf *f, const char *theorem)
{
    cJSON *s = ginv_reduce_source("sat", theorem);
    int kmax = 0;
    for (int j = 0; j < f->nclauses; j++)
        if (f->start[j + 1] - f->start[j] > kmax) kmax = f->start[j + 1] - f->start[j];
    cJSON_AddNumberToObject(s, "n", f->nvars);
    cJSON_AddNumberToObject(s, "m", f->nclauses);
    cJSON_AddNumberToObject(s, "k", kmax);
    cJSON *cl = cJSON_AddArrayToObject(s, "clauses");
    for (int j = 0; j < f->nclauses; j++)
        cJSON_AddItemToArray(cl, cJSON_CreateIntArray(f->lits + f->start[j], f->start[j + 1] - f->start[j]));
    return s;
}

static ginv_status check_cnf(const ginv_cnf *f)
{
    if (!f || f->nvars < 1) return ginv_fail(GINV_ERR_ARG, "the formula needs at least one variable");
    if (f->nclauses < 1)
        return ginv_fail(GINV_ERR_ARG, "the formula has no clauses: a layer of width 0 is not a network "
                                       "(and the formula is trivially satisfiable)");
    return GINV_OK;
}

/* Thm 1: G_2(z) = ReLU(W_2 ReLU(A z + b1) + 0), W_2 = 1^T (1 x m); x = 0.
 * G_2(z) = number of clauses z leaves unsatisfied, so G_2(z) = 0 iff z
 * satisfies f. */
ginv_status ginv_reduce_sat_pm1(const ginv_cnf *f, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    GINV_NONNULL(f);
    ginv_status st = check_cnf(f);
    if (st) return st;
    int n = f->nvars, m = f->nclauses;
    int sizes[3] = {n, m, 1};
    if ((st = ginv_reduce_net(net, 2, sizes))) return st;
    if ((st = thm1_layer(f, ginv_reduce_W(*net, 0), ginv_reduce_b(*net, 0)))) return ginv_reduce_undo(st, net, pb);
    float *W2 = ginv_reduce_W(*net, 1);
    for (int j = 0; j < m; j++) W2[j] = 1.0f;
    ginv_reduce_b(*net, 1)[0] = 0.0f;
    cJSON *s = sat_source(f, "1");
    cJSON_AddStringToObject(s, "encoding", "z_i = +1: variable i true, -1: false");
    cJSON_AddStringToObject(s, "output", "G(z) = number of clauses z leaves unsatisfied; target 0");
    if ((st = ginv_reduce_problem(pb, 1, 0.0, GINV_NORM_EXACT, GINV_LATENT_PM1, s))) return ginv_reduce_undo(st, net, pb);
    return GINV_OK;
}

/* Thm 2, as four ReLU layers (v_i = min{max{z_i, -1}, 1} is not itself a
 * ReLU output, so layers 1-2 carry shifted copies of it):
 *   layer 1 (n):      h_i = ReLU(z_i + 1)             = max{z_i, -1} + 1
 *   layer 2 (n):      g_i = ReLU(2 - h_i)             = 1 - v_i  in [0, 2]
 *   layer 3 (m + 2n): u_j = ReLU(A v + b1)_j          = ReLU(-A g + A 1 + b1)_j  (Thm 1's layer)
 *                     ReLU(v_i)  = ReLU(1 - g_i)      (the n terms of u_{m+1})
 *                     ReLU(-v_i) = ReLU(g_i - 1)      (the n terms of u_{m+2})
 *   layer 4 (2):      G_1 = sum_j u_j,  G_2 = sum_i ReLU(v_i) + ReLU(-v_i) = sum_i |v_i|
 * with x = (0, n). G_2 = n iff every v_i is -1 or 1; then G_1 = 0 iff v
 * satisfies f (Thm 1). The paper's nodes u_{m+1} = sum_i max{v_i, 0} and
 * u_{m+2} = sum_i -min{v_i, 0} are sums of ReLUs; layer 3 holds their terms
 * and layer 4 adds them, which is the G_4(z)_2 = u_{m+1} + u_{m+2} it takes. */
ginv_status ginv_reduce_sat_real(const ginv_cnf *f, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    GINV_NONNULL(f);
    ginv_status st = check_cnf(f);
    if (st) return st;
    int n = f->nvars, m = f->nclauses;
    int sizes[5] = {n, n, n, m + 2 * n, 2};
    if ((st = ginv_reduce_net(net, 4, sizes))) return st;
    float *W1 = ginv_reduce_W(*net, 0), *b1 = ginv_reduce_b(*net, 0);
    float *W2 = ginv_reduce_W(*net, 1), *b2 = ginv_reduce_b(*net, 1);
    float *W3 = ginv_reduce_W(*net, 2), *b3 = ginv_reduce_b(*net, 2);
    float *W4 = ginv_reduce_W(*net, 3), *b4 = ginv_reduce_b(*net, 3);
    for (int i = 0; i < n; i++) {
        W1[(size_t)i * n + i] = 1.0f;
        b1[i] = 1.0f;
        W2[(size_t)i * n + i] = -1.0f;
        b2[i] = 2.0f;
    }
    /* Thm 1's layer, then substitute v = 1 - g */
    if ((st = thm1_layer(f, W3, b3))) return ginv_reduce_undo(st, net, pb);
    for (int j = 0; j < m; j++) {
        float *row = W3 + (size_t)j * n;
        double rowsum = 0;
        for (int i = 0; i < n; i++) {
            rowsum += row[i];
            row[i] = -row[i];
        }
        b3[j] = (float)(b3[j] + rowsum);
    }
    for (int i = 0; i < n; i++) {
        W3[(size_t)(m + i) * n + i] = -1.0f; /* ReLU(1 - g_i) = ReLU(v_i) */
        b3[m + i] = 1.0f;
        W3[(size_t)(m + n + i) * n + i] = 1.0f; /* ReLU(g_i - 1) = ReLU(-v_i) */
        b3[m + n + i] = -1.0f;
    }
    int w3 = m + 2 * n;
    for (int j = 0; j < m; j++) W4[j] = 1.0f;
    for (int j = m; j < w3; j++) W4[(size_t)w3 + j] = 1.0f;
    b4[0] = b4[1] = 0.0f;
    cJSON *s = sat_source(f, "2");
    cJSON_AddStringToObject(s, "encoding", "v = clamp(z, -1, 1); v_i = +1: variable i true, -1: false");
    cJSON_AddStringToObject(s, "output", "G(z) = (clauses v leaves unsatisfied, sum_i |v_i|); target (0, n)");
    cJSON *clamp = cJSON_AddArrayToObject(s, "clamp");
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(-1));
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(1));
    if ((st = ginv_reduce_problem(pb, 2, 0.0, GINV_NORM_EXACT, GINV_LATENT_REAL, s))) return ginv_reduce_undo(st, net, pb);
    pb->target[1] = n;
    return GINV_OK;
}
