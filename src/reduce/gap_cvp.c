/* gap_cvp.c — Gap-CVP_gamma instances for the reductions of Keles & Hegde
 * (2023), §3.3 and §5.1: the exact l_p distance from a target to a lattice
 * (Fincke–Pohst enumeration over the Gram–Schmidt basis, Schnorr–Euchner
 * order) and planted YES / certified NO instance generators.
 *
 * Gap-CVP_gamma (the promise problem behind the fine-grained CVP bounds the
 * paper cites, [45], [46]): YES if dist_p(t, L(B)) <= r, NO if
 * dist_p(t, L(B)) > gamma r, L(B) = {B y : y in Z^n}. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

/* Enumeration state: the Gram–Schmidt data of the basis rows b_0..b_{n-1},
 * B_j = ||b*_j||^2, mu_ij = <b_i, b*_j> / B_j (i > j), and the target's
 * coordinates c_j = <t, b*_j> / B_j. For integer y,
 *   ||B y - t||_2^2 = sum_j B_j (y_j + sum_{i>j} mu_ij y_i - c_j)^2 + ||t_perp||^2. */
typedef struct {
    const ginv_cvp *c;
    int n;
    double p, f;        /* norm; ||x||_2 <= f ||x||_p */
    double *mu, *Bs, *cj;
    int *y, *best_y;
    double r2;          /* squared l2 radius still searched (sum over the GSO part) */
    double perp2;       /* ||t_perp||^2 */
    double best;        /* smallest l_p distance found (within the bound) */
    long long nodes, max_nodes;
} cvp_enum;

/* Gram–Schmidt of the basis rows (modified, in double). GINV_ERR_ARG when the
 * rows are linearly dependent. */
static ginv_status gso(cvp_enum *E)
{
    const ginv_cvp *c = E->c;
    int n = c->n, d = c->d;
    double *bs = ginv_malloc(sizeof(double) * (size_t)n * d);
    if (!bs) return GINV_ERR_NOMEM;
    ginv_status st = GINV_OK;
    double tt = 0;
    for (int k = 0; k < d; k++) tt += c->target[k] * c->target[k];
    double proj = 0;
    for (int i = 0; i < n && !st; i++) {
        double *v = bs + (size_t)i * d, norm0 = 0;
        memcpy(v, c->basis + (size_t)i * d, sizeof(double) * d);
        for (int k = 0; k < d; k++) norm0 += v[k] * v[k];
        for (int j = 0; j < i; j++) {
            const double *w = bs + (size_t)j * d;
            double dot = 0;
            for (int k = 0; k < d; k++) dot += v[k] * w[k];
            double m = dot / E->Bs[j];
            E->mu[(size_t)i * n + j] = m;
            for (int k = 0; k < d; k++) v[k] -= m * w[k];
        }
        double Bi = 0, ct = 0;
        for (int k = 0; k < d; k++) Bi += v[k] * v[k], ct += c->target[k] * v[k];
        if (!(Bi > 1e-10 * norm0) || !(norm0 > 0)) st = ginv_fail(GINV_ERR_ARG, "the basis vectors are linearly dependent (vector %d)", i + 1);
        E->Bs[i] = Bi;
        E->cj[i] = ct / Bi;
        proj += ct * ct / Bi;
    }
    E->perp2 = fmax(0, tt - proj);
    ginv_free(bs);
    return st;
}

/* The leaf: a lattice vector B y within the l2 radius; its exact l_p distance. */
static void leaf(cvp_enum *E)
{
    double dist = ginv_cvp_dist(E->c, E->y, E->p);
    if (dist <= E->best) {
        E->best = dist;
        memcpy(E->best_y, E->y, sizeof(int) * E->n);
        double r = dist * E->f; /* every closer point is within this l2 radius */
        E->r2 = fmin(E->r2, r * r * (1 + 1e-9) + 1e-9 - E->perp2);
    }
}

/* Level j (n-1 down to 0) with the squared length `part` of levels above:
 * the integers y_j whose partial length stays within r2, nearest the centre
 * first (Schnorr–Euchner zig-zag); each direction stops at its first miss. */
static ginv_status level(cvp_enum *E, int j, double part)
{
    int n = E->n;
    double ctr = E->cj[j];
    for (int i = j + 1; i < n; i++) ctr -= E->mu[(size_t)i * n + j] * E->y[i];
    double x0 = round(ctr);
    int open[2] = {1, 1}; /* up (x0 + k), down (x0 - k): beyond x0 each direction only grows */
    for (long k = 0; open[0] || open[1]; k++) {
        for (int s = 0; s < 2; s++) {
            if (!open[s] || (k == 0 && s == 1)) continue;
            double x = s ? x0 - k : x0 + k, diff = x - ctr, q = part + E->Bs[j] * diff * diff;
            if (q > E->r2 * (1 + 1e-12) + 1e-12) {
                open[s] = 0;
                if (k == 0) open[1] = 0; /* x0 is the nearest integer: nothing fits */
                continue;
            }
            if (fabs(x) > 1e9) return ginv_fail(GINV_ERR_NUMERIC, "lattice enumeration: coefficient %g out of range", x);
            if (++E->nodes > E->max_nodes)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "lattice enumeration: more than %lld nodes", E->max_nodes);
            E->y[j] = (int)x;
            ginv_status st = GINV_OK;
            if (j == 0) leaf(E);
            else st = level(E, j - 1, q);
            if (st) return st;
        }
    }
    return GINV_OK;
}

/* Keles & Hegde §3.3's dist_p(t, L(B)) = min over y in Z^n of ||B y - t||_p,
 * decided against `bound`: the l_p ball of radius bound lies in the l2 ball
 * of radius f bound (f = 1 for p <= 2, d^(1/2 - 1/p) above), and every
 * lattice vector in that l2 ball is enumerated and measured in l_p. */
ginv_status ginv_cvp_closest(const ginv_cvp *c, double p, double bound, int *y, double *dist)
{
    GINV_NONNULL(dist);
    *dist = INFINITY;
    GINV_NONNULL(c);
    if (c->n < 1 || c->d < 1 || !c->basis || !c->target) return ginv_fail(GINV_ERR_ARG, "the lattice needs at least one basis vector");
    if (c->n > c->d) return ginv_fail(GINV_ERR_ARG, "%d basis vectors in dimension %d are linearly dependent", c->n, c->d);
    if (!(isinf(p) && p > 0) && !(p >= 1 && p <= 64))
        return ginv_fail(GINV_ERR_ARG, "norm p = %g must be in 1..64 or inf", p);
    if (!(bound >= 0) || !isfinite(bound)) return ginv_fail(GINV_ERR_ARG, "bound %g must be finite and >= 0", bound);
    for (size_t i = 0; i < (size_t)c->n * c->d; i++)
        if (!isfinite(c->basis[i])) return ginv_fail(GINV_ERR_ARG, "basis entry %zu is not finite", i);
    for (int j = 0; j < c->d; j++)
        if (!isfinite(c->target[j])) return ginv_fail(GINV_ERR_ARG, "target entry %d is not finite", j);
    int n = c->n;
    cvp_enum E = {.c = c, .n = n, .p = p, .best = INFINITY, .max_nodes = 1LL << 32};
    E.f = isinf(p) ? sqrt((double)c->d) : p > 2 ? pow((double)c->d, 0.5 - 1 / p) : 1;
    E.mu = ginv_calloc((size_t)n * n, sizeof(double));
    E.Bs = ginv_calloc((size_t)n, sizeof(double));
    E.cj = ginv_calloc((size_t)n, sizeof(double));
    E.y = ginv_calloc((size_t)n, sizeof(int));
    E.best_y = ginv_calloc((size_t)n, sizeof(int));
    ginv_status st = E.mu && E.Bs && E.cj && E.y && E.best_y ? gso(&E) : GINV_ERR_NOMEM;
    if (!st) {
        double r = bound * E.f;
        E.r2 = r * r * (1 + 1e-9) + 1e-9 - E.perp2;
        if (E.r2 >= 0) st = level(&E, n - 1, 0);
    }
    if (!st && E.best <= bound) {
        *dist = E.best;
        if (y) memcpy(y, E.best_y, sizeof(int) * n);
    }
    ginv_free(E.mu);
    ginv_free(E.Bs);
    ginv_free(E.cj);
    ginv_free(E.y);
    ginv_free(E.best_y);
    return st == GINV_ERR_NOMEM ? ginv_fail(GINV_ERR_NOMEM, "lattice enumeration: out of memory") : st;
}

void ginv_gap_cvp_opts_init(ginv_gap_cvp_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->range = 6;
    o->radius = 2;
    o->gamma = 1;
    o->p = 2;
    o->yes = 1;
    o->seed = 1;
    o->max_tries = 200;
}

/* An integer vector e with ||e||_p <= rho: a random walk of 8 d unit steps
 * from 0, each step kept only if the norm stays within rho. */
static void walk(ginv_rng *r, int d, double rho, double p, double *e)
{
    for (int j = 0; j < d; j++) e[j] = 0;
    for (int step = 0; step < 8 * d; step++) {
        int j = (int)ginv_rng_below(r, (uint64_t)d);
        double s = ginv_rng_below(r, 2) ? 1 : -1, acc = 0;
        e[j] += s;
        for (int k = 0; k < d; k++) acc = isinf(p) ? fmax(acc, fabs(e[k])) : acc + pow(fabs(e[k]), p);
        if ((isinf(p) ? acc : pow(acc, 1 / p)) > rho) e[j] -= s;
    }
}

static ginv_status gap_args(const ginv_gap_cvp_opts *o)
{
    if (o->n < 1 || o->d < o->n || o->d > 4096)
        return ginv_fail(GINV_ERR_ARG, "gap CVP: need 1 <= n <= d <= 4096 (got n = %d, d = %d)", o->n, o->d);
    if (o->range < 1 || o->range > (1 << 20)) return ginv_fail(GINV_ERR_ARG, "gap CVP: range %d must be in 1..2^20", o->range);
    if (!(o->radius >= 0 && o->radius <= 1e6)) return ginv_fail(GINV_ERR_ARG, "gap CVP: radius %g must be in [0, 1e6]", o->radius);
    if (!(o->gamma >= 1 && o->gamma <= 1e6)) return ginv_fail(GINV_ERR_ARG, "gap CVP: gamma %g must be in [1, 1e6]", o->gamma);
    if (!(isinf(o->p) && o->p > 0) && !(o->p >= 1 && o->p <= 64 && o->p == floor(o->p)))
        return ginv_fail(GINV_ERR_ARG, "gap CVP: norm p = %g must be an integer in 1..64 or inf", o->p);
    if (o->max_tries < 1) return ginv_fail(GINV_ERR_ARG, "gap CVP: max_tries %d must be >= 1", o->max_tries);
    return GINV_OK;
}

/* Planted Gap-CVP_gamma instances on ginv_cvp_random's basis (same seed):
 *   YES: t = B y0 + e, y0 uniform in {0,1}^n, e an integer vector with
 *        ||e||_p <= r, so dist_p(t, L) <= ||B y0 - t||_p <= r (and y0 is a
 *        (0,1)-CVP certificate, what the reductions of §5.1 need);
 *   NO:  t = B y0 + e with ||e||_p <= 2 gamma r + 2, redrawn (stream
 *        (seed, GINV_STREAM_GAP_CVP, try)) until ginv_cvp_closest finds no
 *        lattice vector within gamma r: dist_p(t, L) > gamma r, certified. */
ginv_status ginv_cvp_gap_random(ginv_cvp *out, int *y0, const ginv_gap_cvp_opts *o, ginv_gap_cvp_cert *cert)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    GINV_NONNULL(o);
    GINV_NONNULL(cert);
    memset(cert, 0, sizeof *cert);
    ginv_status st = gap_args(o);
    if (st) return st;
    if ((st = ginv_cvp_random(out, o->n, o->d, o->range, 0, o->seed))) return st;
    int n = o->n, d = o->d, *y = ginv_calloc((size_t)n, sizeof(int));
    double *e = ginv_calloc((size_t)d, sizeof(double));
    double g = o->gamma * o->radius, rho = o->yes ? o->radius : 2 * g + 2;
    if (!y || !e) st = ginv_fail(GINV_ERR_NOMEM, "gap CVP: out of memory");
    int done = 0;
    for (int t = 0; !st && !done && t < o->max_tries; t++) {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_GAP_CVP, (uint64_t)t);
        for (int i = 0; i < n; i++) y[i] = (int)ginv_rng_below(&r, 2);
        walk(&r, d, rho, o->p, e);
        for (int j = 0; j < d; j++) {
            out->target[j] = e[j];
            for (int i = 0; i < n; i++) out->target[j] += out->basis[(size_t)i * d + j] * y[i];
        }
        cert->tries = t + 1;
        if ((st = ginv_cvp_closest(out, o->p, g, NULL, &cert->dist))) break;
        done = o->yes || isinf(cert->dist);
    }
    if (!st && !done)
        st = ginv_fail(GINV_ERR_NUMERIC, "gap CVP: no target of %d tries is farther than gamma r = %g from the lattice",
                       o->max_tries, g);
    if (!st) {
        cert->yes = o->yes;
        cert->planted = o->yes ? ginv_cvp_dist(out, y, o->p) : NAN;
        if (y0) memcpy(y0, y, sizeof(int) * n);
    }
    ginv_free(y);
    ginv_free(e);
    if (st) ginv_cvp_release(out);
    return st;
}
