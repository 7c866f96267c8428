/* test_gap_cvp.c — Gap-CVP_gamma (Keles & Hegde 2023, §3.3): the exact
 * lattice distance (ginv_cvp_closest) against brute force over a box of
 * integer coefficients, the planted YES / certified NO generator, and the
 * gap versions of Thm 3 and Thm 4 / App. A (the gap survives the reduction). */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static const double norms[4] = {1, 2, 3, INFINITY};

/* min over y in [-K, K]^n of ||B y - t||_p (n <= 4); the minimiser in ybest */
static double brute_lattice(const ginv_cvp *c, double p, int K, int *ybest)
{
    int n = c->n, y[4];
    long total = 1;
    for (int i = 0; i < n; i++) total *= 2 * K + 1;
    double best = INFINITY;
    for (long m = 0; m < total; m++) {
        long q = m;
        for (int i = 0; i < n; i++) {
            y[i] = (int)(q % (2 * K + 1)) - K;
            q /= 2 * K + 1;
        }
        double dd = ginv_cvp_dist(c, y, p);
        if (dd < best) {
            best = dd;
            if (ybest) memcpy(ybest, y, sizeof(int) * n);
        }
    }
    return best;
}

TEST(cvp_closest_matches_brute_force_over_a_coefficient_box)
{
    int checked = 0;
    for (int seed = 1; seed <= 8; seed++) {
        ginv_cvp c;
        CHECK_OK(ginv_cvp_random(&c, 3, 3 + seed % 2, 4, 5, (uint64_t)seed));
        for (int pi = 0; pi < 4; pi++) {
            double p = norms[pi], dist;
            int y[3], yb[3];
            double brute = brute_lattice(&c, p, 12, yb);
            CHECK_OK(ginv_cvp_closest(&c, p, 1e3, y, &dist));
            int inside = abs(y[0]) <= 12 && abs(y[1]) <= 12 && abs(y[2]) <= 12;
            /* exact: equal to the box's minimum, or smaller with y outside the box */
            CHECK_MSG(inside ? fabs(dist - brute) <= 1e-9 * (1 + brute) : dist <= brute + 1e-9,
                      "seed %d p %g: enumeration %.12g, brute force %.12g", seed, p, dist, brute);
            CHECK_NEAR(ginv_cvp_dist(&c, y, p), dist, 1e-12 * (1 + dist));
            /* the bound decides: just below the distance nothing, at it the same distance */
            double below;
            if (dist > 1e-6) {
                CHECK_OK(ginv_cvp_closest(&c, p, dist * (1 - 1e-6), NULL, &below));
                CHECK_MSG(isinf(below), "seed %d p %g: a vector within %.12g < dist %.12g", seed, p, below, dist);
            }
            CHECK_OK(ginv_cvp_closest(&c, p, dist, NULL, &below));
            CHECK_NEAR(below, dist, 1e-12 * (1 + dist));
            checked++;
        }
        ginv_cvp_release(&c);
    }
    CHECK(checked == 32);
}

TEST(cvp_closest_refuses_dependent_bases_and_bad_norms)
{
    ginv_cvp c;
    CHECK_OK(ginv_cvp_random(&c, 2, 3, 4, 0, 3));
    for (int j = 0; j < 3; j++) c.basis[3 + j] = 2 * c.basis[j]; /* v2 = 2 v1 */
    double dist = 0;
    CHECK(ginv_cvp_closest(&c, 2, 10, NULL, &dist) == GINV_ERR_ARG && strstr(ginv_last_error(), "dependent"));
    CHECK(isinf(dist));
    CHECK(ginv_cvp_closest(&c, 0.5, 10, NULL, &dist) == GINV_ERR_ARG);
    ginv_cvp_release(&c);
    CHECK_OK(ginv_cvp_random(&c, 3, 2, 4, 0, 3));
    CHECK(ginv_cvp_closest(&c, 2, 10, NULL, &dist) == GINV_ERR_ARG && strstr(ginv_last_error(), "dependent"));
    ginv_cvp_release(&c);
}

TEST(gap_cvp_generator_plants_yes_within_r_and_certifies_no_beyond_gamma_r)
{
    for (int seed = 1; seed <= 4; seed++)
        for (int pi = 0; pi < 4; pi++) {
            ginv_gap_cvp_opts o;
            ginv_gap_cvp_opts_init(&o);
            o.n = 3;
            o.d = 4;
            o.range = 5;
            o.radius = 2 + seed % 2;
            o.gamma = 1.5;
            o.p = norms[pi];
            o.seed = (uint64_t)seed;
            ginv_cvp base;
            CHECK_OK(ginv_cvp_random(&base, 3, 4, 5, 0, (uint64_t)seed));
            for (int yes = 1; yes >= 0; yes--) {
                o.yes = yes;
                ginv_cvp c;
                ginv_gap_cvp_cert cert;
                int y0[3];
                CHECK_OK(ginv_cvp_gap_random(&c, y0, &o, &cert));
                CHECK(!memcmp(c.basis, base.basis, sizeof(double) * 12)); /* random-lattice's basis */
                double brute = brute_lattice(&c, o.p, 12, NULL);
                if (yes) {
                    CHECK(cert.yes == 1 && cert.planted <= o.radius);
                    CHECK(y0[0] >= 0 && y0[0] <= 1 && y0[1] >= 0 && y0[1] <= 1 && y0[2] >= 0 && y0[2] <= 1);
                    CHECK_NEAR(ginv_cvp_dist(&c, y0, o.p), cert.planted, 1e-12);
                    CHECK(cert.dist <= cert.planted && fabs(cert.dist - brute) <= 1e-9 * (1 + brute));
                } else {
                    CHECK(cert.yes == 0 && isnan(cert.planted) && isinf(cert.dist) && cert.tries >= 1);
                    CHECK_MSG(brute > o.gamma * o.radius, "seed %d p %g: a NO instance has a lattice vector at %g <= %g",
                              seed, o.p, brute, o.gamma * o.radius);
                }
                ginv_cvp_release(&c);
            }
            ginv_cvp_release(&base);
        }
}

TEST(gap_cvp_generator_refuses_bad_options)
{
    ginv_gap_cvp_opts o;
    ginv_gap_cvp_opts_init(&o);
    ginv_cvp c;
    ginv_gap_cvp_cert cert;
    o.n = 4;
    o.d = 3;
    CHECK(ginv_cvp_gap_random(&c, NULL, &o, &cert) == GINV_ERR_ARG); /* n > d */
    o.d = 4;
    o.gamma = 0.5;
    CHECK(ginv_cvp_gap_random(&c, NULL, &o, &cert) == GINV_ERR_ARG);
    o.gamma = 2;
    o.p = 2.5;
    CHECK(ginv_cvp_gap_random(&c, NULL, &o, &cert) == GINV_ERR_ARG);
    o.p = 2;
    o.yes = 0;
    o.radius = 1e5; /* nothing in a 4-dimensional lattice is that far from every vector */
    o.max_tries = 2;
    CHECK(ginv_cvp_gap_random(&c, NULL, &o, &cert) == GINV_ERR_NUMERIC);
    CHECK(c.basis == NULL && c.target == NULL);
}

/* min over every latent of {0,1}^k of ||G(z) - x||_p; *planted_ok: the
 * encoding of y0 maps back to a certificate */
static double min_over_binary(const ginv_net *net, const ginv_problem *pb)
{
    int k = ginv_net_in(net);
    double z[16], x[64], best = INFINITY;
    for (long m = 0; m < (1L << k); m++) {
        for (int i = 0; i < k; i++) z[i] = m >> i & 1;
        ginv_reduce_forward(net, z, x);
        double acc = 0;
        for (int j = 0; j < pb->n; j++) {
            double e = fabs(x[j] - pb->target[j]);
            acc = isinf(pb->p) ? fmax(acc, e) : acc + pow(e, pb->p);
        }
        best = fmin(best, isinf(pb->p) ? acc : pow(acc, 1 / pb->p));
    }
    return best;
}

static void gap_instance(int seed, int yes, double p, ginv_cvp *c, int *y0)
{
    ginv_gap_cvp_opts o;
    ginv_gap_cvp_opts_init(&o);
    o.n = 3;
    o.d = 4;
    o.range = 5;
    o.radius = 2;
    o.gamma = 1.5;
    o.p = p;
    o.yes = yes;
    o.seed = (uint64_t)seed;
    ginv_gap_cvp_cert cert;
    CHECK_OK(ginv_cvp_gap_random(c, y0, &o, &cert));
}

TEST(gap_cvp_thm3_net_keeps_the_gap_yes_within_r_no_beyond_gamma_r)
{
    for (int seed = 1; seed <= 4; seed++)
        for (int yes = 0; yes <= 1; yes++) {
            double p = norms[seed % 4], r = 2, gamma = 1.5;
            ginv_cvp c;
            int y0[3];
            gap_instance(seed, yes, p, &c, y0);
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_gap_cvp_01(&c, r, gamma, p, &net, &pb));
            CHECK(pb.delta == r && strstr(pb.source_json, "\"gamma\":1.5") && strstr(pb.source_json, "\"alpha\":4"));
            double m = min_over_binary(net, &pb);
            if (yes) {
                double z[6];
                ginv_witness w;
                CHECK_OK(ginv_reduce_encode(&pb, 3, y0, z, 6));
                CHECK_OK(ginv_reduce_map_back(net, &pb, z, &w));
                CHECK_MSG(w.within && w.solves && w.encoding_ok && w.dist <= r, "seed %d: the planted y0 maps to %s", seed, w.why);
                ginv_witness_release(&w);
                CHECK(m <= r);
            } else {
                CHECK_MSG(m > gamma * r, "seed %d p %g: a latent at %.12g <= gamma r = %g", seed, p, m, gamma * r);
            }
            ginv_net_free(net);
            ginv_problem_release(&pb);
            ginv_cvp_release(&c);
        }
}

/* App. A's front end built for gamma r: decide (l2, branch and bound) says
 * YES at delta = r on a YES instance, with a witness that maps back, and NO
 * at delta = gamma r on a NO instance: every real latent is farther. */
TEST(gap_cvp_real_net_decided_yes_at_r_and_no_at_gamma_r)
{
    int yes_seen = 0, no_seen = 0;
    for (int seed = 1; seed <= 2; seed++)
        for (int yes = 0; yes <= 1; yes++) {
            ginv_gap_cvp_opts o;
            ginv_gap_cvp_opts_init(&o);
            o.n = 2;
            o.d = 3;
            o.radius = 1;
            o.gamma = 2;
            o.yes = yes;
            o.seed = (uint64_t)seed + 4;
            ginv_cvp c;
            ginv_gap_cvp_cert cert;
            CHECK_OK(ginv_cvp_gap_random(&c, NULL, &o, &cert));
            ginv_net *net;
            ginv_problem pb;
            CHECK_OK(ginv_reduce_gap_cvp_real(&c, 1, 2, 2, &net, &pb));
            CHECK(strstr(pb.source_json, "\"box\":5") != NULL); /* B = 2 gamma r + 1 */
            if (!yes) pb.delta = 2; /* ask the NO side: anything within gamma r? */
            ginv_decide_opts dopt;
            ginv_decide_opts_init(&dopt);
            dopt.time_limit = 30;
            ginv_decide_result res;
            CHECK_OK(ginv_decide(net, &pb, &dopt, &res));
            CHECK_MSG(res.answer == (yes ? GINV_ANSWER_YES : GINV_ANSWER_NO), "seed %d %s: decide %s", seed,
                      yes ? "YES" : "NO", ginv_answer_name(res.answer));
            if (res.answer == GINV_ANSWER_YES) {
                ginv_witness w;
                CHECK_OK(ginv_reduce_map_back(net, &pb, res.witness, &w));
                CHECK_MSG(w.solves && w.value <= 1, "decide's witness maps to '%s'", w.why);
                ginv_witness_release(&w);
                yes_seen++;
            } else {
                no_seen += res.answer == GINV_ANSWER_NO;
            }
            ginv_decide_result_release(&res);
            ginv_net_free(net);
            ginv_problem_release(&pb);
            ginv_cvp_release(&c);
        }
    CHECK(yes_seen == 2 && no_seen == 2);
}

TEST(gap_cvp_reductions_at_gamma_one_are_the_exact_ones_and_refuse_gamma_below_one)
{
    ginv_cvp c;
    CHECK_OK(ginv_cvp_random(&c, 2, 3, 4, 1, 7));
    ginv_net *a, *b;
    ginv_problem pa, pbb;
    CHECK_OK(ginv_reduce_cvp_real(&c, 1.5, 2, &a, &pa));
    CHECK_OK(ginv_reduce_gap_cvp_real(&c, 1.5, 1, 2, &b, &pbb));
    CHECK(!strcmp(pa.source_json, pbb.source_json) && !strstr(pa.source_json, "\"gamma\""));
    double z[4] = {0.3, 2.9, 4, 0.1}, xa[32], xb[32];
    CHECK_OK(ginv_reduce_forward(a, z, xa));
    CHECK_OK(ginv_reduce_forward(b, z, xb));
    CHECK(!memcmp(xa, xb, sizeof(double) * (size_t)pa.n));
    ginv_net_free(a);
    ginv_net_free(b);
    ginv_problem_release(&pa);
    ginv_problem_release(&pbb);
    CHECK(ginv_reduce_gap_cvp_01(&c, 1, 0.9, 2, &a, &pa) == GINV_ERR_ARG && strstr(ginv_last_error(), "gamma"));
    CHECK(a == NULL);
    ginv_cvp_release(&c);
}
