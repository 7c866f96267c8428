/* fuzz_images_spec.c — libFuzzer target: `--data` image specs and slices
 * (ginv_images_load: fashion-mnist:SET, idx:PATH, PNG/PGM lists, each with
 * [a:b:step]) on arbitrary text. A scratch folder holds what specs can
 * name: a.png (3 x 2), b.pgm (3 x 2), c.pgm (2 x 2), i.idx (5 images of
 * 2 x 3) and g.idx.gz (the same, gzip) and, as GINV_DATA_DIR, a Fashion-MNIST
 * stand-in (t10k: 7 images of 2 x 2 with labels; train: images only, so it
 * fails). Text with '/' is skipped (no system files). Must return a status
 * without crashing or leaking; on success 1 to 512 images of the right size
 * with pixels in [0, 1], and labels only for fashion-mnist, within 0..9. */
#include "ginv.h"
#include "scratch.h"

#include <sys/stat.h>
#include <zlib.h>

static unsigned char *idx_file(int ndim, const unsigned *dims, unsigned char fill, size_t *len)
{
    size_t count = 1;
    for (int d = 0; d < ndim; d++) count *= dims[d];
    *len = 4 + 4 * (size_t)ndim + count;
    unsigned char *b = malloc(*len);
    b[0] = b[1] = 0;
    b[2] = 0x08;
    b[3] = (unsigned char)ndim;
    for (int d = 0; d < ndim; d++)
        for (int k = 0; k < 4; k++) b[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    for (size_t i = 0; i < count; i++) b[4 + 4 * ndim + i] = (unsigned char)(fill ? fill : i * 37);
    return b;
}

static void setup(void)
{
    static int done;
    if (done) return;
    done = 1;
    char path[512];
    float pix[6] = {0, 0.2f, 0.4f, 0.6f, 0.8f, 1};
    snprintf(path, sizeof path, "%s/a.png", fuzz_scratch());
    if (ginv_png_write_gray(path, 2, 3, pix, 0, 1) != GINV_OK) abort();
    const char *b = "P2 2 3 9\n0 1 2\n3 4 5\n", *c = "P5 2 2 255\n\x01\x02\x03\x04";
    fuzz_scratch_write("b.pgm", b, strlen(b), path, sizeof path);
    fuzz_scratch_write("c.pgm", c, strlen("P5 2 2 255\n") + 4, path, sizeof path);
    unsigned d3[3] = {5, 2, 3};
    size_t len;
    unsigned char *raw = idx_file(3, d3, 0, &len);
    fuzz_scratch_write("i.idx", raw, len, path, sizeof path);
    uLongf glen = compressBound(len) + 64;
    unsigned char *gz = malloc(glen);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = raw;
    zs.avail_in = (uInt)len;
    zs.next_out = gz;
    zs.avail_out = (uInt)glen;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
    fuzz_scratch_write("g.idx.gz", gz, glen - zs.avail_out, path, sizeof path);
    deflateEnd(&zs);
    free(gz);
    free(raw);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/fm", fuzz_scratch());
    mkdir(dir, 0700);
    unsigned di[3] = {7, 2, 2}, dl[1] = {7};
    raw = idx_file(3, di, 0, &len);
    fuzz_scratch_write("fm/t10k-images-idx3-ubyte", raw, len, path, sizeof path);
    fuzz_scratch_write("fm/train-images-idx3-ubyte", raw, len, path, sizeof path);
    free(raw);
    raw = idx_file(1, dl, 3, &len);
    fuzz_scratch_write("fm/t10k-labels-idx1-ubyte", raw, len, path, sizeof path);
    free(raw);
    setenv("GINV_DATA_DIR", dir, 1);
    if (chdir(fuzz_scratch())) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size > 512) return 0;
    char *spec = malloc(size + 1);
    memcpy(spec, data, size);
    spec[size] = 0;
    if (strchr(spec, '/')) {
        free(spec);
        return 0;
    }
    ginv_images im;
    if (ginv_images_load(spec, &im) == GINV_OK) {
        if (im.count < 1 || im.count > 512 || im.h < 2 || im.h > 3 || im.w < 2 || im.w > 3 || !im.pix) abort();
        for (size_t i = 0; i < (size_t)im.count * im.h * im.w; i++)
            if (!(im.pix[i] >= 0 && im.pix[i] <= 1)) abort();
        if (im.labels)
            for (int i = 0; i < im.count; i++)
                if (im.labels[i] != 3) abort();
    }
    ginv_images_release(&im);
    free(spec);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
