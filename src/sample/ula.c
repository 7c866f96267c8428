/* ula.c — the unadjusted Langevin algorithm exactly as in the papers:
 *     z <- z - eta grad U(z) + sqrt(2 eta / beta) u,  u ~ N(0, I)
 * (Daras et al. 2022 eq. 2 / Thm 3.1; Pareek & Risteski 2021 eq. 6 with
 * beta = 1). Its stationary law is exp(-beta U) only as eta -> 0. With a
 * preconditioner (precond.c) the drift is eta P grad U and the noise P^{1/2} u. */
#include "sample/sampler_internal.h"

/* One ULA step for every chain (Daras eq. 2): propose, evaluate, move. With
 * per-chain steps or a diagonal metric (adapted by a MALA warm-up, chain.c,
 * or given), z <- z - eta_c M grad U + sqrt(2 eta_c / beta) M^{1/2} u. */
static ginv_status ula_step(ginv_chains *ch)
{
    if (ch->pL) ginv_chains_propose_precond(ch, ch->o->step, 1.0);
    else if (ch->eps || ch->minv) ginv_chains_propose_diag(ch);
    else ginv_chains_propose(ch, ch->o->step, 1.0);
    ginv_status st = ginv_chains_eval_proposal(ch);
    if (st != GINV_OK) return st;
    ginv_chains_take_proposal(ch);
    return GINV_OK;
}

static const ginv_sampler_type ula_type = {"ula", 0, 0, ula_step};
const ginv_sampler_type *const ginv_sampler_ula = &ula_type;
