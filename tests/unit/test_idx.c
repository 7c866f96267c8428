/* test_idx.c — IDX files and image batches: every IDX element type parsed
 * big-endian, gzip recognised by its magic (not by name), the malformed IDX
 * corpus, the real Fashion-MNIST sets (sizes, labels, class balance),
 * slices against a direct read, and the loader's own refusals (count
 * mismatch, labels out of range, wrong shapes, bad slices). */
#include "corpus.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* An IDX file: 00 00 type ndim, big-endian sizes, then `dlen` data bytes
 * (already big-endian). malloc'd. */
static unsigned char *idx_bytes(int type, int ndim, const uint32_t *dims, const void *data,
                                size_t dlen, size_t *len)
{
    *len = 4 + 4 * (size_t)ndim + dlen;
    unsigned char *b = malloc(*len + 1);
    b[0] = 0;
    b[1] = 0;
    b[2] = (unsigned char)type;
    b[3] = (unsigned char)ndim;
    for (int d = 0; d < ndim; d++)
        for (int k = 0; k < 4; k++) b[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    if (dlen) memcpy(b + 4 + 4 * ndim, data, dlen);
    return b;
}

/* gzip-compress buf (zlib, gzip wrapper). malloc'd. */
static unsigned char *gzip_bytes(const unsigned char *buf, size_t len, size_t *olen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    zs.next_in = (Bytef *)buf;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int r = deflate(&zs, Z_FINISH);
    CHECK(r == Z_STREAM_END);
    *olen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void write_file(const char *path, const void *buf, size_t len)
{
    CHECK_OK(ginv_write_atomic(path, buf, len));
}

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", test_tmpdir(), name);
    return buf[k];
}

TEST(idx_parses_every_type_big_endian)
{
    uint32_t d2[2] = {2, 3};
    unsigned char u8[6] = {0, 1, 127, 128, 254, 255};
    size_t len;
    unsigned char *b = idx_bytes(0x08, 2, d2, u8, 6, &len);
    ginv_idx x;
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK(x.type == GINV_IDX_U8 && x.ndim == 2 && x.dims[0] == 2 && x.dims[1] == 3 && x.count == 6);
    for (int i = 0; i < 6; i++) CHECK_NEAR(ginv_idx_value(&x, i), u8[i], 0);
    ginv_idx_release(&x);
    free(b);
    /* byte: 0xff is -1 */
    uint32_t d1[1] = {2};
    unsigned char i8[2] = {0xff, 0x7f};
    b = idx_bytes(0x09, 1, d1, i8, 2, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK_NEAR(ginv_idx_value(&x, 0), -1, 0);
    CHECK_NEAR(ginv_idx_value(&x, 1), 127, 0);
    ginv_idx_release(&x);
    free(b);
    /* short: 0x0102 = 258, 0xfffe = -2 */
    unsigned char i16[4] = {0x01, 0x02, 0xff, 0xfe};
    b = idx_bytes(0x0B, 1, d1, i16, 4, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK_NEAR(ginv_idx_value(&x, 0), 258, 0);
    CHECK_NEAR(ginv_idx_value(&x, 1), -2, 0);
    ginv_idx_release(&x);
    free(b);
    /* int: 0x01020304 = 16909060, 0x80000000 = INT32_MIN */
    unsigned char i32[8] = {1, 2, 3, 4, 0x80, 0, 0, 0};
    b = idx_bytes(0x0C, 1, d1, i32, 8, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK_NEAR(ginv_idx_value(&x, 0), 16909060, 0);
    CHECK_NEAR(ginv_idx_value(&x, 1), -2147483648.0, 0);
    ginv_idx_release(&x);
    free(b);
    /* float: 0x3fc00000 = 1.5, 0xc0200000 = -2.5 */
    unsigned char f32[8] = {0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0};
    b = idx_bytes(0x0D, 1, d1, f32, 8, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK_NEAR(ginv_idx_value(&x, 0), 1.5, 0);
    CHECK_NEAR(ginv_idx_value(&x, 1), -2.5, 0);
    ginv_idx_release(&x);
    free(b);
    /* double: 0x3fd0000000000000 = 0.25 */
    unsigned char f64[16] = {0x3f, 0xd0, 0, 0, 0, 0, 0, 0, 0xc0, 0x59, 0, 0, 0, 0, 0, 0};
    b = idx_bytes(0x0E, 1, d1, f64, 16, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK_NEAR(ginv_idx_value(&x, 0), 0.25, 0);
    CHECK_NEAR(ginv_idx_value(&x, 1), -100, 0);
    CHECK(!strcmp(ginv_idx_type_name(x.type), "double"));
    ginv_idx_release(&x);
    free(b);
    /* a zero size is a valid, empty file */
    uint32_t d0[2] = {0, 5};
    b = idx_bytes(0x08, 2, d0, NULL, 0, &len);
    CHECK_OK(ginv_idx_parse(b, len, &x));
    CHECK(x.count == 0 && x.dims[1] == 5);
    ginv_idx_release(&x);
    free(b);
}

/* The last warning logged, for the name-vs-content checks. */
static char last_warning[512];
static void keep_warning(void *user, int level, const char *msg)
{
    if (level == GINV_LOG_WARN) snprintf(last_warning, sizeof last_warning, "%s", msg);
}

TEST(idx_gzip_is_decided_by_magic_not_by_name)
{
    uint32_t d[3] = {2, 3, 4};
    unsigned char px[24];
    for (int i = 0; i < 24; i++) px[i] = (unsigned char)(i * 10);
    size_t len, glen;
    unsigned char *raw = idx_bytes(0x08, 3, d, px, 24, &len);
    unsigned char *gz = gzip_bytes(raw, len, &glen);
    /* gzip named .idx, raw named .gz: both load, with the same values */
    const char *names[2] = {tmp_path("gz_named_raw.idx"), tmp_path("raw_named.idx.gz")};
    write_file(names[0], gz, glen);
    write_file(names[1], raw, len);
    /* each mismatch of name and content is read, and warned about in its own words */
    const char *warns[2] = {"is gzip-compressed but not named .gz", "is named .gz but is not gzip"};
    ginv_set_log(keep_warning, NULL);
    for (int f = 0; f < 2; f++) {
        ginv_idx x;
        last_warning[0] = 0;
        CHECK_OK(ginv_idx_read(names[f], &x));
        CHECK_MSG(strstr(last_warning, warns[f]) != NULL, "warning '%s' lacks '%s'", last_warning,
                  warns[f]);
        CHECK(x.ndim == 3 && x.count == 24);
        for (int i = 0; i < 24 && x.data; i++) CHECK(((unsigned char *)x.data)[i] == px[i]);
        ginv_idx_release(&x);
        remove(names[f]);
    }
    ginv_set_log(NULL, NULL);
    /* two concatenated gzip members (as `cat a.gz b.gz`) inflate to their
     * concatenation: here header+half the data, then the other half */
    size_t g1, g2;
    unsigned char *m1 = gzip_bytes(raw, len - 10, &g1), *m2 = gzip_bytes(raw + len - 10, 10, &g2);
    unsigned char *cat = malloc(g1 + g2);
    memcpy(cat, m1, g1);
    memcpy(cat + g1, m2, g2);
    ginv_idx x;
    CHECK_OK(ginv_idx_parse(cat, g1 + g2, &x));
    CHECK(x.count == 24 && x.data && !memcmp(x.data, px, 24));
    ginv_idx_release(&x);
    free(m1);
    free(m2);
    free(cat);
    free(raw);
    free(gz);
}

static ginv_status read_idx(const char *path, const unsigned char *buf, size_t len)
{
    ginv_idx x;
    ginv_status s = ginv_idx_read(path, &x);
    ginv_idx_release(&x);
    return s;
}

static ginv_status parse_idx(const char *path, const unsigned char *buf, size_t len)
{
    ginv_idx x;
    ginv_status s = ginv_idx_parse(buf, len, &x);
    ginv_idx_release(&x);
    return s;
}

TEST(idx_malformed_corpus_is_rejected_with_distinct_messages)
{
    int n = corpus_check("idx", read_idx);
    CHECK_MSG(n >= 17, "only %d corpus files", n);
    /* the in-memory parser refuses them as well (messages without the path) */
    n = corpus_check("idx", parse_idx);
    CHECK(n >= 17);
}

/* ---------------------------------------------------------- Fashion-MNIST */

TEST(fashion_mnist_test_is_10000_balanced_labelled_28x28_images)
{
    ginv_images im;
    CHECK_OK(ginv_images_load("fashion-mnist:test", &im));
    CHECK_MSG(im.count == 10000 && im.h == 28 && im.w == 28, "%d images of %d x %d", im.count,
              im.h, im.w);
    CHECK(im.labels != NULL);
    int per[10] = {0}, bad = 0;
    for (int i = 0; i < im.count && im.labels; i++) {
        if (im.labels[i] < 0 || im.labels[i] > 9) bad++;
        else per[im.labels[i]]++;
    }
    CHECK(bad == 0);
    for (int c = 0; c < 10; c++) CHECK_MSG(per[c] == 1000, "class %d has %d images", c, per[c]);
    double lo = 1, hi = 0, sum = 0;
    size_t n = (size_t)im.count * im.h * im.w;
    for (size_t i = 0; i < n; i++) {
        lo = fmin(lo, im.pix[i]);
        hi = fmax(hi, im.pix[i]);
        sum += im.pix[i];
    }
    CHECK(lo == 0 && hi == 1);
    /* Fashion-MNIST's mean intensity is 0.286 (72.94/255) */
    CHECK_NEAR(sum / (double)n, 0.286, 0.003);
    ginv_images_release(&im);
}

TEST(fashion_mnist_train_is_60000_balanced_labelled_images)
{
    ginv_images im;
    CHECK_OK(ginv_images_load("fashion-mnist:train", &im));
    CHECK(im.count == 60000 && im.h == 28 && im.w == 28 && im.labels);
    int per[10] = {0}, bad = 0;
    for (int i = 0; i < im.count && im.labels; i++) {
        if (im.labels[i] < 0 || im.labels[i] > 9) bad++;
        else per[im.labels[i]]++;
    }
    CHECK(bad == 0);
    for (int c = 0; c < 10; c++) CHECK_MSG(per[c] == 6000, "class %d has %d images", c, per[c]);
    ginv_images_release(&im);
}

/* Slices pick exactly the images a direct IDX read gives at those indices */
TEST(image_slices_match_a_direct_idx_read)
{
    ginv_idx img, lab;
    const char *dir = getenv("GINV_DATA_DIR");
    char ip[1024], lp[1024];
    if (!dir || !*dir) dir = "/usr/share/datasets/fashion-mnist";
    snprintf(ip, sizeof ip, "%s/t10k-images-idx3-ubyte.gz", dir);
    snprintf(lp, sizeof lp, "%s/t10k-labels-idx1-ubyte.gz", dir);
    CHECK_OK(ginv_idx_read(ip, &img));
    CHECK_OK(ginv_idx_read(lp, &lab));
    if (!img.data || !lab.data) {
        ginv_idx_release(&img);
        ginv_idx_release(&lab);
        return;
    }
    const unsigned char *px = img.data, *lb = lab.data;
    struct { const char *spec; int count, first, step; } cases[] = {
        {"fashion-mnist:test[0:300]", 300, 0, 1},
        {"fashion-mnist:test[9990:]", 10, 9990, 1},
        {"fashion-mnist:test[-3:]", 3, 9997, 1},
        {"fashion-mnist:test[5:50:7]", 7, 5, 7},
        {"fashion-mnist:test[::-2500]", 4, 9999, -2500},
        {"fashion-mnist:test[:-9998]", 2, 0, 1},
        {"fashion-mnist:test[ 2 : 4 ]", 2, 2, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ginv_images im;
        CHECK_OK(ginv_images_load(cases[c].spec, &im));
        CHECK_MSG(im.count == cases[c].count, "%s: %d images, want %d", cases[c].spec, im.count,
                  cases[c].count);
        int bad = 0;
        for (int k = 0; k < im.count && k < cases[c].count; k++) {
            size_t src = (size_t)(cases[c].first + k * cases[c].step);
            if (im.labels[k] != lb[src]) bad++;
            for (int i = 0; i < 784; i++)
                if (im.pix[(size_t)k * 784 + i] != (float)px[src * 784 + i] / 255.0f) bad++;
        }
        CHECK_MSG(bad == 0, "%s: %d values differ from the direct read", cases[c].spec, bad);
        ginv_images_release(&im);
    }
    ginv_idx_release(&img);
    ginv_idx_release(&lab);
}

TEST(image_spec_errors_say_what_to_write)
{
    struct { const char *spec; ginv_status st; const char *msg; } cases[] = {
        {"fashion-mnist:test[0:20000]", GINV_ERR_ARG, "runs past the 10000 images"},
        {"fashion-mnist:test[-10001:]", GINV_ERR_ARG, "runs past the 10000 images"},
        {"fashion-mnist:test[5:5]", GINV_ERR_ARG, "selects none of the 10000 images"},
        {"fashion-mnist:test[1:9:0]", GINV_ERR_ARG, "step 0 is invalid"},
        {"fashion-mnist:test[a:b]", GINV_ERR_ARG, "'a' is not an integer"},
        {"fashion-mnist:test[3]", GINV_ERR_ARG, "has no ':'"},
        {"fashion-mnist:test[1:2:3:4]", GINV_ERR_ARG, "more than two ':'"},
        {"fashion-mnist:test0:3]", GINV_ERR_ARG, "ends with ']' but has no '['"},
        {"fashion-mnist:valid", GINV_ERR_ARG, "unknown Fashion-MNIST set 'valid'"},
        {"fashion-mnist", GINV_ERR_ARG, "needs a set"},
        {"idx:", GINV_ERR_ARG, "needs a path"},
        {"", GINV_ERR_ARG, "empty image spec"},
        {"mnist:test", GINV_ERR_ARG, "unknown image spec 'mnist:test'"},
        {"idx:/nonexistent/x.idx", GINV_ERR_IO, "cannot open '/nonexistent/x.idx'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ginv_images im;
        ginv_status s = ginv_images_load(cases[c].spec, &im);
        CHECK_MSG(s == cases[c].st && strstr(ginv_last_error(), cases[c].msg),
                  "'%s': status %d, message '%s' (want '%s')", cases[c].spec, s,
                  ginv_last_error(), cases[c].msg);
        CHECK(im.pix == NULL && im.labels == NULL && im.count == 0);
        ginv_images_release(&im);
    }
}

/* A fake Fashion-MNIST folder (GINV_DATA_DIR) with the given image and
 * label counts and one label value; images unpacked, labels gzipped. */
static const char *fake_fashion(const char *name, uint32_t nimg, uint32_t nlab, unsigned char label)
{
    const char *dir = tmp_path(name);
    char cmd[600], path[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    CHECK(system(cmd) == 0);
    uint32_t di[3] = {nimg, 4, 5}, dl[1] = {nlab};
    unsigned char *px = calloc((size_t)nimg * 20 + 1, 1), *lb = malloc(nlab + 1);
    for (uint32_t i = 0; i < nimg * 20; i++) px[i] = (unsigned char)(i % 256);
    memset(lb, label, nlab);
    size_t len, glen;
    unsigned char *b = idx_bytes(0x08, 3, di, px, (size_t)nimg * 20, &len);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir);
    write_file(path, b, len);
    free(b);
    b = idx_bytes(0x08, 1, dl, lb, nlab, &len);
    unsigned char *g = gzip_bytes(b, len, &glen);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte.gz", dir);
    write_file(path, g, glen);
    free(g);
    free(b);
    free(px);
    free(lb);
    return dir;
}

TEST(fashion_mnist_data_dir_override_checks_counts_and_labels)
{
    const char *old = getenv("GINV_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    ginv_images im;
    /* a good folder: 7 images of 4 x 5 from the unpacked file, labels from .gz */
    setenv("GINV_DATA_DIR", fake_fashion("fm_good", 7, 7, 3), 1);
    CHECK_OK(ginv_images_load("fashion-mnist:test[1:3]", &im));
    CHECK(im.count == 2 && im.h == 4 && im.w == 5 && im.labels && im.labels[0] == 3);
    if (im.pix) CHECK_NEAR(im.pix[0], 20.0 / 255.0, 1e-7);
    ginv_images_release(&im);
    /* images and labels with different counts */
    setenv("GINV_DATA_DIR", fake_fashion("fm_count", 7, 6, 3), 1);
    CHECK(ginv_images_load("fashion-mnist:test", &im) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "count mismatch") && strstr(ginv_last_error(), "holds 7 images") &&
              strstr(ginv_last_error(), "holds 6 labels"), "%s", ginv_last_error());
    /* a label outside 0..9 */
    setenv("GINV_DATA_DIR", fake_fashion("fm_label", 3, 3, 12), 1);
    CHECK(ginv_images_load("fashion-mnist:test", &im) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "label 0 is 12, outside 0..9"), "%s", ginv_last_error());
    /* a folder without the files says how to get them */
    setenv("GINV_DATA_DIR", tmp_path("fm_none"), 1);
    CHECK(ginv_images_load("fashion-mnist:train", &im) == GINV_ERR_IO);
    CHECK_MSG(strstr(ginv_last_error(), "dataset-fashion-mnist") && strstr(ginv_last_error(), "GINV_DATA_DIR"),
              "%s", ginv_last_error());
    if (saved) setenv("GINV_DATA_DIR", saved, 1);
    else unsetenv("GINV_DATA_DIR");
    free(saved);
}

TEST(idx_image_files_need_3_dims_and_pixels_in_range)
{
    size_t len;
    uint32_t d2[2] = {2, 3};
    unsigned char px[6] = {0};
    unsigned char *b = idx_bytes(0x08, 2, d2, px, 6, &len);
    const char *p = tmp_path("flat.idx");
    write_file(p, b, len);
    free(b);
    ginv_images im;
    char spec[600];
    snprintf(spec, sizeof spec, "idx:%s", p);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "has 3 dimensions (count x height x width), this one has 2"),
              "%s", ginv_last_error());
    /* short pixels are refused */
    uint32_t d3[3] = {1, 1, 2};
    unsigned char s16[4] = {0, 1, 0, 2};
    b = idx_bytes(0x0B, 3, d3, s16, 4, &len);
    write_file(p, b, len);
    free(b);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ginv_last_error(), "type short are not supported"), "%s", ginv_last_error());
    /* float pixels are taken as they are, and must lie in [0, 1] */
    unsigned char f32[8] = {0x3f, 0x00, 0, 0, 0x3f, 0x80, 0, 0}; /* 0.5, 1.0 */
    b = idx_bytes(0x0D, 3, d3, f32, 8, &len);
    write_file(p, b, len);
    free(b);
    CHECK_OK(ginv_images_load(spec, &im));
    CHECK(im.count == 1 && im.h == 1 && im.w == 2 && im.labels == NULL);
    if (im.pix) CHECK(im.pix[0] == 0.5f && im.pix[1] == 1.0f);
    ginv_images_release(&im);
    f32[4] = 0x40; /* 0x40000000 = 2.0 */
    f32[5] = 0x00;
    b = idx_bytes(0x0D, 3, d3, f32, 8, &len);
    write_file(p, b, len);
    free(b);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "pixel (0, 1) is 2; float pixels must lie in [0, 1]"), "%s",
              ginv_last_error());
    /* the explicit pair loader: counts must agree */
    uint32_t d1[1] = {2};
    unsigned char lb[2] = {1, 2};
    b = idx_bytes(0x08, 1, d1, lb, 2, &len);
    const char *lp = tmp_path("lab.idx");
    write_file(lp, b, len);
    free(b);
    f32[4] = 0x3f;
    f32[5] = 0x80;
    b = idx_bytes(0x0D, 3, d3, f32, 8, &len);
    write_file(p, b, len);
    free(b);
    CHECK(ginv_images_load_idx(p, lp, &im) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "holds 1 images but") != NULL);
    CHECK_OK(ginv_images_load_idx(p, NULL, &im));
    CHECK(im.count == 1 && !im.labels);
    ginv_images_release(&im);
    remove(p);
    remove(lp);
}

/* A gzip file of `hlen` header bytes followed by `zeros` zero bytes,
 * deflated from a small buffer in a loop (nothing that size is held). */
static void write_gzip_zeros(const char *path, const unsigned char *head, size_t hlen, size_t zeros)
{
    static unsigned char zero[1 << 16];
    size_t cap = 1 << 20, olen = 0;
    unsigned char *out = malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    int r = Z_OK;
    for (int phase = 0; r != Z_STREAM_END;) {
        if (zs.avail_in == 0) {
            if (phase == 0) {
                zs.next_in = (Bytef *)head;
                zs.avail_in = (uInt)hlen;
                phase = 1;
            } else if (zeros) {
                size_t n = zeros < sizeof zero ? zeros : sizeof zero;
                zs.next_in = zero;
                zs.avail_in = (uInt)n;
                zeros -= n;
            }
        }
        if (olen + 4096 > cap) out = realloc(out, cap *= 2);
        zs.next_out = out + olen;
        zs.avail_out = (uInt)(cap - olen);
        r = deflate(&zs, zs.avail_in == 0 && zeros == 0 && phase == 1 ? Z_FINISH : Z_NO_FLUSH);
        olen = cap - zs.avail_out;
    }
    deflateEnd(&zs);
    write_file(path, out, olen);
    free(out);
}

/* Issue 18 item 7: a small .idx.gz that inflates to far more than it is.
 * Live library memory is capped at a few MiB beyond the slice: a reader
 * that inflates the whole stream, or past the size its header declares,
 * runs out at once instead of taking gigabytes. */
TEST(idx_gzip_bomb_is_read_only_up_to_the_slice_and_the_declared_size)
{
    /* an honest header: 60000 images of 28 x 28, all zero (47 MB inflated,
     * 46 kB compressed); [0:2] inflates two images and a little more */
    uint32_t big[3] = {60000, 28, 28};
    size_t hlen;
    unsigned char *head = idx_bytes(0x08, 3, big, NULL, 0, &hlen);
    const char *honest = tmp_path("honest_bomb.idx.gz");
    write_gzip_zeros(honest, head, hlen, (size_t)60000 * 784);
    free(head);
    char spec[600];
    ginv_images im;
    size_t old = ginv_alloc_limit(ginv_live_bytes() + ((size_t)4 << 20));
    snprintf(spec, sizeof spec, "idx:%s[0:2]", honest);
    ginv_status st = ginv_images_load(spec, &im);
    CHECK_MSG(st == GINV_OK, "%s", ginv_last_error());
    CHECK(im.count == 2 && im.h == 28 && im.w == 28);
    ginv_images_release(&im);
    snprintf(spec, sizeof spec, "idx:%s[5:1:-2]", honest); /* images 5 and 3: six entries read */
    st = ginv_images_load(spec, &im);
    CHECK_MSG(st == GINV_OK && im.count == 2, "%s", ginv_last_error());
    ginv_images_release(&im);
    ginv_alloc_limit(old);

    /* a lying header: 10 images declared, 20 MB of zeros after them. The
     * whole file is refused as soon as the inflated bytes pass the declared
     * 7840; a slice of the declared images reads them and stops. */
    uint32_t ten[3] = {10, 28, 28};
    head = idx_bytes(0x08, 3, ten, NULL, 0, &hlen);
    const char *liar = tmp_path("lying_bomb.idx.gz");
    write_gzip_zeros(liar, head, hlen, (size_t)20 << 20);
    free(head);
    old = ginv_alloc_limit(ginv_live_bytes() + ((size_t)1 << 20));
    ginv_idx x;
    st = ginv_idx_read(liar, &x);
    CHECK_MSG(st == GINV_ERR_FORMAT && strstr(ginv_last_error(), "inside the gzip data: trailing data after "
                                                                 "the IDX data: the gzip data inflates to "
                                                                 "more than the 7840 bytes"),
              "status %d: %s", (int)st, ginv_last_error());
    ginv_idx_release(&x);
    snprintf(spec, sizeof spec, "idx:%s", liar);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_FORMAT);
    snprintf(spec, sizeof spec, "idx:%s[0:2]", liar);
    st = ginv_images_load(spec, &im);
    CHECK_MSG(st == GINV_OK && im.count == 2, "%s", ginv_last_error());
    ginv_images_release(&im);
    ginv_alloc_limit(old);
}
