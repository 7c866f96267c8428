/* gemm.c — the one GEMM/GEMV wrapper over OpenBLAS CBLAS, and the plain loop
 * beside it that is its test oracle. Row-major throughout. */
#include "ginv.h"

#include <cblas.h>

void openblas_set_num_threads(int);

void ginv_blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }

/* C (M x N) = alpha op(A) op(B) + beta C */
void ginv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A,
               const float *B, float beta, float *C)
{
    int lda = ta ? M : K; /* A: (M x K) or (K x M) */
    int ldb = tb ? K : N; /* B: (K x N) or (N x K) */
    if (M == 1) {
        /* c (1 x N) = alpha a op(B) : a row vector times op(B) is op(B)^T a */
        cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? N : K, tb ? K : N,
                    alpha, B, ldb, A, 1, beta, C, 1);
    } else if (N == 1) {
        /* c (M x 1) = alpha op(A) b; b is a contiguous vector either way */
        cblas_sgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, ta ? K : M, ta ? M : K,
                    alpha, A, lda, B, 1, beta, C, 1);
    } else {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                    tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta,
                    C, N);
    }
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
