/* smoothness.c — sampled estimates of the bounds M2, M3 on the second and
 * third derivatives of G in Pareek & Risteski's Assumption 2 (2021, §4), by
 * central finite differences along random unit directions (ginv/net.h). */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>

ginv_status ginv_net_smoothness(const ginv_net *net, int npts, int ndirs, double h, uint64_t seed, double *M2,
                                double *M3)
{
    GINV_NONNULL(net);
    GINV_NONNULL(M2);
    GINV_NONNULL(M3);
    if (npts < 1 || ndirs < 1 || ndirs > 4096 || !(h > 0) || !isfinite(h))
        return ginv_fail(GINV_ERR_ARG, "ginv_net_smoothness: %d latents, %d directions (1..4096), step %g (> 0)", npts,
                         ndirs, h);
    int k = ginv_net_in(net), n = ginv_net_out(net), B = 5 * ndirs;
    static const double t[5] = {-2, -1, 0, 1, 2};
    float *z = ginv_malloc(sizeof(float) * (size_t)B * k), *u = ginv_malloc(sizeof(float) * (size_t)k);
    ginv_net_ws *ws = NULL;
    ginv_status st = z && u ? ginv_net_ws_new(&ws, net, B) : ginv_fail(GINV_ERR_NOMEM, "out of memory for %d points", B);
    *M2 = *M3 = 0;
    for (int i = 0; st == GINV_OK && i < npts; i++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_SMOOTHNESS, (uint64_t)i);
        float *z0 = z + (size_t)2 * k; /* row 2 (t = 0) of direction 0 holds z_i */
        for (int j = 0; j < k; j++) z0[j] = (float)ginv_rng_normal(&r);
        for (int d = 0; d < ndirs; d++) {
            double nu = 0;
            for (int j = 0; j < k; j++) u[j] = (float)ginv_rng_normal(&r), nu += (double)u[j] * u[j];
            nu = sqrt(nu);
            for (int s = 0; s < 5; s++)
                for (int j = 0; j < k; j++)
                    z[((size_t)5 * d + s) * k + j] = (float)(z0[j] + t[s] * h * u[j] / nu);
        }
        const float *x = ginv_net_forward(net, ws, B, z);
        for (int d = 0; d < ndirs && st == GINV_OK; d++) {
            const float *g = x + (size_t)5 * d * n;
            double s2 = 0, s3 = 0;
            for (int j = 0; j < n; j++) {
                double m2 = g[0 * n + j], m1 = g[1 * n + j], c = g[2 * n + j], p1 = g[3 * n + j], p2 = g[4 * n + j];
                double d2 = (p1 - 2 * c + m1) / (h * h), d3 = (p2 - 2 * p1 + 2 * m1 - m2) / (2 * h * h * h);
                s2 += d2 * d2, s3 += d3 * d3;
            }
            if (!isfinite(s2) || !isfinite(s3))
                st = ginv_fail(GINV_ERR_NUMERIC, "ginv_net_smoothness: G is not finite near latent %d", i);
            *M2 = fmax(*M2, sqrt(s2)), *M3 = fmax(*M3, sqrt(s3));
        }
    }
    ginv_net_ws_free(ws);
    ginv_free(z);
    ginv_free(u);
    return st;
}
