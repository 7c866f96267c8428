/* fuzz_op.c — libFuzzer target: `--op` text (ginv_op_spec_parse, then
 * ginv_op_from_spec for a signal size). Byte 0 picks --m (0..63), byte 1 the
 * signal size (16, 25, 36, 64, 100 or 784), the rest is the text; files it
 * names are looked up in a scratch folder holding mask.txt (a 16-pixel
 * mask), A.txt (a 3 x 16 matrix) and k.txt (a 3 x 3 blur kernel); text
 * with '/' is skipped (no system
 * files). Must return a status without crashing or leaking; on success the
 * operator has n columns and 1..n rows (or m for the matrix, K^2 n for
 * phaseless-fourier:K) and A, A^T run
 * on a batch of 2. */
#include "ginv.h"
#include "scratch.h"

static void setup(void)
{
    static int done;
    if (done) return;
    done = 1;
    char path[512];
    const char *mask = "1 0 1 1 0 0 1 0 1 1 1 0 0 1 0 1\n";
    fuzz_scratch_write("mask.txt", mask, strlen(mask), path, sizeof path);
    char A[600] = "";
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 16; c++) snprintf(A + strlen(A), sizeof A - strlen(A), "%d ", (r * 7 + c) % 5 - 2);
        strcat(A, "\n");
    }
    fuzz_scratch_write("A.txt", A, strlen(A), path, sizeof path);
    const char *k = "1 2 1\n2 4 2\n1 2 1\n";
    fuzz_scratch_write("k.txt", k, strlen(k), path, sizeof path);
    if (chdir(fuzz_scratch())) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 2 || size > 512) return 0;
    static const int sizes[6] = {16, 25, 36, 64, 100, 784};
    int m = data[0] % 64, n = sizes[data[1] % 6];
    char *text = malloc(size - 1);
    memcpy(text, data + 2, size - 2);
    text[size - 2] = 0;
    if (strchr(text, '/')) {
        free(text);
        return 0;
    }
    ginv_op_spec spec;
    memset(&spec, 0, sizeof spec);
    if (ginv_op_spec_parse(&spec, text, m) == GINV_OK) {
        ginv_op *op = NULL;
        if (ginv_op_from_spec(&op, &spec, n, 7, 1) == GINV_OK) {
            int mm = ginv_op_m(op);
            /* phaseless-fourier:K outputs c (K h) (K w) = K^2 n values, K <= 16 */
            int cap = strcmp(ginv_op_name(op), "phaseless-fourier") ? (n > 4096 ? n : 4096) : 256 * n;
            if (ginv_op_n(op) != n || mm < 1 || mm > cap) abort();
            float *x = calloc(2 * (size_t)n, sizeof *x), *y = calloc(2 * (size_t)mm, sizeof *y);
            for (int i = 0; i < 2 * n; i++) x[i] = (float)(i % 5) / 4.0f;
            ginv_op_apply(op, 2, x, y);
            ginv_op_adjoint(op, 2, y, x);
            free(x);
            free(y);
            ginv_op_free(op);
        }
    }
    ginv_op_spec_release(&spec);
    free(text);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
