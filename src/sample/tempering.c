/* tempering.c — replica exchange (parallel tempering; Swendsen & Wang 1986,
 * Geyer 1991) for the Langevin samplers: every chain is a ladder of R rungs
 * targeting exp(-beta U / T_r), T_0 = 1 < ... < T_{R-1} = temp_max
 * (geometric), all rungs of all chains in one batch. Every swap_every steps
 * adjacent rungs r, r+1 of each chain propose to exchange their states,
 * accepted with probability
 *     min(1, exp((beta_r - beta_{r+1}) (U(z_r) - U(z_{r+1})))),
 * which keeps the product of the rungs' targets invariant; rung 0's states
 * are samples of exp(-beta U) that can cross between modes the hot rungs
 * connect. The pairs alternate (even, then odd) between swap rounds. */
#include "sample/sampler_internal.h"

#include <math.h>
#include <string.h>

static void swap_rows(float *a, float *b, int k)
{
    for (int i = 0; i < k; i++) {
        float t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

void ginv_chains_swap(ginv_chains *ch, int C, int R, long round, ginv_rng *swap_rng,
                      long *accepted, long *proposed)
{
    int k = ch->k;
    for (int c = 0; c < C; c++)
        for (int r = (int)(round & 1); r + 1 < R; r += 2) {
            int a = r * C + c, b = (r + 1) * C + c;
            double la = (ginv_chains_beta(ch, a) - ginv_chains_beta(ch, b)) * (ch->U[a] - ch->U[b]);
            double u = ginv_rng_uniform(&swap_rng[c]);
            if (proposed) proposed[r]++;
            if (log(u) < la) {
                swap_rows(ch->z + (size_t)a * k, ch->z + (size_t)b * k, k);
                swap_rows(ch->grad + (size_t)a * k, ch->grad + (size_t)b * k, k);
                double t = ch->U[a];
                ch->U[a] = ch->U[b];
                ch->U[b] = t;
                if (accepted) accepted[r]++;
            }
        }
}
