/* encoder_dist.c — the distance of an encoder's draws for one observation x
 * from the posterior p(z | x) of Pareek & Risteski's model (Definition 1,
 * eq. 3: p(z | x) ∝ exp(-||z||^2 / 2 - ||G(z) - x||^2 / (2 beta^2))), whose
 * Theorem 1 bounds the total variation of the constructed encoder. The
 * reference is long MALA from the GD point (ginv_sample_run); the distances
 * are the sliced W1 (src/sample/wasserstein.c), with the same distance
 * between two halves of the reference as its floor, the relative errors
 * of the mean and covariance, the histogram TV for d <= 2 and the RBF MMD
 * (src/sample/twosample.c), each with a floor. docs/encoders.md. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

void ginv_encoder_dist_opts_init(ginv_encoder_dist_opts *o)
{
    if (!o) return;
    o->ref_chains = 8;
    o->ref_steps = 2000;
    o->gd_iters = 1000;
    o->gd_lr = 0.1;
    o->slices = 128;
    o->seed = 1;
    o->tv_bins = 0;
    o->mmd_ref = 2000;
}

/* n rows of src (N x k) taken evenly: row floor(i N / n) */
static void thin(int k, int N, const float *src, int n, float *dst)
{
    for (int i = 0; i < n; i++)
        memcpy(dst + (size_t)i * k, src + (size_t)((long long)i * N / n) * k, sizeof(float) * k);
}

/* TV on the grid over the reference's range (k <= 2) and MMD^2, each with
 * its floor from the two halves of the reference (ref: NR draws, the first
 * `half` from the first half of the chains) */
static ginv_status tv_mmd(int k, int B, const float *draws, int NR, int half, const float *ref,
                          const ginv_encoder_dist_opts *o, ginv_encoder_dist *out)
{
    ginv_status st = GINV_OK;
    out->tv = out->tv_floor = NAN;
    if (k <= 2) {
        double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
        for (int s = 0; s < NR; s++)
            for (int i = 0; i < k; i++) {
                double v = ref[(size_t)s * k + i];
                lo[i] = v < lo[i] ? v : lo[i];
                hi[i] = v > hi[i] ? v : hi[i];
            }
        int bins = o->tv_bins > 0 ? o->tv_bins : k == 1 ? 50 : 20;
        st = ginv_tv_grid(k, B, draws, NR, ref, bins, lo, hi, &out->tv);
        if (st == GINV_OK) st = ginv_tv_grid(k, half, ref, NR - half, ref + (size_t)half * k, bins, lo, hi, &out->tv_floor);
    }
    if (st != GINV_OK) return st;
    int nr = o->mmd_ref < NR ? o->mmd_ref : NR, nh = B < half ? B : half, nh2 = B < NR - half ? B : NR - half;
    float *t = ginv_malloc(sizeof(float) * ((size_t)nr + nh + nh2) * k);
    if (!t) return ginv_fail(GINV_ERR_NOMEM, "out of memory for the thinned reference");
    float *t1 = t + (size_t)nr * k, *t2 = t1 + (size_t)nh * k;
    thin(k, NR, ref, nr, t);
    thin(k, half, ref, nh, t1);
    thin(k, NR - half, ref + (size_t)half * k, nh2, t2);
    ginv_mmd m;
    st = ginv_mmd_rbf(k, B, draws, nr, t, 0, &m);
    if (st == GINV_OK) {
        out->mmd2 = m.mmd2, out->mmd2_se = m.se, out->mmd_bandwidth = m.bandwidth;
        st = ginv_mmd_rbf(k, nh, t1, nh2, t2, 0, &m);
        out->mmd2_floor = m.mmd2;
    }
    ginv_free(t);
    return st;
}

/* mean (d) and covariance (d x d) of N rows of d, in double */
static void moments(int N, int d, const float *z, double *m, double *S)
{
    memset(m, 0, sizeof(double) * d);
    memset(S, 0, sizeof(double) * d * d);
    for (int b = 0; b < N; b++)
        for (int i = 0; i < d; i++) m[i] += z[(size_t)b * d + i];
    for (int i = 0; i < d; i++) m[i] /= N;
    for (int b = 0; b < N; b++)
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                S[i * d + j] += (z[(size_t)b * d + i] - m[i]) * (z[(size_t)b * d + j] - m[j]);
    for (int i = 0; i < d * d; i++) S[i] /= N > 1 ? N - 1 : 1;
}

/* the reference draws, chain-major (chain c's ref_steps draws together) */
static ginv_status reference(ginv_net *G, double beta, const float *x, const ginv_encoder_dist_opts *o,
                             float *ref, double *accept)
{
    int k = ginv_net_in(G), n = ginv_net_out(G), C = o->ref_chains, R = o->ref_steps;
    ginv_op *op = NULL;
    ginv_posterior *post = NULL;
    ginv_sample_result res = {0};
    ginv_sample_opts so;
    ginv_sample_opts_init(&so);
    so.type = ginv_sampler_mala;
    so.adapt = GINV_ADAPT_STEP;
    so.step = 0;
    so.chains = C;
    so.burn_in = R;
    so.samples = R;
    so.init = GINV_CHAIN_INIT_GD;
    so.gd_iters = o->gd_iters;
    so.gd_lr = o->gd_lr;
    so.seed = o->seed;
    ginv_status st = ginv_op_identity(&op, n);
    if (st == GINV_OK) st = ginv_posterior_new(&post, G, op, x, 1, beta, GINV_PRIOR_GAUSSIAN, C);
    if (st == GINV_OK) st = ginv_sample_run(post, &so, &res);
    if (st == GINV_OK) {
        for (int s = 0; s < R; s++)
            for (int c = 0; c < C; c++)
                memcpy(ref + ((size_t)c * R + s) * k, res.samples + ((size_t)s * C + c) * k, sizeof(float) * k);
        *accept = res.accept_rate;
    }
    ginv_sample_result_release(&res);
    ginv_posterior_free(post);
    ginv_op_free(op);
    return st;
}

ginv_status ginv_encoder_distance(ginv_net *G, double beta, const float *x, int B, const float *draws,
                                  const ginv_encoder_dist_opts *o, ginv_encoder_dist *out)
{
    GINV_NONNULL(G);
    GINV_NONNULL(x);
    GINV_NONNULL(draws);
    GINV_NONNULL(o);
    GINV_NONNULL(out);
    if (o->ref_chains < 2 || o->ref_steps < 16 || o->slices < 1 || o->mmd_ref < 16 || o->tv_bins < 0 || o->tv_bins > 4096)
        return ginv_fail(GINV_ERR_ARG, "ginv_encoder_distance: the reference needs >= 2 chains of >= 16 steps, "
                         ">= 1 slice, >= 16 draws for the MMD, 0..4096 TV bins (got %d, %d, %d, %d, %d)", o->ref_chains,
                         o->ref_steps, o->slices, o->mmd_ref, o->tv_bins);
    if (B < 16) return ginv_fail(GINV_ERR_ARG, "ginv_encoder_distance: %d draws (at least 16, for the MMD's blocks)", B);
    if (!(beta > 0)) return ginv_fail(GINV_ERR_ARG, "ginv_encoder_distance: beta = %g must be positive", beta);
    int k = ginv_net_in(G), NR = o->ref_chains * o->ref_steps, half = (o->ref_chains / 2) * o->ref_steps;
    float *ref = ginv_malloc(sizeof(float) * (size_t)NR * k);
    double *m = ginv_malloc(sizeof(double) * 2 * ((size_t)k + (size_t)k * k));
    if (!ref || !m) {
        ginv_free(ref);
        ginv_free(m);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a reference of %d draws", NR);
    }
    double *S = m + k, *mq = S + (size_t)k * k, *Sq = mq + k;
    ginv_status st = reference(G, beta, x, o, ref, &out->ref_accept);
    if (st == GINV_OK) st = ginv_w1_sliced(k, B, draws, NR, ref, o->slices, o->seed, &out->w1);
    if (st == GINV_OK)
        st = ginv_w1_sliced(k, half, ref, NR - half, ref + (size_t)half * k, o->slices, o->seed, &out->w1_floor);
    if (st == GINV_OK) {
        moments(NR, k, ref, m, S);
        moments(B, k, draws, mq, Sq);
        double dm = 0, tr = 0, dS = 0, nS = 0;
        for (int i = 0; i < k; i++) dm += (mq[i] - m[i]) * (mq[i] - m[i]), tr += S[i * k + i];
        for (int i = 0; i < k * k; i++) dS += (Sq[i] - S[i]) * (Sq[i] - S[i]), nS += S[i] * S[i];
        out->mean_err = sqrt(dm / tr);
        out->cov_err = sqrt(dS / nS);
        st = tv_mmd(k, B, draws, NR, half, ref, o, out);
    }
    ginv_free(ref);
    ginv_free(m);
    return st;
}
