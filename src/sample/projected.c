/* projected.c — projected Langevin (Pareek & Risteski 2021 eq. 8, the
 * discretised reflected diffusion of Def. 4):
 *     y <- Pi_D(y - eta grad U(y) + sqrt(2 eta / beta) u),
 * D the ball ||y - c|| <= r (Lemma 3's region around the inverse z_hat when
 * the chains start from GD), Pi_D the Euclidean projection onto it. */
#include "sample/sampler_internal.h"

/* One projected step for every chain (P&R eq. 8). */
static ginv_status projected_step(ginv_chains *ch)
{
    ginv_chains_propose(ch, ch->o->step, 1.0);
    for (int c = 0; c < ch->C; c++) ginv_chains_project(ch, ch->zp, c);
    ginv_status st = ginv_chains_eval_proposal(ch);
    if (st != GINV_OK) return st;
    ginv_chains_take_proposal(ch);
    return GINV_OK;
}

static const ginv_sampler_type projected_type = {"projected", 0, 1, projected_step};
const ginv_sampler_type *const ginv_sampler_projected = &projected_type;
