/* netcdf_out.c — a sampling run as a NetCDF-4 file in ArviZ's InferenceData
 * layout (arviz.from_netcdf, xarray.open_dataset(path, group=...)):
 *   group "posterior":    z (chain, draw, z_dim_0); with x_mean/x_std given,
 *                         x_mean, x_std (x_dim_0) — the posterior mean and
 *                         std of G(z) per pixel;
 *   group "sample_stats": lp = -U (chain, draw), acceptance_rate, energy,
 *                         step_size, tree_depth, n_steps, diverging;
 * coordinate variables chain, draw (and z_dim_0) in each group, and the
 * attributes created_by, inference_library. ginv keeps draws draw-major
 * (S x C x k); the file is chain-first, as ArviZ expects. */
#include "ginv.h"
#include "base/check_internal.h"

#include <netcdf.h>
#include <stdio.h>
#include <string.h>

/* NC_NOERR or a failure naming the call and the library's message */
#define NC(call)                                                                               \
    do {                                                                                       \
        int e_ = (call);                                                                       \
        if (e_ != NC_NOERR) {                                                                  \
            st = ginv_fail(e_ == NC_ENOMEM ? GINV_ERR_NOMEM : GINV_ERR_IO,                     \
                           "netcdf '%s': %s", path, nc_strerror(e_));                           \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

/* The coordinate variables 0..n-1 of dimension `dim` in group g. */
static int put_coord(int g, const char *name, int dim, int n)
{
    int v, e = nc_def_var(g, name, NC_INT, 1, &dim, &v);
    for (int i = 0; e == NC_NOERR && i < n; i++) {
        size_t at = (size_t)i;
        e = nc_put_var1_int(g, v, &at, &i);
    }
    return e;
}

/* chain and draw dimensions and coordinates in group g */
static int chain_draw(int g, int C, int S, int dims[2])
{
    int e = nc_def_dim(g, "chain", (size_t)C, &dims[0]);
    if (e == NC_NOERR) e = nc_def_dim(g, "draw", (size_t)S, &dims[1]);
    if (e == NC_NOERR) e = put_coord(g, "chain", dims[0], C);
    if (e == NC_NOERR) e = put_coord(g, "draw", dims[1], S);
    return e;
}

/* A per-draw statistic (S x C, draw-major) as (chain, draw) doubles. */
static int put_stat_d(int g, const int dims[2], const char *name, const double *x, int S, int C,
                      double sign, double *buf)
{
    int v, e = nc_def_var(g, name, NC_DOUBLE, 2, dims, &v);
    if (e != NC_NOERR) return e;
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++) buf[(size_t)c * S + s] = sign * x[(size_t)s * C + c];
    return nc_put_var_double(g, v, buf);
}

static int put_stat_i(int g, const int dims[2], const char *name, const int *x, int S, int C,
                      int *buf)
{
    int v, e = nc_def_var(g, name, NC_INT, 2, dims, &v);
    if (e != NC_NOERR) return e;
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++) buf[(size_t)c * S + s] = x[(size_t)s * C + c];
    return nc_put_var_int(g, v, buf);
}

ginv_status ginv_sample_write_netcdf(const char *path, const ginv_sample_result *r,
                                     const float *x_mean, const float *x_std, int n)
{
    GINV_NONNULL(path);
    GINV_NONNULL(r);
    if (!r->samples || r->S < 1 || r->C < 1 || r->k < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_sample_write_netcdf: the result holds no draws");
    if ((x_mean || x_std) && n < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_sample_write_netcdf: x_mean/x_std need n >= 1");
    int S = r->S, C = r->C, k = r->k, nc = -1;
    size_t SC = (size_t)S * C;
    float *zt = ginv_malloc(SC * (size_t)k * sizeof(float));
    double *dbuf = ginv_malloc(SC * sizeof(double));
    int *ibuf = ginv_malloc(SC * sizeof(int));
    ginv_status st = GINV_OK;
    if (!zt || !dbuf || !ibuf) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for %d x %d x %d draws", C, S, k);
        goto done;
    }
    NC(nc_create(path, NC_CLOBBER | NC_NETCDF4, &nc));
    NC(nc_put_att_text(nc, NC_GLOBAL, "created_by", strlen("ginv " GINV_VERSION), "ginv " GINV_VERSION));
    NC(nc_put_att_text(nc, NC_GLOBAL, "inference_library", 4, "ginv"));
    /* posterior: z (chain, draw, z_dim_0), chain-first */
    int post, pd[3], vz;
    NC(nc_def_grp(nc, "posterior", &post));
    NC(chain_draw(post, C, S, pd));
    NC(nc_def_dim(post, "z_dim_0", (size_t)k, &pd[2]));
    NC(put_coord(post, "z_dim_0", pd[2], k));
    NC(nc_def_var(post, "z", NC_FLOAT, 3, pd, &vz));
    for (int c = 0; c < C; c++)
        for (int s = 0; s < S; s++)
            memcpy(zt + ((size_t)c * S + s) * k, r->samples + ((size_t)s * C + c) * k, (size_t)k * sizeof(float));
    NC(nc_put_var_float(post, vz, zt));
    if (x_mean || x_std) {
        int xd, vm;
        NC(nc_def_dim(post, "x_dim_0", (size_t)n, &xd));
        if (x_mean) {
            NC(nc_def_var(post, "x_mean", NC_FLOAT, 1, &xd, &vm));
            NC(nc_put_var_float(post, vm, x_mean));
        }
        if (x_std) {
            NC(nc_def_var(post, "x_std", NC_FLOAT, 1, &xd, &vm));
            NC(nc_put_var_float(post, vm, x_std));
        }
    }
    /* sample_stats (ArviZ's names): lp = -U, the sampler's statistics */
    int ss, sd[2];
    NC(nc_def_grp(nc, "sample_stats", &ss));
    NC(chain_draw(ss, C, S, sd));
    NC(put_stat_d(ss, sd, "lp", r->energy, S, C, -1.0, dbuf));
    if (r->stat_accept) NC(put_stat_d(ss, sd, "acceptance_rate", r->stat_accept, S, C, 1.0, dbuf));
    if (r->stat_energy) NC(put_stat_d(ss, sd, "energy", r->stat_energy, S, C, 1.0, dbuf));
    if (r->step_size) { /* frozen after the burn-in: one value per chain, every draw */
        int v;
        NC(nc_def_var(ss, "step_size", NC_DOUBLE, 2, sd, &v));
        for (int c = 0; c < C; c++)
            for (int s = 0; s < S; s++) dbuf[(size_t)c * S + s] = r->step_size[c];
        NC(nc_put_var_double(ss, v, dbuf));
    }
    if (r->stat_depth) NC(put_stat_i(ss, sd, "tree_depth", r->stat_depth, S, C, ibuf));
    if (r->stat_leapfrog) NC(put_stat_i(ss, sd, "n_steps", r->stat_leapfrog, S, C, ibuf));
    if (r->stat_divergent) NC(put_stat_i(ss, sd, "diverging", r->stat_divergent, S, C, ibuf));
done:
    if (nc >= 0) {
        int e = nc_close(nc);
        if (st == GINV_OK && e != NC_NOERR) st = ginv_fail(GINV_ERR_IO, "netcdf '%s': %s", path, nc_strerror(e));
        if (st != GINV_OK) remove(path); /* no partial file */
    }
    ginv_free(zt);
    ginv_free(dbuf);
    ginv_free(ibuf);
    return st;
}
