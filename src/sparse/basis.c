/* basis.c — orthonormal sparsifying bases Psi for h x w images, applied to a
 * batch of N images (N x h*w, row-major): analysis c = Psi^T x, synthesis
 * x = Psi c. PIXEL is the identity; DCT the orthonormal 2-D DCT-II,
 * C = D_h X D_w^T with D_n[k][i] = a_k cos(pi (2i + 1) k / (2n)), a_0 =
 * sqrt(1/n), a_k = sqrt(2/n) — two GEMMs on the batch; HAAR and DB4 the
 * periodized wavelets of wavelet.c. Every basis is orthogonal, so
 * synthesis is analysis's transpose and its inverse. */
#include "sparse/wavelet.h"

#include <math.h>
#include <string.h>

const char *ginv_basis_name(ginv_basis b)
{
    switch (b) {
    case GINV_BASIS_PIXEL: return "pixel";
    case GINV_BASIS_DCT: return "dct";
    case GINV_BASIS_HAAR: return "haar";
    case GINV_BASIS_DB4: return "db4";
    }
    return "unknown";
}

ginv_status ginv_basis_parse(const char *name, ginv_basis *out)
{
    static const ginv_basis all[] = {GINV_BASIS_PIXEL, GINV_BASIS_DCT, GINV_BASIS_HAAR,
                                     GINV_BASIS_DB4};
    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, ginv_basis_name(all[i]))) {
            *out = all[i];
            return GINV_OK;
        }
    if (name && !strcmp(name, "db2")) { /* PyWavelets' name for the same filter */
        *out = GINV_BASIS_DB4;
        return GINV_OK;
    }
    return ginv_fail(GINV_ERR_ARG, "unknown basis '%s' (expected pixel, dct, haar or db4)",
                     name ? name : "(null)");
}

int ginv_basis_levels(ginv_basis b, int h, int w)
{
    const ginv_wavelet *wv = ginv_wavelet_of(b);
    return wv && h > 0 && w > 0 ? ginv_wavelet_levels(wv, h, w) : 0;
}

/* The orthonormal DCT-II matrix D (n x n), row k = frequency k. */
static void dct_matrix(int n, float *D /* (n, n) */)
{
    for (int k = 0; k < n; k++) {
        double a = k ? sqrt(2.0 / n) : sqrt(1.0 / n);
        for (int i = 0; i < n; i++) D[(size_t)k * n + i] = (float)(a * cos(M_PI * (2 * i + 1) * k / (2.0 * n)));
    }
}

/* DCT on the batch: forward C_b = D_h X_b D_w^T; inverse X_b = D_h^T C_b D_w. */
static ginv_status dct_apply(int inverse, int h, int w, int N, const float *in, float *out)
{
    size_t hw = (size_t)h * w;
    float *Dh = ginv_malloc((size_t)h * h * sizeof(float));
    float *Dw = ginv_malloc((size_t)w * w * sizeof(float));
    float *T = ginv_malloc((size_t)N * hw * sizeof(float)); /* (N h, w) */
    if (!Dh || !Dw || !T) {
        ginv_free(Dh);
        ginv_free(Dw);
        ginv_free(T);
        return ginv_fail(GINV_ERR_NOMEM, "ginv_basis: cannot allocate the DCT of %d images of "
                         "%d x %d", N, h, w);
    }
    dct_matrix(h, Dh);
    dct_matrix(w, Dw);
    /* along rows: T (N h x w) = IN (N h x w) D_w^T (forward) or D_w (inverse) */
    ginv_gemm(0, inverse ? 0 : 1, N * h, w, w, 1.0f, in, Dw, 0.0f, T);
    /* along columns, per image: OUT_b (h x w) = D_h T_b or D_h^T T_b */
    for (int b = 0; b < N; b++)
        ginv_gemm(inverse ? 1 : 0, 0, h, w, h, 1.0f, Dh, T + (size_t)b * hw, 0.0f,
                  out + (size_t)b * hw);
    ginv_free(Dh);
    ginv_free(Dw);
    ginv_free(T);
    return GINV_OK;
}

static ginv_status wavelet_apply(int inverse, const ginv_wavelet *wv, int h, int w, int N,
                                 const float *in, float *out)
{
    size_t hw = (size_t)h * w;
    double *ws = ginv_malloc((hw + 2 * (size_t)(h > w ? h : w)) * sizeof(double));
    if (!ws) return ginv_fail(GINV_ERR_NOMEM, "ginv_basis: cannot allocate a %d x %d workspace", h, w);
    for (int b = 0; b < N; b++) {
        if (inverse) ginv_wavelet_synthesize(wv, h, w, in + (size_t)b * hw, out + (size_t)b * hw, ws);
        else ginv_wavelet_analyze(wv, h, w, in + (size_t)b * hw, out + (size_t)b * hw, ws);
    }
    ginv_free(ws);
    return GINV_OK;
}

static ginv_status basis_apply(int inverse, ginv_basis b, int h, int w, int N, const float *in,
                               float *out)
{
    const char *who = inverse ? "ginv_basis_synthesize" : "ginv_basis_analyze";
    if (h < 1 || w < 1 || N < 0 || (long long)h * w * (N ? N : 1) > ((long long)1 << 31))
        return ginv_fail(GINV_ERR_ARG, "%s: %d images of %d x %d is invalid (h, w >= 1, N >= 0, "
                         "N h w < 2^31)", who, N, h, w);
    if (N == 0) return GINV_OK;
    if (!in || !out) return ginv_fail(GINV_ERR_ARG, "%s: NULL array", who);
    if (in == out) return ginv_fail(GINV_ERR_ARG, "%s: input and output must not be the same array", who);
    switch (b) {
    case GINV_BASIS_PIXEL:
        memcpy(out, in, (size_t)N * h * w * sizeof(float));
        return GINV_OK;
    case GINV_BASIS_DCT: return dct_apply(inverse, h, w, N, in, out);
    case GINV_BASIS_HAAR:
    case GINV_BASIS_DB4: return wavelet_apply(inverse, ginv_wavelet_of(b), h, w, N, in, out);
    }
    return ginv_fail(GINV_ERR_ARG, "%s: unknown basis %d", who, (int)b);
}

ginv_status ginv_basis_analyze(ginv_basis b, int h, int w, int N, const float *x, float *c)
{
    return basis_apply(0, b, h, w, N, x, c);
}

ginv_status ginv_basis_synthesize(ginv_basis b, int h, int w, int N, const float *c, float *x)
{
    return basis_apply(1, b, h, w, N, c, x);
}
