/* conv_layers.c — forward + latent VJP of the CSGM paper's 64x64x3 DCGAN
 * generator (z = 100; ConvT 512-256-128-64-3, kernel 4, BatchNorm + ReLU,
 * tanh; random weights) through libginv, at the batches given, on T threads;
 * one JSON line per batch with the median and quartiles of R timed passes.
 * bench/conv_layers.sh builds and runs it beside the PyTorch peer
 * (bench/conv_layers_torch.py).
 *
 *   conv_layers THREADS REPS B1 [B2 ...] */
#include "ginv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define CT(co, s, p) \
    {.kind = GINV_LAYER_CONV_TRANSPOSE2D, .c_out = co, .kh = 4, .kw = 4, .stride_h = s, .stride_w = s, \
     .pad_h = p, .pad_w = p, .dil_h = 1, .dil_w = 1}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: conv_layers THREADS REPS B1 [B2 ...]\n");
        return 2;
    }
    int threads = atoi(argv[1]), reps = atoi(argv[2]);
    ginv_blas_report rep;
    ginv_lib_init(0, &rep);
    ginv_blas_set_threads(threads);
    ginv_layer spec[] = {{.kind = GINV_LAYER_RESHAPE, .in = 100, .c_out = 100, .h_out = 1, .w_out = 1},
                         CT(512, 1, 0), {.kind = GINV_LAYER_BATCHNORM2D}, {.kind = GINV_LAYER_RELU},
                         CT(256, 2, 1), {.kind = GINV_LAYER_BATCHNORM2D}, {.kind = GINV_LAYER_RELU},
                         CT(128, 2, 1), {.kind = GINV_LAYER_BATCHNORM2D}, {.kind = GINV_LAYER_RELU},
                         CT(64, 2, 1),  {.kind = GINV_LAYER_BATCHNORM2D}, {.kind = GINV_LAYER_RELU},
                         CT(3, 2, 1),   {.kind = GINV_LAYER_TANH}};
    int nl = (int)(sizeof spec / sizeof spec[0]);
    ginv_net *net;
    if (ginv_net_new(&net, nl, spec) || ginv_net_randomize(net, GINV_INIT_FANIN, 0.0, 1, 0)) {
        fprintf(stderr, "conv_layers: %s\n", ginv_last_error());
        return 1;
    }
    int k = ginv_net_in(net), n = ginv_net_out(net);
    for (int a = 3; a < argc; a++) {
        int B = atoi(argv[a]);
        float *z = malloc(sizeof(float) * B * k), *v = malloc(sizeof(float) * B * n);
        float *dz = malloc(sizeof(float) * B * k);
        ginv_rng r;
        ginv_rng_init(&r, 2, GINV_STREAM_USER, 0);
        ginv_rng_normal_f32(&r, z, (size_t)B * k, 1.0);
        ginv_rng_normal_f32(&r, v, (size_t)B * n, 1.0);
        ginv_net_ws *ws;
        if (ginv_net_ws_new(&ws, net, B)) {
            fprintf(stderr, "conv_layers: %s\n", ginv_last_error());
            return 1;
        }
        double *t = malloc(sizeof(double) * reps), *tf = malloc(sizeof(double) * reps);
        for (int i = -2; i < reps; i++) { /* two warm-up passes */
            double t0 = now();
            ginv_net_forward(net, ws, B, z);
            double t1 = now();
            ginv_net_backward(net, ws, B, v, dz, 0);
            double t2 = now();
            if (i >= 0) {
                t[i] = t2 - t0;
                tf[i] = t1 - t0;
            }
        }
        qsort(t, (size_t)reps, sizeof(double), cmp);
        qsort(tf, (size_t)reps, sizeof(double), cmp);
        printf("{\"impl\":\"ginv\",\"B\":%d,\"threads\":%d,\"reps\":%d,\"median_s\":%.6g,\"q1_s\":%.6g,"
               "\"q3_s\":%.6g,\"forward_median_s\":%.6g,\"params\":%zu,\"blas_core\":\"%s\"}\n",
               B, threads, reps, t[reps / 2], t[reps / 4], t[3 * reps / 4], tf[reps / 2],
               ginv_net_nparams(net), ginv_blas_core());
        fflush(stdout);
        ginv_net_ws_free(ws);
        free(z); free(v); free(dz); free(t); free(tf);
    }
    ginv_net_free(net);
    return 0;
}
