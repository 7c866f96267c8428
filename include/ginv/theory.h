/* ginv/theory.h — Hand & Voroninski's quantities: WDC and RRIC estimates,
 * the loss landscape, and the closed forms g, rho_d, h_{x,x0}.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_THEORY_H
#define GINV_THEORY_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/infer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- WDC/RRIC */

/* Hand & Voroninski (2019) Definitions 2 and 3, measured on concrete weights
 * and operators (double precision). Estimates are maxima over sampled points
 * followed by a local ascent: lower bounds on the true suprema. */
enum {
    GINV_STREAM_WDC = GINV_STREAM_USER + 21,  /* WDC pairs and ascent (index: layer) */
    GINV_STREAM_RRIC = GINV_STREAM_USER + 22  /* RRIC quadruples and ascent */
};

/* Eigenvalues (ascending) of the symmetric k x k matrix A (row-major, only
 * its lower triangle is read): Householder tridiagonalisation + implicit QL. */
ginv_status ginv_sym_eigvals(int k, const double *A, double *eig);
/* Spectral norm max |lambda| of the symmetric k x k matrix A. */
ginv_status ginv_sym_norm(int k, const double *A, double *norm);

/* Def. 2 footnote 1: M (k x k) maps x^ -> y^, y^ -> x^ and kills
 * span{x, y}^perp; x^x^T at angle 0, -x^x^T at angle pi. x, y nonzero. */
ginv_status ginv_wdc_swap_matrix(int k, const double *x, const double *y, double *M);
/* Def. 2 eq. (2): Q_{x,y} = (pi - th)/(2 pi) I + sin(th)/(2 pi) M_{x<->y}. */
ginv_status ginv_wdc_q(int k, const double *x, const double *y, double *Q);
/* Def. 2 eq. (2): || sum_i 1[w_i.x > 0] 1[w_i.y > 0] w_i w_i^T - Q_{x,y} || for
 * W (n x k, row-major: a dense layer's weight, rows w_i). */
ginv_status ginv_wdc_deviation(int n, int k, const float *W, const double *x, const double *y,
                               double *dev);

typedef struct {
    int pairs;          /* sampled (x, y) pairs: a third uniform on the sphere, a third
                           at small angles, a third near pi (and the exact 0 and pi) */
    int ascent_starts;  /* local ascent from the worst this many pairs */
    int ascent_steps;   /* random-perturbation hill-climbing steps per start */
    uint64_t seed, index; /* stream (seed, GINV_STREAM_WDC, index) */
} ginv_wdc_opts;
void ginv_wdc_opts_init(ginv_wdc_opts *o);

typedef struct {
    double max;          /* the largest deviation found (after the ascent) */
    double max_sampled;  /* the largest over the sampled pairs alone */
    double mean;         /* mean over the sampled pairs */
    double angle;        /* angle(x, y) of the worst pair, radians */
    long evaluated;      /* deviations computed */
} ginv_wdc_result;

/* The WDC constant of W (n x k) over all nonzero x, y (Def. 2 as written). */
ginv_status ginv_wdc_estimate(int n, int k, const float *W, const ginv_wdc_opts *o,
                              ginv_wdc_result *res);
/* The same for dense layer `layer` (an index into the net's layer list) with
 * x, y restricted to that layer's inputs for latents z, z' (the range of the
 * layers before it; pairs z' near z and near -z included). */
ginv_status ginv_wdc_estimate_range(const ginv_net *net, int layer, const ginv_wdc_opts *o,
                                    ginv_wdc_result *res);

/* Def. 3: dev[q] = |<A d1, A d2> - <d1, d2>| / (||d1|| ||d2||), d1 = G(x1) - G(x2),
 * d2 = G(x3) - G(x4), for Q quadruples x (Q x 4 x k, row-major: x1..x4 of each
 * quadruple in a row); 0 when d1 or d2 is 0. Batched through ginv_net_forward. */
ginv_status ginv_rric_deviation(const ginv_net *net, const ginv_op *op, int Q, const float *x,
                                double *dev);

typedef struct {
    int quads;          /* sampled quadruples: latents N(0, I), including nearby pairs
                           x2 = x1 + small, equal pairs (x3, x4) = (x1, x2), x2 = x4 = 0 */
    int ascent_starts;  /* local ascent from the worst this many quadruples */
    int ascent_steps;   /* steps per start, each a batch of ascent_batch candidates */
    int ascent_batch;
    uint64_t seed, index; /* stream (seed, GINV_STREAM_RRIC, index) */
} ginv_rric_opts;
void ginv_rric_opts_init(ginv_rric_opts *o);

typedef struct {
    double max, max_sampled, mean; /* as in ginv_wdc_result */
    double dist12, dist34;  /* ||x1 - x2||, ||x3 - x4|| of the worst quadruple */
    long evaluated;
} ginv_rric_result;

/* The RRIC constant of op with respect to net (Def. 3), estimated. */
ginv_status ginv_rric_estimate(const ginv_net *net, const ginv_op *op, const ginv_rric_opts *o,
                               ginv_rric_result *res);

/* ------------------------------------------------------------ landscape */

/* The geometry of f(z) = 1/2 ||A G(z) - A G(z0)||^2 (Hand & Voroninski 2019,
 * §II and Lemma 10: stationary points only near z0 and -rho_d z0), measured
 * on a concrete generator and operator. */
enum {
    GINV_STREAM_LANDSCAPE_DIR = GINV_STREAM_USER + 31 /* the plane's direction */
};
typedef struct ginv_landscape ginv_landscape;
/* y = A G(z0) (noiseless), f with lambda 0; `batch` is the largest batch one
 * objective evaluation holds (larger requests are cut into chunks). */
ginv_status ginv_landscape_new(ginv_landscape **out, ginv_net *net, const ginv_op *op,
                               const float *z0, int batch);
void ginv_landscape_free(ginv_landscape *ls);
/* The context of the landscape's long calls (line, ray, Hessian, plane,
 * basins): once it is cancelled they return GINV_ERR_CANCELLED. NULL: none. */
void ginv_landscape_set_ctx(ginv_landscape *ls, ginv_ctx *ctx);
ginv_objective *ginv_landscape_objective(ginv_landscape *ls);
/* f (B) and, if grad != NULL, grad f (B x k) for any B (chunked). */
ginv_status ginv_landscape_eval(ginv_landscape *ls, int B, const float *z, double *f,
                                float *grad);
/* Along the line z = t z0: f, ||grad f|| and the slope <grad f, z0>/||z0||
 * (each nt doubles; gnorm and slope may be NULL). */
ginv_status ginv_landscape_line(ginv_landscape *ls, int nt, const double *t, double *f,
                                double *gnorm, double *slope);
/* The minimiser of t -> f(t z0) in [lo, hi] by golden-section search. */
ginv_status ginv_landscape_ray_min(ginv_landscape *ls, double lo, double hi, double *t_min,
                                   double *f_min);
/* The zero of the slope along the line in [lo, hi] by bisection (slope(lo) <
 * 0 < slope(hi) needed; else *t_zero = NaN): the finite-width analogue of
 * the zero of h_{x,x0} (eq. 29) on the ray. */
ginv_status ginv_landscape_slope_zero(ginv_landscape *ls, double lo, double hi,
                                      double *t_zero);
/* The negative stationary point on the ray t z0, t in [-range, 0]: the
 * minimiser t_min of f (ginv_landscape_ray_min) with f there, the slope's
 * zero (ginv_landscape_slope_zero on [-range, -1e-6 range]), and whether the
 * minimiser is interior (not at an end of the interval): what `ginv
 * landscape` and its sweep unit report against -rho_d (Lemma 10). */
typedef struct {
    double t_min, f_min, t_slope_zero;
    int interior;
} ginv_landscape_negative;
ginv_status ginv_landscape_negative_point(ginv_landscape *ls, double range, ginv_landscape_negative *out);
/* H (k x k, row-major) at z by central differences of grad f with step
 * `step` (absolute), one batch of 2k points; not symmetrised. */
ginv_status ginv_landscape_hessian(ginv_landscape *ls, const float *z, double step, double *H);
/* Eigenvalues (ascending) of the symmetric part of H (k x k). */
ginv_status ginv_landscape_eigvals(int k, const double *H, double *eig);
/* Daras et al. (2022) App. B Lemma B.6: f is strongly convex in a ball
 * around the optimum. The smallest eigenvalue of the symmetric part of the
 * central-difference Hessian (ginv_landscape_hessian, step `step`) at z0 and
 * at `points` points uniform in the ball ||z - z0|| <= radius (stream (seed,
 * GINV_STREAM_HESSIAN_BALL, i)): at_z0, the minimum and mean over the points,
 * and the fraction of points whose smallest eigenvalue is > 0. f here is
 * 1/2 ||A G(z) - y||^2; the lemma's L (weights N(0, 2/n_i), ||G(z)|| ~ ||z||)
 * is 2^d f for ginv's N(0, 1/n_i) weights, with Hessian I at z0 in expectation
 * and constant 0.9 in the ball. */
enum { GINV_STREAM_HESSIAN_BALL = GINV_STREAM_USER + 100 };
typedef struct {
    double at_z0, min, mean, frac_positive;
} ginv_landscape_convexity;
ginv_status ginv_landscape_hessian_ball(ginv_landscape *ls, double radius, int points, double step,
                                        uint64_t seed, ginv_landscape_convexity *out);
/* A unit direction orthogonal to z0, from stream (seed, GINV_STREAM_LANDSCAPE_DIR, 0). */
ginv_status ginv_landscape_orth_dir(ginv_landscape *ls, uint64_t seed, float *dir);
/* f on the plane z = a z0 + b ||z0|| dir for a = xs[i], b = ys[j]:
 * f[j * nx + i]. */
ginv_status ginv_landscape_plane(ginv_landscape *ls, const float *dir, int nx, const double *xs,
                                 int ny, const double *ys, double *f);
typedef struct {
    int n_pos, n_neg, n_other; /* ended within radius ||z0|| of z0, of t_neg z0, neither */
    double *dist_pos, *dist_neg; /* (n) ||z - z0||/||z0||, ||z - t_neg z0||/||z0||, owned */
    double *f;                   /* (n) final f, owned */
} ginv_landscape_basins;
/* n inits N(0, (||z0||^2/k) I) from stream (seed, GINV_STREAM_INIT, 0), run by
 * ginv_solve (batched), classified against z0 and t_neg z0. */
ginv_status ginv_landscape_basins_run(ginv_landscape *ls, const ginv_solve_opts *o, int n,
                                      uint64_t seed, double t_neg, double radius,
                                      ginv_landscape_basins *res);
void ginv_landscape_basins_release(ginv_landscape_basins *res);

/* `landscape`'s parameter table (docs/library.md, "Parameter tables"): the
 * problem rows recover and sample have (generator, operator), the line, the
 * plane and the basins. The command, the sweep's landscape units and library
 * callers read the same rows. */
typedef struct {
    const char *model, *layers, *act, *out_act;
    double alpha;
    int bias;
    double bias_sd;
    const char *weights, *op;
    int m;
    const char *image;
    int points;       /* on the line t z0, t in [-range, range] */
    double range;     /* in units of ||z0|| */
    int grid;         /* the plane: grid x grid */
    int inits, iters; /* the basins: GD from `inits` starts, `iters` steps */
    double lr, radius;
} ginv_landscape_params;
extern const ginv_param_table ginv_landscape_table;
void ginv_landscape_params_init(ginv_landscape_params *p); /* the table's defaults */
ginv_status ginv_landscape_check(const ginv_landscape_params *p);
/* Trial `trial`'s generator, operator and z0 (ginv_scenario_draw, no noise:
 * the noiseless empirical risk; truth, when given, is z0: truth_count values,
 * the latent size), the number d of
 * ReLU layers and rho_d, and the landscape object (its batch fits the line,
 * the Hessian and up to 1024 basin inits). Released with
 * ginv_landscape_setup_release, also after a failure. */
typedef struct {
    ginv_layer spec[GINV_RECOVER_MAX_SPEC];
    int nspec;
    ginv_op_spec ops;
    int have_ops;
    ginv_net *net;    /* owned */
    ginv_op *op;      /* owned */
    float *z0;        /* owned */
    int k, n, m, d;
    double z0_norm, rho; /* ||z0||; rho_d (NaN without ReLU layers) */
    ginv_landscape *ls;  /* owned */
} ginv_landscape_setup;
ginv_status ginv_landscape_setup_init(ginv_landscape_setup *s, const ginv_landscape_params *p,
                                      uint64_t seed, uint64_t trial, const float *truth,
                                      size_t truth_count);
void ginv_landscape_setup_release(ginv_landscape_setup *s);

/* ---------------------------------------------------------------- theory */

/* Hand & Voroninski (2019), double precision. */
double ginv_theory_g(double theta);             /* eq. (3) */
double ginv_theory_g_iter(double theta, int d); /* g composed d times */
double ginv_theory_rho(int d);                  /* rho_d of Lemma 10 */
/* h (k) = h_{x,x0} of eq. (29) for depth d. */
ginv_status ginv_theory_h(int d, int k, const double *x, const double *x0, double *h);


/* ------------------------------------------- Pareek & Risteski Lemmas 2-3 */

/* Pareek & Risteski (2021), "The effects of invertibility on the
 * representational complexity of encoders in VAEs", §5.2 (Lemmas 2-3; the
 * formulas are unnumbered displays) and App. C (Lemma 12): the constants of Lemma 3 (the region D around
 * z^ that Langevin diffusion stays in, and the largest beta its proof
 * allows) and Lemma 12's bound on rad(D), for G : R^d -> R^d with the
 * constants m (Assumption 1), M, M2, M3 (Assumption 2), an accuracy eps and
 * ||x||. With A = 2d + ||x||^2/m^2 and the formulas as printed:
 *   rad(D) = (4 beta / m) sqrt(A log(4A / eps))                  (Lemma 3)
 *   beta_0 = 4 / (d sqrt(A log(4A / eps)))
 *            * min{m^3 / (6 M M2), d^0.75 m^2 / sqrt(2 M M3)}   (Lemma 3)
 *   rad(D) <= min{m^2 / (6 d M M2), m / sqrt(2 sqrt(d) M M3)}   (Lemma 12)
 * Lemma 2 (and so Theorem 1) is proved for beta <= beta_0. */
typedef struct {
    double A;          /* 2d + ||x||^2/m^2 */
    double beta0;      /* Lemma 3's beta_0 */
    double rad_beta0;  /* rad(D) at beta = beta_0 */
    double rad_beta;   /* rad(D) at the given beta (NaN when beta is NaN) */
    double lemma12;    /* Lemma 12's bound on rad(D) */
    double term_m2;    /* the two terms of beta_0's min: m^3 / (6 M M2) */
    double term_m3;    /*   and d^0.75 m^2 / sqrt(2 M M3) */
    int in_regime;     /* beta <= beta_0 (0 when beta is NaN) */
} ginv_pr_lemma3;
/* d >= 1; m, M > 0 and M2, M3 >= 0, finite (M2 = 0 or M3 = 0 makes its
 * terms +inf, the formulas' limit: an affine G); 0 < eps < 1; x_norm >= 0 and finite;
 * beta > 0, or NaN when not given. GINV_ERR_ARG naming the first bad value
 * otherwise. */
ginv_status ginv_pr_lemma3_eval(int d, double m, double M, double M2, double M3, double eps, double x_norm,
                                double beta, ginv_pr_lemma3 *out);

/* Bounds on m, M, M2, M3 that a net's structure proves (double precision),
 * for a chain of square dense layers (any bias) and elementwise activations
 * among identity, leaky_relu, smooth_leaky, softplus, tanh and sigmoid.
 * With e_l = ||W_l^T W_l - I||_F (< 1) every singular value of W_l lies in
 * [sqrt(1 - e_l), sqrt(1 + e_l)]; an activation's slope lies in
 * [s1_min, s1_max] and |s''| <= s2, |s'''| <= s3 (closed forms in
 * src/theory/pr_certify.c). Then
 *   m  >= prod_l sqrt(1 - e_l) prod s1_min   (every s1_min > 0: identity,
 *         leaky_relu with a > 0, smooth_leaky; G is then a bijection)
 *   M  <= prod_l sqrt(1 + e_l) prod s1_max
 *   M2, M3 by the chain rule, layer by layer, for G = g o f (every activation
 *         C^3, so not leaky_relu):
 *         M2(g o f) <= s2_g L_f^2 + L_g M2(f),
 *         M3(g o f) <= s3_g L_f^3 + 3 s2_g L_f M2(f) + L_g M3(f).
 * On `ginv net random --weights orthogonal` square nets (e_l ~ 1e-7) with one
 * smooth_leaky layer of slope a this is (a, 1, (1 - a)/4, (1 - a)/(6 sqrt 3))
 * to about 1e-6, the values docs/encoders.md derives. A constant the
 * structure does not prove is NaN, and note says why. */
typedef struct {
    double m, M, M2, M3;  /* certified bounds, or NaN */
    double orth_err;      /* max_l e_l (NaN when the chain is outside the family) */
    char note[200];       /* why a constant is NaN ("" when all four are certified) */
} ginv_pr_certificate;
ginv_status ginv_pr_certify(const ginv_net *net, ginv_pr_certificate *out);

#ifdef __cplusplus
}
#endif
#endif
