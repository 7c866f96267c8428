/* blas_chain.c — the practical BLAS limit of one Adam iteration of the
 * benchmark's inversion: exactly the matrix products the gradient of
 * f(z) = 1/2 ||A G(z) - y||^2 needs, and nothing else (no bias adds, no
 * activations, no Adam update, no parameter gradients).
 *
 * For a generator with widths d0 (= k) -> d1 -> ... -> dL (= n), batch B and
 * an m x n operator A, one iteration is
 *   forward:  H_i = H_{i-1} W_i^T   (i = 1..L),   R = H_L A^T
 *   backward: D_L = R A,   D_{i-1} = D_i W_i        (i = L..1)
 * with cblas_sgemv when B == 1 and cblas_sgemm otherwise, row-major, on the
 * OpenBLAS the library links.  The loop is timed with CLOCK_MONOTONIC after
 * `--warmup` untimed iterations; prints one JSON line.
 *
 * usage: blas_chain --B 64 --threads 2 [--iters 1000] [--warmup 20]
 *                   [--dims 20,500,500,784] [--m 100]
 * build: cc -O2 -o blas_chain bench/blas_chain.c -lopenblas -lm
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);
char *openblas_get_config(void);
char *openblas_get_corename(void);

#define MAXL 16

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static float urand(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) * (1.0 / 16777216.0) * 2.0 - 1.0);
}

static float *fill(size_t n, float scale)
{
    float *p = malloc(n * sizeof *p);
    if (!p) {
        fprintf(stderr, "blas_chain: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) p[i] = urand() * scale;
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(void)
{
    fprintf(stderr, "usage: blas_chain --B N --threads T [--iters 1000] [--warmup 20] "
                    "[--dims 20,500,500,784] [--m 100]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int B = 1, T = 1, iters = 1000, warmup = 20, m = 100;
    int d[MAXL + 1] = {20, 500, 500, 784}, L = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--B")) B = atoi(v);
        else if (!strcmp(a, "--threads")) T = atoi(v);
        else if (!strcmp(a, "--iters")) iters = atoi(v);
        else if (!strcmp(a, "--warmup")) warmup = atoi(v);
        else if (!strcmp(a, "--m")) m = atoi(v);
        else if (!strcmp(a, "--dims")) {
            char *s = strdup(v), *save = NULL;
            int n = 0;
            for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (n > MAXL) usage();
                d[n++] = atoi(tok);
            }
            free(s);
            if (n < 2) usage();
            L = n - 1;
        } else usage();
    }
    if (B < 1 || T < 1 || iters < 1 || warmup < 0 || m < 1) usage();
    for (int i = 0; i <= L; i++)
        if (d[i] < 1) usage();
    openblas_set_num_threads(T);

    const int n = d[L];
    float *W[MAXL + 1], *H[MAXL + 1], *D[MAXL + 1];
    for (int i = 1; i <= L; i++) /* W_i: d[i] x d[i-1], variance ~ 1/fan_in */
        W[i] = fill((size_t)d[i] * d[i - 1], 1.7320508f / sqrtf((float)d[i - 1]));
    float *A = fill((size_t)m * n, 1.7320508f / sqrtf((float)m));
    for (int i = 0; i <= L; i++) {
        H[i] = fill((size_t)B * d[i], 1.0f); /* H[0] is z */
        D[i] = fill((size_t)B * d[i], 0.0f);
    }
    float *R = fill((size_t)B * m, 0.0f);

    double t0 = 0;
    for (int it = 0; it < warmup + iters; it++) {
        if (it == warmup) t0 = now();
        if (B == 1) {
            for (int i = 1; i <= L; i++) /* h_i = W_i h_{i-1} */
                cblas_sgemv(CblasRowMajor, CblasNoTrans, d[i], d[i - 1], 1.0f, W[i],
                            d[i - 1], H[i - 1], 1, 0.0f, H[i], 1);
            cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0f, A, n, H[L], 1, 0.0f, R, 1);
            cblas_sgemv(CblasRowMajor, CblasTrans, m, n, 1.0f, A, n, R, 1, 0.0f, D[L], 1);
            for (int i = L; i >= 1; i--) /* d_{i-1} = W_i^T d_i */
                cblas_sgemv(CblasRowMajor, CblasTrans, d[i], d[i - 1], 1.0f, W[i], d[i - 1],
                            D[i], 1, 0.0f, D[i - 1], 1);
        } else {
            for (int i = 1; i <= L; i++) /* H_i (B x d_i) = H_{i-1} W_i^T */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, d[i], d[i - 1], 1.0f,
                            H[i - 1], d[i - 1], W[i], d[i - 1], 0.0f, H[i], d[i]);
            /* R (B x m) = H_L A^T */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, m, n, 1.0f, H[L], n, A, n,
                        0.0f, R, m);
            /* D_L (B x n) = R A */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, m, 1.0f, R, m, A, n,
                        0.0f, D[L], n);
            for (int i = L; i >= 1; i--) /* D_{i-1} (B x d_{i-1}) = D_i W_i */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, d[i - 1], d[i], 1.0f,
                            D[i], d[i], W[i], d[i - 1], 0.0f, D[i - 1], d[i - 1]);
        }
    }
    double dt = now() - t0;

    double check = 0;
    for (int j = 0; j < B * d[0]; j++) check += D[0][j];
    printf("{\"impl\": \"blas\", \"B\": %d, \"threads\": %d, \"iters\": %d, "
           "\"seconds_per_iter\": %.9g, \"kernel\": \"%s\", \"checksum\": %.6g, "
           "\"core\": \"%s\", \"openblas\": \"%s\"}\n",
           B, T, iters, dt / iters, B == 1 ? "sgemv" : "sgemm", check, openblas_get_corename(),
           openblas_get_config());

    for (int i = 1; i <= L; i++) free(W[i]);
    for (int i = 0; i <= L; i++) free(H[i]), free(D[i]);
    free(A), free(R);
    return 0;
}
