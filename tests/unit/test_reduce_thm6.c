/* test_reduce_thm6.c — Keles & Hegde (2023) Theorem 6: Half-Clique -> l_p
 * inversion over real latents (5 layers, src/reduce/clique_real.c). Checked
 * against brute force on small random graphs (YES and NO): the encodings
 * reproduce Theorem 5's net exactly, every light half-clique's encoding is
 * within delta and nothing else is; real latents within delta (random, grid,
 * near the encodings) map back to light half-cliques; GD never reports a
 * false certificate; `decide` (l2 and l4, branch and bound) answers as brute
 * force. */
#include "test.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static double dist_at(const ginv_net *net, const ginv_problem *pb, const double *z)
{
    double x[1024];
    if (pb->n > 1024 || ginv_reduce_forward(net, z, x) != GINV_OK) return NAN;
    return ginv_dist_p(pb->n, x, pb->target, pb->p);
}

/* Smallest weight of a clique on n/2 vertices (LLONG_MAX when none). */
static long long brute_light(const ginv_graph *g, unsigned char *best)
{
    long long w = LLONG_MAX;
    unsigned char in[32];
    for (long mask = 0; mask < (1L << g->n); mask++) {
        if (__builtin_popcountl(mask) * 2 != g->n) continue;
        for (int i = 0; i < g->n; i++) in[i] = mask >> i & 1;
        if (ginv_graph_is_clique(g, in) && ginv_graph_set_weight(g, in) < w) {
            w = ginv_graph_set_weight(g, in);
            if (best) memcpy(best, in, g->n);
        }
    }
    return w;
}

static int is_light_half_clique(const ginv_graph *g, long mask, long long M)
{
    unsigned char in[32];
    for (int i = 0; i < g->n; i++) in[i] = mask >> i & 1;
    return __builtin_popcountl(mask) * 2 == g->n && ginv_graph_is_clique(g, in) && ginv_graph_set_weight(g, in) < M;
}

static int layered_relu5(const ginv_net *net)
{
    if (ginv_net_nlayers(net) != 10) return 0;
    for (int l = 0; l < 5; l++) {
        const ginv_layer *d = ginv_net_layer_c(net, 2 * l), *a = ginv_net_layer_c(net, 2 * l + 1);
        if (d->kind != GINV_LAYER_DENSE || !d->bias || a->kind != GINV_LAYER_RELU) return 0;
    }
    return 1;
}

/* A random instance: graph, YES bound (wmin + 1) or NO bound (wmin, or any
 * bound when there is no half-clique). */
static void instance(int seed, ginv_graph *g, long long *M, int *is_yes)
{
    int n = 4 + 2 * (seed % 3);
    CHECK_OK(ginv_graph_random(g, n, 0.5 + 0.08 * (seed % 5), seed % 3 ? 1 : 3, (uint64_t)seed + 600));
    long long wmin = brute_light(g, NULL);
    int want_yes = seed % 2;
    if (wmin == LLONG_MAX) *M = 1000, *is_yes = 0;
    else if (want_yes) *M = wmin + 1, *is_yes = 1;
    else *M = wmin, *is_yes = 0; /* "weight < wmin": none */
}

/* The encodings: Thm 6 at encode(S) equals Thm 5 at the indicator of S
 * (every S in {0,1}^n, not only half-sets), within delta iff S is a light
 * half-clique, and map-back returns S. Returns the number within delta. */
static int check_encodings(const ginv_graph *g, long long M, const ginv_net *net, const ginv_problem *pb,
                           const ginv_net *net5, const ginv_problem *pb5)
{
    int n = g->n, hits = 0, agree = 1;
    double z[32], z5[32];
    for (long mask = 0; mask < (1L << n); mask++) {
        int obj[32];
        for (int i = 0; i < n; i++) z5[i] = obj[i] = mask >> i & 1;
        CHECK_OK(ginv_reduce_encode(pb, n, obj, z, n));
        double d6 = dist_at(net, pb, z), d5 = dist_at(net5, pb5, z5);
        agree &= fabs(d6 - d5) <= 1e-12 * (1 + d5);
        int in = d6 <= pb->delta, light = is_light_half_clique(g, mask, M);
        CHECK_MSG(in == light, "set %lx: light half-clique %d but within delta %d (dist %.17g, delta %.17g)", mask,
                  light, in, d6, pb->delta);
        hits += in;
        ginv_witness w;
        CHECK_OK(ginv_reduce_map_back(net, pb, z, &w));
        CHECK(w.encoding_ok && w.within == in && w.solves == light);
        for (int i = 0; i < n; i++) CHECK(w.object[i] == obj[i]);
        ginv_witness_release(&w);
    }
    CHECK_MSG(agree, "the Thm 6 encodings do not reproduce Thm 5's distances");
    return hits;
}

/* Real latents: encodings moved inside the bands [0, delta], [B - delta, B]
 * (and beyond the clamp) give the same Thm 5 rows and a last coordinate no
 * larger; random, grid and near-encoding latents within delta map back to
 * light half-cliques, and a NO instance has none. Returns how many were within. */
static int check_real_latents(const ginv_graph *g, const ginv_net *net, const ginv_problem *pb, int is_yes,
                              uint64_t seed)
{
    int n = g->n, R = pb->n - 1, prop = 1, hits = 0;
    double B = ginv_problem_clamp_box(pb), dl = pb->delta, z[32], x[1024], x0[1024];
    ginv_rng rng;
    ginv_rng_init(&rng, seed, GINV_STREAM_USER, 7);
    for (int t = 0; t < 64; t++) {
        int obj[32];
        for (int i = 0; i < n; i++) obj[i] = (int)ginv_rng_below(&rng, 2);
        CHECK_OK(ginv_reduce_encode(pb, n, obj, z, n));
        CHECK_OK(ginv_reduce_forward(net, z, x0));
        for (int i = 0; i < n; i++) {
            double u = ginv_rng_uniform(&rng) * dl;
            z[i] = z[i] == B ? (t % 4 == 3 ? B + 1 + u : B - u) : (t % 4 == 3 ? -1 - u : u);
        }
        CHECK_OK(ginv_reduce_forward(net, z, x));
        for (int q = 0; q < R; q++) prop &= fabs(x[q] - x0[q]) <= 1e-9 * (1 + fabs(x0[q]));
        prop &= x[R] <= x0[R] + 1e-9;
    }
    CHECK_MSG(prop, "moving latents inside Thm 6's bands changed Thm 5's rows");
    for (int t = 0; t < 3000; t++) {
        double s = t % 3 == 0 ? dl / n : dl; /* near encodings: small total moves, or large ones */
        for (int i = 0; i < n; i++) {
            double u = ginv_rng_uniform(&rng);
            z[i] = t < 1000 ? (u * 1.6 - 0.3) * B
                 : t < 1500 ? (double)ginv_rng_below(&rng, 5) * B / 4
                            : (ginv_rng_below(&rng, 2) ? B - u * s : u * s);
        }
        if (dist_at(net, pb, z) > dl) continue;
        hits++;
        ginv_witness w;
        CHECK_OK(ginv_reduce_map_back(net, pb, z, &w));
        CHECK_MSG(w.within && w.solves && w.encoding_ok, "a real latent within delta maps to '%s'", w.why);
        ginv_witness_release(&w);
        CHECK_MSG(is_yes, "NO instance but a real latent is within delta");
    }
    return hits;
}

TEST(half_clique_thm6_real_net_matches_thm5_and_brute_force)
{
    int yes = 0, no = 0, real_hits = 0;
    for (int seed = 1; seed <= 12; seed++) {
        ginv_graph g;
        long long M;
        int is_yes, p = seed % 4 + 1;
        instance(seed, &g, &M, &is_yes);
        int n = g.n;
        ginv_net *net, *net5;
        ginv_problem pb, pb5;
        CHECK_OK(ginv_reduce_half_clique(&g, M, p, &net5, &pb5));
        CHECK_OK(ginv_reduce_half_clique_real(&g, M, p, &net, &pb));
        /* the constants: D = ceil(delta), B = 2D + 1, theta = D + 1, h = D + 1/2, target (0, n h) */
        double D = ceil(pb5.delta), B = ginv_problem_clamp_box(&pb);
        CHECK(layered_relu5(net) && pb.latent == GINV_LATENT_REAL && pb.p == p && pb.delta == pb5.delta);
        CHECK(ginv_net_in(net) == n && pb.n == pb5.n + 1 && ginv_net_out(net) == pb.n);
        CHECK(D >= pb.delta && D - 1 < pb.delta && B == 2 * D + 1 && pb.target[pb5.n] == n * (D + 0.5));
        const ginv_layer *L3 = ginv_net_layer_c(net, 4), *L4 = ginv_net_layer_c(net, 6);
        CHECK(L3->b[0] == -D && L3->b[n] == D + 0.5 && L4->W[0] == -1 && L4->b[0] == 1);
        for (int q = 0; q < pb5.n; q++) CHECK(pb.target[q] == 0);
        int hits = check_encodings(&g, M, net, &pb, net5, &pb5);
        CHECK_MSG((hits > 0) == is_yes, "seed %d: brute force says %s, %d encodings within delta", seed,
                  is_yes ? "YES" : "NO", hits);
        real_hits += check_real_latents(&g, net, &pb, is_yes, (uint64_t)seed);
        is_yes ? yes++ : no++;
        ginv_net_free(net);
        ginv_net_free(net5);
        ginv_problem_release(&pb);
        ginv_problem_release(&pb5);
        ginv_graph_release(&g);
    }
    CHECK_MSG(yes >= 4 && no >= 4 && real_hits > 0, "%d YES, %d NO, %d real latents within", yes, no, real_hits);
}

/* GD (ginv_reduce_gd_search) on Thm 6 nets: on the complete graph every
 * half-set is a clique and GD finds one; on random graphs it never reports a
 * certificate of a NO instance. */
TEST(half_clique_thm6_gd_search_finds_easy_cliques_and_no_false_ones)
{
    ginv_gd_search_opts o;
    ginv_gd_search_opts_init(&o);
    o.restarts = 8;
    o.iters = 200;
    ginv_graph g;
    CHECK_OK(ginv_graph_random(&g, 6, 1.0, 1, 3));
    ginv_net *net;
    ginv_problem pb;
    int found = -1;
    CHECK_OK(ginv_reduce_half_clique_real(&g, g.m + 1, 2, &net, &pb));
    CHECK_OK(ginv_reduce_gd_search(net, &pb, &o, &found));
    CHECK_MSG(found == 1, "GD found no half-clique of K6");
    ginv_net_free(net);
    ginv_problem_release(&pb);
    ginv_graph_release(&g);
    int no = 0;
    for (int seed = 1; seed <= 10; seed++) {
        long long M;
        int is_yes;
        instance(seed, &g, &M, &is_yes);
        CHECK_OK(ginv_reduce_half_clique_real(&g, M, seed % 2 ? 2 : 4, &net, &pb));
        found = -1;
        CHECK_OK(ginv_reduce_gd_search(net, &pb, &o, &found));
        CHECK_MSG(found == 0 || is_yes, "seed %d: GD reported a certificate of a NO instance", seed);
        no += !is_yes;
        ginv_net_free(net);
        ginv_problem_release(&pb);
        ginv_graph_release(&g);
    }
    CHECK(no >= 3);
}

/* One decide on a Thm 6 / §5.3-real net in its clamp box (G(z) =
 * G(clamp(z, 0, B)), so the answer over R^n is the same); a YES witness must
 * map back to a solution. Returns the answer. */
static ginv_answer decide_in_box(ginv_net *net, ginv_problem *pb)
{
    pb->box = ginv_problem_clamp_box(pb);
    ginv_decide_opts o;
    ginv_decide_opts_init(&o);
    o.time_limit = 30;
    ginv_decide_result res;
    CHECK_OK(ginv_decide(net, pb, &o, &res));
    ginv_answer a = res.answer;
    if (a == GINV_ANSWER_YES) {
        ginv_witness w;
        CHECK_OK(ginv_reduce_map_back(net, pb, res.witness, &w));
        CHECK_MSG(w.within && w.solves, "decide's witness maps to '%s'", w.why);
        ginv_witness_release(&w);
    }
    if (a == GINV_ANSWER_UNKNOWN) CHECK_MSG(0, "decide: UNKNOWN (%s)", res.note);
    ginv_decide_result_release(&res);
    return a;
}

/* decide on Thm 6 nets: l2 (leaf QPs) and l4 (cutting planes, the norm
 * Theorem 6 states for p = 4, ...) by branch and bound in the clamp box, YES
 * iff brute force finds a light half-clique, the witness mapping back to one. */
TEST(half_clique_thm6_decide_l2_and_l4_match_brute_force)
{
    int yes = 0, no = 0, yes4 = 0, no4 = 0;
    for (int seed = 1; seed <= 12; seed++) {
        if (seed % 3 == 2) continue; /* n = 8: NO instances take branch and bound minutes */
        ginv_graph g;
        long long M;
        int is_yes;
        instance(seed, &g, &M, &is_yes); /* n = 4, 6 */
        ginv_answer want = is_yes ? GINV_ANSWER_YES : GINV_ANSWER_NO;
        for (int p = 2; p <= 4; p += 2) {
            if (p == 4 && g.n > 4) continue; /* l4 at n = 6: seconds each, kept out of the unit tests */
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_half_clique_real(&g, M, p, &net, &pb));
            ginv_answer a = decide_in_box(net, &pb);
            CHECK_MSG(a == want, "seed %d n %d p %d: brute force %s, decide %s", seed, g.n, p,
                      ginv_answer_name(want), ginv_answer_name(a));
            if (p == 2) is_yes ? yes++ : no++;
            else is_yes ? yes4++ : no4++;
            ginv_net_free(net);
            ginv_problem_release(&pb);
        }
        ginv_graph_release(&g);
    }
    CHECK_MSG(yes >= 2 && no >= 2 && yes4 >= 1 && no4 >= 1, "l2: %d YES and %d NO; l4: %d YES and %d NO", yes, no,
              yes4, no4);
}

/* ------------------------------------------- §5.3 behind the same front end */

static int brute_min_cover(const ginv_graph *g)
{
    int best = g->n;
    unsigned char in[32];
    for (long mask = 0; mask < (1L << g->n); mask++) {
        for (int i = 0; i < g->n; i++) in[i] = mask >> i & 1;
        if (ginv_graph_is_vertex_cover(g, in) && __builtin_popcountl(mask) < best) best = __builtin_popcountl(mask);
    }
    return best;
}

/* Vertex Cover over real latents (§5.3's layer behind Thm 6's front end): the
 * encoding of every set D is within delta iff D is a cover of exactly q
 * vertices, and reproduces §5.3's binary distance; real latents within delta
 * map back to such covers; decide (l2, and l3 at n <= 5, in the clamp box)
 * says YES iff q >= tau (a cover of exactly q exists), for n = 4, 5, 6. */
TEST(vertex_cover_real_front_end_matches_brute_force_and_decide)
{
    int yes = 0, no = 0, decided = 0, decided3 = 0;
    for (int seed = 1; seed <= 6; seed++) {
        ginv_graph g;
        int n = 4 + seed % 3;
        CHECK_OK(ginv_graph_random(&g, n, 0.3 + 0.1 * (seed % 4), 1, (uint64_t)seed + 700));
        int tau = brute_min_cover(&g), p = seed % 2 ? 2 : seed % 4 + 1; /* 2, 3, 2, 1, 2, 3 */
        for (int q = tau - 1; q <= tau + 1; q++) {
            if (q < 0 || q > n) continue;
            ginv_net *net, *net1;
            ginv_problem pb, pb1;
            CHECK_OK(ginv_reduce_vertex_cover(&g, q, p, &net1, &pb1));
            CHECK_OK(ginv_reduce_vertex_cover_real(&g, q, p, &net, &pb));
            CHECK(layered_relu5(net) && pb.latent == GINV_LATENT_REAL && pb.delta == pb1.delta);
            int is_yes = q >= tau, hits = 0, agree = 1;
            for (long mask = 0; mask < (1L << n); mask++) {
                int obj[32];
                double z[32], z1[32];
                unsigned char in[32];
                for (int i = 0; i < n; i++) {
                    in[i] = (unsigned char)(obj[i] = mask >> i & 1);
                    z1[i] = !obj[i];
                }
                CHECK_OK(ginv_reduce_encode(&pb, n, obj, z, n));
                double d = dist_at(net, &pb, z), d1 = dist_at(net1, &pb1, z1);
                agree &= fabs(d - d1) <= 1e-12 * (1 + d1);
                int within = d <= pb.delta, cover = ginv_graph_is_vertex_cover(&g, in) && __builtin_popcountl(mask) == q;
                CHECK_MSG(within == cover, "seed %d q %d set %lx: cover of size q %d, within %d", seed, q, mask, cover,
                          within);
                hits += within;
                ginv_witness w;
                CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
                CHECK(w.encoding_ok && w.solves == cover);
                for (int i = 0; i < n; i++) CHECK(w.object[i] == obj[i]);
                ginv_witness_release(&w);
            }
            CHECK_MSG(agree && (hits > 0) == is_yes, "seed %d q %d: tau %d, %d encodings within", seed, q, tau, hits);
            check_real_latents(&g, net, &pb, is_yes, (uint64_t)seed + 50);
            if (p == 2 || (p == 3 && n <= 5)) {
                ginv_answer a = decide_in_box(net, &pb);
                CHECK_MSG(a == (is_yes ? GINV_ANSWER_YES : GINV_ANSWER_NO), "seed %d q %d p %d: decide %s", seed, q,
                          p, ginv_answer_name(a));
                decided++;
                decided3 += p == 3;
            }
            is_yes ? yes++ : no++;
            ginv_net_free(net);
            ginv_net_free(net1);
            ginv_problem_release(&pb);
            ginv_problem_release(&pb1);
        }
        ginv_graph_release(&g);
    }
    CHECK_MSG(yes >= 6 && no >= 3 && decided >= 2 && decided3 >= 2, "%d YES, %d NO, %d decided (%d in l3)", yes, no,
              decided, decided3);
}
