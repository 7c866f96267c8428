/* csgm_fmnist.c — recover one Fashion-MNIST test image from m = 200 noisy
 * Gaussian measurements with the shipped VAE decoder, by CSGM (Bora, Jalal,
 * Price & Dimakis 2017): minimise ||A G(z) - y||^2 + lambda ||z||^2 by Adam
 * from several random starts and keep the best.
 *
 *   cc csgm_fmnist.c $(pkg-config --cflags --libs ginv) -o csgm_fmnist
 *   ./csgm_fmnist [MODEL] [IMAGES]
 *
 * MODEL defaults to models/fmnist-vae-k20.safetensors (run it from the source
 * tree, or give the path); IMAGES to "fashion-mnist:test[0:1]" (Debian's
 * dataset-fashion-mnist; a PNG or PGM file of 28 x 28 pixels works too). */
#include <ginv.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what)
{
    fprintf(stderr, "csgm_fmnist: %s: %s\n", what, ginv_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *model = argc > 1 ? argv[1] : "models/fmnist-vae-k20.safetensors";
    const char *images = argc > 2 ? argv[2] : "fashion-mnist:test[0:1]";
    const int m = 200;           /* measurements */
    const double sigma = 0.1;    /* noise per measurement (A has N(0, 1) entries) */
    const uint64_t seed = 1;

    ginv_lib_init(0, NULL);      /* better OpenBLAS kernels where the CPU has them */

    ginv_net *net = NULL;
    if (ginv_net_load(model, &net) != GINV_OK) return fail(model);
    ginv_images truth = {0};
    if (ginv_images_load(images, &truth) != GINV_OK) {
        ginv_net_free(net);
        return fail(images);
    }
    int n = truth.h * truth.w;
    if (ginv_net_out(net) != n) {
        fprintf(stderr, "csgm_fmnist: the model makes %d pixels, the image has %d\n",
                ginv_net_out(net), n);
        ginv_images_release(&truth);
        ginv_net_free(net);
        return 1;
    }

    /* y = A x + noise, A (m x n) with N(0, 1) entries from the stream (seed, OP, 0) */
    ginv_op *A = NULL;
    float *y = malloc(m * sizeof *y), *x_hat = malloc(n * sizeof *x_hat);
    int rc = 1;
    if (!y || !x_hat) {
        fprintf(stderr, "csgm_fmnist: out of memory\n");
        goto done;
    }
    if (ginv_op_gaussian_unit(&A, m, n, seed, 0) != GINV_OK) {
        rc = fail("operator");
        goto done;
    }
    ginv_op_apply(A, 1, truth.pix, y);
    ginv_add_noise(y, m, sigma, seed, 0);

    ginv_csgm_opts o;
    ginv_csgm_opts_init(&o);     /* 10 restarts, 1000 Adam iterations, lambda 0.1 */
    o.restarts = 4;
    o.iters = 500;
    o.seed = seed;
    double loss;
    if (ginv_csgm_run(net, A, 1, y, &o, NULL, x_hat, &loss) != GINV_OK) {
        rc = fail("csgm");
        goto done;
    }

    double mse = 0, blank = 0;   /* per-pixel MSE of G(z_hat), and of an all-black guess */
    for (int i = 0; i < n; i++) {
        double d = (double)x_hat[i] - truth.pix[i];
        mse += d * d / n;
        blank += (double)truth.pix[i] * truth.pix[i] / n;
    }
    printf("csgm: %d x %d image, m = %d, sigma = %g, %d restarts x %d iterations\n", truth.h,
           truth.w, m, sigma, o.restarts, o.iters);
    printf("csgm: loss %.4f, per-pixel MSE %.5f (all-black image: %.5f)\n", loss, mse, blank);
    rc = 0;
done:
    free(y);
    free(x_hat);
    ginv_op_free(A);
    ginv_images_release(&truth);
    ginv_net_free(net);
    return rc;
}
