/* gd_search.c — the heuristic `experiment hardness` sets beside the exact
 * solvers: Adam with restarts on 1/2 ||G(z) - x||^2 over a reduced net (the
 * library's objective with A = I), every restart rounded to the latent
 * domain and read by map-back. It finds a certificate or nothing: a latent
 * counts only when map-back says it solves the original instance. */
#include "reduce/reduce_internal.h"
#include "base/check_internal.h"

#include <cjson/cJSON.h>
#include <string.h>

void ginv_gd_search_opts_init(ginv_gd_search_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->restarts = 32;
    o->iters = 400;
    o->lr = 0.05;
    o->seed = 1;
}

/* Where the starts are drawn: the binary domain's interval, or the "clamp"
 * interval a real-latent reduction stores in its source ([0, 1] without one). */
static void start_interval(const ginv_problem *pb, double *lo, double *hi)
{
    *lo = pb->latent == GINV_LATENT_PM1 ? -1 : 0;
    *hi = 1;
    if (pb->latent != GINV_LATENT_REAL) return;
    cJSON *s = cJSON_Parse(pb->source_json ? pb->source_json : "");
    const cJSON *c = s ? cJSON_GetObjectItemCaseSensitive(s, "clamp") : NULL;
    if (cJSON_GetArraySize(c) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(c, 0)) &&
        cJSON_IsNumber(cJSON_GetArrayItem(c, 1))) {
        *lo = cJSON_GetArrayItem(c, 0)->valuedouble;
        *hi = cJSON_GetArrayItem(c, 1)->valuedouble;
    }
    cJSON_Delete(s);
}

/* Restart z (k values) rounded to the domain and mapped back: 1 when it is a
 * certificate. A real latent is read as the object it encodes, which is then
 * encoded as the proof does and checked again. */
static ginv_status is_certificate(const ginv_net *net, const ginv_problem *pb, const float *z, int k,
                                  double *zd, double *ze, int *yes)
{
    *yes = 0;
    for (int i = 0; i < k; i++) {
        double v = z[i];
        if (pb->latent == GINV_LATENT_01) v = v >= 0.5;
        else if (pb->latent == GINV_LATENT_PM1) v = v >= 0 ? 1 : -1;
        zd[i] = v;
    }
    ginv_witness w;
    if (ginv_reduce_map_back(net, pb, zd, &w) != GINV_OK) return GINV_OK; /* not a certificate */
    if (pb->latent == GINV_LATENT_REAL) {
        ginv_witness w2;
        if (ginv_reduce_encode(pb, w.size, w.object, ze, k) == GINV_OK &&
            ginv_reduce_map_back(net, pb, ze, &w2) == GINV_OK) {
            *yes = w2.solves;
            ginv_witness_release(&w2);
        }
    } else {
        *yes = w.solves;
    }
    ginv_witness_release(&w);
    return GINV_OK;
}

ginv_status ginv_reduce_gd_search(ginv_net *net, const ginv_problem *pb, const ginv_gd_search_opts *o,
                                  int *found)
{
    GINV_NONNULL(found);
    *found = 0;
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    GINV_NONNULL(o);
    int k = ginv_net_in(net), n = ginv_net_out(net), B = o->restarts;
    if (B < 1 || o->iters < 0 || !(o->lr > 0))
        return ginv_fail(GINV_ERR_ARG, "GD search: restarts %d must be >= 1, iters %d >= 0 and lr %g > 0",
                         B, o->iters, o->lr);
    if (pb->n != n)
        return ginv_fail(GINV_ERR_SHAPE, "GD search: the problem's target has %d values, the net %d outputs", pb->n, n);
    ginv_op *op = NULL;
    ginv_objective *obj = NULL;
    float *y = ginv_malloc(sizeof(float) * (size_t)n), *z = ginv_malloc(sizeof(float) * (size_t)B * k);
    double *f = ginv_malloc(sizeof(double) * (size_t)B), *zd = ginv_malloc(sizeof(double) * (size_t)k),
           *ze = ginv_malloc(sizeof(double) * (size_t)k);
    ginv_status st = GINV_OK;
    if (!y || !z || !f || !zd || !ze) { st = ginv_fail(GINV_ERR_NOMEM, "out of memory"); goto out; }
    for (int i = 0; i < n; i++) y[i] = (float)pb->target[i];
    double lo, hi;
    start_interval(pb, &lo, &hi);
    ginv_rng rng;
    ginv_rng_init(&rng, o->seed, GINV_STREAM_INIT, 0);
    for (long i = 0; i < (long)B * k; i++) z[i] = (float)(lo + (hi - lo) * ginv_rng_uniform(&rng));
    if ((st = ginv_op_identity(&op, n)) != GINV_OK || (st = ginv_objective_new(&obj, net, op, y, 1, 0.0, B)) != GINV_OK)
        goto out;
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_adam;
    so.lr = o->lr;
    so.iters = o->iters;
    if ((st = ginv_solve(obj, &so, B, z, f, NULL)) != GINV_OK) goto out;
    for (int b = 0; b < B && !*found && st == GINV_OK; b++)
        st = is_certificate(net, pb, z + (size_t)b * k, k, zd, ze, found);
out:
    ginv_objective_free(obj);
    ginv_op_free(op);
    ginv_free(y);
    ginv_free(z);
    ginv_free(f);
    ginv_free(zd);
    ginv_free(ze);
    return st;
}
