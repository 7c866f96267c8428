/* main.c — the unit test runner: runs every registered test (or those whose
 * name contains argv[1]), checks for leaks after each, and closes with the
 * line "N passed, N failed". */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TESTS 512
static struct { const char *name; test_fn fn; } tests[MAX_TESTS];
static int ntests;
int test_failures;

void test_register(const char *name, test_fn fn)
{
    if (ntests < MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    }
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    test_failures++;
}

double test_max_rel_diff(const float *a, const float *b, size_t n, double floor_)
{
    double worst = 0, scale = floor_;
    size_t wi = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs((double)b[i]) > scale) scale = fabs((double)b[i]);
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= worst)) { worst = d; wi = i; }
    }
    double r = worst / scale;
    if (r > 1e-4 && n)
        fprintf(stderr, "    worst diff at %zu: %.9g vs %.9g\n", wi, a[wi], b[wi]);
    return r;
}

const char *test_tmpdir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/ginv-test-XXXXXX");
        if (!mkdtemp(dir)) { perror("mkdtemp"); exit(2); }
    }
    return dir;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    ginv_blas_set_threads(1);
    qsort(tests, (size_t)ntests, sizeof tests[0], by_name);
    for (int i = 0; i < ntests; i++) {
        if (filter && !strstr(tests[i].name, filter)) continue;
        size_t live0 = ginv_live_bytes(), blocks0 = ginv_live_blocks();
        test_failures = 0;
        tests[i].fn();
        size_t live1 = ginv_live_bytes(), blocks1 = ginv_live_blocks();
        if (live1 != live0 || blocks1 != blocks0) {
            fprintf(stderr, "    leak: %zu bytes in %zu blocks still live\n", live1 - live0,
                    blocks1 - blocks0);
            test_failures++;
        }
        printf("%-60s %s\n", tests[i].name, test_failures ? "FAIL" : "ok");
        fflush(stdout);
        if (test_failures) failed++; else passed++;
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
