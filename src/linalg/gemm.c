/* gemm.c — the one GEMM/GEMV wrapper over OpenBLAS CBLAS, and the plain loop
 * beside it that is its test oracle. Row-major throughout.
 *
 * Threads: OpenBLAS always runs single-threaded; a product is split into
 * column chunks whose widths depend only on (M, N, K), and the chunks are
 * spread over ginv's pool (pool.c). Each chunk is the same BLAS call whatever
 * thread runs it, so results are bit-identical for any thread count.
 * Every chunk runs with denormals flushed to zero, on any thread (pool.c). */
#include "linalg/pool.h"

#include <cblas.h>
#include <pthread.h>

void openblas_set_num_threads(int);

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single(void) { openblas_set_num_threads(1); }

void ginv_blas_set_threads(int n)
{
    pthread_once(&blas_once, blas_single);
    ginv_pool_set_threads(n);
}

int ginv_blas_get_threads(void) { return ginv_pool_threads(); }

typedef struct {
    int ta, tb, M, N, K, lda, ldb;
    int by_rows, width; /* chunks are `width` columns of C, or rows when by_rows */
    float alpha, beta;
    const float *A, *B;
    float *C;
} gemm_job;

/* C[:, j0 : j0 + nb] of C (M x N) = alpha op(A) op(B)[:, j0 : j0 + nb] + beta C,
 * or the rows C[i0 : i0 + nb, :] = alpha op(A)[i0 : i0 + nb, :] op(B) + beta C */
static void gemm_chunk(void *ctx, int chunk)
{
    const gemm_job *j = ctx;
    int lim = j->by_rows ? j->M : j->N;
    int c0 = chunk * j->width, nb = lim - c0 < j->width ? lim - c0 : j->width;
    if (j->by_rows) {
        const float *As = j->ta ? j->A + c0 : j->A + (size_t)c0 * j->K; /* (K x nb) or (nb x K) */
        float *Cs = j->C + (size_t)c0 * j->N;
        cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans,
                    j->tb ? CblasTrans : CblasNoTrans, nb, j->N, j->K, j->alpha, As, j->lda,
                    j->B, j->ldb, j->beta, Cs, j->N);
        return;
    }
    const float *Bs = j->tb ? j->B + (size_t)c0 * j->K : j->B + c0; /* (nb x K) or (K x nb) */
    float *Cs = j->C + c0;
    if (j->M == 1) {
        /* c (1 x nb) = a op(Bs): op(Bs)^T a; a is contiguous in either layout */
        cblas_sgemv(CblasRowMajor, j->tb ? CblasNoTrans : CblasTrans, j->tb ? nb : j->K,
                    j->tb ? j->K : nb, j->alpha, Bs, j->ldb, j->A, 1, j->beta, Cs, 1);
    } else if (j->N == 1) {
        /* c (M x 1) = op(A) b; b is contiguous either way */
        cblas_sgemv(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->ta ? j->K : j->M,
                    j->ta ? j->M : j->K, j->alpha, j->A, j->lda, j->B, 1, j->beta, Cs, 1);
    } else {
        cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans,
                    j->tb ? CblasTrans : CblasNoTrans, j->M, nb, j->K, j->alpha, j->A, j->lda, Bs,
                    j->ldb, j->beta, Cs, j->N);
    }
}

/* How a product is cut, from its sizes alone (never the thread count):
 *  - matrix-vector-like (M <= 16): 32-column chunks (memory bound: many
 *    chunks balance well, and OpenBLAS is faster on these than on one
 *    small-M call), widened in steps of 32 to at least GEMV_CHUNK_MACS
 *    multiply-adds each: with a short K (a 20-wide latent into a 3136-wide
 *    dense layer) 32 columns are 640 multiply-adds, less than the cost of the
 *    BLAS call and the pool's hand-off (98 calls where 4 do);
 *  - wide GEMMs (N >= 128): two column halves (each repacks op(A), so few);
 *  - narrow GEMMs (N < 128, M >= 64): two row halves;
 *  - anything smaller: one piece. */
#define GEMV_CHUNK_MACS 16384LL

static void plan(gemm_job *j)
{
    int M = j->M, N = j->N;
    j->by_rows = 0;
    if (M <= 16) {
        long long per32 = 32LL * M * (j->K > 0 ? j->K : 1);
        int w = (int)(32 * ((GEMV_CHUNK_MACS + per32 - 1) / per32));
        j->width = N < 64 ? N : w < N ? w : N;
    } else if (N >= 128) {
        j->width = ((N + 1) / 2 + 15) / 16 * 16;
    } else if (M >= 64) {
        j->by_rows = 1;
        j->width = ((M + 1) / 2 + 15) / 16 * 16;
    } else {
        j->width = N;
    }
}

void ginv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A,
               const float *B, float beta, float *C)
{
    pthread_once(&blas_once, blas_single);
    gemm_job j = {.ta = ta, .tb = tb, .M = M, .N = N, .K = K, .lda = ta ? M : K,
                  .ldb = tb ? K : N, .alpha = alpha, .beta = beta, .A = A, .B = B, .C = C};
    plan(&j);
    int lim = j.by_rows ? M : N;
    ginv_pool_run((lim + j.width - 1) / j.width, gemm_chunk, &j);
}

void ginv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                   const float *B, float beta, float *C)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double acc = 0;
            for (int p = 0; p < K; p++) {
                double a = ta ? A[(size_t)p * M + i] : A[(size_t)i * K + p];
                double b = tb ? B[(size_t)j * K + p] : B[(size_t)p * N + j];
                acc += a * b;
            }
            double c = beta == 0.0f ? 0.0 : (double)beta * C[(size_t)i * N + j];
            C[(size_t)i * N + j] = (float)(alpha * acc + c);
        }
}
