/* random.c — random generators as in Hand & Voroninski Thm 1: the entries of
 * W_i are i.i.d. N(0, 1/n_i), n_i the layer's output width. */
#include "net/net_internal.h"

#include <math.h>

/* Each dense layer draws from its own stream (seed, NET, index * 4096 + i),
 * so a layer's weights do not depend on the sizes of the layers before it. */
void ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                        uint64_t index)
{
    for (int i = 0; i < net->nlayers; i++) {
        ginv_layer *L = &net->layers[i];
        if (L->kind != GINV_LAYER_DENSE) continue;
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_NET, index * 4096u + (uint64_t)i);
        double sd = init == GINV_INIT_PAPER ? 1.0 / sqrt((double)L->out)
                                            : 1.0 / sqrt((double)L->in);
        ginv_rng_normal_f32(&r, L->W, (size_t)L->in * L->out, sd);
        if (L->b) {
            if (bias_sd > 0)
                ginv_rng_normal_f32(&r, L->b, (size_t)L->out, bias_sd);
            else
                for (int j = 0; j < L->out; j++) L->b[j] = 0.0f;
        }
    }
}
