/* blas_core.c — which kernels OpenBLAS picked, and a better choice. OpenBLAS
 * 0.3.21 (Debian 12) does not recognise some virtualised CPUs and falls back
 * to its generic Prescott (SSE3) kernels even when the CPU has AVX2 or
 * AVX-512, several times slower for GEMM. The choice is made when the library
 * loads, from OPENBLAS_CORETYPE if set. The ginv command re-executes itself
 * once with it (cli/main.c); a program using the library calls ginv_lib_init,
 * which switches the loaded OpenBLAS in place: gotoblas_dynamic_quit() and
 * gotoblas_dynamic_init() (exported by DYNAMIC_ARCH builds, found with dlsym
 * so that other builds still link) redo the load-time choice with
 * OPENBLAS_CORETYPE set for the moment of the call. */
#include "ginv.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *openblas_get_corename(void);

const char *ginv_version(void) { return GINV_VERSION; }

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

/* The families ginv_blas_switch_core accepts: OpenBLAS answers an unknown
 * name with a message on stderr and Prescott, and the library never prints. */
static const char *const known_cores[] = {"Prescott", "Core2",  "Penryn",     "Dunnington",
                                          "Nehalem",  "Atom",   "Sandybridge", "Haswell",
                                          "SkylakeX", "Zen",    "Cooperlake",  "Barcelona",
                                          "Bulldozer", "Piledriver", "Steamroller", "Excavator"};

ginv_status ginv_blas_switch_core(const char *name)
{
    if (!name) return ginv_fail(GINV_ERR_ARG, "blas core: name is NULL");
    int known = 0;
    for (size_t i = 0; i < sizeof known_cores / sizeof known_cores[0]; i++)
        if (!strcasecmp(name, known_cores[i])) known = 1;
    if (!known) return ginv_fail(GINV_ERR_ARG, "blas core: unknown OpenBLAS kernel family '%.40s'", name);
    const char *now = openblas_get_corename();
    if (now && !strcasecmp(now, name)) return GINV_OK;
    void (*dyn_quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*dyn_init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (!dyn_quit || !dyn_init)
        return ginv_fail(GINV_ERR_UNSUPPORTED,
                         "blas core: this OpenBLAS cannot change kernels after loading (not a "
                         "DYNAMIC_ARCH build); set OPENBLAS_CORETYPE=%s before the program starts",
                         name);
    char *old = getenv("OPENBLAS_CORETYPE");
    char *saved = old ? ginv_strdup(old) : NULL;
    if (old && !saved) return ginv_fail(GINV_ERR_NOMEM, "blas core: out of memory");
    if (setenv("OPENBLAS_CORETYPE", name, 1)) {
        ginv_free(saved);
        return ginv_fail(GINV_ERR_NOMEM, "blas core: cannot set OPENBLAS_CORETYPE");
    }
    dyn_quit();
    dyn_init();
    if (saved)
        setenv("OPENBLAS_CORETYPE", saved, 1);
    else
        unsetenv("OPENBLAS_CORETYPE");
    ginv_free(saved);
    now = openblas_get_corename();
    if (!now || strcasecmp(now, name))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "blas core: OpenBLAS did not take kernels '%s' (uses '%s')",
                         name, now ? now : "?");
    return GINV_OK;
}

ginv_status ginv_lib_init(unsigned flags, ginv_blas_report *report)
{
    ginv_blas_report r = {0};
    r.loaded = r.core = ginv_blas_core();
    r.better = ginv_blas_better_core();
    ginv_status st = GINV_OK;
    if (r.better && !(flags & GINV_LIB_INIT_REPORT_ONLY) && !getenv("OPENBLAS_CORETYPE")) {
        st = ginv_blas_switch_core(r.better);
        r.core = ginv_blas_core();
        r.switched = st == GINV_OK;
    }
    if (report) *report = r;
    return st;
}
