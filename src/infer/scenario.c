/* scenario.c — one trial's problem (Hand & Voroninski §I-C's experiment, and
 * the posterior of Daras et al. and Pareek & Risteski built on it): G, A, z0,
 * x0 = G(z0) and y = A x0 + noise (or the operator's link of it), each from
 * its own seed stream. The one place
 * that draws them, so "same seed, same problem" holds by construction. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

void ginv_scenario_opts_init(ginv_scenario_opts *o)
{
    memset(o, 0, sizeof *o);
    o->init = GINV_INIT_PAPER;
    o->seed = 1;
}

void ginv_scenario_release(ginv_scenario *sc)
{
    if (!sc) return;
    if (sc->owns_net) ginv_net_free(sc->net);
    ginv_op_free(sc->op);
    ginv_free(sc->z0);
    ginv_free(sc->x0);
    ginv_free(sc->y);
    memset(sc, 0, sizeof *sc);
}

ginv_status ginv_scenario_draw(ginv_scenario *sc, const ginv_scenario_opts *o)
{
    GINV_NONNULL(sc);
    memset(sc, 0, sizeof *sc);
    GINV_NONNULL(o);
    if (!o->net && (o->nspec < 1 || !o->spec))
        return ginv_fail(GINV_ERR_ARG, "no generator: give a model file or layer sizes");
    if (!(o->noise >= 0) || !isfinite(o->noise))
        return ginv_fail(GINV_ERR_ARG, "noise %g must be finite and >= 0", o->noise);
    ginv_status st;
    if (o->net) {
        sc->net = o->net;
    } else {
        if ((st = ginv_net_new(&sc->net, o->nspec, o->spec)) != GINV_OK) return st;
        sc->owns_net = 1;
        if ((st = ginv_net_randomize(sc->net, o->init, o->bias_sd, o->seed, o->trial)) != GINV_OK) return st;
    }
    sc->k = ginv_net_in(sc->net);
    sc->n = ginv_net_out(sc->net);
    ginv_op_spec identity = {.kind = GINV_OPK_IDENTITY};
    if ((st = ginv_op_from_spec(&sc->op, o->op ? o->op : &identity, sc->n, o->seed, o->trial)) != GINV_OK)
        return st;
    sc->m = ginv_op_m(sc->op);
    if (!(sc->y = ginv_malloc((size_t)sc->m * sizeof(float)))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (o->y) {
        if (o->y_count && o->y_count != (size_t)sc->m)
            return ginv_fail(GINV_ERR_SHAPE, "y holds %zu values but the operator makes %d measurements",
                             o->y_count, sc->m);
        memcpy(sc->y, o->y, (size_t)sc->m * sizeof(float));
        return ginv_op_check_y(sc->op, sc->y, (size_t)sc->m);
    }
    sc->z0 = ginv_malloc((size_t)sc->k * sizeof(float));
    sc->x0 = ginv_malloc((size_t)sc->n * sizeof(float));
    if (!sc->z0 || !sc->x0) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (o->truth) {
        memcpy(sc->z0, o->truth, (size_t)sc->k * sizeof(float));
    } else {
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_TRUTH, o->trial);
        ginv_rng_normal_f32(&r, sc->z0, (size_t)sc->k, 1.0);
    }
    ginv_net_ws *ws = NULL;
    if ((st = ginv_net_ws_new(&ws, sc->net, 1)) != GINV_OK) return st;
    memcpy(sc->x0, ginv_net_forward(sc->net, ws, 1, sc->z0), (size_t)sc->n * sizeof(float));
    ginv_net_ws_free(ws);
    /* the noise model per link (docs/operators.md, ginv_op_observe):
     * linear y = A x0 + e; phaseless y = max(0, |A x0| + e) (phaseless-fourier:
     * each of the m magnitudes, both of a conjugate pair, its own e, as a
     * detector's pixels); 1-bit y = sign(A x0 + e) (the probit model); e ~
     * N(0, noise^2) i.i.d. from stream (seed, NOISE, trial) */
    return ginv_op_observe(sc->op, 1, sc->x0, o->noise > 0 ? o->noise : 0, o->seed, o->trial,
                           sc->y);
}
