/* decide.c — ginv_decide: check the problem against the net, pick the
 * method, set the tolerances, run it, and make sure the answer carries what
 * justifies it (a verified witness, a complete enumeration, a bound). */
#include "exact_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *ginv_answer_name(ginv_answer a)
{
    return a == GINV_ANSWER_YES ? "YES" : a == GINV_ANSWER_NO ? "NO" : "UNKNOWN";
}

static const char *method_names[] = {"auto", "enum", "milp", "bnb"};

const char *ginv_decide_method_name(ginv_decide_method m)
{
    return (unsigned)m < 4 ? method_names[m] : "?";
}

ginv_status ginv_decide_method_parse(const char *text, ginv_decide_method *out)
{
    GINV_NONNULL(text);
    GINV_NONNULL(out);
    for (int i = 0; i < 4; i++)
        if (!strcmp(text, method_names[i])) {
            *out = (ginv_decide_method)i;
            return GINV_OK;
        }
    return ginv_fail(GINV_ERR_ARG, "unknown method '%s' (use auto, enum, milp or bnb)", text);
}

void ginv_decide_opts_init(ginv_decide_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = GINV_DECIDE_AUTO;
    o->max_pruned = 4096;
}

void ginv_decide_result_release(ginv_decide_result *r)
{
    if (!r) return;
    ginv_free(r->witness);
    ginv_free(r->pruned);
    memset(r, 0, sizeof *r);
}

static ginv_decide_method pick(const ginv_problem *pb)
{
    if (pb->latent != GINV_LATENT_REAL) return GINV_DECIDE_ENUM;
    if (pb->box > 0 && (pb->p == GINV_NORM_EXACT || pb->p == 1 || isinf(pb->p)))
        return GINV_DECIDE_MILP;
    return GINV_DECIDE_BNB;
}

static ginv_status decide_run(const ginv_net *net, const ginv_problem *pb, const ginv_decide_opts *o,
                              ginv_decide_result *res);

ginv_status ginv_decide(const ginv_net *net, const ginv_problem *pb, const ginv_decide_opts *o,
                        ginv_decide_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    GINV_NONNULL(o);
    ginv_run_scope scope;
    ginv_run_enter(&scope, o->ctx, 1);
    ginv_status st = decide_run(net, pb, o, res);
    if (st == GINV_OK && ginv_cancel_requested()) {
        long nodes = res->nodes;
        ginv_decide_result_release(res);
        memset(res, 0, sizeof *res);
        st = ginv_fail(GINV_ERR_CANCELLED, "decide: cancelled after %ld nodes", nodes);
    }
    return ginv_run_leave(&scope, st);
}

static ginv_status decide_run(const ginv_net *net, const ginv_problem *pb, const ginv_decide_opts *o,
                              ginv_decide_result *res)
{
    ginv_dnet d;
    ginv_status st = ginv_dnet_from(net, &d);
    if (st != GINV_OK) return st;
    if (pb->n != d.n) {
        ginv_dnet_release(&d);
        return ginv_fail(GINV_ERR_SHAPE, "decide: the target has %d entries but the net's "
                                         "output has %d", pb->n, d.n);
    }
    double scale = 1;
    for (int i = 0; i < pb->n; i++) {
        if (!isfinite(pb->target[i])) {
            ginv_dnet_release(&d);
            return ginv_fail(GINV_ERR_NUMERIC, "decide: target[%d] is not finite", i);
        }
        scale = fmax(scale, fabs(pb->target[i]));
    }
    for (int l = 0; l < d.L; l++) {
        for (size_t j = 0; j < (size_t)d.in[l] * d.out[l]; j++)
            if (!isfinite(d.W[l][j])) st = ginv_fail(GINV_ERR_NUMERIC, "decide: dense layer %d "
                                                     "has a non-finite weight", l);
        for (int j = 0; j < d.out[l]; j++)
            if (!isfinite(d.b[l][j])) st = ginv_fail(GINV_ERR_NUMERIC, "decide: dense layer %d "
                                                     "has a non-finite bias", l);
    }
    if (st == GINV_OK && !(pb->delta >= 0 && isfinite(pb->delta)))
        st = ginv_fail(GINV_ERR_ARG, "decide: delta must be a finite number >= 0");
    if (st == GINV_OK && !(pb->box >= 0 && isfinite(pb->box)))
        st = ginv_fail(GINV_ERR_ARG, "decide: the box must be a finite number >= 0");
    if (st != GINV_OK) {
        ginv_dnet_release(&d);
        return st;
    }
    ginv_decide_ctx cx = {.d = &d, .pb = pb, .o = o, .scale = scale, .t0 = ginv_now()};
    cx.thr_yes = pb->p == GINV_NORM_EXACT ? GINV_EXACT_TOL * scale : pb->delta;
    res->k = d.k;
    res->threshold = cx.thr_yes;
    res->margin = GINV_ENUM_MARGIN * scale;
    res->distance = NAN;
    res->upper_bound = INFINITY;
    res->method = o->method == GINV_DECIDE_AUTO ? pick(pb) : o->method;
    switch (res->method) {
    case GINV_DECIDE_ENUM: st = ginv_decide_enum(&cx, res); break;
    case GINV_DECIDE_MILP: st = ginv_decide_milp(&cx, res); break;
    default: st = ginv_decide_bnb(&cx, res); break;
    }
    res->seconds = ginv_now() - cx.t0;
    ginv_dnet_release(&d);
    if (st != GINV_OK) {
        ginv_decide_result_release(res);
        return st;
    }
    /* the last word is the verifier's: YES only with a witness in the domain
     * whose forward distance is within the threshold */
    if (res->answer == GINV_ANSWER_YES) {
        if (!res->witness || !(res->distance <= cx.thr_yes)) {
            res->answer = GINV_ANSWER_UNKNOWN;
            snprintf(res->note, sizeof res->note, "internal: a YES without a verified witness");
        }
    } else if (res->answer == GINV_ANSWER_UNKNOWN) {
        res->distance = NAN;
    }
    if (res->answer != GINV_ANSWER_YES && !o->minimize && res->witness) {
        /* a best latent that is no witness: keep it only when minimising */
        ginv_free(res->witness);
        res->witness = NULL;
    }
    return GINV_OK;
}
