/* ginv/reduce.h — hardness reductions: CNF, graphs and CVP instances (DIMACS
 * and array files) reduced to network inversion, witnesses mapped back.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_REDUCE_H
#define GINV_REDUCE_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/exact.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------ hardness reductions */

/* The instances behind Keles & Hegde (2023), §3-5: k-SAT (DIMACS CNF),
 * graphs (DIMACS edge format) and (0,1)-CVP lattices (array files), their
 * random generators, and the checks map-back needs. */
enum {
    GINV_STREAM_SAT = GINV_STREAM_USER + 51,     /* random k-SAT clauses */
    GINV_STREAM_GRAPH = GINV_STREAM_USER + 52,   /* G(n, p) edges and weights */
    GINV_STREAM_LATTICE = GINV_STREAM_USER + 53, /* random lattice, planted target */
    GINV_STREAM_GAP_CVP = GINV_STREAM_USER + 110 /* Gap-CVP targets, one index per try */
};

/* A CNF formula: clause c holds lits[start[c] .. start[c+1]), each literal
 * +v or -v for variable v in 1..nvars (DIMACS numbering). */
typedef struct {
    int nvars, nclauses;
    int *start;   /* nclauses + 1, owned */
    int *lits;    /* start[nclauses], owned */
} ginv_cnf;
/* DIMACS CNF. Strict: one "p cnf V C" header before any clause, exactly C
 * clauses each ended by 0, nothing but comments after. Lenient also takes
 * SATLIB's "%" end marker (the rest of the file is ignored), a last clause
 * without its 0, and a clause count other than the header's. Both modes:
 * comment lines ("c ..."), clauses over several lines or several per line,
 * literals within 1..V. Errors name the line: "line 7: ...". */
ginv_status ginv_cnf_parse(const char *buf, size_t len, int strict, ginv_cnf *out);
/* The same from a file; errors start with the path. */
ginv_status ginv_cnf_read(const char *path, int strict, ginv_cnf *out);
ginv_status ginv_cnf_write(const char *path, const ginv_cnf *f, const char *comment);
void ginv_cnf_release(ginv_cnf *f);
/* Uniform random k-SAT: m clauses of k distinct variables of n, each negated
 * with probability 1/2, from stream (seed, GINV_STREAM_SAT, 0). */
ginv_status ginv_cnf_random(ginv_cnf *out, int n, int m, int k, uint64_t seed);
/* assign[v-1] in {0, 1} is variable v's value. The first clause it leaves
 * unsatisfied, or -1 when it satisfies every clause. */
int ginv_cnf_first_unsat(const ginv_cnf *f, const unsigned char *assign);
int ginv_cnf_satisfied(const ginv_cnf *f, const unsigned char *assign);

/* An undirected simple graph on vertices 0..n-1 (DIMACS numbers them from 1)
 * with positive integer edge weights (1 when the file gives none). */
typedef struct {
    int n, m;
    int *u, *v;          /* m edges, u[e] < v[e], owned */
    long long *w;        /* m weights >= 1, owned */
    int weighted;        /* some edge line gave a weight */
} ginv_graph;
/* DIMACS graph ("p edge N M" or "p col N M", "e U V" lines; "e U V W" gives
 * an edge weight W >= 1, used by Thm 5). Strict: exactly M distinct edges,
 * no vertex-weight "n" lines. Lenient: any edge count, repeated edges merged
 * (the same weight required), "n" lines ignored. Both: no self-loops,
 * vertices within 1..N, comments ("c"). Errors name the line. */
ginv_status ginv_graph_parse(const char *buf, size_t len, int strict, ginv_graph *out);
ginv_status ginv_graph_read(const char *path, int strict, ginv_graph *out);
ginv_status ginv_graph_write(const char *path, const ginv_graph *g, const char *comment);
void ginv_graph_release(ginv_graph *g);
/* G(n, p): each pair an edge with probability p; weights uniform in
 * 1..max_weight (max_weight 1: unweighted). Stream (seed, GINV_STREAM_GRAPH, 0). */
ginv_status ginv_graph_random(ginv_graph *out, int n, double p, long long max_weight,
                              uint64_t seed);
/* in[i] in {0, 1}: vertex i is in the set. */
int ginv_graph_is_clique(const ginv_graph *g, const unsigned char *in);
int ginv_graph_is_vertex_cover(const ginv_graph *g, const unsigned char *in);
/* The total weight of the edges with both ends in the set. */
long long ginv_graph_set_weight(const ginv_graph *g, const unsigned char *in);
/* The complement of g: every pair of distinct vertices that is not an edge
 * of g (unweighted), in (i, j), i < j order; write it with ginv_graph_write. */
ginv_status ginv_graph_complement(const ginv_graph *g, ginv_graph *out);
/* A maximum independent set of g (n <= 64; more: GINV_ERR_UNSUPPORTED), by
 * branch and bound on a vertex of largest degree: *size is the independence
 * number alpha (the vertex cover number is n - alpha, the complement's
 * largest clique alpha); in (n values, or NULL) gets one such set. */
ginv_status ginv_graph_max_independent_set(const ginv_graph *g, unsigned char *in, int *size);

/* A (0,1)-CVP instance (Keles & Hegde §3.3): basis vectors v_1..v_n in R^d
 * and a target t in R^d. */
typedef struct {
    int n, d;
    double *basis;   /* n x d: row i is v_{i+1}, owned */
    double *target;  /* d, owned */
} ginv_cvp;
/* basis: an n x d array file (one basis vector a row, as fplll), target: d
 * values (a 1-D array, or a 1 x d or d x 1 one). */
ginv_status ginv_cvp_read(const char *basis_path, const char *target_path, ginv_cvp *out);
ginv_status ginv_cvp_from_arrays(const ginv_array *basis, const ginv_array *target,
                                 ginv_cvp *out);
ginv_status ginv_cvp_write(const char *basis_path, const char *target_path, const ginv_cvp *c);
/* fplll's text format ("[[b11 b12 ..][b21 ..]..]" then "[t1 t2 ..]", integer
 * entries), what `fplll -a cvp` reads on its standard input. */
ginv_status ginv_cvp_write_fplll(const char *path, const ginv_cvp *c);
void ginv_cvp_release(ginv_cvp *c);
/* Integer basis entries uniform in [-range, range]; target t = B y0 + e with
 * y0 uniform in {0,1}^n and e uniform integers in [-noise, noise]. Stream
 * (seed, GINV_STREAM_LATTICE, 0). */
ginv_status ginv_cvp_random(ginv_cvp *out, int n, int d, int range, int noise, uint64_t seed);
/* ||B y - t||_p for coefficients y (n); p = INFINITY: max norm. */
double ginv_cvp_dist(const ginv_cvp *c, const int *y, double p);

/* Gap-CVP_gamma (Keles & Hegde §3.3, the promise problem of the fine-grained
 * CVP bounds they cite): YES if dist_p(t, L(B)) <= r, NO if > gamma r, with
 * L(B) = {B y : y in Z^n}. */
/* dist_p(t, L(B)) when it is <= bound (*dist; y, n values or NULL, the
 * coefficients of a closest lattice vector), else *dist = INFINITY: exact
 * enumeration (Fincke–Pohst, Schnorr–Euchner order) of the lattice vectors
 * in the l2 ball that holds the l_p ball of radius bound, each measured in
 * l_p. The basis rows must be linearly independent (n <= d); p in 1..64 or
 * INFINITY. Exponential in n: meant for n up to a few dozen. */
ginv_status ginv_cvp_closest(const ginv_cvp *c, double p, double bound, int *y, double *dist);
typedef struct {
    int n, d;          /* basis vectors (n <= d), dimension */
    int range;         /* basis entries uniform integers in [-range, range] (default 6) */
    double radius;     /* r >= 0 (default 2) */
    double gamma;      /* the gap, >= 1 (default 1) */
    double p;          /* the norm: 1..64 or INFINITY (default 2) */
    int yes;           /* 1: a YES instance (default), 0: a NO instance */
    uint64_t seed;     /* default 1 */
    int max_tries;     /* NO: targets drawn until one is certified (default 200) */
} ginv_gap_cvp_opts;
void ginv_gap_cvp_opts_init(ginv_gap_cvp_opts *o);
typedef struct {
    int yes;           /* the instance's answer */
    double dist;       /* dist_p(t, L) if <= gamma r, else INFINITY (a NO: > gamma r) */
    double planted;    /* YES: ||B y0 - t||_p <= r of the planted y0; NO: NaN */
    int tries;         /* targets drawn */
} ginv_gap_cvp_cert;
/* A planted Gap-CVP_gamma instance on ginv_cvp_random's basis (same seed):
 * YES: t = B y0 + e, y0 in {0,1}^n, e integer with ||e||_p <= r; NO: t drawn
 * (stream GINV_STREAM_GAP_CVP) until ginv_cvp_closest certifies that no
 * lattice vector is within gamma r. y0 (n values or NULL): the planted
 * coefficients (YES: a (0,1)-CVP certificate). */
ginv_status ginv_cvp_gap_random(ginv_cvp *out, int *y0, const ginv_gap_cvp_opts *o,
                                ginv_gap_cvp_cert *cert);

/* The reductions (Keles & Hegde 2023). Each builds an ordinary layered net
 * (dense layers with bias, each followed by ReLU) and the decision problem
 * to store beside it (ginv_problem_save); pb->source_json describes the
 * reduction and embeds the original instance, which is what map-back reads.
 * docs/hardness.md gives each network layer by layer. */
/* Thm 1: 2 layers, z in {-1,1}^n, exact: G(z) = 0 iff z satisfies f. */
ginv_status ginv_reduce_sat_pm1(const ginv_cnf *f, ginv_net **net, ginv_problem *pb);
/* Thm 2: 4 layers, z in R^n, exact: G(z) = (0, n) iff clamp(z, -1, 1) is a
 * +-1 vector that satisfies f. */
ginv_status ginv_reduce_sat_real(const ginv_cnf *f, ginv_net **net, ginv_problem *pb);
/* Thm 3: 1 layer, z in {0,1}^{2n}, ||G(z)||_p <= delta = r iff z encodes y
 * in {0,1}^n with ||B y - t||_p <= r. p: 1..64 or INFINITY. */
ginv_status ginv_reduce_cvp_01(const ginv_cvp *c, double r, double p, ginv_net **net,
                               ginv_problem *pb);
/* Thm 4 (r < 1/4) or its Appendix A (any r): 5 layers, z in R^{2n}. */
ginv_status ginv_reduce_cvp_real(const ginv_cvp *c, double r, double p, ginv_net **net,
                                 ginv_problem *pb);
/* The same nets for Gap-CVP_gamma (gamma >= 1): delta = r, and the constants
 * that must exceed delta in the proofs exceed gamma r instead (Thm 3's
 * alpha = floor(gamma r) + 1; Thm 4 / App. A's bands built for gamma r), so
 * a YES instance has a latent within r (the planted y0, encoded) and a NO
 * instance (every y in {0,1}^n farther than gamma r) has every latent
 * farther than gamma r: the gap survives the reduction. gamma = 1 gives
 * ginv_reduce_cvp_01 / _real's nets. */
ginv_status ginv_reduce_gap_cvp_01(const ginv_cvp *c, double r, double gamma, double p,
                                   ginv_net **net, ginv_problem *pb);
ginv_status ginv_reduce_gap_cvp_real(const ginv_cvp *c, double r, double gamma, double p,
                                     ginv_net **net, ginv_problem *pb);
/* Thm 5: 1 layer, z in {0,1}^n (n even): some z with ||G(z)||_p <= delta iff
 * g has a clique of n/2 vertices whose edge weights sum to less than M
 * (integer weights; bound M >= 1). p: 1..64. */
ginv_status ginv_reduce_half_clique(const ginv_graph *g, long long M, int p, ginv_net **net,
                                    ginv_problem *pb);
/* Thm 6: 5 layers, z in R^n (n even): App. A's front end (Thm 4) forces
 * clamp(z, 0, box) to {0, box}-bands and Thm 5's layer follows; some z with
 * ||G(z) - x||_p <= delta (Thm 5's delta) iff g has a clique of n/2 vertices
 * weighing less than M. p: 1..64 (the theorem: even p). */
ginv_status ginv_reduce_half_clique_real(const ginv_graph *g, long long M, int p, ginv_net **net,
                                         ginv_problem *pb);
/* §5.3: 1 layer, z in {0,1}^n: some z with ||G(z)||_p <= delta iff g has a
 * vertex cover of exactly q vertices. p: 1..64. */
ginv_status ginv_reduce_vertex_cover(const ginv_graph *g, int q, int p, ginv_net **net,
                                     ginv_problem *pb);
/* §5.3's layer behind Thm 6's real front end (an extension the paper does
 * not state): 5 layers, z in R^n, vertex i in the cover iff
 * clamp(z_i, 0, box) <= box/2; YES iff g has a vertex cover of exactly q. */
ginv_status ginv_reduce_vertex_cover_real(const ginv_graph *g, int q, int p, ginv_net **net,
                                          ginv_problem *pb);

/* Map-back: what a latent z of a reduced net says about the original
 * instance (read from pb->source_json), checked against that instance. */
typedef struct {
    char kind[16];       /* "sat", "cvp", "half-clique", "vertex-cover" */
    int size;            /* entries in object */
    int *object;         /* owned. sat: value (0/1) of variable i+1; cvp: coefficient
                            y_{i+1} in {0,1}; half-clique: vertex i+1 in the clique;
                            vertex-cover: vertex i+1 in the cover D */
    int encoding_ok;     /* z is one of the encodings the proof names (see
                            docs/hardness.md); object is read from z either way */
    int solves;          /* object is a YES certificate of the original instance */
    double value;        /* sat: clauses left unsatisfied; cvp: ||B y - t||_p;
                            half-clique: |set| - n/2 == 0 and a clique ? its weight : NaN;
                            vertex-cover: |D| */
    double dist;         /* ||G(z) - x||_p (double-precision forward; max norm if exact) */
    int within;          /* dist <= delta (exact problems: dist == 0) */
    char why[256];       /* when !solves: the first reason, else "" */
} ginv_witness;
/* z: ginv_net_in(net) values in the problem's latent domain (real latents:
 * anything finite). */
ginv_status ginv_reduce_map_back(const ginv_net *net, const ginv_problem *pb, const double *z,
                                 ginv_witness *w);
void ginv_witness_release(ginv_witness *w);
/* The latent each proof builds from a certificate (object as in
 * ginv_witness, `size` entries): z (ginv_net_in values, k of them). */
ginv_status ginv_reduce_encode(const ginv_problem *pb, int size, const int *object, double *z,
                               int k);
/* x (ginv_net_out) = G(z) in double precision; dense, relu and identity
 * layers only. */
ginv_status ginv_reduce_forward(const ginv_net *net, const double *z, double *x);
/* Gradient descent as a certificate search: Adam with `restarts` starts in one
 * batch on 1/2 ||G(z) - x||^2 (A = I), starts uniform in the latent domain's
 * interval ({0,1}: [0, 1]; {+-1}: [-1, 1]; real: the source's "clamp"
 * interval) from stream (seed, GINV_STREAM_INIT, 0); each restart is rounded
 * to the domain (real latents: the object map-back reads, encoded as the
 * proof does) and mapped back. *found = 1 when one of them is a certificate
 * of the original instance (it never counts anything else). */
typedef struct {
    int restarts;   /* default 32 */
    int iters;      /* Adam iterations, default 400 */
    double lr;      /* Adam step, default 0.05 */
    uint64_t seed;  /* default 1 */
} ginv_gd_search_opts;
void ginv_gd_search_opts_init(ginv_gd_search_opts *o);
ginv_status ginv_reduce_gd_search(ginv_net *net, const ginv_problem *pb, const ginv_gd_search_opts *o,
                                  int *found);

#ifdef __cplusplus
}
#endif
#endif
