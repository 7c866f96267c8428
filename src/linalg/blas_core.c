/* blas_core.c — which kernels OpenBLAS picked. OpenBLAS 0.3.21 (Debian 12)
 * does not recognise some virtualised CPUs and falls back to its generic
 * Prescott (SSE3) kernels even when the CPU has AVX2 or AVX-512, several
 * times slower for GEMM. The choice is made when the library loads, so a
 * program can only fix it by setting OPENBLAS_CORETYPE before it starts (the
 * ginv command re-executes itself once with it; see cli/main.c). */
#include "ginv.h"

#include <string.h>

char *openblas_get_corename(void);

const char *ginv_blas_core(void) { return openblas_get_corename(); }

const char *ginv_blas_better_core(void)
{
    const char *core = openblas_get_corename();
    if (!core || (strcmp(core, "Prescott") && strcmp(core, "Core2") && strcmp(core, "Nehalem") &&
                  strcmp(core, "Katmai") && strcmp(core, "Northwood")))
        return NULL;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    if (__builtin_cpu_supports("avx")) return "Sandybridge";
#endif
    return NULL;
}
