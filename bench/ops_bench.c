/* ops_bench.c — seconds of one batched apply + adjoint of a measurement
 * operator built from its --op text (bench/ops_run.sh; docs/benchmarks.md,
 * "Structured operators"). For each operator named on the command line: build
 * it for signals of size n, run WARM untimed apply+adjoint pairs on a batch
 * of B random signals, then REPS timed pairs; print one line
 *   SPEC n m B threads median_ms min_ms
 * The operator's construction (drawing a dense Gaussian, planning FFTs) is
 * not timed: a solver builds A once and applies it thousands of times.
 *
 *   ops_bench N B REPS THREADS SPEC [SPEC...]   (m inside each SPEC or as
 *   SPEC@M: "gaussian@3072", "circulant:3072") */
#include "ginv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: ops_bench N B REPS THREADS SPEC[@M] [SPEC[@M]...]\n");
        return 2;
    }
    int n = atoi(argv[1]), B = atoi(argv[2]), reps = atoi(argv[3]), threads = atoi(argv[4]);
    if (n < 1 || B < 1 || reps < 1 || threads < 1) {
        fprintf(stderr, "ops_bench: N, B, REPS and THREADS must be positive\n");
        return 2;
    }
    ginv_blas_report rep;
    ginv_lib_init(0, &rep); /* the CPU's own GEMM kernels, as the ginv command */
    ginv_blas_set_threads(threads);
    fprintf(stderr, "ops_bench: OpenBLAS kernels %s, %d thread(s)\n", rep.core ? rep.core : "?",
            threads);
    for (int a = 5; a < argc; a++) {
        char text[256];
        snprintf(text, sizeof text, "%s", argv[a]);
        int m = 0;
        char *at = strchr(text, '@');
        if (at) {
            *at = 0;
            m = atoi(at + 1);
        }
        ginv_op_spec spec;
        ginv_op *op = NULL;
        if (ginv_op_spec_parse(&spec, text, m) != GINV_OK ||
            ginv_op_from_spec(&op, &spec, n, 1, 0) != GINV_OK) {
            fprintf(stderr, "ops_bench: %s: %s\n", argv[a], ginv_last_error());
            return 1;
        }
        ginv_op_spec_release(&spec);
        int mm = ginv_op_m(op);
        float *x = malloc((size_t)B * n * sizeof(float)), *y = malloc((size_t)B * mm * sizeof(float));
        float *g = malloc((size_t)B * n * sizeof(float));
        double *t = malloc((size_t)reps * sizeof(double));
        if (!x || !y || !g || !t) {
            fprintf(stderr, "ops_bench: out of memory\n");
            return 1;
        }
        ginv_rng r;
        ginv_rng_init(&r, 7, GINV_STREAM_USER, (uint64_t)a);
        ginv_rng_normal_f32(&r, x, (size_t)B * n, 1.0);
        for (int w = 0; w < 3; w++) {
            ginv_op_apply(op, B, x, y);
            ginv_op_adjoint(op, B, y, g);
        }
        for (int k = 0; k < reps; k++) {
            double t0 = now();
            ginv_op_apply(op, B, x, y);
            ginv_op_adjoint(op, B, y, g);
            t[k] = now() - t0;
        }
        qsort(t, (size_t)reps, sizeof(double), cmp_double);
        printf("%s %d %d %d %d %.4f %.4f\n", argv[a], n, mm, B, threads, 1e3 * t[reps / 2],
               1e3 * t[0]);
        fflush(stdout);
        free(x);
        free(y);
        free(g);
        free(t);
        ginv_op_free(op);
    }
    return 0;
}
