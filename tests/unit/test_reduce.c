/* test_reduce.c — the Keles & Hegde (2023) reductions, checked by brute
 * force: for many small random instances (YES and NO), some latent z in the
 * domain has ||G(z) - x||_p <= delta iff the original instance is a YES
 * instance (brute-forced too); real latents are checked at the encodings and
 * at the points the proofs name; map-back returns certificates. */
#include "test.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ||G(z) - x||_p, double-precision forward (exact problems: the max norm). */
static double dist_at(const ginv_net *net, const ginv_problem *pb, const double *z)
{
    double x[4096];
    if (ginv_reduce_forward(net, z, x) != GINV_OK || pb->n > 4096) return NAN;
    return ginv_dist_p(pb->n, x, pb->target, pb->p);
}

static int within(const ginv_problem *pb, double d)
{
    return pb->p == GINV_NORM_EXACT ? d == 0 : d <= pb->delta;
}

/* Enumerate the binary latent domain ({0,1}^k or {-1,1}^k): the number of z
 * within delta; *first gets one of them. Also checks, for every z within
 * delta, that map-back returns a certificate. */
static int count_within(const ginv_net *net, const ginv_problem *pb, double *first)
{
    int k = ginv_net_in(net), hits = 0;
    double z[64];
    for (long mask = 0; mask < (1L << k); mask++) {
        for (int i = 0; i < k; i++) {
            int bit = mask >> i & 1;
            z[i] = pb->latent == GINV_LATENT_PM1 ? (bit ? 1 : -1) : bit;
        }
        if (!within(pb, dist_at(net, pb, z))) continue;
        if (!hits++ && first) memcpy(first, z, k * sizeof(double));
        ginv_witness w;
        CHECK_OK(ginv_reduce_map_back(net, pb, z, &w));
        CHECK_MSG(w.within && w.solves && w.encoding_ok, "a latent within delta maps to a non-certificate: %s", w.why);
        ginv_witness_release(&w);
    }
    return hits;
}

/* The library's float32 forward (ginv_net_forward) agrees with the double
 * one on the reduced net at a few latents. */
static void check_float_forward(ginv_net *net, const double *zs, int B)
{
    int k = ginv_net_in(net), n = ginv_net_out(net);
    float *zf = malloc(sizeof(float) * B * k);
    double *xd = malloc(sizeof(double) * n);
    for (int i = 0; i < B * k; i++) zf[i] = (float)zs[i];
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, B));
    const float *x = ginv_net_forward(net, ws, B, zf);
    double worst = 0;
    for (int b = 0; b < B; b++) {
        CHECK_OK(ginv_reduce_forward(net, zs + b * k, xd));
        for (int i = 0; i < n; i++) worst = fmax(worst, fabs(x[b * n + i] - xd[i]) / (1 + fabs(xd[i])));
    }
    CHECK_MSG(worst < 1e-5, "float and double forward differ by %g", worst);
    ginv_net_ws_free(ws);
    free(zf);
    free(xd);
}

/* Whether the net is an ordinary layered net: dense (with bias) + ReLU pairs. */
static int layered_relu(const ginv_net *net, int ndense)
{
    if (ginv_net_nlayers(net) != 2 * ndense) return 0;
    for (int l = 0; l < ndense; l++) {
        const ginv_layer *d = ginv_net_layer_c(net, 2 * l), *a = ginv_net_layer_c(net, 2 * l + 1);
        if (d->kind != GINV_LAYER_DENSE || !d->bias || a->kind != GINV_LAYER_RELU) return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ SAT */

static int brute_sat(const ginv_cnf *f, unsigned char *model)
{
    unsigned char as[32];
    for (long mask = 0; mask < (1L << f->nvars); mask++) {
        for (int i = 0; i < f->nvars; i++) as[i] = mask >> i & 1;
        if (ginv_cnf_satisfied(f, as)) {
            if (model) memcpy(model, as, f->nvars);
            return 1;
        }
    }
    return 0;
}

static int unsat_count(const ginv_cnf *f, const unsigned char *as)
{
    int u = 0;
    for (int c = 0; c < f->nclauses; c++) {
        ginv_cnf one = *f;
        one.start = f->start + c;
        one.nclauses = 1;
        u += !ginv_cnf_satisfied(&one, as);
    }
    return u;
}

TEST(sat_thm1_net_hits_zero_iff_formula_satisfiable)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 40; seed++) {
        int n = 6 + seed % 4, m = (int)(n * (seed % 3 == 0 ? 6.0 : 4.26));
        ginv_cnf f;
        CHECK_OK(ginv_cnf_random(&f, n, m, 3, (uint64_t)seed));
        ginv_net *net;
        ginv_problem pb;
        CHECK_OK(ginv_reduce_sat_pm1(&f, &net, &pb));
        CHECK(layered_relu(net, 2) && ginv_net_in(net) == n && ginv_net_out(net) == 1);
        CHECK(pb.latent == GINV_LATENT_PM1 && pb.p == GINV_NORM_EXACT && pb.target[0] == 0);
        /* every z: G(z) is the number of clauses z leaves unsatisfied */
        int exact = 1;
        for (long mask = 0; mask < (1L << n); mask++) {
            double z[16], x[1];
            unsigned char as[16];
            for (int i = 0; i < n; i++) {
                as[i] = mask >> i & 1;
                z[i] = as[i] ? 1 : -1;
            }
            CHECK_OK(ginv_reduce_forward(net, z, x));
            exact &= x[0] == unsat_count(&f, as);
        }
        CHECK_MSG(exact, "seed %d: G(z) is not the unsatisfied-clause count", seed);
        unsigned char model[16];
        int sat = brute_sat(&f, model), hits = count_within(net, &pb, NULL);
        CHECK_MSG(sat == (hits > 0), "seed %d: formula %s but %d latents hit x", seed, sat ? "SAT" : "UNSAT", hits);
        sat ? yes++ : no++;
        ginv_net_free(net);
        ginv_problem_release(&pb);
        ginv_cnf_release(&f);
    }
    CHECK_MSG(yes >= 5 && no >= 5, "%d YES and %d NO instances: both kinds must be tested", yes, no);
}

TEST(sat_thm1_handles_mixed_lengths_repeats_tautologies_and_empty_clauses)
{
    /* (x1 v x1 v -x2) (x2) (x3 v -x3) (-x1 v x2 v x3 v -x4): repeats count once,
     * the tautology is always true */
    const char *text = "p cnf 4 4\n1 1 -2 0\n2 0\n3 -3 0\n-1 2 3 -4 0\n";
    ginv_cnf f;
    CHECK_OK(ginv_cnf_parse(text, strlen(text), 1, &f));
    ginv_net *net;
    ginv_problem pb;
    CHECK_OK(ginv_reduce_sat_pm1(&f, &net, &pb));
    const ginv_layer *L = ginv_net_layer_c(net, 0);
    CHECK(L->W[0] == -1 && L->W[1] == 1 && L->b[0] == -1);   /* k = 2 distinct literals */
    CHECK(L->b[1] == 0 && L->W[4 + 1] == -1);                /* unit clause: k = 1 */
    CHECK(L->W[8 + 2] == 0 && L->b[2] == 0);                 /* tautology: zero row, bias 0 */
    CHECK(L->b[3] == -3);
    int exact = 1;
    for (int mask = 0; mask < 16; mask++) {
        double z[4], x[1];
        unsigned char as[4];
        for (int i = 0; i < 4; i++) z[i] = (as[i] = mask >> i & 1) ? 1 : -1;
        CHECK_OK(ginv_reduce_forward(net, z, x));
        exact &= x[0] == unsat_count(&f, as);
    }
    CHECK(exact);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    ginv_cnf_release(&f);
    /* an empty clause: never satisfied, so no latent hits 0 */
    CHECK_OK(ginv_cnf_parse("p cnf 2 2\n1 2 0\n0\n", 18, 1, &f));
    CHECK_OK(ginv_reduce_sat_pm1(&f, &net, &pb));
    CHECK(count_within(net, &pb, NULL) == 0);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    ginv_cnf_release(&f);
}

TEST(sat_thm2_real_net_hits_target_exactly_at_satisfying_signs)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 24; seed++) {
        int n = 6 + seed % 3, m = (int)(n * (seed % 2 ? 4.26 : 5.5));
        ginv_cnf f;
        CHECK_OK(ginv_cnf_random(&f, n, m, 3, (uint64_t)seed + 100));
        ginv_net *net;
        ginv_problem pb;
        CHECK_OK(ginv_reduce_sat_real(&f, &net, &pb));
        CHECK(layered_relu(net, 4) && ginv_net_out(net) == 2 && pb.target[0] == 0 && pb.target[1] == n);
        CHECK(pb.latent == GINV_LATENT_REAL && pb.p == GINV_NORM_EXACT);
        int sat = brute_sat(&f, NULL), hits = 0, prop = 1;
        /* the +-1 encodings: G(z) = (unsatisfied clauses, n) */
        for (long mask = 0; mask < (1L << n); mask++) {
            double z[16], x[2];
            unsigned char as[16];
            for (int i = 0; i < n; i++) z[i] = (as[i] = mask >> i & 1) ? 1 : -1;
            CHECK_OK(ginv_reduce_forward(net, z, x));
            prop &= x[0] == unsat_count(&f, as) && x[1] == n;
            hits += x[0] == 0 && x[1] == n;
        }
        /* real points on the grid {-2, -1, -0.5, 0, 0.3, 1, 1.5}^n (sampled): G(z)_2 = sum |clamp(z)|,
         * and G(z) = x only where clamp(z) is a satisfying +-1 vector */
        static const double grid[7] = {-2, -1, -0.5, 0, 0.3, 1, 1.5};
        ginv_rng r;
        ginv_rng_init(&r, (uint64_t)seed, GINV_STREAM_USER, 0);
        for (int t = 0; t < 400; t++) {
            double z[16], x[2], s = 0;
            unsigned char as[16];
            int pm = 1;
            for (int i = 0; i < n; i++) {
                z[i] = grid[ginv_rng_below(&r, t < 200 ? 7 : 4) + (t < 200 ? 0 : 3) * (i % 2)];
                double v = fmin(fmax(z[i], -1), 1);
                s += fabs(v);
                pm &= fabs(v) == 1;
                as[i] = v > 0;
            }
            CHECK_OK(ginv_reduce_forward(net, z, x));
            prop &= fabs(x[1] - s) < 1e-12 && x[1] <= n;
            int hit = x[0] == 0 && x[1] == n;
            prop &= hit == (pm && ginv_cnf_satisfied(&f, as));
        }
        CHECK_MSG(prop, "seed %d: Thm 2's properties fail", seed);
        CHECK_MSG(sat == (hits > 0), "seed %d: %s but %d encodings hit x", seed, sat ? "SAT" : "UNSAT", hits);
        sat ? yes++ : no++;
        double zs[3 * 16];
        for (int i = 0; i < 3 * n; i++) zs[i] = grid[i % 7];
        check_float_forward(net, zs, 3);
        ginv_net_free(net);
        ginv_problem_release(&pb);
        ginv_cnf_release(&f);
    }
    CHECK_MSG(yes >= 3 && no >= 3, "%d YES and %d NO instances", yes, no);
}

/* ------------------------------------------------------------------ CVP */

/* min over y in {0,1}^n of ||B y - t||_p */
static double brute_cvp01(const ginv_cvp *c, double p, int *ybest)
{
    double best = INFINITY;
    int y[16];
    for (long mask = 0; mask < (1L << c->n); mask++) {
        for (int i = 0; i < c->n; i++) y[i] = mask >> i & 1;
        double d = ginv_cvp_dist(c, y, p);
        if (d < best) {
            best = d;
            if (ybest) memcpy(ybest, y, c->n * sizeof(int));
        }
    }
    return best;
}

static const double norms[4] = {1, 2, 3, INFINITY};

TEST(cvp_thm3_net_within_delta_iff_binary_cvp_yes)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 12; seed++) {
        ginv_cvp c;
        CHECK_OK(ginv_cvp_random(&c, 3 + seed % 3, 3 + seed % 2, 6, 3, (uint64_t)seed));
        double p = norms[seed % 4];
        double d01 = brute_cvp01(&c, p, NULL);
        /* on the YES boundary, just below it (NO), and above it */
        double radii[3] = {d01, d01 > 0.5 ? d01 - 0.5 : 0, d01 + 1.5};
        for (int ri = 0; ri < 3; ri++) {
            double r = radii[ri];
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_cvp_01(&c, r, p, &net, &pb));
            CHECK(layered_relu(net, 1) && ginv_net_in(net) == 2 * c.n && pb.n == 2 * (c.d + c.n));
            CHECK(pb.latent == GINV_LATENT_01 && pb.delta == r && pb.p == p);
            int hits = count_within(net, &pb, NULL), is_yes = d01 <= r;
            CHECK_MSG(is_yes == (hits > 0), "seed %d p %g r %g: d01 = %g but %d latents within delta", seed, p, r, d01,
                      hits);
            is_yes ? yes++ : no++;
            /* at every encoding, ||G(z)||_p = ||B y - t||_p exactly */
            int exact = 1;
            for (long mask = 0; mask < (1L << c.n); mask++) {
                int y[8];
                double z[16];
                for (int i = 0; i < c.n; i++) y[i] = mask >> i & 1;
                CHECK_OK(ginv_reduce_encode(&pb, c.n, y, z, 2 * c.n));
                exact &= fabs(dist_at(net, &pb, z) - ginv_cvp_dist(&c, y, p)) <= 1e-12 * (1 + d01);
            }
            CHECK_MSG(exact, "seed %d: the encodings do not reproduce ||B y - t||", seed);
            ginv_net_free(net);
            ginv_problem_release(&pb);
        }
        ginv_cvp_release(&c);
    }
    CHECK_MSG(yes >= 10 && no >= 5, "%d YES and %d NO instances", yes, no);
}

/* Thm 4 / App. A at real latents: the encodings (v in {0, B}) reach
 * ||B y - t||_p; latents moved within the bands [0, delta], [B - delta, B]
 * give the same Thm-3 part; random and grid latents within delta map back to
 * certificates; for NO instances none of the points tried is within delta. */
static void check_cvp_real(const ginv_cvp *c, double r, double p, int *yes, int *no, uint64_t seed)
{
    ginv_net *net;
    ginv_problem pb;
    CHECK_OK(ginv_reduce_cvp_real(c, r, p, &net, &pb));
    CHECK(layered_relu(net, 5) && pb.latent == GINV_LATENT_REAL && pb.delta == r);
    int N = 2 * c->n, rows = 2 * (c->d + c->n);
    double B = r < 0.25 ? 1 : (float)(2 * r + 1); /* c delta, stored as float32 */
    CHECK(pb.n == rows + 1 && pb.target[rows] == N * B / 2);
    double d01 = brute_cvp01(c, p, NULL);
    int is_yes = d01 <= r, found = 0, prop = 1;
    double z[32], x[512], x0[512];
    ginv_rng rng;
    ginv_rng_init(&rng, seed, GINV_STREAM_USER, 1);
    for (long mask = 0; mask < (1L << c->n); mask++) {
        int y[8];
        for (int i = 0; i < c->n; i++) y[i] = mask >> i & 1;
        CHECK_OK(ginv_reduce_encode(&pb, c->n, y, z, N));
        double d = dist_at(net, &pb, z);
        prop &= fabs(d - ginv_cvp_dist(c, y, p)) <= 1e-9 * (1 + d);
        found |= d <= r;
        CHECK_OK(ginv_reduce_forward(net, z, x0));
        /* move every v_i inside its band (and z beyond the clamp): t, hence rows 0..rows, unchanged */
        for (int t = 0; t < 4; t++) {
            double zz[32];
            for (int i = 0; i < N; i++) {
                double u = ginv_rng_uniform(&rng) * r;
                zz[i] = z[i] == 0 ? (t == 3 ? -1 - u : u) : (t == 3 ? B + 1 + u : B - u);
            }
            CHECK_OK(ginv_reduce_forward(net, zz, x));
            for (int q = 0; q < rows; q++) prop &= fabs(x[q] - x0[q]) <= 1e-6 * (1 + fabs(x0[q]));
            prop &= x[rows] <= x0[rows] + 1e-9; /* sum |v_i - B/2| only drops inside the bands */
        }
    }
    CHECK_MSG(prop, "r = %g p = %g: Thm 4's encodings or bands misbehave", r, p);
    CHECK_MSG(found == is_yes, "r = %g p = %g: d01 = %g but the encodings %s within delta", r, p, d01,
              found ? "are" : "are not");
    /* random real latents, a coarse grid and points near the encodings */
    int none_if_no = 1;
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < N; i++) {
            double u = ginv_rng_uniform(&rng);
            z[i] = t < 1000 ? (u * 1.6 - 0.3) * B
                 : t < 2000 ? (double)ginv_rng_below(&rng, 5) * B / 4
                            : (ginv_rng_below(&rng, 2) ? B : 0) + (u - 0.5) * 2.5 * r;
        }
        double d = dist_at(net, &pb, z);
        if (d <= r) {
            ginv_witness w;
            CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
            CHECK_MSG(w.within && w.solves && w.encoding_ok, "a real latent within delta maps to '%s'", w.why);
            ginv_witness_release(&w);
            none_if_no &= is_yes;
        }
    }
    CHECK_MSG(none_if_no, "NO instance (d01 = %g > r = %g) but a real latent is within delta", d01, r);
    double zs[2 * 32];
    for (int i = 0; i < 2 * N; i++) zs[i] = (i % 5) * B / 4;
    check_float_forward(net, zs, 2);
    is_yes ? (*yes)++ : (*no)++;
    ginv_net_free(net);
    ginv_problem_release(&pb);
}

TEST(cvp_thm4_real_net_small_delta_matches_binary_cvp)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 8; seed++) {
        ginv_cvp c;
        /* noise 0 plants an exact binary solution; seeds with odd numbers move the target off it */
        CHECK_OK(ginv_cvp_random(&c, 3, 3, 5, seed % 2, (uint64_t)seed + 40));
        for (int j = 0; j < c.d && seed % 4 == 3; j++) c.target[j] += 7; /* far from every binary point */
        check_cvp_real(&c, seed % 3 ? 0.2 : 0.0, norms[seed % 4], &yes, &no, (uint64_t)seed);
        ginv_cvp_release(&c);
    }
    CHECK_MSG(yes >= 2 && no >= 2, "%d YES and %d NO", yes, no);
}

TEST(cvp_appendix_a_real_net_any_delta_matches_binary_cvp)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 10; seed++) {
        ginv_cvp c;
        CHECK_OK(ginv_cvp_random(&c, 3, 3, 5, 2, (uint64_t)seed + 80));
        double p = norms[seed % 4], d01 = brute_cvp01(&c, p, NULL);
        double r = seed % 2 ? d01 + 0.25 : fmax(0.25, d01 - 0.75); /* YES / NO (when d01 >= 1) */
        check_cvp_real(&c, r, p, &yes, &no, (uint64_t)seed);
        ginv_cvp_release(&c);
    }
    CHECK_MSG(yes >= 3 && no >= 2, "%d YES and %d NO", yes, no);
}

/* ----------------------------------------------------------- graphs */

/* Smallest weight of a clique on n/2 vertices (LLONG_MAX when none). */
static long long brute_half_clique(const ginv_graph *g, unsigned char *best)
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

TEST(half_clique_thm5_net_within_delta_iff_light_half_clique)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 16; seed++) {
        ginv_graph g;
        int n = seed % 2 ? 6 : 8;
        CHECK_OK(ginv_graph_random(&g, n, 0.55 + 0.05 * (seed % 5), seed % 3 ? 1 : 4, (uint64_t)seed));
        int p = seed % 4 + 1;
        unsigned char best[32];
        long long wmin = brute_half_clique(&g, best);
        long long bounds[2] = {wmin == LLONG_MAX ? 5 : wmin + 1, wmin == LLONG_MAX ? 1000 : wmin}; /* YES, NO */
        for (int bi = 0; bi < 2; bi++) {
            long long M = bounds[bi];
            if (M < 1) continue;
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_half_clique(&g, M, p, &net, &pb));
            CHECK(layered_relu(net, 1) && ginv_net_in(net) == n && pb.n == 2 * (n * (n - 1) / 2 + 1));
            int is_yes = wmin < M, hits = count_within(net, &pb, NULL);
            CHECK_MSG(is_yes == (hits > 0), "seed %d p %d M %lld: min half-clique weight %lld but %d latents within",
                      seed, p, M, wmin, hits);
            if (is_yes) {
                int obj[32];
                double z[32];
                for (int i = 0; i < n; i++) obj[i] = best[i];
                CHECK_OK(ginv_reduce_encode(&pb, n, obj, z, n));
                ginv_witness w;
                CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
                CHECK(w.within && w.solves && w.value == (double)wmin && !memcmp(w.object, obj, n * sizeof(int)));
                ginv_witness_release(&w);
            }
            is_yes ? yes++ : no++;
            ginv_net_free(net);
            ginv_problem_release(&pb);
        }
        ginv_graph_release(&g);
    }
    CHECK_MSG(yes >= 5 && no >= 5, "%d YES and %d NO instances", yes, no);
}

TEST(half_clique_constants_satisfy_the_proof)
{
    ginv_graph g;
    CHECK_OK(ginv_graph_random(&g, 8, 0.5, 3, 9));
    for (int p = 1; p <= 6; p++) {
        long long M = 7;
        ginv_net *net;
        ginv_problem pb;
        CHECK_OK(ginv_reduce_half_clique(&g, M, p, &net, &pb));
        const ginv_layer *L = ginv_net_layer_c(net, 0);
        double alpha = -L->b[0], beta = L->W[(size_t)28 * 8]; /* pair {1,2} row; size row */
        int pair12_edge = g.m && g.u[0] == 0 && g.v[0] == 1;
        if (!pair12_edge) CHECK(pow(alpha, p) > M - 0.5 && pow(alpha - 1, p) <= M - 0.5); /* the smallest */
        CHECK(beta > pb.delta && L->b[28] == -4 * beta);
        ginv_net_free(net);
        ginv_problem_release(&pb);
    }
    ginv_graph_release(&g);
    CHECK_OK(ginv_graph_random(&g, 7, 0.5, 1, 1));
    ginv_net *net;
    ginv_problem pb;
    CHECK(ginv_reduce_half_clique(&g, 3, 2, &net, &pb) == GINV_ERR_ARG); /* odd n */
    CHECK(strstr(ginv_last_error(), "even"));
    ginv_graph_release(&g);
}

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

TEST(vertex_cover_net_within_delta_iff_cover_of_size_q)
{
    int yes = 0, no = 0;
    for (int seed = 1; seed <= 8; seed++) {
        ginv_graph g;
        int n = 6 + seed % 3;
        CHECK_OK(ginv_graph_random(&g, n, 0.3 + 0.05 * seed, 1, (uint64_t)seed + 20));
        int tau = brute_min_cover(&g), p = seed % 4 + 1;
        for (int q = 0; q <= n; q++) {
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_vertex_cover(&g, q, p, &net, &pb));
            CHECK(layered_relu(net, 1) && pb.latent == GINV_LATENT_01);
            /* a cover of exactly q vertices exists iff q >= tau (supersets of covers are covers) */
            int is_yes = q >= tau, hits = count_within(net, &pb, NULL);
            CHECK_MSG(is_yes == (hits > 0), "seed %d q %d: min cover %d but %d latents within delta", seed, q, tau, hits);
            is_yes ? yes++ : no++;
            ginv_net_free(net);
            ginv_problem_release(&pb);
        }
        ginv_graph_release(&g);
    }
    CHECK_MSG(yes >= 10 && no >= 10, "%d YES and %d NO", yes, no);
}

/* ----------------------------------------------------- files, map-back */

TEST(reduced_problem_round_trips_and_maps_back_from_the_file)
{
    ginv_cnf f;
    CHECK_OK(ginv_cnf_random(&f, 8, 20, 3, 3));
    unsigned char model[8];
    CHECK(brute_sat(&f, model)); /* ratio 2.5: satisfiable */
    ginv_net *net;
    ginv_problem pb;
    CHECK_OK(ginv_reduce_sat_real(&f, &net, &pb));
    char path[256];
    snprintf(path, sizeof path, "%s/sat.safetensors", test_tmpdir());
    CHECK_OK(ginv_problem_save(net, &pb, path));
    ginv_net_free(net);
    ginv_problem_release(&pb);

    ginv_st_file st;
    CHECK_OK(ginv_st_read(path, &st));
    CHECK_OK(ginv_net_from_st(&st, &net));
    int found;
    CHECK_OK(ginv_problem_from_st(&st, ginv_net_out(net), &pb, &found));
    ginv_st_release(&st);
    CHECK(found && pb.source_json);
    const char *keys[] = {"\"kind\":\"sat\"", "\"theorem\":\"2\"", "\"n\":8", "\"m\":20", "\"k\":3", "\"clauses\":[[",
                          "\"clamp\":[-1,1]", "\"paper\":"};
    for (int i = 0; i < 8; i++) CHECK_MSG(strstr(pb.source_json, keys[i]), "source lacks %s", keys[i]);
    int obj[8];
    double z[8];
    for (int i = 0; i < 8; i++) obj[i] = model[i];
    CHECK_OK(ginv_reduce_encode(&pb, 8, obj, z, 8));
    for (int i = 0; i < 8; i++) z[i] *= 3; /* beyond the clamp: still a witness */
    ginv_witness w;
    CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
    CHECK(w.within && w.dist == 0 && w.solves && w.encoding_ok && !strcmp(w.kind, "sat") && w.size == 8);
    CHECK(!memcmp(w.object, obj, sizeof obj));
    ginv_witness_release(&w);
    /* flip a variable until a clause breaks: map-back names it */
    int broke = 0;
    for (int i = 0; i < 8 && !broke; i++) {
        z[i] = -z[i];
        CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
        if (!w.solves) {
            broke = 1;
            CHECK(!w.within && w.dist >= 1 && strstr(w.why, "is unsatisfied") && w.value >= 1);
        }
        ginv_witness_release(&w);
        z[i] = -z[i];
    }
    CHECK(broke);
    z[0] = 0.5; /* not an encoding */
    CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
    CHECK(!w.encoding_ok && !w.within);
    ginv_witness_release(&w);
    z[0] = NAN;
    CHECK(ginv_reduce_map_back(net, &pb, z, &w) == GINV_ERR_NUMERIC);
    obj[0] = 2;
    CHECK(ginv_reduce_encode(&pb, 8, obj, z, 8) == GINV_ERR_ARG);
    CHECK(ginv_reduce_encode(&pb, 7, obj, z, 8) == GINV_ERR_SHAPE);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    ginv_cnf_release(&f);
}

/* Issue 18 item 1: a source that disagrees with its net is refused with a
 * message naming the source's kind and latent size (the message used to read
 * them after the source was freed). */
TEST(map_back_refuses_a_source_that_disagrees_with_its_net)
{
    ginv_cnf f;
    CHECK_OK(ginv_cnf_random(&f, 3, 2, 2, 7));
    ginv_net *net;
    ginv_problem pb;
    CHECK_OK(ginv_reduce_sat_pm1(&f, &net, &pb));
    char *n3 = strstr(pb.source_json, "\"n\":3");
    CHECK(n3);
    if (n3) n3[4] = '4';
    double z[3] = {-1, 1, 1};
    ginv_witness w;
    CHECK(ginv_reduce_map_back(net, &pb, z, &w) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "problem's source (sat, latent 4, target 1)"), "message: %s",
              ginv_last_error());
    int obj[3] = {0, 1, 1};
    CHECK(ginv_reduce_encode(&pb, 3, obj, z, 3) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "a sat certificate has 4 entries"), "message: %s", ginv_last_error());
    ginv_net_free(net);
    ginv_problem_release(&pb);
    ginv_cnf_release(&f);
}

/* Found by fuzz_problem: a CVP source whose "n" (which sizes the latent
 * check) disagrees with its basis made map-back read z past its end; and
 * numbers beyond every integer type ("n": 1e300, a weight of 1e51) were
 * converted to integers (undefined behaviour). Both are refused. */
TEST(map_back_refuses_sources_inconsistent_with_themselves)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1}, {.kind = GINV_LAYER_RELU}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    double target[2] = {0, 0}, z[2] = {1, 0};
    ginv_problem pb = {.n = 2, .target = target, .p = GINV_NORM_EXACT, .latent = GINV_LATENT_01,
                       .source_json = "{\"kind\":\"cvp\",\"theorem\":\"3\",\"n\":1,\"basis\":[[1,0,2],[0,3,1]],"
                                      "\"target\":[1,2,1]}"};
    ginv_witness w;
    CHECK(ginv_reduce_map_back(net, &pb, z, &w) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "its \"n\" gives a latent of 2 but its basis has 2 rows"), "message: %s",
              ginv_last_error());
    pb.source_json = "{\"kind\":\"sat\",\"theorem\":\"1\",\"n\":1e300,\"clauses\":[[1]]}";
    CHECK(ginv_reduce_map_back(net, &pb, z, &w) == GINV_ERR_SHAPE);
    pb.source_json = "{\"kind\":\"half-clique\",\"theorem\":\"5\",\"n\":2,\"bound\":1e300,"
                     "\"edges\":[[1,2,3.3e51]]}";
    CHECK(ginv_reduce_map_back(net, &pb, z, &w) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "integer weight in 1..2^40"), "message: %s", ginv_last_error());
    ginv_net_free(net);
}

TEST(reductions_refuse_bad_arguments_clearly)
{
    ginv_cvp c;
    CHECK_OK(ginv_cvp_random(&c, 2, 2, 3, 1, 1));
    ginv_net *net;
    ginv_problem pb;
    CHECK(ginv_reduce_cvp_01(&c, -1, 2, &net, &pb) == GINV_ERR_ARG && strstr(ginv_last_error(), "radius"));
    CHECK(ginv_reduce_cvp_real(&c, 1, 2.5, &net, &pb) == GINV_ERR_ARG && strstr(ginv_last_error(), "norm p"));
    CHECK(net == NULL);
    ginv_cvp_release(&c);
    ginv_graph g;
    CHECK_OK(ginv_graph_random(&g, 6, 0.5, 1, 1));
    CHECK(ginv_reduce_vertex_cover(&g, 7, 2, &net, &pb) == GINV_ERR_ARG && strstr(ginv_last_error(), "cover size"));
    CHECK(ginv_reduce_half_clique(&g, 0, 2, &net, &pb) == GINV_ERR_ARG && strstr(ginv_last_error(), "bound M"));
    ginv_graph_release(&g);
    ginv_cnf f;
    CHECK_OK(ginv_cnf_parse("p cnf 2 0\n", 10, 1, &f));
    CHECK(ginv_reduce_sat_pm1(&f, &net, &pb) == GINV_ERR_ARG && strstr(ginv_last_error(), "no clauses"));
    ginv_cnf_release(&f);
}

/* a CNF from clauses written out as DIMACS text */
static void cnf_from_text(const char *text, ginv_cnf *f) { CHECK_OK(ginv_cnf_parse(text, strlen(text), 1, f)); }

TEST(gd_search_finds_a_certificate_of_an_easy_formula_and_none_of_an_unsatisfiable_one)
{
    /* x1 & x2 & x3 has one model, every GD restart slides to it; x1 & !x1 has
     * none, and GD must not report one whatever it converges to. Both the Thm 1
     * (+-1) and the Thm 2 (real, clamp box) nets. */
    ginv_cnf easy, none;
    cnf_from_text("p cnf 3 3\n1 0\n2 0\n3 0\n", &easy);
    cnf_from_text("p cnf 1 2\n1 0\n-1 0\n", &none);
    ginv_gd_search_opts o;
    ginv_gd_search_opts_init(&o);
    CHECK(o.restarts == 32 && o.iters == 400 && o.lr == 0.05 && o.seed == 1);
    o.restarts = 8;
    o.iters = 200;
    for (int real = 0; real < 2; real++) {
        ginv_net *net;
        ginv_problem pb;
        int found = -1;
        CHECK_OK((real ? ginv_reduce_sat_real : ginv_reduce_sat_pm1)(&easy, &net, &pb));
        CHECK_OK(ginv_reduce_gd_search(net, &pb, &o, &found));
        CHECK_MSG(found == 1, "%s net: GD did not find x1 = x2 = x3 = true", real ? "Thm 2" : "Thm 1");
        ginv_net_free(net);
        ginv_problem_release(&pb);
        CHECK_OK((real ? ginv_reduce_sat_real : ginv_reduce_sat_pm1)(&none, &net, &pb));
        found = -1;
        CHECK_OK(ginv_reduce_gd_search(net, &pb, &o, &found));
        CHECK_MSG(found == 0, "%s net: GD reported a model of x1 & !x1", real ? "Thm 2" : "Thm 1");
        o.restarts = 0;
        CHECK(ginv_reduce_gd_search(net, &pb, &o, &found) == GINV_ERR_ARG && found == 0);
        o.restarts = 8;
        ginv_net_free(net);
        ginv_problem_release(&pb);
    }
    ginv_cnf_release(&easy);
    ginv_cnf_release(&none);
}
