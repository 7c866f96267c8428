/* bnb.c — activation-pattern branch and bound for real latents (with or
 * without a box). One GLPK LP holds the whole net: z, a column h per unit and
 * per ReLU unit the row h - W h_prev >= b with h >= 0 (the convex hull of
 * h = relu(y) over an unbounded y), plus the triangle row
 * h <= U (y - L) / (U - L) where a box gives interval bounds. A node fixes
 * some units: active (the row becomes h = y, so y >= 0) or inactive (h = 0,
 * so the row says y <= 0); nodes differ only in bounds, so GLPK's dual
 * simplex restarts from the last basis.
 *   exact, l1, linf: the LP minimises the distance; a node whose LP point
 *     has h = relu(y) at every free unit is exact (its optimum is attained);
 *     otherwise branch on the most violated unit of the earliest layer.
 *   l_p, finite p > 1 (Keles & Hegde 2023, Theorems 4 and 6 need p = 3, 4,
 *     5, ...; l2 and non-integer p take the same path): the LP
 *     minimises t over an outer approximation of the cone t >= ||o - x||_p
 *     by tangent cuts (lp_cuts.c), a lower bound at every node; rounds
 *     add cuts at the LP point until the node prunes, its verified LP point
 *     decides YES, the gap to the LP point's true distance closes (its LP
 *     point on the net) or the relaxation has converged (then it branches);
 *     see lp_node. l2 leaves (every unit fixed) instead solve the convex QP
 *     of their affine piece (qp.c) and close with its Lagrangian dual bound. */
#include "exact_internal.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    signed char *fix; /* (units) -1 free, 0 inactive, 1 active (identity units: 1) */
    double bound;     /* the parent's bound */
} node;

typedef struct {
    const ginv_decide_ctx *cx;
    ginv_decide_result *res;
    const ginv_dnet *d;
    glp_prob *P;
    int *zcol, *hcol, *rge;     /* rge: the h >= y row of a ReLU unit, 0 otherwise */
    double *lo, *hi;            /* interval bounds (units) */
    signed char *applied;       /* (units) state now in the LP */
    int has_box, l2, lp;        /* lp: finite p > 1 (l2 included) by cutting planes */
    ginv_oa oa;
    double margin;
    double min_close;           /* least bound with which a node was closed */
    long unresolved;            /* nodes that could not be closed with a certificate */
    double *z, *pre, *x;        /* scratch: latent (k), pre-activations (units), output (n) */
    /* leaf QP buffers */
    double *C, *e, *A, *c, *lam;
} bnb;

static void apply(bnb *B, const signed char *fix)
{
    for (int u = 0; u < B->d->units; u++) {
        if (!B->rge[u] || fix[u] == B->applied[u]) continue;
        double U = B->hi[u], b = glp_get_row_lb(B->P, B->rge[u]);
        if (glp_get_row_type(B->P, B->rge[u]) == GLP_FX) b = glp_get_row_ub(B->P, B->rge[u]);
        if (fix[u] == 1) glp_set_row_bnds(B->P, B->rge[u], GLP_FX, b, b);
        else glp_set_row_bnds(B->P, B->rge[u], GLP_LO, b, 0);
        if (fix[u] == 0) glp_set_col_bnds(B->P, B->hcol[u], GLP_FX, 0, 0);
        else if (isfinite(U)) glp_set_col_bnds(B->P, B->hcol[u], GLP_DB, 0, U);
        else glp_set_col_bnds(B->P, B->hcol[u], GLP_LO, 0, 0);
        B->applied[u] = fix[u];
    }
}

static ginv_status build(bnb *B)
{
    const ginv_dnet *d = B->d;
    const ginv_problem *pb = B->cx->pb;
    int k = d->k;
    glp_prob *P = B->P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    int *ind = ginv_malloc(sizeof(int) * (d->maxw + 3));
    double *val = ginv_malloc(sizeof(double) * (d->maxw + 3));
    if (!ind || !val) {
        ginv_free(ind);
        ginv_free(val);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    for (int j = 0; j < k; j++) {
        int c = B->zcol[j] = glp_add_cols(P, 1);
        if (B->has_box) glp_set_col_bnds(P, c, GLP_DB, -pb->box, pb->box);
        else glp_set_col_bnds(P, c, GLP_FR, 0, 0);
    }
    for (int l = 0; l < d->L; l++) {
        const int *prev = l == 0 ? B->zcol : B->hcol + d->off[l - 1];
        for (int i = 0; i < d->out[l]; i++) {
            int u = d->off[l] + i, h = B->hcol[u] = glp_add_cols(P, 1);
            double L = B->lo[u], U = B->hi[u], b = d->b[l][i];
            int len = ginv_dnet_unit_row(d, l, i, h, prev, ind, val);
            if (!d->relu[l]) {
                glp_set_col_bnds(P, h, GLP_FR, 0, 0);
                int r = glp_add_rows(P, 1);
                glp_set_mat_row(P, r, len, ind, val);
                glp_set_row_bnds(P, r, GLP_FX, b, b);
                B->applied[u] = 1;
                continue;
            }
            int r = B->rge[u] = glp_add_rows(P, 1);
            glp_set_mat_row(P, r, len, ind, val);
            glp_set_row_bnds(P, r, GLP_LO, b, 0);
            if (isfinite(U)) glp_set_col_bnds(P, h, GLP_DB, 0, fmax(U, 0) + (U <= 0));
            else glp_set_col_bnds(P, h, GLP_LO, 0, 0);
            B->applied[u] = -1;
            if (isfinite(L) && isfinite(U) && L < 0 && U > 0) { /* triangle */
                double s = U / (U - L);
                for (int j = 2; j <= len; j++) val[j] *= s;
                int t = glp_add_rows(P, 1);
                glp_set_mat_row(P, t, len, ind, val);
                glp_set_row_bnds(P, t, GLP_UP, 0, s * (b - L));
            }
        }
    }
    const int *o = B->hcol + d->off[d->L - 1];
    if (B->lp) {
        ginv_free(ind);
        ginv_free(val);
        return ginv_oa_build(&B->oa, P, d->n, o, pb->target, pb->p);
    }
    int t = 0;
    if (pb->p != 1) {
        t = glp_add_cols(P, 1);
        glp_set_col_bnds(P, t, GLP_LO, 0, 0);
        glp_set_obj_coef(P, t, 1);
    }
    for (int i = 0; i < d->n; i++) {
        int e = t;
        if (!t) {
            e = glp_add_cols(P, 1);
            glp_set_col_bnds(P, e, GLP_LO, 0, 0);
            glp_set_obj_coef(P, e, 1);
        }
        int r = glp_add_rows(P, 2);
        ind[1] = o[i]; val[1] = 1;
        ind[2] = e; val[2] = -1;
        glp_set_mat_row(P, r, 2, ind, val);
        glp_set_row_bnds(P, r, GLP_UP, 0, pb->target[i]);
        val[2] = 1;
        glp_set_mat_row(P, r + 1, 2, ind, val);
        glp_set_row_bnds(P, r + 1, GLP_LO, pb->target[i], 0);
    }
    ginv_free(ind);
    ginv_free(val);
    return GINV_OK;
}

/* A latent from the LP, checked; YES bookkeeping. Returns its distance. */
static double check_point(bnb *B, double *z)
{
    const ginv_decide_ctx *cx = B->cx;
    const ginv_problem *pb = cx->pb;
    for (int j = 0; j < B->d->k; j++)
        if (B->has_box) z[j] = fmin(fmax(z[j], -pb->box), pb->box);
    double dist = ginv_decide_verify(cx, z);
    if (dist > cx->thr_yes) ginv_decide_polish(cx, z, &dist);
    if (dist < B->res->upper_bound) ginv_decide_set_witness(B->res, B->d->k, z, dist);
    return dist;
}

/* The l2 leaf: every ReLU fixed. Returns the certified lower bound on the
 * distance over the leaf's region, or NaN when no certificate could be made. */
static double qp_leaf(bnb *B, const signed char *fix)
{
    const ginv_dnet *d = B->d;
    const ginv_problem *pb = B->cx->pb;
    int k = d->k, n = d->n, m;
    ginv_dnet_affine(d, fix, B->C, B->e, B->A, B->c, &m);
    if (m < 0) return NAN;
    for (int i = 0; i < n; i++) B->e[i] -= pb->target[i];
    int mb = m;
    if (B->has_box)
        for (int j = 0; j < k; j++) {
            for (int s = 0; s < 2; s++) {
                double *row = B->A + (size_t)mb * k;
                memset(row, 0, sizeof(double) * k);
                row[j] = s ? -1 : 1;
                B->c[mb++] = pb->box;
            }
        }
    for (int j = 0; j < k; j++) B->z[j] = glp_get_col_prim(B->P, B->zcol[j]);
    ginv_qp_solve(k, n, B->C, B->e, mb, B->A, B->c, B->z, B->lam);
    B->res->qp_leaves++;
    check_point(B, B->z);
    /* dual bound with mu = 2 r: mu.e - lam.c - |mu|^2/4 - R |C^T mu + A^T lam|_1 */
    double D = 0, mun = 0, rn = 0, scale = 1;
    double rho[64], *rh = rho, *heap = NULL;
    if (k > 64) {
        if (!(heap = ginv_malloc(sizeof(double) * k))) return NAN;
        rh = heap;
    }
    memset(rh, 0, sizeof(double) * k);
    for (int i = 0; i < n; i++) {
        double r = B->e[i];
        for (int t = 0; t < k; t++) r += B->C[(size_t)i * k + t] * B->z[t];
        double mu = 2 * r;
        D += mu * B->e[i] - mu * mu / 4;
        for (int t = 0; t < k; t++) rh[t] += B->C[(size_t)i * k + t] * mu;
        mun = fmax(mun, fabs(mu));
    }
    for (int t = 0; t < k; t++) scale = fmax(scale, fabs(rh[t]));
    for (int i = 0; i < m; i++) {
        if (B->lam[i] <= 0) continue;
        D -= B->lam[i] * B->c[i];
        for (int t = 0; t < k; t++) rh[t] += B->lam[i] * B->A[(size_t)i * k + t];
    }
    for (int t = 0; t < k; t++) rn = B->has_box ? rn + fabs(rh[t]) : fmax(rn, fabs(rh[t]));
    ginv_free(heap);
    (void)mun;
    if (B->has_box) {
        D -= pb->box * rn;
    } else {
        double rel = rn / scale;
        if (rel > 1e-9) return NAN; /* stationarity not met: no certificate */
        if (rel > B->res->max_kkt_residual) B->res->max_kkt_residual = rel;
    }
    return sqrt(fmax(D, 0));
}

static double prune_thr(const bnb *B)
{
    const ginv_decide_ctx *cx = B->cx;
    if (cx->o->minimize) return isfinite(B->res->upper_bound) ? B->res->upper_bound + B->margin : INFINITY;
    return cx->thr_yes + B->margin;
}

static void close_node(bnb *B, double bound)
{
    if (bound < B->min_close) B->min_close = bound;
}

/* The scratch of B (its LP columns, interval bounds and leaf QP buffers) for
 * k latents, U units and n outputs: 0, or -1 when out of memory (what was
 * allocated is freed by bnb_release). */
static int bnb_alloc(bnb *B, int k, int U, int n)
{
    B->zcol = ginv_calloc((size_t)k, sizeof(int));
    B->hcol = ginv_calloc((size_t)U, sizeof(int));
    B->rge = ginv_calloc((size_t)U, sizeof(int));
    B->lo = ginv_malloc(sizeof(double) * U);
    B->hi = ginv_malloc(sizeof(double) * U);
    B->applied = ginv_malloc((size_t)U);
    B->z = ginv_malloc(sizeof(double) * k);
    B->pre = ginv_malloc(sizeof(double) * U);
    B->x = ginv_malloc(sizeof(double) * n);
    B->C = ginv_malloc(sizeof(double) * (size_t)n * k);
    B->e = ginv_malloc(sizeof(double) * n);
    B->A = ginv_malloc(sizeof(double) * (size_t)(U + 2 * k) * k);
    B->c = ginv_malloc(sizeof(double) * (U + 2 * k));
    B->lam = ginv_malloc(sizeof(double) * (U + 2 * k));
    return B->zcol && B->hcol && B->rge && B->lo && B->hi && B->applied && B->z && B->pre && B->x &&
                   B->C && B->e && B->A && B->c && B->lam
               ? 0
               : -1;
}

static void bnb_release(bnb *B)
{
    if (B->P) glp_delete_prob(B->P);
    ginv_oa_release(&B->oa);
    ginv_free(B->zcol); ginv_free(B->hcol); ginv_free(B->rge); ginv_free(B->lo); ginv_free(B->hi);
    ginv_free(B->applied); ginv_free(B->z); ginv_free(B->pre); ginv_free(B->x); ginv_free(B->C);
    ginv_free(B->e); ginv_free(B->A); ginv_free(B->c); ginv_free(B->lam);
}

/* The root: stable units fixed by their interval bounds. */
static void fix_root(bnb *B, node *root)
{
    const ginv_dnet *d = B->d;
    root->bound = 0;
    for (int l = 0; l < d->L; l++)
        for (int i = 0; i < d->out[l]; i++) {
            int u = d->off[l] + i;
            if (!d->relu[l]) root->fix[u] = 1;
            else if (B->hi[u] <= 0) { root->fix[u] = 0; B->res->stable_units++; }
            else if (B->lo[u] >= 0) { root->fix[u] = 1; B->res->stable_units++; }
            else { root->fix[u] = -1; B->res->unstable_units++; }
        }
}

enum { NODE_OPT, NODE_INFEASIBLE, NODE_FAILED };

/* The node's LP (its fixes already applied) by the dual simplex from the last
 * basis, once more from a fresh basis when that fails. */
static int solve_node(bnb *B, const glp_smcp *sm0)
{
    ginv_decide_result *res = B->res;
    glp_smcp smc = *sm0, *sm = &smc;
    double left = B->cx->o->time_limit - (ginv_now() - B->cx->t0);
    if (B->cx->o->time_limit > 0) /* one simplex call must not outlive the time limit */
        smc.tm_lim = left > 0 ? (int)fmin(left * 1000 + 1, 2e9) : 1;
    int ret = glp_simplex(B->P, sm);
    res->lp_solves++;
    if (ret != 0 || (glp_get_status(B->P) != GLP_OPT && glp_get_status(B->P) != GLP_NOFEAS)) {
        glp_adv_basis(B->P, 0); /* a fresh start */
        ret = glp_simplex(B->P, sm);
        res->lp_solves++;
    }
    int gs = glp_get_status(B->P);
    if (ret == 0 && gs == GLP_NOFEAS) return NODE_INFEASIBLE;
    if (ret != 0 || gs != GLP_OPT) return NODE_FAILED;
    return NODE_OPT;
}

/* branching unit: the most violated free unit of the earliest layer (-1: the
 * LP point has h = relu(y) at every free unit); *first_free the first free
 * unit, *by the pre-activation y of the one returned (or of *first_free). */
static int branch_unit(const bnb *B, const signed char *cur, int *first_free, double *by)
{
    const ginv_dnet *d = B->d;
    int bu = -1;
    *first_free = -1;
    *by = 0;
    for (int l = 0; l < d->L && bu < 0; l++) {
        double worst = 1e-9 * B->cx->scale;
        const int *prev = l == 0 ? B->zcol : B->hcol + d->off[l - 1];
        for (int i = 0; i < d->out[l]; i++) {
            int u = d->off[l] + i;
            if (cur[u] != -1) continue;
            double y = d->b[l][i];
            const double *w = d->W[l] + (size_t)i * d->in[l];
            for (int j = 0; j < d->in[l]; j++) y += w[j] * glp_get_col_prim(B->P, prev[j]);
            if (*first_free < 0) { *first_free = u; *by = y; }
            double v = fabs(glp_get_col_prim(B->P, B->hcol[u]) - fmax(y, 0));
            if (v > worst) { worst = v; bu = u; *by = y; }
        }
    }
    return bu;
}

enum { LPN_YES, LPN_CLOSED, LPN_BRANCH, LPN_UNRESOLVED, LPN_QP, LPN_STOP };
enum { LP_ROUNDS_INTERNAL = 8, LP_ROUNDS_NET = 200 };

/* An l_p node (finite p > 1) whose LP was solved: rounds of cuts at
 * the LP point (lp_cuts.c), re-solving, until
 *   the lower bound obj exceeds the pruning threshold  -> closed (pruned),
 *   the LP point's verified distance is <= delta          -> YES,
 *   the LP point is on the net (h = relu(y) at every free unit) and its
 *     verified distance is within margin/4 of obj, or the cuts no longer
 *     move the bound                                      -> closed with obj,
 *   the LP point is off the net and the relaxation has converged (or had
 *     LP_ROUNDS_INTERNAL rounds)                          -> branch on *bu,
 *   l2 only: every unit fixed                             -> the leaf QP,
 *   the time limit (or a cancel) between rounds           -> stop, node open.
 * Closing with obj is always sound (a lower bound over the node); a gap
 * left open only makes the final answer UNKNOWN, never wrong. *obj gets the
 * node's bound; *bu and *by the branching unit and its pre-activation. */
static int lp_node(bnb *B, const glp_smcp *sm, const signed char *cur, double *obj, int *bu, double *by)
{
    const ginv_decide_ctx *cx = B->cx;
    ginv_decide_result *res = B->res;
    for (int round = 0;; round++) {
        double lbd = *obj = fmax(glp_get_obj_val(B->P), 0);
        if (lbd > prune_thr(B)) {
            res->bound_pruned_nodes++;
            return LPN_CLOSED;
        }
        for (int j = 0; j < B->d->k; j++) B->z[j] = glp_get_col_prim(B->P, B->zcol[j]);
        double dist = check_point(B, B->z), relaxed;
        if (dist <= cx->thr_yes && !cx->o->minimize) return LPN_YES;
        int first_free;
        *bu = branch_unit(B, cur, &first_free, by);
        int on_net = *bu < 0;
        if (B->l2 && on_net && first_free < 0) return LPN_QP; /* l2 leaf: the QP and its dual bound */
        if (on_net && dist - lbd <= B->margin / 4) {
            res->exact_leaves++;
            res->max_leaf_gap = fmax(res->max_leaf_gap, fmax(dist - lbd, 0));
            return LPN_CLOSED;
        }
        /* off the net, cuts help only when they can prune the node: when the
         * LP point's true value exceeds the pruning threshold */
        int added = (on_net ? round < LP_ROUNDS_NET : round < LP_ROUNDS_INTERNAL)
                        ? ginv_oa_separate(&B->oa, B->P, on_net ? -INFINITY : prune_thr(B), B->margin / 4,
                                           &relaxed)
                        : 0;
        res->cuts = B->oa.cuts;
        res->cut_budget_hit = B->oa.budget_hit;
        if (!added) {
            if (!on_net) return LPN_BRANCH;
            if (first_free >= 0) { /* the cuts stall on the net: split the node */
                *bu = first_free;
                return LPN_BRANCH;
            }
            res->exact_leaves++; /* a leaf whose gap stays open: its bound is still valid */
            res->max_leaf_gap = fmax(res->max_leaf_gap, fmax(dist - lbd, 0));
            return LPN_CLOSED;
        }
        res->cut_rounds++;
        if (ginv_decide_timed_out(cx)) return LPN_STOP;
        if (solve_node(B, sm) != NODE_OPT) return LPN_UNRESOLVED;
    }
}

/* The least bound over the closed nodes and the sp open ones. */
static double open_bound(const bnb *B, const node *stack, int sp)
{
    double lbv = B->min_close;
    for (int i = 0; i < sp; i++) lbv = fmin(lbv, stack[i].bound);
    return lbv;
}

static void report_progress(const bnb *B, const node *stack, int sp)
{
    const ginv_decide_ctx *cx = B->cx;
    double now = ginv_now();
    if (now - cx->last_progress > 0.5) {
        ((ginv_decide_ctx *)cx)->last_progress = now;
        double lbv = open_bound(B, stack, sp);
        char what[160];
        snprintf(what, sizeof what, "decide: bnb bound %.6g best %.6g open %d", lbv,
                 B->res->upper_bound, sp);
        ginv_progress(what, B->res->nodes, -1);
    }
}

/* The answer once the search ends: yes (a node verified), stopped (the time
 * limit, with sp nodes open and least bound lbv), or every node closed. */
static void conclude(const bnb *B, int yes, int stopped, int sp, double lbv)
{
    const ginv_decide_ctx *cx = B->cx;
    ginv_decide_result *res = B->res;
    res->solver_bound = B->min_close;
    if (yes || res->upper_bound <= cx->thr_yes) {
        res->answer = GINV_ANSWER_YES;
        res->lower_bound = cx->o->minimize && !stopped ? fmin(lbv, res->upper_bound) : 0;
        snprintf(res->note, sizeof res->note, "witness verified by a double forward pass");
    } else if (stopped) {
        res->answer = GINV_ANSWER_UNKNOWN;
        res->lower_bound = isfinite(lbv) ? lbv : 0;
        snprintf(res->note, sizeof res->note, "time limit with %d open nodes", sp);
    } else if (B->unresolved) {
        res->answer = GINV_ANSWER_UNKNOWN;
        res->lower_bound = 0;
        snprintf(res->note, sizeof res->note, "%ld nodes could not be certified (LP failure or "
                 "a leaf QP without a valid dual bound)", B->unresolved);
    } else if (B->min_close > cx->thr_yes + B->margin) {
        res->answer = GINV_ANSWER_NO;
        res->lower_bound = B->min_close;
        res->distance = cx->o->minimize ? res->upper_bound : NAN;
        snprintf(res->note, sizeof res->note, "every node closed: infeasible, or bound > "
                 "threshold + margin (least %.17g)", B->min_close);
    } else {
        res->answer = GINV_ANSWER_UNKNOWN;
        res->lower_bound = B->min_close;
        snprintf(res->note, sizeof res->note, "a node's bound %.17g is within the LP tolerance "
                 "of the threshold and no latent verifies", B->min_close);
    }
}

ginv_status ginv_decide_bnb(const ginv_decide_ctx *cx, ginv_decide_result *res)
{
    const ginv_dnet *d = cx->d;
    const ginv_problem *pb = cx->pb;
    if (pb->latent != GINV_LATENT_REAL)
        return ginv_fail(GINV_ERR_ARG, "decide: branch and bound is for real latents; binary "
                                       "latents go to enum or milp");
    if (!(pb->p == GINV_NORM_EXACT || pb->p >= 1)) /* p < 1 is no norm: the pieces are not convex */
        return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: real latents are decided for exact and the "
                         "l_p norms with p >= 1, not p = %g", pb->p);
    int k = d->k, U = d->units;
    bnb B = {.cx = cx, .res = res, .d = d, .has_box = pb->box > 0, .l2 = pb->p == 2,
             .lp = isfinite(pb->p) && pb->p > 1};
    B.margin = res->margin = GINV_LP_MARGIN * cx->scale;
    B.min_close = INFINITY;
    int bad = bnb_alloc(&B, k, U, d->n);
    int cap = 2 * U + 4;
    node *stack = ginv_calloc((size_t)cap, sizeof(node));
    signed char *pool = ginv_malloc((size_t)cap * (U > 0 ? U : 1));
    ginv_status st = GINV_OK;
    double *zlo = ginv_malloc(sizeof(double) * k), *zhi = ginv_malloc(sizeof(double) * k);
    if (bad || !stack || !pool || !zlo || !zhi) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < cap; i++) stack[i].fix = pool + (size_t)i * U;
    ginv_domain_box(pb, k, zlo, zhi);
    ginv_dnet_bounds(d, zlo, zhi, B.lo, B.hi);
    glp_term_out(GLP_OFF);
    if ((st = build(&B)) != GINV_OK) goto out;
    int sp = 0;
    fix_root(&B, &stack[sp++]);
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.meth = GLP_DUALP;
    int stopped = 0, yes = 0;
    signed char *cur = ginv_malloc((size_t)U > 0 ? (size_t)U : 1);
    if (!cur) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    while (sp > 0) {
        if (ginv_decide_timed_out(cx)) {
            stopped = 1;
            break;
        }
        node *nd = &stack[--sp];
        memcpy(cur, nd->fix, (size_t)U);
        double parent = nd->bound;
        if (parent > prune_thr(&B)) { /* the incumbent improved since it was pushed */
            res->bound_pruned_nodes++;
            close_node(&B, parent);
            continue;
        }
        res->nodes++;
        apply(&B, cur);
        int solved = solve_node(&B, &sm);
        if (solved == NODE_INFEASIBLE) {
            res->infeasible_nodes++;
            continue;
        }
        if (solved == NODE_FAILED) {
            B.unresolved++;
            continue;
        }
        int first_free, bu;
        double by, obj;
        if (B.lp) {
            int act = lp_node(&B, &sm, cur, &obj, &bu, &by);
            if (act == LPN_YES) {
                yes = 1;
                break;
            }
            if (act == LPN_UNRESOLVED) B.unresolved++;
            if (act == LPN_CLOSED) close_node(&B, obj);
            if (act == LPN_QP) goto l2_leaf;
            if (act == LPN_STOP) { /* the node stays open: it is still in its slot */
                sp++;
                stopped = 1;
                break;
            }
            if (act != LPN_BRANCH) continue;
            goto branch;
        }
        obj = fmax(glp_get_obj_val(B.P), 0);
        if (obj > prune_thr(&B)) {
            res->bound_pruned_nodes++;
            close_node(&B, obj);
            continue;
        }
        for (int j = 0; j < k; j++) B.z[j] = glp_get_col_prim(B.P, B.zcol[j]);
        double dist = check_point(&B, B.z);
        if (dist <= cx->thr_yes && !cx->o->minimize) {
            yes = 1;
            break;
        }
        bu = branch_unit(&B, cur, &first_free, &by);
        if (bu < 0 && !B.l2) { /* the LP point is a point of the net: the node is exact */
            res->exact_leaves++;
            close_node(&B, obj);
            continue;
        }
        if (bu < 0) bu = first_free;
        if (bu < 0) {
        l2_leaf:;
            double lb = qp_leaf(&B, cur);
            if (res->upper_bound <= cx->thr_yes && !cx->o->minimize) {
                yes = 1;
                break;
            }
            if (isnan(lb)) B.unresolved++;
            else close_node(&B, fmax(lb, obj));
            continue;
        }
    branch:
        if (sp + 2 > cap) { /* cannot happen: depth <= unstable units */
            B.unresolved++;
            continue;
        }
        /* push the child on the other side first: the one matching y pops first */
        int firstside = by > 0 ? 1 : 0;
        for (int s = 0; s < 2; s++) {
            node *ch = &stack[sp++];
            memcpy(ch->fix, cur, (size_t)U);
            ch->fix[bu] = (signed char)(s == 0 ? 1 - firstside : firstside);
            ch->bound = obj;
        }
        report_progress(&B, stack, sp);
    }
    ginv_free(cur);
    conclude(&B, yes, stopped, sp, open_bound(&B, stack, sp));
out:
    bnb_release(&B);
    ginv_free(stack); ginv_free(pool); ginv_free(zlo); ginv_free(zhi);
    return st;
}
