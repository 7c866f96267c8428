/* anneal.c — temperature annealing of the posterior energy: ULA on a
 * geometric ladder of tempered laws, step proportional to level^2. It borrows
 * the schedule of Song & Ermon's annealed Langevin dynamics (which SGILO §4
 * runs), but it is not that method: Song & Ermon anneal the noise level of a
 * learned noise-conditional score s(x, sigma_i), while this tempers one fixed
 * energy U (no score model). ginv's score-based sampling is elsewhere: the
 * learned VP-SDE score prior and its reverse-time sampler ginv_score_reverse
 * (src/learn/score.c) and SGILO (Daras et al. §4) in src/sample/sgilo.c
 * (docs/ilo-sgilo.md). The burn-in
 * is cut into L equal stages; stage i targets the
 * tempered law exp(-beta U / T_i) with T_i = s_i^2 and geometric levels
 *     s_i = level_max^((L-1-i)/(L-1)),  i = 0..L-1  (s_0 = level_max, s_{L-1} = 1),
 * by ULA with step eta_i = eta T_i:
 *     z <- z - eta_i grad(U / T_i) + sqrt(2 eta_i / beta) u
 *        = z - eta grad U + s_i sqrt(2 eta / beta) u.
 * After the burn-in it is plain ULA on exp(-beta U) (level 1). */
#include "sample/sampler_internal.h"

#include <math.h>

/* The level s_i of step t (1 after the burn-in). */
static double level_of(const ginv_sample_opts *o, long t)
{
    int L = o->levels;
    if (t >= o->burn_in || L < 2 || o->burn_in < 1) return 1.0;
    long i = t * L / o->burn_in;
    return pow(o->level_max, (double)(L - 1 - i) / (L - 1));
}

/* One annealed ULA step for every chain: the noise scaled by the level. */
static ginv_status annealed_step(ginv_chains *ch)
{
    ginv_chains_propose(ch, ch->o->step, level_of(ch->o, ch->t));
    ginv_status st = ginv_chains_eval_proposal(ch);
    if (st != GINV_OK) return st;
    ginv_chains_take_proposal(ch);
    return GINV_OK;
}

static const ginv_sampler_type annealed_type = {"annealed", 0, 0, annealed_step};
const ginv_sampler_type *const ginv_sampler_annealed = &annealed_type;
