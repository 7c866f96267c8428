/* generate_score.c — `ginv generate --score-steps S`: the score prior alone
 * as a generator (Daras et al. 2022 Fig. 4): h from the reverse SDE
 * (ginv_score_reverse) started at t = 1 from N(center, scale^2), or, with
 * --h FILE --t T, the out-of-distribution projection of their Fig. 6: given
 * intermediate representations perturbed to time T by the forward SDE and
 * carried back by the reverse one; then x = G2(h). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int generate_from_score(const char *model, ginv_net *net, int B, uint64_t seed, int steps, const char *hpath,
                        double t, float **xout, int *Bout)
{
    const char *C = "generate";
    ginv_score *sc = NULL;
    if (ginv_score_load(model, &sc) != GINV_OK)
        return cli_error_code(C, CLI_EXIT_FORMAT, "--score-steps: %s", ginv_last_error());
    const ginv_score_arch *a = ginv_score_get_arch(sc);
    int p = a->p, L = a->layer, code = 0;
    ginv_net *g1 = NULL, *g2 = NULL;
    if (!L || ginv_net_split(net, L, &g1, &g2) != GINV_OK || ginv_net_out(g1) != p) {
        ginv_score_free(sc);
        return cli_error_code(C, CLI_EXIT_FORMAT, "--score-steps: the score prior (layer %d, p = %d) does not fit "
                              "the file's generator", L, p);
    }
    ginv_array h = {0};
    if (hpath) {
        code = cli_read_vector(C, "h", hpath, 0, &h);
        if (!code && (ginv_array_count(&h) % (size_t)p || !ginv_array_count(&h)))
            code = cli_error_code(C, CLI_EXIT_FORMAT, "--h %s: %zu values are not rows of p = %d", hpath,
                                  ginv_array_count(&h), p);
        if (!code) B = (int)(ginv_array_count(&h) / (size_t)p);
    } else if (!(h.data = ginv_malloc((size_t)B * p * sizeof(float)))) {
        code = cli_oom(C);
    }
    ginv_rng *rng = code ? NULL : malloc((size_t)B * sizeof(ginv_rng));
    if (!code && !rng) code = cli_oom(C);
    for (int b = 0; !code && b < B; b++) {
        ginv_rng_init(&rng[b], seed, GINV_STREAM_GENERATE, (uint64_t)b + 1);
        if (hpath) continue;
        const float *c = ginv_score_center(sc), *s = ginv_score_scale(sc);
        for (int j = 0; j < p; j++) h.data[(size_t)b * p + j] = (float)(c[j] + s[j] * ginv_rng_normal(&rng[b]));
    }
    ginv_score_prior pr;
    ginv_score_prior_of(sc, &pr);
    if (!code && ginv_score_reverse(&pr, B, h.data, hpath ? t : 1.0, steps, hpath != NULL, rng, NULL) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    ginv_net_ws *ws = NULL;
    float *x = code ? NULL : malloc((size_t)B * ginv_net_out(g2) * sizeof(float));
    if (!code && (!x || ginv_net_ws_new(&ws, g2, B) != GINV_OK)) code = cli_oom(C);
    if (!code) {
        memcpy(x, ginv_net_forward(g2, ws, B, h.data), (size_t)B * ginv_net_out(g2) * sizeof(float));
        *xout = x, *Bout = B, x = NULL;
    }
    free(x);
    free(rng);
    ginv_net_ws_free(ws);
    ginv_array_release(&h);
    ginv_net_free(g1);
    ginv_net_free(g2);
    ginv_score_free(sc);
    return code;
}
