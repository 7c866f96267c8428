/* exact_internal.h — what the files of src/exact share (not public API): the
 * network as a chain of double-precision affine maps with ReLU or identity
 * after each, interval bounds, the tolerances, small dense linear algebra and
 * the leaf QP. */
#ifndef GINV_EXACT_INTERNAL_H
#define GINV_EXACT_INTERNAL_H

#include "ginv.h"

/* G(z) = A_L(s(A_{L-1}(... s(A_1 z)))) with A_l h = W_l h + b_l and s = ReLU
 * or the identity after each dense layer (relu[l]). */
typedef struct {
    int L, k, n;       /* dense layers, latent size, output size */
    int *in, *out;     /* (L) */
    int *relu;         /* (L) 1: ReLU after layer l, 0: identity */
    double **W, **b;   /* (L) out x in row-major, out (zeros without bias) */
    int *off;          /* (L) index of layer l's first unit in a flat unit list */
    int units;         /* sum of out[l] */
    int maxw;          /* widest of k and every out[l] */
} ginv_dnet;

/* Dense layers with relu/identity only; anything else is GINV_ERR_UNSUPPORTED. */
ginv_status ginv_dnet_from(const ginv_net *net, ginv_dnet *d);
void ginv_dnet_release(ginv_dnet *d);
/* x (n) = G(z); pre (units, may be NULL) gets every pre-activation. */
void ginv_dnet_forward(const ginv_dnet *d, const double *z, double *x, double *pre);
/* Interval propagation from z in [zlo, zhi] (infinite entries allowed):
 * every unit's pre-activation bounds lo/hi (units each). */
void ginv_dnet_bounds(const ginv_dnet *d, const double *zlo, const double *zhi, double *lo,
                      double *hi);
/* The affine piece of G on the activation pattern act (units, 1/0 per ReLU
 * unit; identity units ignored): G(z) = C z + e (C n x k), valid where the
 * rows A z <= c (m rows, m <= units, returned) hold. Any output may be NULL
 * except m. Buffers: C n*k, e n, A units*k, c units. */
void ginv_dnet_affine(const ginv_dnet *d, const signed char *act, double *C, double *e,
                      double *A, double *c, int *m);

/* Unit i of layer l as an LP row h - sum_j W_l[i][j] prev_j in GLPK's
 * 1-based ind/val (slot 1 the column h, then the nonzero weights, negated,
 * at the previous layer's columns prev); returns the row's length. */
int ginv_dnet_unit_row(const ginv_dnet *d, int l, int i, int h, const int *prev, int *ind,
                       double *val);

/* Symmetric eigen-decomposition by cyclic Jacobi: A (n x n, destroyed),
 * eigenvalues ev (n), eigenvectors as the columns of V (n x n). */
void ginv_jacobi_eig(int n, double *A, double *ev, double *V);
/* x (n) = pinv(S) r for a symmetric positive semidefinite S (n x n, copied),
 * eigenvalues below rel * max treated as zero. Returns the rank. */
int ginv_psd_solve(int n, const double *S, const double *r, double rel, double *x);

/* min ||C z + e||^2 subject to A z <= c (C: nr x k, A: m x k) by a primal
 * active-set method from z (feasible, updated); lam (m) gets the
 * multipliers. Returns 0 at a KKT point, 1 when the iteration cap was hit. */
int ginv_qp_solve(int k, int nr, const double *C, const double *e, int m, const double *A,
                  const double *c, double *z, double *lam);

/* The l_p objective (finite p > 1, l2 included) of bnb.c as power-cone cutting
 * planes in its GLPK LP (lp_cuts.c): per output i, s_i >= |o_i - x_i|, r_i
 * >= 0 with sum r_i = t, and tangents s_i <= a r_i + b t of the concave
 * r_i^(1/p) t^(1-1/p); the LP minimises t, a lower bound on ||o - x||_p over
 * its region. */
struct glp_prob;
typedef struct {
    int n;
    double p;
    int tcol, *scol, *rcol;  /* the LP columns t, s_i, r_i */
    long cuts, budget;       /* cuts added by separation, and their cap */
    int budget_hit;
} ginv_oa;
/* Adds the columns t, s, r, their rows (o_i: the output columns ocol, target
 * x) and three tangents per output; the objective t. */
ginv_status ginv_oa_build(ginv_oa *oa, struct glp_prob *P, int n, const int *ocol, const double *x,
                          double p);
void ginv_oa_release(ginv_oa *oa);
/* Separation at the LP's current point: *relaxed (may be NULL) gets
 * ||s||_p, the distance the LP point's s truly has (an upper bound on what
 * cuts can lift the node's bound to). When it exceeds floor_dist and the
 * bound t by more than min_gap, adds per output the violated tangents at the
 * ratios r_i / t and (s_i / ||s||_p)^p (within the budget). Returns the
 * number of cuts added (0: not worth it, converged, or the budget is spent). */
int ginv_oa_separate(ginv_oa *oa, struct glp_prob *P, double floor_dist, double min_gap, double *relaxed);

/* Seconds on a monotonic clock. */
double ginv_now(void);

/* Latent box of a problem: lo/hi (k); unbounded real latents get +-INFINITY. */
void ginv_domain_box(const ginv_problem *pb, int k, double *lo, double *hi);

/* The tolerances of decide: scale = max(1, ||x||_inf); an exact witness
 * needs ||G(z) - x||_inf <= 1e-9 scale; enumeration prunes only when an
 * interval bound exceeds the threshold by 1e-9 scale; LP/MILP/QP bounds
 * certify NO only when they exceed it by 1e-6 scale. */
#define GINV_EXACT_TOL 1e-9
#define GINV_ENUM_MARGIN 1e-9
#define GINV_LP_MARGIN 1e-6

typedef struct {
    const ginv_dnet *d;
    const ginv_problem *pb;
    const ginv_decide_opts *o;
    double scale, thr_yes;   /* YES iff dist <= thr_yes (exact: tolerance) */
    double t0;               /* start time */
    double last_progress;
} ginv_decide_ctx;

/* Distance of a latent by a clean double forward pass (the verifier). */
double ginv_decide_verify(const ginv_decide_ctx *cx, const double *z);
/* Record a YES witness in res (copied; distance verified by the caller). */
ginv_status ginv_decide_set_witness(ginv_decide_result *res, int k, const double *z, double dist);
/* Polish a real latent: solve the affine piece of z's activation pattern for
 * G(z) = x in least squares, keep it if it verifies closer. */
void ginv_decide_polish(const ginv_decide_ctx *cx, double *z, double *dist);
int ginv_decide_timed_out(const ginv_decide_ctx *cx);

ginv_status ginv_decide_enum(const ginv_decide_ctx *cx, ginv_decide_result *res);
ginv_status ginv_decide_milp(const ginv_decide_ctx *cx, ginv_decide_result *res);
ginv_status ginv_decide_bnb(const ginv_decide_ctx *cx, ginv_decide_result *res);

#endif
