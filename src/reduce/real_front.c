/* real_front.c — the binary graph reductions made real-latent by Appendix
 * A's four-layer front end (Keles & Hegde 2023): Theorem 6 (Half-Clique ->
 * approximate l_p inversion, five layers, z in R^n) and the same front end
 * on §5.3's Vertex Cover layer (an extension the paper does not state; the
 * argument is Theorem 6's word for word, see docs/hardness.md).
 *
 * The paper omits the proof: "the same approach as used in the proof of
 * Theorem 4 can be followed ... by constructing a ReLU network with 5 layers,
 * the problem can be reduced to the binary case" of Theorem 5. Theorem 5's
 * delta is never below 1/4 (delta^p >= (3^p - 1)(M - 1/2) >= 1), so the
 * front end is Appendix A's (the general-delta proof of Theorem 4), built as
 * cvp.c builds it, and layer 5 is Theorem 5's layer on the binary t. Every
 * layer is ReLU(W h + b), the last one included. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

/* The binary net's source with the theorem relabelled and the front end's
 * constants added. */
static cJSON *thm6_source(const ginv_problem *pb5, const char *theorem, double D, float B, float theta, float h,
                          double delta)
{
    cJSON *s = cJSON_Parse(pb5->source_json);
    if (!s) return NULL;
    int cover = cJSON_HasObjectItem(s, "size");
    cJSON_ReplaceItemInObjectCaseSensitive(s, "theorem", cJSON_CreateString(theorem));
    cJSON_AddNumberToObject(s, "delta", delta);
    cJSON_AddNumberToObject(s, "scale", D);
    cJSON_AddNumberToObject(s, "c", (double)B / D);
    cJSON_AddNumberToObject(s, "box", B);
    cJSON_AddNumberToObject(s, "half", h);
    cJSON_AddNumberToObject(s, "theta", theta);
    cJSON_AddNumberToObject(s, "w4", 1);
    cJSON *clamp = cJSON_AddArrayToObject(s, "clamp");
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(0));
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(B));
    cJSON_ReplaceItemInObjectCaseSensitive(
        s, "encoding", cJSON_CreateString(cover ? "v = clamp(z, 0, box); vertex i in the cover iff v_i <= half; "
                                                  "witnesses have v_i in [0, delta] or [box - delta, box]"
                                                : "v = clamp(z, 0, box); vertex i in the clique iff v_i > half; "
                                                  "witnesses have v_i in [0, delta] or [box - delta, box]"));
    cJSON_ReplaceItemInObjectCaseSensitive(
        s, "rows", cJSON_CreateString("the binary net's rows (pairs {i < j} in lexicographic order, the size row, "
                                      "the same negated), then s = sum_i |v_i - half|"));
    return s;
}

/* Thm 6 = App. A's front end + Thm 5's layer (net1, pb1: the one-layer binary
 * net and its problem; §5.3's likewise). With n vertices, the binary net's R
 * rows and delta its threshold (Thm 5: delta^p = sum_E w + alpha^p Z +
 * (3^p - 1)(M - 1/2), see clique.c; §5.3: delta^p = Z alpha^p):
 *   layer 1 (n):    a_i = ReLU(z_i)                       = max{z_i, 0}
 *   layer 2 (n):    g_i = ReLU(B - a_i)                   = B - v_i,  v_i = min{max{z_i, 0}, B}
 *   layer 3 (3n):   u_i = ReLU(theta - v_i)               = ReLU(g_i - (B - theta))
 *                   ReLU(v_i - h) = ReLU(h - g_i),  ReLU(h - v_i) = ReLU(g_i - h)
 *                   (App. A's u_{n+1} = sum max{v_i, h}, u_{n+2} = sum -min{v_i, h}, less
 *                    their constants n h and -n h, which cancel in t_{n+1})
 *   layer 4 (n+1):  t_i = ReLU(1 - u_i)  (App. A's W_4 = -I_n, b_4 = 1),
 *                   t_{n+1} = ReLU(sum_i |v_i - h|)
 *   layer 5 (R+1):  the binary layer ReLU([W; -W] t + [b; -b]),  s = ReLU(t_{n+1})
 *   x = (0, ..., 0, n h)    (App. A's x_{n+1} = n c delta / 2)
 * App. A's constants are B = c delta, theta = (c - 1) delta, h = c delta / 2
 * for "a large constant c"; with W_4 = -I_n the band v_i in [0, delta] needs
 * (c - 2) delta >= 1. Built at D = max(1, ceil(delta)) >= delta in App. A's
 * place (D = 1 only for §5.3 on a graph without edges, delta = 0), with
 * c = 2 + 1/D: B = 2D + 1, theta = D + 1, h = D + 1/2 — integers and a half,
 * exact in float32 (App. A at delta itself would round B and theta).
 * The proof needs only D >= delta: ||G(z) - x||_p <= delta bounds the last
 * coordinate, sum_i (h - |v_i - h|) <= delta, so every v_i lies in
 * [0, delta] (u_i >= theta - delta >= 1, t_i = 0) or [B - delta, B]
 * (u_i = 0, t_i = 1); t is binary and ||W t + b||_p <= delta, which is
 * the binary question. An encoding v in {0, B}^n adds 0 to the last
 * coordinate and gives the binary net's output exactly. Takes net1 and pb1
 * (freed here, success or not). */
static ginv_status front_end(ginv_net *net1, ginv_problem *pb1, const char *theorem, ginv_net **net, ginv_problem *pb)
{
    int n = ginv_net_in(net1), R = pb1->n;
    double delta = pb1->delta, D = fmax(1, ceil(delta));
    ginv_status st = GINV_OK;
    if ((2 * D + 1) * n >= REDUCE_F32_EXACT)
        st = ginv_fail(GINV_ERR_UNSUPPORTED, "delta %g makes the box 2 ceil(delta) + 1 too large for float32's "
                                             "exact integers; use a smaller bound, p or graph", delta);
    float B = (float)(2 * D + 1), theta = (float)(D + 1), h = B / 2; /* exact */
    int sizes[6] = {n, n, n, 3 * n, n + 1, R + 1};
    if (!st) st = ginv_reduce_net(net, 5, sizes);
    if (st) {
        ginv_net_free(net1);
        ginv_problem_release(pb1);
        return st;
    }
    float *W1 = ginv_reduce_W(*net, 0), *W2 = ginv_reduce_W(*net, 1), *b2 = ginv_reduce_b(*net, 1);
    float *W3 = ginv_reduce_W(*net, 2), *b3 = ginv_reduce_b(*net, 2);
    float *W4 = ginv_reduce_W(*net, 3), *b4 = ginv_reduce_b(*net, 3);
    float *W5 = ginv_reduce_W(*net, 4), *b5 = ginv_reduce_b(*net, 4);
    for (int i = 0; i < n; i++) {
        W1[(size_t)i * n + i] = 1.0f;
        W2[(size_t)i * n + i] = -1.0f;
        b2[i] = B;
        W3[(size_t)i * n + i] = 1.0f;
        b3[i] = theta - B; /* -D */
        W3[(size_t)(n + i) * n + i] = -1.0f;
        b3[n + i] = h;
        W3[(size_t)(2 * n + i) * n + i] = 1.0f;
        b3[2 * n + i] = -h;
        W4[(size_t)i * 3 * n + i] = -1.0f;
        b4[i] = 1.0f;
    }
    for (int q = n; q < 3 * n; q++) W4[(size_t)n * 3 * n + q] = 1.0f;
    const float *W = ginv_reduce_W(net1, 0), *b = ginv_reduce_b(net1, 0);
    for (int r = 0; r < R; r++) {
        memcpy(W5 + (size_t)r * (n + 1), W + (size_t)r * n, (size_t)n * sizeof(float));
        b5[r] = b[r];
    }
    W5[(size_t)R * (n + 1) + n] = 1.0f;
    cJSON *s = thm6_source(pb1, theorem, D, B, theta, h, delta);
    double p = pb1->p;
    ginv_net_free(net1);
    ginv_problem_release(pb1);
    if (!s) {
        ginv_net_free(*net);
        *net = NULL;
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    if ((st = ginv_reduce_problem(pb, R + 1, delta, p, GINV_LATENT_REAL, s))) return ginv_reduce_undo(st, net, pb);
    pb->target[R] = (double)n * h;
    return GINV_OK;
}

ginv_status ginv_reduce_half_clique_real(const ginv_graph *g, long long M, int p, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    ginv_net *net5;
    ginv_problem pb5;
    ginv_status st = ginv_reduce_half_clique(g, M, p, &net5, &pb5);
    return st ? st : front_end(net5, &pb5, "6", net, pb);
}

/* §5.3's layer behind the same front end: z in R^n, vertex i in the cover iff
 * clamp(z_i, 0, B) <= B/2. */
ginv_status ginv_reduce_vertex_cover_real(const ginv_graph *g, int q, int p, ginv_net **net, ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    ginv_net *net1;
    ginv_problem pb1;
    ginv_status st = ginv_reduce_vertex_cover(g, q, p, &net1, &pb1);
    return st ? st : front_end(net1, &pb1, "5 (§5.3, real)", net, pb);
}
