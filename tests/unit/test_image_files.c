/* test_image_files.c — single images from PGM (P5 8/16-bit, P2, comments)
 * and PNG (gray 1..16 bits, gray + alpha, interlaced; written here by
 * libpng's own encoder) with exact sample / maxval values; colour refused
 * with the conversion command; the malformed PGM corpus; lists of files as
 * an image spec (order, slices, sizes that must agree). */
#include "corpus.h"
#include "test.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", test_tmpdir(), name);
    return buf[k];
}

static ginv_status parse_pgm_text(const char *text, size_t len, ginv_images *im)
{
    return ginv_pgm_parse((const unsigned char *)text, len, im);
}

TEST(pgm_p5_and_p2_give_sample_over_maxval)
{
    ginv_images im;
    /* P5, 8-bit, comments between header fields and a CRLF */
    const char p5[] = "P5 # a comment\r\n3#w\n 2\n# maxval next\n200\n\x00\x01\x64\xc8\x0a\x14";
    CHECK_OK(parse_pgm_text(p5, sizeof p5 - 1, &im));
    CHECK(im.count == 1 && im.w == 3 && im.h == 2 && !im.labels);
    const int s8[6] = {0, 1, 100, 200, 10, 20};
    for (int i = 0; i < 6 && im.pix; i++) CHECK_NEAR(im.pix[i], s8[i] / 200.0, 1e-7);
    ginv_images_release(&im);
    /* P5, 16-bit big-endian */
    const char p16[] = "P5\n2 1\n65535\n\x01\x02\xff\xff";
    CHECK_OK(parse_pgm_text(p16, sizeof p16 - 1, &im));
    CHECK(im.w == 2 && im.h == 1);
    if (im.pix) {
        CHECK_NEAR(im.pix[0], 258.0 / 65535.0, 1e-7);
        CHECK(im.pix[1] == 1.0f);
    }
    ginv_images_release(&im);
    /* P2 over several lines, trailing whitespace allowed */
    const char p2[] = "P2\n# plain\n2 3\n15\n0 15\n 7\t8\n\n3 1\n\n";
    CHECK_OK(parse_pgm_text(p2, sizeof p2 - 1, &im));
    CHECK(im.w == 2 && im.h == 3);
    const int s2[6] = {0, 15, 7, 8, 3, 1};
    for (int i = 0; i < 6 && im.pix; i++) CHECK_NEAR(im.pix[i], s2[i] / 15.0, 1e-7);
    ginv_images_release(&im);
    /* a P5 raster may start with a byte that looks like whitespace */
    const char ws[] = "P5 1 1 255\n\n";
    CHECK_OK(parse_pgm_text(ws, sizeof ws - 1, &im));
    if (im.pix) CHECK_NEAR(im.pix[0], 10 / 255.0, 1e-7);
    ginv_images_release(&im);
}

static ginv_status load_pgm(const char *path, const unsigned char *buf, size_t len)
{
    ginv_images im;
    ginv_status s = ginv_pgm_parse(buf, len, &im);
    ginv_images_release(&im);
    return s;
}

TEST(pgm_malformed_corpus_is_rejected_with_distinct_messages)
{
    int n = corpus_check("pgm", load_pgm);
    CHECK_MSG(n >= 27, "only %d corpus files", n);
}

/* Write a PNG with libpng: samples (h x w x channels) in the file's bit
 * depth. */
static void write_png(const char *path, int w, int h, int depth, int ct, int interlace,
                      const unsigned *samples)
{
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        CHECK_MSG(0, "libpng failed writing %s", path);
        png_destroy_write_struct(&png, &info);
        fclose(fp);
        return;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ct,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_color pal[2] = {{0, 0, 0}, {255, 0, 0}};
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_PLTE(png, info, pal, 2);
    png_write_info(png, info);
    int ch = ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : ct == PNG_COLOR_TYPE_RGB ? 3 : 1;
    size_t rb = png_get_rowbytes(png, info);
    unsigned char *img = calloc((size_t)h, rb);
    png_bytep *rows = malloc((size_t)h * sizeof *rows);
    for (int y = 0; y < h; y++) {
        unsigned char *r = img + (size_t)y * rb;
        rows[y] = r;
        for (int k = 0; k < w * ch; k++) {
            unsigned v = samples[(size_t)y * w * ch + k];
            if (depth == 16) {
                r[2 * k] = (unsigned char)(v >> 8);
                r[2 * k + 1] = (unsigned char)v;
            } else if (depth == 8) r[k] = (unsigned char)v;
            else { /* packed, most significant bits first */
                int per = 8 / depth, shift = 8 - depth * (k % per + 1);
                r[k / per] |= (unsigned char)(v << shift);
            }
        }
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(fp);
    free(img);
    free(rows);
}

/* Read a file and parse it as a PNG. */
static ginv_status read_png(const char *path, ginv_images *im)
{
    unsigned char *buf;
    size_t len;
    ginv_status s = ginv_read_file(path, 1 << 24, &buf, &len);
    if (s) {
        memset(im, 0, sizeof *im);
        return s;
    }
    s = ginv_png_parse_gray(buf, len, im);
    ginv_free(buf);
    return s;
}

TEST(png_gray_of_every_depth_and_gray_alpha_read_exactly)
{
    enum { W = 5, H = 3 };
    static const int depths[] = {1, 2, 4, 8, 16};
    for (int di = 0; di < 5; di++)
        for (int inter = 0; inter < 2; inter++) {
            int d = depths[di];
            unsigned max = (1u << d) - 1, s[W * H];
            for (int i = 0; i < W * H; i++) s[i] = (unsigned)(i * 7919u) % (max + 1);
            const char *p = tmp_path("depth.png");
            write_png(p, W, H, d, PNG_COLOR_TYPE_GRAY, inter, s);
            ginv_images im;
            CHECK_OK(read_png(p, &im));
            CHECK(im.w == W && im.h == H && im.count == 1);
            int bad = 0;
            for (int i = 0; i < W * H && im.pix; i++)
                if (fabs(im.pix[i] - (double)s[i] / max) > 1e-7) bad++;
            CHECK_MSG(bad == 0, "depth %d, interlaced %d: %d pixels differ", d, inter, bad);
            ginv_images_release(&im);
        }
    /* gray + alpha: alpha ignored */
    unsigned ga[2 * 2 * 2] = {0, 255, 100, 0, 200, 17, 255, 128};
    const char *p = tmp_path("ga.png");
    write_png(p, 2, 2, 8, PNG_COLOR_TYPE_GRAY_ALPHA, 0, ga);
    ginv_images im;
    CHECK_OK(read_png(p, &im));
    for (int i = 0; i < 4 && im.pix; i++) CHECK_NEAR(im.pix[i], ga[2 * i] / 255.0, 1e-7);
    ginv_images_release(&im);
}

TEST(png_colour_is_refused_with_the_conversion_command)
{
    unsigned rgb[2 * 3] = {1, 2, 3, 4, 5, 6};
    const char *p = tmp_path("rgb.png");
    write_png(p, 2, 1, 8, PNG_COLOR_TYPE_RGB, 0, rgb);
    ginv_images im;
    CHECK(read_png(p, &im) == GINV_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ginv_last_error(), "PNG is RGB") &&
              strstr(ginv_last_error(), "convert in.png -colorspace Gray out.png"), "%s",
              ginv_last_error());
    CHECK(im.pix == NULL);
    unsigned idx[2] = {0, 1};
    write_png(p, 2, 1, 8, PNG_COLOR_TYPE_PALETTE, 0, idx);
    CHECK(read_png(p, &im) == GINV_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ginv_last_error(), "palette"), "%s", ginv_last_error());
    /* truncated and non-PNG bytes */
    unsigned g[4] = {1, 2, 3, 4};
    write_png(p, 2, 2, 8, PNG_COLOR_TYPE_GRAY, 0, g);
    unsigned char *buf;
    size_t len;
    CHECK_OK(ginv_read_file(p, 1 << 20, &buf, &len));
    CHECK(ginv_png_parse_gray(buf, len - 20, &im) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "PNG decoder"), "%s", ginv_last_error());
    CHECK(im.pix == NULL);
    CHECK(ginv_png_parse_gray(buf + 1, len - 1, &im) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "PNG signature is missing") != NULL);
    ginv_free(buf);
}

TEST(png_written_by_ginv_reads_back_at_8_bits)
{
    float v[6] = {0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 0.1f};
    const char *p = tmp_path("own.png");
    CHECK_OK(ginv_png_write_gray(p, 3, 2, v, 0, 1));
    ginv_images im;
    CHECK_OK(read_png(p, &im));
    CHECK(im.w == 3 && im.h == 2);
    for (int i = 0; i < 6 && im.pix; i++) CHECK_NEAR(im.pix[i], lround(255.0 * v[i]) / 255.0, 1e-7);
    ginv_images_release(&im);
}

TEST(image_file_lists_load_in_order_with_slices_and_equal_sizes)
{
    unsigned a[4] = {0, 255, 0, 255};
    char pa[512], pb[512], pc[512], spec[2048];
    snprintf(pa, sizeof pa, "%s", tmp_path("a.png"));
    snprintf(pb, sizeof pb, "%s", tmp_path("b.PGM"));
    snprintf(pc, sizeof pc, "%s", tmp_path("c.pgm"));
    write_png(pa, 2, 2, 8, PNG_COLOR_TYPE_GRAY, 0, a);
    const char pgm[] = "P2 2 2 4 1 2 3 4";
    CHECK_OK(ginv_write_atomic(pb, pgm, sizeof pgm - 1));
    const char big[] = "P5 3 2 255\n\x01\x02\x03\x04\x05\x06";
    CHECK_OK(ginv_write_atomic(pc, big, sizeof big - 1));
    ginv_images im;
    snprintf(spec, sizeof spec, "%s,%s", pa, pb);
    CHECK_OK(ginv_images_load(spec, &im));
    CHECK(im.count == 2 && im.h == 2 && im.w == 2 && !im.labels);
    if (im.pix) {
        CHECK(im.pix[1] == 1.0f && im.pix[2] == 0.0f);
        CHECK(im.pix[4] == 0.25f && im.pix[7] == 1.0f);
    }
    ginv_images_release(&im);
    /* a slice picks files: [1:] is the PGM alone, [::-1] reverses */
    snprintf(spec, sizeof spec, "%s,%s[1:]", pa, pb);
    CHECK_OK(ginv_images_load(spec, &im));
    CHECK(im.count == 1 && im.pix && im.pix[0] == 0.25f);
    ginv_images_release(&im);
    snprintf(spec, sizeof spec, "%s,%s[::-1]", pa, pb);
    CHECK_OK(ginv_images_load(spec, &im));
    CHECK(im.count == 2 && im.pix && im.pix[0] == 0.25f && im.pix[5] == 1.0f);
    ginv_images_release(&im);
    /* sizes must agree */
    snprintf(spec, sizeof spec, "%s,%s", pa, pc);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "is 2 x 3 (height x width) but") &&
              strstr(ginv_last_error(), "must have the same size"), "%s", ginv_last_error());
    CHECK(im.pix == NULL);
    /* an item that is not .png/.pgm, a missing file, a malformed one */
    snprintf(spec, sizeof spec, "%s,notes.txt", pa);
    CHECK(ginv_images_load(spec, &im) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "'notes.txt' in the list"), "%s", ginv_last_error());
    CHECK(ginv_images_load("/nonexistent/x.png", &im) == GINV_ERR_IO);
    const char bad[] = "P5 2 2 255\n\x01";
    CHECK_OK(ginv_write_atomic(pc, bad, sizeof bad - 1));
    CHECK(ginv_images_load(pc, &im) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), pc) && strstr(ginv_last_error(), "raster is truncated"),
              "%s", ginv_last_error());
    remove(pa);
    remove(pb);
    remove(pc);
}
