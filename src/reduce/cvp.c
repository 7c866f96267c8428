/* cvp.c — (0,1)-CVP_p -> approximate inversion (Keles & Hegde 2023, §5.1):
 * Theorem 3 (1 layer, z in {0,1}^{2n}) and Theorem 4 (5 layers, z in
 * R^{2n}; the δ < 1/4 construction of §5.1, Appendix A's for larger δ).
 * Every layer is ReLU(W h + b), the last one included. The gap versions
 * (Gap-CVP_gamma, §3.3) build the same layers with every constant the
 * proofs compare against delta chosen against gamma delta instead. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Thm 3's W_1 ((d + n) x 2n) and b_1, then W̄_1 = [W_1; -W_1], b̄_1 = [b_1; -b_1]
 * into rows 0 .. 2(d+n) of W (ld columns; columns >= 2n untouched):
 *   rows 1..d:     v_i in column 2i-1, 0 in column 2i;   bias -t
 *   row d+i:       alpha in columns 2i-1 and 2i;         bias -alpha
 * ReLU(a) + ReLU(-a) = |a| makes ||ReLU(W̄_1 z + b̄_1)||_p = ||W_1 z + b_1||_p. */
static void thm3_rows(const ginv_cvp *c, float alpha, float *W, int ld, float *b)
{
    int n = c->n, d = c->d, rows = d + n;
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < n; i++) W[(size_t)j * ld + 2 * i] = (float)c->basis[(size_t)i * d + j];
        b[j] = (float)-c->target[j];
    }
    for (int i = 0; i < n; i++) {
        W[(size_t)(d + i) * ld + 2 * i] = alpha;
        W[(size_t)(d + i) * ld + 2 * i + 1] = alpha;
        b[d + i] = -alpha;
    }
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < ld; q++) W[(size_t)(rows + r) * ld + q] = -W[(size_t)r * ld + q];
        b[rows + r] = -b[r];
    }
}

static ginv_status check_args(const ginv_cvp *c, double r, double gamma, double p)
{
    if (!c || c->n < 1 || c->d < 1) return ginv_fail(GINV_ERR_ARG, "the lattice needs at least one basis vector");
    if (!(r >= 0) || r > REDUCE_F32_EXACT / 2 - 1)
        return ginv_fail(GINV_ERR_ARG, "radius %g must be in [0, %g]", r, REDUCE_F32_EXACT / 2 - 1);
    if (!(gamma >= 1) || gamma * r > REDUCE_F32_EXACT / 2 - 1)
        return ginv_fail(GINV_ERR_ARG, "gap gamma = %g must be >= 1 with gamma r <= %g", gamma, REDUCE_F32_EXACT / 2 - 1);
    if (!(isinf(p) && p > 0) && !(p >= 1 && p <= 64 && p == floor(p)))
        return ginv_fail(GINV_ERR_ARG, "norm p = %g must be an integer in 1..64 or inf", p);
    for (size_t i = 0; i < (size_t)c->n * c->d; i++)
        if (!isfinite(c->basis[i])) return ginv_fail(GINV_ERR_ARG, "basis entry %zu is not finite", i);
    return GINV_OK;
}

/* alpha > delta = r: a pair (z_{2i-1}, z_{2i}) equal to (0, 0) or (1, 1) puts
 * |0 - alpha| = alpha or |2 alpha - alpha| = alpha into one coordinate of
 * W_1 z + b_1, so ||.||_p >= alpha > delta. The smallest integer above r. */
static double thm3_alpha(double r) { return floor(r) + 1; }

static cJSON *cvp_source(const ginv_cvp *c, const char *theorem, double r, double gamma, double p, double alpha)
{
    char thm[32];
    snprintf(thm, sizeof thm, "%s%s", theorem, gamma != 1 ? ", gap" : "");
    cJSON *s = ginv_reduce_source("cvp", thm);
    cJSON_AddNumberToObject(s, "n", c->n);
    cJSON_AddNumberToObject(s, "d", c->d);
    cJSON_AddNumberToObject(s, "latent_n", 2 * c->n);
    cJSON_AddNumberToObject(s, "radius", r);
    if (isinf(p)) cJSON_AddStringToObject(s, "p", "inf");
    else cJSON_AddNumberToObject(s, "p", p);
    cJSON_AddNumberToObject(s, "alpha", alpha);
    if (gamma != 1) { /* Gap-CVP_gamma: YES within r, NO beyond gamma r; bands of width gamma r */
        cJSON_AddNumberToObject(s, "gamma", gamma);
        cJSON_AddNumberToObject(s, "delta_no", gamma * r);
    }
    cJSON *B = cJSON_AddArrayToObject(s, "basis");
    for (int i = 0; i < c->n; i++) cJSON_AddItemToArray(B, cJSON_CreateDoubleArray(c->basis + (size_t)i * c->d, c->d));
    cJSON_AddItemToObject(s, "target", cJSON_CreateDoubleArray(c->target, c->d));
    return s;
}

/* Thm 3: G_1(z) = ReLU(W̄_1 z + b̄_1), x = 0, delta = r, z in {0,1}^{2n}.
 * Gap version: alpha = floor(gamma r) + 1 > gamma r, so a pair (0, 0) or
 * (1, 1) is farther than gamma r, and a valid encoding is at ||B y - t||_p,
 * which a NO instance of Gap-CVP_gamma keeps above gamma r. */
ginv_status ginv_reduce_gap_cvp_01(const ginv_cvp *c, double r, double gamma, double p, ginv_net **net,
                                   ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    GINV_NONNULL(c);
    ginv_status st = check_args(c, r, gamma, p);
    if (st) return st;
    int N = 2 * c->n, out = 2 * (c->d + c->n);
    int sizes[2] = {N, out};
    if ((st = ginv_reduce_net(net, 1, sizes))) return st;
    double alpha = thm3_alpha(gamma * r);
    thm3_rows(c, (float)alpha, ginv_reduce_W(*net, 0), N, ginv_reduce_b(*net, 0));
    cJSON *s = cvp_source(c, "3", r, gamma, p, alpha);
    cJSON_AddStringToObject(s, "encoding", "(z_{2i-1}, z_{2i}) = (1, 0): y_i = 1, (0, 1): y_i = 0");
    if ((st = ginv_reduce_problem(pb, out, r, p, GINV_LATENT_01, s))) return ginv_reduce_undo(st, net, pb);
    return GINV_OK;
}

/* Thm 4, layer by layer, with N = 2n latents, box top B, half h = B/2,
 * threshold theta and layer-4 gain w4:
 *   Thm 4 (delta = r < 1/4):  B = 1,              theta = 1/2,                w4 = 4
 *   App. A (any delta > 0):   B = c delta,        theta = (c - 1) delta,      w4 = 1,
 *                             c = 2 + 1/delta, so B = 2 delta + 1 and theta = delta + 1
 * (App. A prints W_4 = "- . I_n", then W_4 = -I_n; with -I_n the case
 * v_i in [0, delta] needs (c - 2) delta >= 1, hence c = 2 + 1/delta.)
 *   layer 1 (N):    a_i = ReLU(z_i)                       = max{z_i, 0}
 *   layer 2 (N):    g_i = ReLU(B - a_i)                   = B - v_i,  v_i = min{max{z_i, 0}, B}
 *   layer 3 (3N):   u_i = ReLU(theta - v_i)               = ReLU(g_i - (B - theta))
 *                   ReLU(v_i - h) = ReLU(h - g_i),  ReLU(h - v_i) = ReLU(g_i - h)
 *                   (the terms of u_{N+1} = sum max{v_i, h} and u_{N+2} = sum -min{v_i, h},
 *                    less their constants N h and -N h, which cancel in t_{N+1})
 *   layer 4 (N+1):  t_i = ReLU(1 - w4 u_i),  t_{N+1} = ReLU(sum_i |v_i - h|)
 *   layer 5:        Thm 3's layer on t_1..t_N, plus s = ReLU(t_{N+1})
 * x = (0, ..., 0, N h). |v_i - h| <= h with equality iff v_i is 0 or B, so
 * ||G(z) - x||_p <= delta forces every v_i into [0, delta] or [B - delta, B],
 * where t_i is exactly 0 or 1; then Thm 3 applies to t.
 * Gap version: every constant is chosen for g = gamma r in delta's place
 * (Thm 4 if g < 1/4, else App. A with c = 2 + 1/g; alpha = floor(g) + 1), so
 * ||G(z) - x||_p <= g already forces the bands [0, g], [B - g, B], a binary
 * t and a valid encoding with ||B y - t||_p <= g: impossible on a NO
 * instance. The encodings of a YES instance are within r. */
ginv_status ginv_reduce_gap_cvp_real(const ginv_cvp *c, double r, double gamma, double p, ginv_net **net,
                                     ginv_problem *pb)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    *net = NULL;
    memset(pb, 0, sizeof *pb);
    GINV_NONNULL(c);
    ginv_status st = check_args(c, r, gamma, p);
    if (st) return st;
    double g = gamma * r; /* what the front end's bands must separate */
    int appendix = !(g < 0.25);
    float B, theta, w4;
    double cc = 0;
    if (!appendix) {
        B = 1.0f;
        theta = 0.5f;
        w4 = 4.0f;
    } else {
        cc = 2 + 1 / g;
        B = (float)(2 * g + 1);      /* c delta */
        theta = (float)(g + 1);      /* (c - 1) delta */
        w4 = 1.0f;
    }
    float h = B / 2; /* exact */
    int N = 2 * c->n, rows = 2 * (c->d + c->n);
    int sizes[6] = {N, N, N, 3 * N, N + 1, rows + 1};
    if ((st = ginv_reduce_net(net, 5, sizes))) return st;
    float *W1 = ginv_reduce_W(*net, 0), *W2 = ginv_reduce_W(*net, 1), *b2 = ginv_reduce_b(*net, 1);
    float *W3 = ginv_reduce_W(*net, 2), *b3 = ginv_reduce_b(*net, 2);
    float *W4 = ginv_reduce_W(*net, 3), *b4 = ginv_reduce_b(*net, 3);
    float *W5 = ginv_reduce_W(*net, 4), *b5 = ginv_reduce_b(*net, 4);
    for (int i = 0; i < N; i++) {
        W1[(size_t)i * N + i] = 1.0f;
        W2[(size_t)i * N + i] = -1.0f;
        b2[i] = B;
        W3[(size_t)i * N + i] = 1.0f;
        b3[i] = theta - B; /* exact: theta and B within a factor 2 (Sterbenz) */
        W3[(size_t)(N + i) * N + i] = -1.0f;
        b3[N + i] = h;
        W3[(size_t)(2 * N + i) * N + i] = 1.0f;
        b3[2 * N + i] = -h;
        W4[(size_t)i * 3 * N + i] = -w4;
        b4[i] = 1.0f;
    }
    for (int q = N; q < 3 * N; q++) W4[(size_t)N * 3 * N + q] = 1.0f;
    b4[N] = 0.0f;
    double alpha = thm3_alpha(g);
    thm3_rows(c, (float)alpha, W5, N + 1, b5);
    W5[(size_t)rows * (N + 1) + N] = 1.0f;
    b5[rows] = 0.0f;
    cJSON *s = cvp_source(c, appendix ? "4 (App. A)" : "4", r, gamma, p, alpha);
    cJSON_AddNumberToObject(s, "box", B);
    cJSON_AddNumberToObject(s, "half", h);
    cJSON_AddNumberToObject(s, "theta", theta);
    cJSON_AddNumberToObject(s, "w4", w4);
    if (appendix) cJSON_AddNumberToObject(s, "c", cc);
    cJSON *clamp = cJSON_AddArrayToObject(s, "clamp");
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(0));
    cJSON_AddItemToArray(clamp, cJSON_CreateNumber(B));
    cJSON_AddStringToObject(s, "encoding", "v = clamp(z, 0, box); bit_i = v_i > half; (bit_{2i-1}, bit_{2i}) = "
                                           "(1, 0): y_i = 1, (0, 1): y_i = 0; witnesses have v_i in [0, band] or "
                                           "[box - band, box], band = gamma delta");
    if ((st = ginv_reduce_problem(pb, rows + 1, r, p, GINV_LATENT_REAL, s))) return ginv_reduce_undo(st, net, pb);
    pb->target[rows] = (double)N * h;
    return GINV_OK;
}

/* The exact (0,1)-CVP_p reductions: the gap versions at gamma = 1. */
ginv_status ginv_reduce_cvp_01(const ginv_cvp *c, double r, double p, ginv_net **net, ginv_problem *pb)
{
    return ginv_reduce_gap_cvp_01(c, r, 1, p, net, pb);
}

ginv_status ginv_reduce_cvp_real(const ginv_cvp *c, double r, double p, ginv_net **net, ginv_problem *pb)
{
    return ginv_reduce_gap_cvp_real(c, r, 1, p, net, pb);
}
