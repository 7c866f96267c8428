/* lib_init_check.c — ginv_lib_init against the installed or built library
 * (test_library.sh): prints what it found and did about OpenBLAS's kernels,
 * then checks a GEMM against the reference loop on the kernels now in use.
 *   lib_init_check [unset] [report-only]
 * unset: drop OPENBLAS_CORETYPE first (OpenBLAS has read it when it loaded),
 * so that ginv_lib_init may switch away from the kernels it forced. */
#include <ginv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "unset")) unsetenv("OPENBLAS_CORETYPE");
        if (!strcmp(argv[i], "report-only")) flags |= GINV_LIB_INIT_REPORT_ONLY;
    }
    ginv_blas_report r;
    ginv_status st = ginv_lib_init(flags, &r);
    printf("version %s loaded %s better %s core %s switched %d status %s\n", ginv_version(),
           r.loaded ? r.loaded : "-", r.better ? r.better : "-", r.core ? r.core : "-", r.switched,
           st == GINV_OK ? "ok" : ginv_last_error());

    enum { M = 67, N = 45, K = 81 };
    static float A[M * K], B[K * N], C[M * N], R[M * N];
    ginv_rng g;
    ginv_rng_init(&g, 1, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&g, A, M * K, 1);
    ginv_rng_normal_f32(&g, B, K * N, 1);
    ginv_gemm(0, 0, M, N, K, 1, A, B, 0, C);
    ginv_gemm_ref(0, 0, M, N, K, 1, A, B, 0, R);
    double worst = 0;
    for (int i = 0; i < M * N; i++) worst = fmax(worst, fabs((double)C[i] - R[i]) / (1 + fabs(R[i])));
    printf("gemm worst relative difference %.3g\n", worst);
    return st == GINV_OK && worst < 1e-4 ? 0 : 1;
}
