/* ginv/exact.h — inversion problems (target, latent domain, norm) and their
 * exact decision (enumeration, MILP, branch and bound), bounds and
 * verification.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_EXACT_H
#define GINV_EXACT_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------ inversion problems */

/* A decision problem of Keles & Hegde (2023): is there a latent z in the
 * domain with ||G(z) - x||_p <= delta (p = 0: exactly G(z) == x)? Stored
 * beside the net in a model file, under __metadata__["ginv.problem"], as
 * JSON {"target": [n numbers], "delta": d, "p": P ("exact", 1, 2, 3, ...,
 * "inf"), "latent": "01"|"pm1"|"real", "box": R (real only; absent or 0:
 * unbounded), "source": {...what built it: reduction, theorem, sizes...}}. */
typedef enum { GINV_LATENT_REAL = 0, GINV_LATENT_01, GINV_LATENT_PM1 } ginv_latent_domain;
#define GINV_NORM_EXACT 0.0  /* p value meaning x == G(z) */
typedef struct {
    int n;                     /* target length == the net's output size */
    double *target;            /* n, owned */
    double delta;              /* >= 0 (ignored for exact) */
    double p;                  /* GINV_NORM_EXACT, 1, 2, ..., or INFINITY */
    ginv_latent_domain latent;
    double box;                /* real latents: |z_i| <= box; 0 = unbounded */
    char *source_json;         /* JSON object text or NULL, owned */
} ginv_problem;
void ginv_problem_release(ginv_problem *pb);
const char *ginv_latent_domain_name(ginv_latent_domain d); /* "real", "01", "pm1" */
ginv_status ginv_latent_domain_parse(const char *text, ginv_latent_domain *out);
/* "exact", "1", "2", "3", ..., "inf" <-> p. */
ginv_status ginv_norm_parse(const char *text, double *p);
const char *ginv_norm_name(double p, char *buf, size_t len);
/* Read the problem stored in a parsed model file; *found = 0 (and GINV_OK)
 * when the file has none. Checks the target length against n_out. */
ginv_status ginv_problem_from_st(const ginv_st_file *f, int n_out, ginv_problem *out,
                                 int *found);
/* The box |z_i| <= R holding the "clamp" interval a real-latent reduction
 * stores in its source (G(z) = G(clamp(z)), docs/hardness.md), or 0. */
double ginv_problem_clamp_box(const ginv_problem *pb);
/* Save net + problem as one model file (atomic). */
ginv_status ginv_problem_save(const ginv_net *net, const ginv_problem *pb, const char *path);
/* ||a - b||_p in double (p = 0 or INFINITY: max norm; exact problems test
 * the distance against 0 with the max norm). */
double ginv_dist_p(int n, const double *a, const double *b, double p);

/* ------------------------------------------------------- exact decision */

/* Decide a ginv_problem exactly (Keles & Hegde 2023, §3.1): YES with a
 * witness latent whose distance a double-precision forward pass confirms, NO
 * with a certificate, or UNKNOWN (time limit, or a floating-point bound too
 * close to delta to trust) -- never a wrong answer. YES means
 * ||G(z) - x||_p <= delta (exact: ||G(z) - x||_inf <= 1e-9 max(1, ||x||_inf)).
 * Networks: dense layers, each followed by relu or nothing (docs/decide.md). */
typedef enum { GINV_ANSWER_UNKNOWN = 0, GINV_ANSWER_YES = 1, GINV_ANSWER_NO = 2 } ginv_answer;
const char *ginv_answer_name(ginv_answer a);  /* "UNKNOWN", "YES", "NO" */

typedef enum {
    GINV_DECIDE_AUTO = 0, /* enum for binary latents; milp for boxed real latents with exact,
                             l1, linf; bnb otherwise */
    GINV_DECIDE_ENUM,     /* binary latents, any p: DFS with interval pruning, Gray-code blocks */
    GINV_DECIDE_MILP,     /* GLPK, big-M from interval bounds: exact, l1, linf; binary or boxed */
    GINV_DECIDE_BNB       /* real latents: activation-pattern branch and bound, LP leaves
                             (exact, l1, linf) or convex QP leaves (l2) */
} ginv_decide_method;
const char *ginv_decide_method_name(ginv_decide_method m);
ginv_status ginv_decide_method_parse(const char *text, ginv_decide_method *out);

typedef struct {
    ginv_decide_method method;
    double time_limit;      /* seconds; 0: none */
    int minimize;           /* go on to the proven minimum distance instead of stopping as
                               soon as the answer is known */
    int max_pruned;         /* enumeration: pruned subtrees recorded in the certificate */
    ginv_ctx *ctx;          /* callbacks and cancel (ginv/base.h); NULL: none. A cancelled
                               run returns GINV_ERR_CANCELLED and no result */
} ginv_decide_opts;
void ginv_decide_opts_init(ginv_decide_opts *o);

/* A subtree the enumeration skipped: latents whose first `depth` coordinates
 * are given by the bits of prefix (bit j = coordinate j: 1 means 1, 0 means 0
 * or -1), with the interval lower bound on their distance that excluded them. */
typedef struct { int depth; uint64_t prefix; double bound; } ginv_pruned;

typedef struct {
    ginv_answer answer;
    ginv_decide_method method;  /* the method that ran */
    int k;
    double *witness;            /* (k) YES: the latent, owned; else NULL */
    double distance;            /* YES: ||G(witness) - x||_p by the double forward pass;
                                   NO: the minimum distance when it is proven, else NaN */
    double lower_bound;         /* proven lower bound on min_z ||G(z) - x||_p */
    double upper_bound;         /* smallest verified distance found (INFINITY: none) */
    double threshold;           /* delta, or the exact tolerance */
    double margin;              /* a bound certifies NO only when > threshold + margin */
    long nodes;                 /* enumeration DFS nodes, MILP or bnb nodes */
    double seconds;
    char note[256];             /* what certifies the answer, or why UNKNOWN */
    /* enumeration certificate: visited + pruned_latents == 2^k when complete */
    uint64_t visited, pruned_latents;
    long pruned_subtrees;
    int npruned;                /* recorded in pruned (at most opts.max_pruned) */
    ginv_pruned *pruned;        /* owned */
    /* MILP / bnb certificate */
    double solver_bound;        /* GLPK's bound (MILP) or the least closing bound (bnb) */
    int unstable_units, stable_units; /* ReLUs with a big-M / a sign fixed by the intervals */
    long lp_solves, infeasible_nodes, bound_pruned_nodes, exact_leaves, qp_leaves;
    double max_kkt_residual;    /* bnb l2 without a box: worst stationarity residual accepted */
    /* bnb l_p, finite p > 1 (cone cutting planes, src/exact/lp_cuts.c) */
    long cuts, cut_rounds;      /* tangent cuts added by separation; LP re-solves after cuts */
    double max_leaf_gap;        /* largest verified distance - lower bound of a node closed
                                   with its LP point on the net (the cuts' final gap) */
    int cut_budget_hit;         /* 1: the cut budget ran out (nodes closed with looser bounds) */
} ginv_decide_result;

ginv_status ginv_decide(const ginv_net *net, const ginv_problem *pb, const ginv_decide_opts *o,
                        ginv_decide_result *res);
void ginv_decide_result_release(ginv_decide_result *r);
/* G(z) in double (n values) for a dense/relu/identity net. */
ginv_status ginv_forward_f64(const ginv_net *net, const double *z, double *x);
/* Interval bounds of the output over the latent box [zlo, zhi] (k each). */
ginv_status ginv_output_bounds(const ginv_net *net, const double *zlo, const double *zhi,
                               double *xlo, double *xhi);
/* The MILP that decide --method milp solves (minimise the distance), in
 * CPLEX LP format, written atomically: for glpsol --lp or cbc. */
ginv_status ginv_milp_write_lp(const ginv_net *net, const ginv_problem *pb, const char *path);

/* Lei et al. (2019) layer-wise inversion of an expansive ReLU net by linear
 * programming: from the output back, the positive units of a layer give
 * equalities W_i h = x_i - b_i, the zero units inequalities W_i h + b_i <= 0;
 * one LP per layer (min the l1 residual of the equalities) gives its input. */
typedef struct {
    int in, out;        /* the dense layer's sizes */
    int active;         /* output units > act_tol: equalities */
    int rank;           /* rank of the active rows of W */
    int unique;         /* rank == in: the layer's input is determined */
    int lp_ok;          /* the LP solved (optimal) */
    double residual;    /* l1 residual of the equalities at the LP solution */
    double violation;   /* largest violation of the inequalities */
} ginv_invert_lp_layer;
typedef struct {
    int L, k;
    ginv_invert_lp_layer *layers; /* (L) layer 0 is the first dense layer, owned */
    double *z;                    /* (k) the recovered latent, owned */
    double fit;                   /* ||G(z) - x||_inf */
    int all_unique;
} ginv_invert_lp_result;
ginv_status ginv_invert_lp(const ginv_net *net, const double *x, double act_tol,
                           ginv_invert_lp_result *res);
void ginv_invert_lp_result_release(ginv_invert_lp_result *r);

#ifdef __cplusplus
}
#endif
#endif
