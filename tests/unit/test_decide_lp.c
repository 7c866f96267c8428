/* test_decide_lp.c — decide on real latents in l_p, p >= 3 (branch and bound
 * with Kelley cutting planes, src/exact/bnb.c + lp_cuts.c; Keles & Hegde
 * 2023 §3.1's problem with the norms of Theorems 4 and 6). The ground truth is
 * computed here independently: a net with k = 2 latents is cut into its
 * activation pieces (every pattern of every ReLU unit), each piece is a convex
 * polygon of the box on which ||G(z) - x||_p^p is convex, and its minimum is
 * found by nested ternary searches (the partial minimum of a convex function
 * over a convex set is convex). A dense grid checks that truth from above.
 * decide must answer NO just below it (with a lower bound above delta), YES
 * just above it (the witness verified here by the oracle forward pass), and
 * bracket it with --minimize. An affine net gives the closed form. */
#include "test.h"
#include "ref_net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXC 64 /* half-planes of a piece */

typedef struct {
    int n;
    double C[16][2], e[16]; /* G = C z + e on the piece */
    int m;
    double A[MAXC][2], c[MAXC]; /* A z <= c (box included) */
    const double *x;
    double p;
} piece;

static double fval(const piece *q, double z1, double z2)
{
    double s = 0;
    for (int i = 0; i < q->n; i++) s += pow(fabs(q->C[i][0] * z1 + q->C[i][1] * z2 + q->e[i] - q->x[i]), q->p);
    return s;
}

/* min over z2 of f(z1, .) on the piece's slice at z1 (INFINITY: empty) */
static double slice_min(const piece *q, double z1)
{
    double lo = -INFINITY, hi = INFINITY;
    for (int r = 0; r < q->m; r++) {
        double a = q->A[r][1], rhs = q->c[r] - q->A[r][0] * z1;
        if (a > 0) hi = fmin(hi, rhs / a);
        else if (a < 0) lo = fmax(lo, rhs / a);
        else if (rhs < -1e-12) return INFINITY;
    }
    if (lo > hi + 1e-12) return INFINITY;
    if (lo > hi) lo = hi = (lo + hi) / 2;
    for (int it = 0; it < 120; it++) {
        double a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;
        if (fval(q, z1, a) < fval(q, z1, b)) hi = b;
        else lo = a;
    }
    return fval(q, z1, (lo + hi) / 2);
}

/* min of f over the piece (INFINITY: empty): z1's range from the vertices */
static double piece_min(const piece *q)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int r = 0; r < q->m; r++)
        for (int s = r + 1; s < q->m; s++) {
            double det = q->A[r][0] * q->A[s][1] - q->A[r][1] * q->A[s][0];
            if (fabs(det) < 1e-14) continue;
            double z1 = (q->c[r] * q->A[s][1] - q->A[r][1] * q->c[s]) / det;
            double z2 = (q->A[r][0] * q->c[s] - q->c[r] * q->A[s][0]) / det;
            int ok = 1;
            for (int t = 0; t < q->m && ok; t++) ok = q->A[t][0] * z1 + q->A[t][1] * z2 <= q->c[t] + 1e-10;
            if (ok) lo = fmin(lo, z1), hi = fmax(hi, z1);
        }
    if (lo > hi) return INFINITY;
    for (int it = 0; it < 120; it++) {
        double a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;
        double fa = slice_min(q, a), fb = slice_min(q, b);
        if (fa < fb || (isinf(fa) && isinf(fb) && a < 0)) hi = b;
        else lo = a;
    }
    return slice_min(q, (lo + hi) / 2);
}

/* The true min over |z|_inf <= R of ||G(z) - x||_p for a net of dense layers,
 * each followed by a ReLU or not, k = 2, by its activation pieces. */
static double truth(ginv_net *net, double R, const double *x, double p)
{
    int nl = ginv_net_nlayers(net), dl[8], relu[8], nd = 0, units = 0;
    for (int l = 0; l < nl; l++)
        if (ginv_net_layer_c(net, l)->kind == GINV_LAYER_DENSE) {
            relu[nd] = l + 1 < nl && ginv_net_layer_c(net, l + 1)->kind == GINV_LAYER_RELU;
            units += relu[nd] ? ginv_net_layer_c(net, l)->out : 0;
            dl[nd++] = l;
        }
    double best = INFINITY;
    for (long pat = 0; pat < (1L << units); pat++) {
        piece q = {.x = x, .p = p, .m = 0};
        double M[16][2] = {{1, 0}, {0, 1}}, v[16] = {0};
        int width = 2, u = 0;
        for (int t = 0; t < nd; t++) {
            const ginv_layer *L = ginv_net_layer_c(net, dl[t]);
            double M2[16][2], v2[16];
            for (int i = 0; i < L->out; i++) {
                M2[i][0] = M2[i][1] = 0;
                v2[i] = L->bias ? L->b[i] : 0;
                for (int j = 0; j < width; j++) {
                    double w = L->W[(size_t)i * L->in + j];
                    M2[i][0] += w * M[j][0], M2[i][1] += w * M[j][1], v2[i] += w * v[j];
                }
                if (relu[t]) { /* ReLU unit: its sign constraint, then its value */
                    int on = pat >> u++ & 1;
                    double sg = on ? -1 : 1; /* on: y >= 0, i.e. -y <= 0 */
                    q.A[q.m][0] = sg * M2[i][0], q.A[q.m][1] = sg * M2[i][1], q.c[q.m++] = -sg * v2[i];
                    if (!on) M2[i][0] = M2[i][1] = v2[i] = 0;
                }
            }
            width = L->out;
            memcpy(M, M2, sizeof M);
            memcpy(v, v2, sizeof v);
        }
        for (int j = 0; j < 2; j++)
            for (int s = 0; s < 2; s++) {
                q.A[q.m][0] = q.A[q.m][1] = 0;
                q.A[q.m][j] = s ? -1 : 1;
                q.c[q.m++] = R;
            }
        q.n = width;
        for (int i = 0; i < width; i++) q.C[i][0] = M[i][0], q.C[i][1] = M[i][1], q.e[i] = v[i];
        best = fmin(best, piece_min(&q));
    }
    return pow(best, 1 / p);
}

static double grid_min(ginv_net *net, double R, const double *x, double p, int g)
{
    double *par = ref_params(net), out[16], best = INFINITY;
    int n = ginv_net_out(net);
    for (int a = 0; a <= g; a++)
        for (int b = 0; b <= g; b++) {
            double z[2] = {-R + 2 * R * a / g, -R + 2 * R * b / g};
            ref_forward(net, par, z, out);
            best = fmin(best, ginv_dist_p(n, out, x, p));
        }
    free(par);
    return best;
}

static ginv_decide_result decide(ginv_net *net, ginv_problem *pb, double delta, int minimize)
{
    ginv_decide_opts o;
    ginv_decide_opts_init(&o);
    o.method = GINV_DECIDE_BNB;
    o.minimize = minimize;
    o.time_limit = 30;
    pb->delta = delta;
    ginv_decide_result r;
    CHECK_OK(ginv_decide(net, pb, &o, &r));
    return r;
}

/* The witness of a YES is in the box and within delta by the oracle. */
static void check_yes(ginv_net *net, const ginv_problem *pb, const ginv_decide_result *r)
{
    CHECK(r->answer == GINV_ANSWER_YES && r->witness);
    if (!r->witness) return;
    double *par = ref_params(net), out[16];
    ref_forward(net, par, r->witness, out);
    free(par);
    double d = ginv_dist_p(pb->n, out, pb->target, pb->p);
    CHECK_MSG(d <= pb->delta, "witness at %.17g > delta %.17g", d, pb->delta);
    for (int j = 0; j < ginv_net_in(net); j++) CHECK(pb->box == 0 || fabs(r->witness[j]) <= pb->box);
}

TEST(decide_lp_real_boxed_matches_the_piecewise_ground_truth)
{
    int sizes[4] = {2, 4, 3, 3};
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 6; seed++) {
        /* a ReLU after every dense layer, the output's too */
        ginv_net *net = ref_random_net(sizes, 4, GINV_LAYER_RELU, 1, (uint64_t)seed + 40);
        CHECK(net != NULL);
        if (!net) continue;
        ginv_rng rng;
        ginv_rng_init(&rng, (uint64_t)seed, GINV_STREAM_USER + 105, 0);
        double x[3], R = 1.5;
        for (int i = 0; i < 3; i++) x[i] = fabs(ginv_rng_normal(&rng)) * (i == 2 ? -1 : 1);
        for (int pi = 0; pi < 2; pi++) {
            double p = 3 + pi;
            double t = truth(net, R, x, p), gm = grid_min(net, R, x, p, 400);
            CHECK_MSG(gm >= t - 1e-9 && gm <= t + 0.05, "seed %d p %g: grid %.12g vs pieces %.12g", seed, p, gm, t);
            ginv_problem pb = {.n = 3, .target = x, .p = p, .latent = GINV_LATENT_REAL, .box = R};
            ginv_decide_result r = decide(net, &pb, t + 1e-5, 0);
            CHECK_MSG(r.answer == GINV_ANSWER_YES, "seed %d p %g: truth %.12g, delta above: %s (%s)", seed, p, t,
                      ginv_answer_name(r.answer), r.note);
            check_yes(net, &pb, &r);
            ginv_decide_result_release(&r);
            if (t > 2e-5) {
                r = decide(net, &pb, t - 1e-5, 0);
                CHECK_MSG(r.answer == GINV_ANSWER_NO, "seed %d p %g: truth %.12g, delta below: %s (%s)", seed, p,
                          t, ginv_answer_name(r.answer), r.note);
                CHECK(r.lower_bound > pb.delta && r.lower_bound <= t + 1e-9);
                ginv_decide_result_release(&r);
                no++;
            }
            yes++;
            r = decide(net, &pb, 0, 1);
            CHECK_MSG(r.lower_bound <= t + 1e-9 && r.upper_bound >= t - 1e-9 && r.upper_bound - r.lower_bound < 1e-6,
                      "seed %d p %g: truth %.12g not bracketed by [%.12g, %.12g]", seed, p, t, r.lower_bound,
                      r.upper_bound);
            CHECK(r.cuts > 0 && r.max_leaf_gap < 1e-6 && !r.cut_budget_hit);
            ginv_decide_result_release(&r);
        }
        ginv_net_free(net);
    }
    CHECK(yes >= 10 && no >= 8);
}

/* G(z) = W z + b with W = [a1 0; 0 a2; 0 0; 0 0]: over |z| <= R the minimum
 * of ||G(z) - x||_p^p is sum_{i<2} max(0, |x_i - b_i| - |a_i| R)^p +
 * |x_3 - b_3|^p + |x_4 - b_4|^p; without a box the first two terms vanish. */
TEST(decide_lp_affine_net_gives_the_closed_form)
{
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 4, .bias = 1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 1, spec));
    ginv_layer *L = ginv_net_layer(net, 0);
    memset(L->W, 0, sizeof(float) * 8);
    L->W[0] = 0.5f, L->W[3] = -2.0f;
    float b[4] = {0.25f, -0.5f, 0.125f, -0.375f};
    memcpy(L->b, b, sizeof b);
    double x[4] = {2.0, 3.5, 0.5, 0.25}, a[2] = {0.5, 2.0};
    for (int p = 3; p <= 5; p++)
        for (int boxed = 0; boxed < 2; boxed++) {
            double R = boxed ? 1 : 0, s = pow(fabs(x[2] - b[2]), p) + pow(fabs(x[3] - b[3]), p);
            for (int i = 0; i < 2 && boxed; i++) s += pow(fmax(0, fabs(x[i] - b[i]) - a[i] * R), p);
            double t = pow(s, 1.0 / p);
            ginv_problem pb = {.n = 4, .target = x, .p = p, .latent = GINV_LATENT_REAL, .box = R};
            ginv_decide_result r = decide(net, &pb, t + 1e-6, 0);
            CHECK_MSG(r.answer == GINV_ANSWER_YES, "p %d box %g: %s (%s)", p, R, ginv_answer_name(r.answer), r.note);
            check_yes(net, &pb, &r);
            ginv_decide_result_release(&r);
            r = decide(net, &pb, t - 1e-5, 0); /* margin: 1e-6 max(1, |x|_inf) = 3.5e-6 */
            CHECK_MSG(r.answer == GINV_ANSWER_NO && r.lower_bound > pb.delta, "p %d box %g: %s (%s)", p, R,
                      ginv_answer_name(r.answer), r.note);
            ginv_decide_result_release(&r);
            r = decide(net, &pb, 0, 1);
            CHECK_MSG(fabs(r.lower_bound - t) < 1e-6 && fabs(r.upper_bound - t) < 1e-6 && r.lower_bound <= t + 1e-12,
                      "p %d box %g: [%.15g, %.15g] vs %.15g", p, R, r.lower_bound, r.upper_bound, t);
            ginv_decide_result_release(&r);
        }
    ginv_net_free(net);
}

static double brute01(const ginv_cvp *c, double p)
{
    double d = INFINITY;
    for (long mask = 0; mask < (1L << c->n); mask++) {
        int y[16];
        for (int i = 0; i < c->n; i++) y[i] = mask >> i & 1;
        d = fmin(d, ginv_cvp_dist(c, y, p));
    }
    return d;
}

/* Theorem 4 (its Appendix A net, z in R^{2n}, 5 layers) at the odd p the
 * theorem states (3, 5): decide in the clamp box answers as brute force over
 * {0,1}^n at radii just above the best binary distance (YES, the witness
 * mapping back to a y within it) and 0.01 below it (NO). */
TEST(cvp_thm4_real_net_l3_l5_decides_as_brute_force)
{
    int yes = 0, no = 0;
    for (int inst = 0; inst < 6; inst++) {
        ginv_cvp c;
        /* 3 basis vectors in Z^5: with 4, some NO instances take minutes */
        CHECK_OK(ginv_cvp_random(&c, 3, 5, 6, inst % 3, 2100 + (uint64_t)inst));
        for (int p = 3; p <= 5; p += 2) {
            double d01 = brute01(&c, p);
            double radii[2] = {d01 + 1e-4, d01 - 0.01};
            for (int ri = 0; ri < 2; ri++) {
                if (radii[ri] < 0) continue;
                ginv_net *net;
                ginv_problem pb;
                CHECK_OK(ginv_reduce_cvp_real(&c, radii[ri], p, &net, &pb));
                pb.box = ginv_problem_clamp_box(&pb);
                ginv_decide_result r = decide(net, &pb, pb.delta, 0);
                ginv_answer want = ri == 0 ? GINV_ANSWER_YES : GINV_ANSWER_NO;
                CHECK_MSG(r.answer == want, "lattice %d p %d radius %.17g (binary best %.17g): %s (%s)", inst, p,
                          radii[ri], d01, ginv_answer_name(r.answer), r.note);
                if (r.answer == GINV_ANSWER_YES) {
                    ginv_witness w;
                    CHECK_OK(ginv_reduce_map_back(net, &pb, r.witness, &w));
                    CHECK_MSG(w.within && w.solves, "the witness maps to '%s'", w.why);
                    ginv_witness_release(&w);
                }
                ri == 0 ? yes++ : no++;
                ginv_decide_result_release(&r);
                ginv_net_free(net);
                ginv_problem_release(&pb);
            }
        }
        ginv_cvp_release(&c);
    }
    CHECK(yes >= 10 && no >= 6);
}
