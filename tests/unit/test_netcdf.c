/* test_netcdf.c — ginv_sample_write_netcdf writes ArviZ's InferenceData
 * layout: read back with the NetCDF library itself, the draws are the
 * result's, chain-first, and the statistics sit under sample_stats. */
#include "test.h"

#include <netcdf.h>
#include <stdio.h>
#include <string.h>

TEST(netcdf_sample_file_is_chain_first_inference_data)
{
    enum { S = 5, C = 3, K = 4, N = 6 };
    float samples[S * C * K], xm[N], xs[N];
    double energy[S * C], acc[S * C], step[C];
    int depth[S * C], leap[S * C], div[S * C];
    for (int i = 0; i < S * C * K; i++) samples[i] = 0.25f * (float)i - 3;
    for (int i = 0; i < S * C; i++) energy[i] = 10 + i, acc[i] = 0.01 * i, depth[i] = i % 4, leap[i] = 1 + i, div[i] = i == 7;
    for (int c = 0; c < C; c++) step[c] = 0.1 * (c + 1);
    for (int i = 0; i < N; i++) xm[i] = (float)i / N, xs[i] = 0.5f + (float)i;
    ginv_sample_result r;
    memset(&r, 0, sizeof r);
    r.S = S, r.C = C, r.k = K, r.samples = samples, r.energy = energy, r.stat_accept = acc;
    r.stat_energy = energy, r.stat_depth = depth, r.stat_leapfrog = leap, r.stat_divergent = div;
    r.step_size = step;
    char path[256];
    snprintf(path, sizeof path, "%s/s.nc", test_tmpdir());
    CHECK(ginv_sample_write_netcdf(path, &r, xm, xs, N) == GINV_OK);
    int nc, post, ss, v, dims[3];
    CHECK(nc_open(path, NC_NOWRITE, &nc) == NC_NOERR);
    CHECK(nc_inq_grp_ncid(nc, "posterior", &post) == NC_NOERR);
    CHECK(nc_inq_grp_ncid(nc, "sample_stats", &ss) == NC_NOERR);
    /* z: (chain, draw, z_dim_0), z[c][s] = draw s of chain c */
    CHECK(nc_inq_varid(post, "z", &v) == NC_NOERR);
    int nd = 0;
    char dn[3][NC_MAX_NAME + 1];
    size_t dl[3];
    CHECK(nc_inq_varndims(post, v, &nd) == NC_NOERR && nd == 3);
    CHECK(nc_inq_vardimid(post, v, dims) == NC_NOERR);
    for (int d = 0; d < 3; d++) CHECK(nc_inq_dim(post, dims[d], dn[d], &dl[d]) == NC_NOERR);
    CHECK(!strcmp(dn[0], "chain") && dl[0] == C && !strcmp(dn[1], "draw") && dl[1] == S &&
          !strcmp(dn[2], "z_dim_0") && dl[2] == K);
    float z[C * S * K];
    CHECK(nc_get_var_float(post, v, z) == NC_NOERR);
    int bad = 0;
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++)
            bad += memcmp(z + ((size_t)c * S + s) * K, samples + ((size_t)s * C + c) * K, sizeof(float) * K) != 0;
    CHECK(bad == 0);
    float xr[N];
    CHECK(nc_inq_varid(post, "x_std", &v) == NC_NOERR && nc_get_var_float(post, v, xr) == NC_NOERR);
    CHECK(!memcmp(xr, xs, sizeof xs));
    /* sample_stats: lp = -U and the integer statistics, chain-first */
    double lp[C * S], st[C * S];
    int ti[C * S];
    CHECK(nc_inq_varid(ss, "lp", &v) == NC_NOERR && nc_get_var_double(ss, v, lp) == NC_NOERR);
    CHECK(lp[1 * S + 2] == -energy[2 * C + 1]);
    CHECK(nc_inq_varid(ss, "step_size", &v) == NC_NOERR && nc_get_var_double(ss, v, st) == NC_NOERR);
    CHECK(st[2 * S + 4] == step[2] && st[0] == step[0]);
    CHECK(nc_inq_varid(ss, "diverging", &v) == NC_NOERR && nc_get_var_int(ss, v, ti) == NC_NOERR);
    CHECK(ti[1 * S + 2] == 1 && ti[0] == 0); /* draw 2 of chain 1 is index 7 draw-major */
    CHECK(nc_inq_varid(ss, "tree_depth", &v) == NC_NOERR && nc_get_var_int(ss, v, ti) == NC_NOERR);
    CHECK(ti[2 * S + 3] == depth[3 * C + 2]);
    nc_close(nc);
    remove(path);
    /* an unwritable place: an error, no file */
    CHECK(ginv_sample_write_netcdf("/nonexistent-dir/s.nc", &r, NULL, NULL, 0) == GINV_ERR_IO);
    r.samples = NULL;
    CHECK(ginv_sample_write_netcdf(path, &r, NULL, NULL, 0) == GINV_ERR_ARG);
}
