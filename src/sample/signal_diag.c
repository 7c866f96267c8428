/* signal_diag.c — convergence diagnostics of what the user looks at: the
 * signal G(z), pixel by pixel (Vehtari et al. 2021 applied to each output
 * coordinate of the samples' images). A VAE's latent can hold directions
 * the decoder ignores, where the chains move as slowly as the prior allows
 * and R-hat on z stays high while the images have long converged; the
 * pixel diagnostics tell the two apart. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

ginv_status ginv_sample_signal_diag(const ginv_sample_result *r, const ginv_net *net,
                                    double sd_floor, ginv_diag *per_pixel,
                                    ginv_signal_diag *summary)
{
    GINV_NONNULL(r);
    GINV_NONNULL(net);
    GINV_NONNULL(summary);
    int k = r->k, C = r->C, S = r->S, n = ginv_net_out(net);
    if (ginv_net_in(net) != k)
        return ginv_fail(GINV_ERR_SHAPE, "the net takes %d latents but the samples have %d",
                         ginv_net_in(net), k);
    if (S < 4) return ginv_fail(GINV_ERR_ARG, "signal diagnostics need at least 4 samples per chain");
    size_t N = (size_t)S * C;
    /* the images of all samples, pixel-major: x[i][s * C + c] */
    float *x = ginv_malloc(N * (size_t)n * sizeof(float));
    double *draws = ginv_malloc(N * sizeof(double));
    ginv_net_ws *ws = NULL;
    ginv_status st = x && draws ? ginv_net_ws_new(&ws, net, C)
                                : ginv_fail(GINV_ERR_NOMEM, "out of memory for %zu images", N);
    for (int s = 0; st == GINV_OK && s < S; s++) {
        const float *img = ginv_net_forward(net, ws, C, r->samples + (size_t)s * C * k);
        for (int c = 0; c < C; c++)
            for (int i = 0; i < n; i++) x[(size_t)i * N + (size_t)s * C + c] = img[(size_t)c * n + i];
    }
    ginv_signal_diag sm = {.max_rhat = NAN, .min_ess_bulk = NAN, .min_ess_tail = NAN,
                           .worst_pixel = -1};
    double mr = -INFINITY, mb = INFINITY, mt = INFINITY;
    for (int i = 0; st == GINV_OK && i < n; i++) {
        for (size_t j = 0; j < N; j++) draws[j] = x[(size_t)i * N + j];
        ginv_diag d;
        st = ginv_diag_compute(S, C, draws, &d);
        if (st != GINV_OK) break;
        if (per_pixel) per_pixel[i] = d;
        if (!(d.sd > sd_floor) || isnan(d.rhat)) continue; /* (near-)constant pixel */
        sm.pixels++;
        if (d.rhat > mr) mr = d.rhat, sm.worst_pixel = i;
        mb = fmin(mb, d.ess_bulk);
        mt = fmin(mt, d.ess_tail);
    }
    if (st == GINV_OK && sm.pixels) sm.max_rhat = mr, sm.min_ess_bulk = mb, sm.min_ess_tail = mt;
    ginv_net_ws_free(ws);
    ginv_free(x);
    ginv_free(draws);
    if (st == GINV_OK && summary) *summary = sm;
    return st;
}
