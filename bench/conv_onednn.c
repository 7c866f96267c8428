/* conv_onednn.c — every conv_transpose2d layer of the CSGM DCGAN generator
 * (64x64x3, z = 100) and of the shipped Fashion-MNIST conv VAE decoder, timed
 * two ways at batch sizes B: ginv's own layer path (im2col/col2im + ginv_gemm
 * over OpenBLAS on ginv's pool, src/net/conv.c) and oneDNN's deconvolution
 * primitive (forward_inference, backward_data), float32, same thread count.
 * Per layer and B: the forward y = L(x) and the input VJP dx = J^T dy (what
 * CSGM needs). Both are checked against each other before timing. Then the
 * machine's sgemm peak: square OpenBLAS sgemm on T threads, and ginv_gemm.
 *
 * oneDNN runs in two layouts: "nchw" (plain activations, what a drop-in
 * replacement of ginv's layer would get) and "blk" (oneDNN picks the
 * activation layout; kernel alone, then with the reorders from/to NCHW).
 * Weights are reordered once, untimed (a model is loaded once).
 *
 *   conv_onednn THREADS ROUNDS VAE_MODEL B1 [B2 ...]
 * Output: markdown tables on stdout. bench/conv_onednn.sh builds and runs it. */
#include "ginv.h"
#include "net/net_internal.h"
#include "onednn_deconv.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <omp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void pause_ms(int ms) /* let the other runtime's spinning threads go to sleep */
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int nthreads;

/* ---- the layers */

#define NL_MAX 8
typedef struct {
    const char *model;
    int idx;
    ginv_net *net; /* one conv_transpose2d layer */
} layer;

static ginv_net *one_layer(const ginv_layer *src)
{
    ginv_layer s = {.kind = GINV_LAYER_CONV_TRANSPOSE2D, .c_in = src->c_in, .h_in = src->h_in,
                    .w_in = src->w_in, .c_out = src->c_out, .kh = src->kh, .kw = src->kw,
                    .stride_h = src->stride_h, .stride_w = src->stride_w, .pad_h = src->pad_h,
                    .pad_w = src->pad_w, .dil_h = src->dil_h, .dil_w = src->dil_w,
                    .outpad_h = src->outpad_h, .outpad_w = src->outpad_w, .bias = src->bias};
    ginv_net *n;
    if (ginv_net_new(&n, 1, &s)) {
        fprintf(stderr, "conv_onednn: %s\n", ginv_last_error());
        exit(1);
    }
    return n;
}

/* The DCGAN of the CSGM paper as ginv reads it from ONNX: BatchNorm folded
 * into the four first layers (which then carry a bias); random weights. */
static int dcgan_layers(layer *out)
{
    static const int co[] = {512, 256, 128, 64, 3};
    int c = 100, h = 1;
    for (int i = 0; i < 5; i++) {
        ginv_layer s = {.c_in = c, .h_in = h, .w_in = h, .c_out = co[i], .kh = 4, .kw = 4,
                        .stride_h = i ? 2 : 1, .stride_w = i ? 2 : 1, .pad_h = i ? 1 : 0,
                        .pad_w = i ? 1 : 0, .dil_h = 1, .dil_w = 1, .bias = i < 4};
        out[i] = (layer){"dcgan", i + 1, one_layer(&s)};
        ginv_net_randomize(out[i].net, GINV_INIT_FANIN, 0.1, 1, (uint64_t)i);
        c = co[i];
        h = i ? 2 * h : 4;
    }
    return 5;
}

/* The conv_transpose2d layers of a model file, with its weights. */
static int model_layers(const char *path, const char *name, layer *out)
{
    ginv_net *m;
    if (ginv_net_load(path, &m)) {
        fprintf(stderr, "conv_onednn: %s\n", ginv_last_error());
        exit(1);
    }
    int n = 0;
    for (int i = 0; i < ginv_net_nlayers(m) && n < NL_MAX; i++) {
        const ginv_layer *L = ginv_net_layer_c(m, i);
        if (L->kind != GINV_LAYER_CONV_TRANSPOSE2D) continue;
        out[n] = (layer){name, n + 1, one_layer(L)};
        ginv_layer *D = ginv_net_layer(out[n].net, 0);
        memcpy(D->W, L->W, sizeof(float) * (size_t)L->c_in * L->c_out * L->kh * L->kw);
        if (L->bias) memcpy(D->b, L->b, sizeof(float) * (size_t)L->c_out);
        n++;
    }
    ginv_net_free(m);
    return n;
}

/* ---- timing: 4 implementations x 2 directions, interleaved per round */

/* GINV512: ginv's path with OpenBLAS switched to its AVX-512 (SkylakeX)
 * kernels, when the CPU has AVX-512 and ginv_lib_init chose other ones */
enum { GINV, NCHW, BLK, BLKR, GINV512, NIMPL };
static const char *base_core, *alt_core;
static int nimpl = GINV512;

static void use_core(int impl)
{
    if (alt_core && ginv_blas_switch_core(impl == GINV512 ? alt_core : base_core)) {
        fprintf(stderr, "conv_onednn: %s\n", ginv_last_error());
        exit(1);
    }
}

typedef struct {
    const layer *ly;
    int B, op;               /* op 0: forward, 1: input VJP */
    double gflop, ms[NIMPL]; /* medians over every timed call */
    double spread, maxrel[2], maxrel512;
    const char *impl[2];     /* oneDNN's implementation, nchw and blk */
    int same1[3];            /* bit-identical with 1 thread: ginv, nchw, blk */
} row;

typedef struct {
    const ginv_layer *L;
    int B;
    float *x, *dy, *yg, *dxg, *yd, *dxd, *col, *mat;
    dstep d[2][2]; /* [nchw, blk][fwd, vjp] */
} bench_case;

static void run_impl(bench_case *c, int impl, int op)
{
    if (impl == GINV || impl == GINV512) {
        if (op == 0)
            ginv_conv_forward(c->L, c->yg, c->x, c->B, 1, c->col, c->mat);
        else
            ginv_conv_backward(c->L, c->dy, c->x, c->dxg, c->B, 0, c->col, c->mat);
    } else {
        dstep_run(&c->d[impl != NCHW][op], impl != BLK);
    }
}

static double maxrel(const float *a, const float *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        m = fmax(m, fabs((double)b[i]));
    }
    return m > 0 ? d / m : d;
}

static float *randn(size_t n, uint64_t idx)
{
    float *v = malloc(sizeof(float) * n);
    ginv_rng r;
    ginv_rng_init(&r, 3, GINV_STREAM_USER, idx);
    ginv_rng_normal_f32(&r, v, n, 1.0);
    return v;
}

/* Direction op of case c: ginv against oneDNN (both layouts), ginv's
 * default kernels against the AVX-512 ones, and every implementation with 1
 * thread against T threads, bit for bit. Leaves ginv's T-thread result in
 * c->yg / c->dxg. */
static void check(bench_case *c, int op, row *R)
{
    size_t no = (size_t)c->B * (op ? c->L->in : c->L->out), bytes = sizeof(float) * no;
    float *gref = op ? c->dxg : c->yg, *dout = op ? c->dxd : c->yd, *keep = malloc(bytes);
    ginv_blas_set_threads(1);
    run_impl(c, GINV, op);
    memcpy(keep, gref, bytes);
    ginv_blas_set_threads(nthreads);
    run_impl(c, GINV, op);
    R->same1[0] = !memcmp(keep, gref, bytes);
    if (alt_core) {
        use_core(GINV512);
        run_impl(c, GINV512, op);
        use_core(GINV);
        R->maxrel512 = maxrel(gref, keep, no);
        memcpy(gref, keep, bytes);
    }
    for (int v = 0; v < 2; v++) {
        memset(dout, 0, bytes);
        run_impl(c, v ? BLKR : NCHW, op);
        R->maxrel[v] = maxrel(gref, dout, no);
        R->impl[v] = strdup(c->d[v][op].impl);
        memcpy(keep, dout, bytes);
        omp_set_num_threads(1);
        dstep one = dstep_make(c->L, c->B, op, v, op ? c->dxd : c->x, op ? c->dy : c->yd);
        memset(dout, 0, bytes);
        dstep_run(&one, 1);
        R->same1[1 + v] = !memcmp(keep, dout, bytes);
        dstep_free(&one);
        omp_set_num_threads(nthreads);
    }
    free(keep);
}

/* Rounds of every implementation in a rotating order; per implementation
 * the median of all its timed calls, and the spread of its round medians. */
static void time_op(bench_case *c, int op, int rounds, row *R)
{
    double t0 = now();
    run_impl(c, GINV, op);
    double t1 = now() - t0;
    int reps = (int)(0.08 / t1);
    reps = reps < 3 ? 3 : reps > 40 ? 40 : reps;
    double *s[NIMPL], rmed[NIMPL][64];
    for (int i = 0; i < nimpl; i++) s[i] = malloc(sizeof(double) * reps * rounds);
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < nimpl; k++) {
            int im = (k + r) % nimpl;
            if (im == GINV512) use_core(GINV512);
            pause_ms(5);
            run_impl(c, im, op); /* warm-up */
            for (int i = 0; i < reps; i++) {
                double a = now();
                run_impl(c, im, op);
                s[im][r * reps + i] = now() - a;
            }
            double tmp[40];
            memcpy(tmp, s[im] + r * reps, sizeof(double) * reps);
            rmed[im][r] = median(tmp, reps);
            if (im == GINV512) use_core(GINV);
        }
    for (int i = 0; i < nimpl; i++) {
        R->ms[i] = 1e3 * median(s[i], reps * rounds);
        double lo = rmed[i][0], hi = lo;
        for (int r = 1; r < rounds; r++) lo = fmin(lo, rmed[i][r]), hi = fmax(hi, rmed[i][r]);
        R->spread = fmax(R->spread, (hi - lo) / (R->ms[i] * 1e-3));
        free(s[i]);
    }
}

static void bench_layer(const layer *ly, int B, int rounds, row *out)
{
    bench_case c = {.L = ginv_net_layer_c(ly->net, 0), .B = B};
    const ginv_layer *L = c.L;
    size_t nin = (size_t)B * L->in, nout = (size_t)B * L->out, ncol, nmat;
    ginv_conv_scratch(L, B, &ncol, &nmat);
    c.x = randn(nin, 1), c.dy = randn(nout, 2);
    c.yg = calloc(nout, sizeof(float)), c.yd = calloc(nout, sizeof(float));
    c.dxg = calloc(nin, sizeof(float)), c.dxd = calloc(nin, sizeof(float));
    c.col = malloc(sizeof(float) * (ncol ? ncol : 1)), c.mat = malloc(sizeof(float) * (nmat ? nmat : 1));
    for (int v = 0; v < 2; v++)
        for (int op = 0; op < 2; op++) c.d[v][op] = dstep_make(L, B, op, v, op ? c.dxd : c.x, op ? c.dy : c.yd);
    double gflop = 2e-9 * B * L->c_in * L->c_out * L->kh * L->kw * L->h_in * L->w_in;
    for (int op = 0; op < 2; op++) {
        out[op] = (row){.ly = ly, .B = B, .op = op, .gflop = gflop};
        check(&c, op, &out[op]); /* before any timing */
        time_op(&c, op, rounds, &out[op]);
    }
    for (int v = 0; v < 2; v++)
        for (int op = 0; op < 2; op++) dstep_free(&c.d[v][op]);
    free(c.x), free(c.dy), free(c.yg), free(c.yd), free(c.dxg), free(c.dxd), free(c.col), free(c.mat);
}

/* ---- sgemm peak: n x n x n, OpenBLAS on T threads (one call) and ginv_gemm */

static double sgemm_peak(int threads, int rounds, const char *core)
{
    static const int sizes[] = {1024, 1536, 2048};
    double peak = 0;
    if (ginv_blas_switch_core(core)) exit(1);
    printf("\n| n | OpenBLAS sgemm (%s kernels), %d threads, GFLOP/s (median) | ginv_gemm (pool), GFLOP/s (median) |\n"
           "|---:|---:|---:|\n", ginv_blas_core(), threads);
    for (int si = 0; si < 3; si++) {
        int n = sizes[si];
        float *A = randn((size_t)n * n, 10), *Bm = randn((size_t)n * n, 11), *C = calloc((size_t)n * n, 4);
        double g[2][64];
        int cnt[2] = {0, 0};
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < 2; k++) {
                int im = (k + r) % 2;
                openblas_set_num_threads(im ? 1 : threads);
                pause_ms(20);
                for (int i = -1; i < 3; i++) {
                    double a = now();
                    if (im)
                        ginv_gemm(0, 0, n, n, n, 1.0f, A, Bm, 0.0f, C);
                    else
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, A, n, Bm,
                                    n, 0.0f, C, n);
                    double t = now() - a;
                    if (i >= 0 && cnt[im] < 64) g[im][cnt[im]++] = 2e-9 * n * n * (double)n / t;
                }
            }
        openblas_set_num_threads(1);
        double m0 = median(g[0], cnt[0]), m1 = median(g[1], cnt[1]);
        printf("| %d | %.1f | %.1f |\n", n, m0, m1);
        peak = fmax(peak, fmax(m0, m1));
        free(A), free(Bm), free(C);
    }
    if (ginv_blas_switch_core(base_core)) exit(1);
    return peak;
}

static void loadavg(char *buf, size_t n)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = 0;
    if (f) {
        if (!fgets(buf, (int)n, f)) buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
}

static void print_rows(const row *rows, int n, double peak)
{
    printf("\n| model | layer | shape | B | op | GFLOP | ginv ms | oneDNN nchw ms | oneDNN blk ms | blk+reorder ms"
           " | ginv GF/s | nchw GF/s | blk GF/s | ginv/nchw | max rel diff | spread | ginv AVX-512 ms | AVX-512 rel diff"
           " | 1 thread = %d (ginv, nchw, blk) |\n"
           "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", nthreads);
    for (int i = 0; i < n; i++) {
        const row *R = &rows[i];
        const ginv_layer *L = ginv_net_layer_c(R->ly->net, 0);
        printf("| %s | %d | %dx%dx%d→%dx%dx%d | %d | %s | %.4f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %.2f"
               " | %.1e | %.0f%% | %.3f | %.1e | %s %s %s |\n",
               R->ly->model, R->ly->idx, L->c_in, L->h_in, L->w_in, L->c_out, L->h_out, L->w_out, R->B,
               R->op ? "vjp" : "fwd", R->gflop, R->ms[GINV], R->ms[NCHW], R->ms[BLK], R->ms[BLKR],
               R->gflop / R->ms[GINV] * 1e3, R->gflop / R->ms[NCHW] * 1e3, R->gflop / R->ms[BLK] * 1e3,
               R->ms[GINV] / R->ms[NCHW], fmax(R->maxrel[0], R->maxrel[1]), 100 * R->spread,
               alt_core ? R->ms[GINV512] : NAN, alt_core ? R->maxrel512 : NAN, R->same1[0] ? "yes" : "NO",
               R->same1[1] ? "yes" : "NO", R->same1[2] ? "yes" : "NO");
    }
    printf("\nWhole models (sums of the layer medians):\n\n| model | B | op | GFLOP | ginv ms | oneDNN nchw ms | oneDNN blk ms"
           " | blk+reorder ms | ginv AVX-512 ms | ginv GF/s (%% of peak) | nchw GF/s (%% of peak) | ginv/nchw |\n"
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const row *R = &rows[i];
        int first = 1;
        for (int j = 0; j < i; j++)
            if (!strcmp(rows[j].ly->model, R->ly->model) && rows[j].B == R->B && rows[j].op == R->op) first = 0;
        if (!first) continue;
        double g = 0, ms[NIMPL] = {0};
        for (int j = i; j < n; j++)
            if (!strcmp(rows[j].ly->model, R->ly->model) && rows[j].B == R->B && rows[j].op == R->op) {
                g += rows[j].gflop;
                for (int k = 0; k < NIMPL; k++) ms[k] += rows[j].ms[k];
            }
        double gg = g / ms[GINV] * 1e3, gn = g / ms[NCHW] * 1e3;
        printf("| %s | %d | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f (%.0f%%) | %.1f (%.0f%%) | %.2f |\n",
               R->ly->model, R->B, R->op ? "vjp" : "fwd", g, ms[GINV], ms[NCHW], ms[BLK], ms[BLKR],
               alt_core ? ms[GINV512] : NAN, gg,
               100 * gg / peak, gn, 100 * gn / peak, ms[GINV] / ms[NCHW]);
    }
    printf("\noneDNN implementations (nchw / blk):");
    for (int i = 0; i < n; i++)
        printf("%s %s %d B=%d %s: %s / %s", i ? ";" : "", rows[i].ly->model, rows[i].ly->idx, rows[i].B,
               rows[i].op ? "vjp" : "fwd", rows[i].impl[0], rows[i].impl[1]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: conv_onednn THREADS ROUNDS VAE_MODEL B1 [B2 ...]\n");
        return 2;
    }
    int threads = nthreads = atoi(argv[1]), rounds = atoi(argv[2]);
    if (rounds < 1 || rounds > 64 || threads < 1) return 2;
    ginv_blas_report rep;
    ginv_lib_init(0, &rep);
    ginv_blas_set_threads(threads);
    omp_set_num_threads(threads);
    base_core = strdup(ginv_blas_core());
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd") && strcmp(base_core, "SkylakeX")) {
        alt_core = "SkylakeX";
        nimpl = NIMPL;
    }
    dstep_init();
    const dnnl_version_t *v = dnnl_version();
    char la0[128], la1[128];
    loadavg(la0, sizeof la0);
    layer ls[2 * NL_MAX];
    int nl = dcgan_layers(ls);
    nl += model_layers(argv[3], "convvae", ls + nl);
    int nb = argc - 4, nrows = 0;
    row *rows = malloc(sizeof(row) * 2 * nl * nb);
    for (int i = 0; i < nl; i++)
        for (int b = 0; b < nb; b++) {
            bench_layer(&ls[i], atoi(argv[4 + b]), rounds, rows + nrows);
            nrows += 2;
            fprintf(stderr, "conv_onednn: %s layer %d B=%s done\n", ls[i].model, ls[i].idx, argv[4 + b]);
        }
    printf("conv_onednn: %d threads, %d rounds; ginv %s, OpenBLAS kernels %s; oneDNN %d.%d.%d (%s runtime, ISA %s)\n",
           threads, rounds, ginv_version(), ginv_blas_core(), v->major, v->minor, v->patch,
           v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other", dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()));
    double peak0 = sgemm_peak(threads, rounds, base_core);
    double peak = alt_core ? fmax(peak0, sgemm_peak(threads, rounds, alt_core)) : peak0;
    loadavg(la1, sizeof la1);
    printf("\nsgemm peak (best median): %.1f GFLOP/s with the %s kernels ginv uses; %.1f GFLOP/s the best"
           " of all kernels tried (the %% of peak below)\n", peak0, base_core, peak);
    print_rows(rows, nrows, peak);
    printf("\nload average at start: %s; at end: %s\n", la0, la1);
    for (int i = 0; i < nl; i++) ginv_net_free(ls[i].net);
    free(rows);
    return 0;
}
