/* milp.c — exact decision as a mixed-integer LP through GLPK: every ReLU
 * unit whose interval bounds [L, U] straddle 0 gets a binary a and the big-M
 * rows h >= y, h <= y - L (1 - a), h <= U a, h >= 0; stable units are fixed
 * (U <= 0: h = 0) or linear (L >= 0: h = y). The objective is the distance:
 * t >= |o_i - x_i| (exact, linf) or sum e_i, e_i >= |o_i - x_i| (l1).
 * Binary latents are integer columns ({-1,1}: z = 2u - 1); real latents need
 * a box. A callback verifies each new incumbent in double (YES) and stops as
 * soon as the best open bound exceeds the threshold plus margin (NO). */
#include "exact_internal.h"
#include "base/ctx_internal.h"
#include "base/check_internal.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int *zcol;   /* (k) */
    int *hcol;   /* (units) */
    int *acol;   /* (units) 0: no binary */
    int nunstable, nstable;
} milp_map;

static void map_release(milp_map *m)
{
    ginv_free(m->zcol);
    ginv_free(m->hcol);
    ginv_free(m->acol);
    memset(m, 0, sizeof *m);
}

static ginv_status check_milp_problem(const ginv_problem *pb)
{
    if (!(pb->p == GINV_NORM_EXACT || pb->p == 1 || isinf(pb->p))) {
        char nb[16];
        return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: the MILP handles the norms exact, 1 and "
                         "inf, not %s (binary latents: --method enum; real: --method bnb)",
                         ginv_norm_name(pb->p, nb, sizeof nb));
    }
    if (pb->latent == GINV_LATENT_REAL && !(pb->box > 0))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: the MILP needs bounded latents for its "
                         "big-M constants: give a box (--latent real:box=R) or use --method bnb");
    return GINV_OK;
}

/* one row sum coef * col + ... with bounds; ind/val 1-based scratch */
static int add_row(glp_prob *P, const char *name, int len, int *ind, double *val, int type,
                   double lb, double ub)
{
    int r = glp_add_rows(P, 1);
    glp_set_row_name(P, r, name);
    glp_set_mat_row(P, r, len, ind, val);
    glp_set_row_bnds(P, r, type, lb, ub);
    return r;
}

static void set_bounds(glp_prob *P, int col, double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi)) {
        if (lo == hi) glp_set_col_bnds(P, col, GLP_FX, lo, hi);
        else glp_set_col_bnds(P, col, GLP_DB, lo, hi);
    } else if (isfinite(lo)) {
        glp_set_col_bnds(P, col, GLP_LO, lo, 0);
    } else if (isfinite(hi)) {
        glp_set_col_bnds(P, col, GLP_UP, 0, hi);
    } else {
        glp_set_col_bnds(P, col, GLP_FR, 0, 0);
    }
}

static ginv_status milp_build(const ginv_dnet *d, const ginv_problem *pb, glp_prob **out,
                              milp_map *map)
{
    ginv_status st = check_milp_problem(pb);
    if (st != GINV_OK) return st;
    int k = d->k;
    memset(map, 0, sizeof *map);
    double *zlo = ginv_malloc(sizeof(double) * k), *zhi = ginv_malloc(sizeof(double) * k);
    double *lo = ginv_malloc(sizeof(double) * d->units), *hi = ginv_malloc(sizeof(double) * d->units);
    int *ind = ginv_malloc(sizeof(int) * (d->maxw + 3));
    double *val = ginv_malloc(sizeof(double) * (d->maxw + 3));
    map->zcol = ginv_calloc((size_t)k, sizeof(int));
    map->hcol = ginv_calloc((size_t)d->units, sizeof(int));
    map->acol = ginv_calloc((size_t)d->units, sizeof(int));
    glp_prob *P = NULL;
    if (!zlo || !zhi || !lo || !hi || !ind || !val || !map->zcol || !map->hcol || !map->acol) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    ginv_domain_box(pb, k, zlo, zhi);
    ginv_dnet_bounds(d, zlo, zhi, lo, hi);
    for (int u = 0; u < d->units; u++)
        if (!isfinite(lo[u]) || !isfinite(hi[u])) {
            st = ginv_fail(GINV_ERR_NUMERIC, "decide: interval bounds overflow (unit %d): no "
                                             "finite big-M", u);
            goto out;
        }
    P = glp_create_prob();
    glp_set_prob_name(P, "ginv_decide");
    glp_set_obj_dir(P, GLP_MIN);
    char name[64];
    for (int j = 0; j < k; j++) {
        int c = glp_add_cols(P, 1);
        snprintf(name, sizeof name, "z%d", j);
        glp_set_col_name(P, c, name);
        map->zcol[j] = c;
        if (pb->latent == GINV_LATENT_01) {
            glp_set_col_kind(P, c, GLP_BV);
        } else if (pb->latent == GINV_LATENT_PM1) {
            set_bounds(P, c, -1, 1);
            int u = glp_add_cols(P, 1);
            snprintf(name, sizeof name, "u%d", j);
            glp_set_col_name(P, u, name);
            glp_set_col_kind(P, u, GLP_BV);
            ind[1] = c; val[1] = 1;
            ind[2] = u; val[2] = -2;
            snprintf(name, sizeof name, "pm1_%d", j);
            add_row(P, name, 2, ind, val, GLP_FX, -1, -1); /* z = 2u - 1 */
        } else {
            set_bounds(P, c, -pb->box, pb->box);
        }
    }
    for (int l = 0; l < d->L; l++) {
        const int *prev = l == 0 ? map->zcol : map->hcol + d->off[l - 1];
        for (int i = 0; i < d->out[l]; i++) {
            int u = d->off[l] + i;
            double L = lo[u], U = hi[u], b = d->b[l][i];
            int h = glp_add_cols(P, 1);
            snprintf(name, sizeof name, "h%d_%d", l, i);
            glp_set_col_name(P, h, name);
            map->hcol[u] = h;
            int len = ginv_dnet_unit_row(d, l, i, h, prev, ind, val);
            if (!d->relu[l]) {
                set_bounds(P, h, L, U);
                snprintf(name, sizeof name, "lin%d_%d", l, i);
                add_row(P, name, len, ind, val, GLP_FX, b, b);
            } else if (U <= 0) {
                glp_set_col_bnds(P, h, GLP_FX, 0, 0);
                map->nstable++;
            } else if (L >= 0) {
                set_bounds(P, h, L, U);
                snprintf(name, sizeof name, "act%d_%d", l, i);
                add_row(P, name, len, ind, val, GLP_FX, b, b);
                map->nstable++;
            } else {
                set_bounds(P, h, 0, U);
                int a = glp_add_cols(P, 1);
                snprintf(name, sizeof name, "a%d_%d", l, i);
                glp_set_col_name(P, a, name);
                glp_set_col_kind(P, a, GLP_BV);
                map->acol[u] = a;
                map->nunstable++;
                snprintf(name, sizeof name, "ge%d_%d", l, i);
                add_row(P, name, len, ind, val, GLP_LO, b, 0);          /* h >= y */
                ind[len + 1] = a;
                val[len + 1] = -L;
                snprintf(name, sizeof name, "bigL%d_%d", l, i);
                add_row(P, name, len + 1, ind, val, GLP_UP, 0, b - L);  /* h <= y - L (1 - a) */
                ind[1] = h; val[1] = 1;
                ind[2] = a; val[2] = -U;
                snprintf(name, sizeof name, "bigU%d_%d", l, i);
                add_row(P, name, 2, ind, val, GLP_UP, 0, 0);            /* h <= U a */
            }
        }
    }
    /* distance */
    const int *o = map->hcol + d->off[d->L - 1];
    const double *x = pb->target;
    int t = 0;
    if (pb->p != 1) {
        t = glp_add_cols(P, 1);
        glp_set_col_name(P, t, "t");
        glp_set_col_bnds(P, t, GLP_LO, 0, 0);
        glp_set_obj_coef(P, t, 1);
    }
    for (int i = 0; i < d->n; i++) {
        int e = t;
        if (!t) {
            e = glp_add_cols(P, 1);
            snprintf(name, sizeof name, "e%d", i);
            glp_set_col_name(P, e, name);
            glp_set_col_bnds(P, e, GLP_LO, 0, 0);
            glp_set_obj_coef(P, e, 1);
        }
        ind[1] = o[i]; val[1] = 1;
        ind[2] = e; val[2] = -1;
        snprintf(name, sizeof name, "dup%d", i);
        add_row(P, name, 2, ind, val, GLP_UP, 0, x[i]);  /* o - t <= x */
        val[2] = 1;
        snprintf(name, sizeof name, "dlo%d", i);
        add_row(P, name, 2, ind, val, GLP_LO, x[i], 0);  /* o + t >= x */
    }
    *out = P;
    P = NULL;
out:
    if (P) glp_delete_prob(P);
    if (st != GINV_OK) map_release(map);
    ginv_free(zlo); ginv_free(zhi); ginv_free(lo); ginv_free(hi); ginv_free(ind); ginv_free(val);
    return st;
}

typedef struct {
    const ginv_decide_ctx *cx;
    ginv_decide_result *res;
    const milp_map *map;
    double *z;
    double bound;     /* best open bound seen at the last selection */
    int yes, no, oom;
} milp_cb;

static void read_latent(glp_prob *P, const milp_cb *c, int mip)
{
    const ginv_problem *pb = c->cx->pb;
    for (int j = 0; j < c->cx->d->k; j++) {
        double v = mip ? glp_mip_col_val(P, c->map->zcol[j]) : glp_get_col_prim(P, c->map->zcol[j]);
        if (pb->latent == GINV_LATENT_01) v = v > 0.5 ? 1 : 0;
        else if (pb->latent == GINV_LATENT_PM1) v = v > 0 ? 1 : -1;
        else v = fmin(fmax(v, -pb->box), pb->box);
        c->z[j] = v;
    }
}

/* verify (and polish) an incumbent; returns its distance */
static double take_incumbent(milp_cb *c)
{
    const ginv_decide_ctx *cx = c->cx;
    double dist = ginv_decide_verify(cx, c->z);
    if (cx->pb->latent == GINV_LATENT_REAL && dist > cx->thr_yes) ginv_decide_polish(cx, c->z, &dist);
    if (dist < c->res->upper_bound && ginv_decide_set_witness(c->res, cx->d->k, c->z, dist) != GINV_OK)
        c->oom = 1;
    return dist;
}

static void callback(glp_tree *T, void *info)
{
    milp_cb *c = info;
    const ginv_decide_ctx *cx = c->cx;
    glp_prob *P = glp_ios_get_prob(T);
    int reason = glp_ios_reason(T);
    if (ginv_cancel_requested()) {
        glp_ios_terminate(T);
        return;
    }
    if (reason == GLP_IBINGO) {
        read_latent(P, c, 1);
        double dist = take_incumbent(c);
        if (dist <= cx->thr_yes && !cx->o->minimize) {
            c->yes = 1;
            glp_ios_terminate(T);
        }
        if (c->oom) glp_ios_terminate(T);
    } else if (reason == GLP_ISELECT) {
        int best = glp_ios_best_node(T);
        if (best) c->bound = glp_ios_node_bound(T, best);
        int a, n, tot;
        glp_ios_tree_size(T, &a, &n, &tot);
        c->res->nodes = tot;
        if (best && !cx->o->minimize && c->bound > cx->thr_yes + c->res->margin) {
            c->no = 1;
            glp_ios_terminate(T);
        }
        double now = ginv_now();
        if (now - cx->last_progress > 0.5) {
            ((ginv_decide_ctx *)cx)->last_progress = now;
            char what[160];
            snprintf(what, sizeof what, "decide: milp bound %.6g best %.6g gap %.3g", c->bound,
                     c->res->upper_bound, glp_ios_mip_gap(T));
            ginv_progress(what, tot, -1);
        }
    }
}

ginv_status ginv_decide_milp(const ginv_decide_ctx *cx, ginv_decide_result *res)
{
    const ginv_dnet *d = cx->d;
    glp_prob *P = NULL;
    milp_map map;
    glp_term_out(GLP_OFF);
    ginv_status st = milp_build(d, cx->pb, &P, &map);
    if (st != GINV_OK) return st;
    res->unstable_units = map.nunstable;
    res->stable_units = map.nstable;
    res->margin = GINV_LP_MARGIN * cx->scale;
    milp_cb c = {.cx = cx, .res = res, .map = &map, .bound = -INFINITY};
    c.z = ginv_malloc(sizeof(double) * d->k);
    if (!c.z) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    double left = cx->o->time_limit > 0 ? cx->o->time_limit - (ginv_now() - cx->t0) : 0;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (cx->o->time_limit > 0) sm.tm_lim = (int)fmax(1, 1000 * left);
    int ret = glp_simplex(P, &sm);
    res->lp_solves = 1;
    if (ret != 0 || glp_get_status(P) != GLP_OPT) {
        res->answer = GINV_ANSWER_UNKNOWN;
        snprintf(res->note, sizeof res->note, "the LP relaxation did not solve (glp_simplex %d, "
                 "status %d)", ret, glp_get_status(P));
        goto out;
    }
    /* the relaxation's own point may already be a witness (real latents) */
    if (cx->pb->latent == GINV_LATENT_REAL) {
        read_latent(P, &c, 0);
        take_incumbent(&c);
    }
    if (res->upper_bound <= cx->thr_yes && !cx->o->minimize) {
        c.yes = 1;
    } else {
        glp_iocp io;
        glp_init_iocp(&io);
        io.msg_lev = GLP_MSG_OFF;
        io.cb_func = callback;
        io.cb_info = &c;
        io.mip_gap = 0;
        if (cx->o->time_limit > 0)
            io.tm_lim = (int)fmax(1, 1000 * (cx->o->time_limit - (ginv_now() - cx->t0)));
        ret = glp_intopt(P, &io);
        if (c.oom) {
            st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
            goto out;
        }
        if (!c.yes && !c.no) {
            int ms = glp_mip_status(P);
            if (ret == 0 && ms == GLP_OPT) {
                read_latent(P, &c, 1);
                take_incumbent(&c);
                double obj = glp_mip_obj_val(P);
                res->solver_bound = obj;
                res->lower_bound = obj;
                if (res->upper_bound > cx->thr_yes && obj > cx->thr_yes + res->margin) {
                    res->answer = GINV_ANSWER_NO;
                    res->distance = res->upper_bound;
                    snprintf(res->note, sizeof res->note, "GLPK's MILP optimum %.17g exceeds "
                             "threshold + margin", obj);
                } else if (res->upper_bound > cx->thr_yes) {
                    res->answer = GINV_ANSWER_UNKNOWN;
                    snprintf(res->note, sizeof res->note, "MILP optimum %.17g is within the LP "
                             "tolerance of the threshold and no latent verifies", obj);
                }
            } else {
                res->answer = GINV_ANSWER_UNKNOWN;
                res->lower_bound = isfinite(c.bound) ? fmax(c.bound, 0) : 0;
                snprintf(res->note, sizeof res->note, "%s (glp_intopt %d)",
                         ret == GLP_ETMLIM ? "time limit" : "GLPK stopped", ret);
            }
        }
    }
    if (c.yes || res->upper_bound <= cx->thr_yes) {
        res->answer = GINV_ANSWER_YES;
        if (!cx->o->minimize) res->lower_bound = 0;
        snprintf(res->note, sizeof res->note, "witness verified by a double forward pass");
    } else if (c.no) {
        res->answer = GINV_ANSWER_NO;
        res->solver_bound = c.bound;
        res->lower_bound = c.bound;
        res->distance = NAN;
        snprintf(res->note, sizeof res->note, "GLPK's best open bound %.17g exceeds threshold "
                 "+ margin", c.bound);
    }
out:
    ginv_free(c.z);
    map_release(&map);
    if (P) glp_delete_prob(P);
    return st;
}

ginv_status ginv_milp_write_lp(const ginv_net *net, const ginv_problem *pb, const char *path)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    GINV_NONNULL(path);
    ginv_dnet d;
    ginv_status st = ginv_dnet_from(net, &d);
    if (st != GINV_OK) return st;
    if (pb->n != d.n) {
        ginv_dnet_release(&d);
        return ginv_fail(GINV_ERR_SHAPE, "target has %d entries but the net's output has %d",
                         pb->n, d.n);
    }
    glp_prob *P = NULL;
    milp_map map;
    glp_term_out(GLP_OFF);
    st = milp_build(&d, pb, &P, &map);
    ginv_dnet_release(&d);
    if (st != GINV_OK) return st;
    map_release(&map);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.glpk.%ld", path, (long)getpid());
    if (glp_write_lp(P, NULL, tmp) != 0) {
        st = ginv_fail(GINV_ERR_IO, "cannot write '%s'", tmp);
    } else {
        unsigned char *buf = NULL;
        size_t len = 0;
        st = ginv_read_file(tmp, (size_t)1 << 34, &buf, &len);
        if (st == GINV_OK) st = ginv_write_atomic(path, buf, len);
        ginv_free(buf);
    }
    unlink(tmp);
    glp_delete_prob(P);
    return st;
}
