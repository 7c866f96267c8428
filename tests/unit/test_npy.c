/* test_npy.c — arrays as files: .npy v1/v2/v3 parsing (bytes built here),
 * float64 -> float32, the .npy writer's layout, text arrays with their line
 * numbered errors, round trips, and the malformed .npy corpus. */
#include "corpus.h"
#include "test.h"

#include <string.h>

/* A path in the test run's temporary directory. */
static const char *tmp_path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", test_tmpdir(), name);
    return p;
}

/* Build a .npy file: magic, version, header length (2 or 4 bytes), the
 * header dict, then data. */
static unsigned char *npy_bytes(int major, const char *dict, const void *data, size_t dlen, size_t *len)
{
    size_t h = strlen(dict), lsz = major == 1 ? 2 : 4;
    *len = 8 + lsz + h + dlen;
    unsigned char *b = ginv_malloc(*len);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < lsz; i++) b[8 + i] = (unsigned char)(h >> (8 * i));
    memcpy(b + 8 + lsz, dict, h);
    if (dlen) memcpy(b + 8 + lsz + h, data, dlen);
    return b;
}

TEST(npy_v1_float32_parses_shape_and_values)
{
    float v[6] = {1, -2, 3.5f, 0, 1e-38f, 7};
    size_t len;
    unsigned char *b = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      \n", v,
                                 sizeof v, &len);
    ginv_array a;
    CHECK_OK(ginv_npy_parse(b, len, &a));
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && ginv_array_count(&a) == 6);
    CHECK(a.data && !memcmp(a.data, v, sizeof v));
    ginv_array_release(&a);
    CHECK(a.data == NULL && a.ndim == 0);
    ginv_free(b);
}

TEST(npy_v2_float64_converts_to_float32)
{
    double v[4] = {0.1, -1e-5, 12345.678, 1e30};
    size_t len;
    unsigned char *b = npy_bytes(2, "{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(4,)}\n", v, sizeof v,
                                 &len);
    ginv_array a;
    CHECK_OK(ginv_npy_parse(b, len, &a));
    CHECK(a.ndim == 1 && a.shape[0] == 4);
    for (int i = 0; i < 4; i++) CHECK(a.data && a.data[i] == (float)v[i]);
    ginv_array_release(&a);
    ginv_free(b);
}

TEST(npy_v3_native_order_scalar_and_empty_shapes_parse)
{
    float one = 2.5f;
    size_t len;
    unsigned char *b =
        npy_bytes(3, "{'descr': '=f4', 'fortran_order': False, 'shape': ()}\n", &one, 4, &len);
    ginv_array a;
    CHECK_OK(ginv_npy_parse(b, len, &a));
    CHECK(a.ndim == 0 && ginv_array_count(&a) == 1 && a.data && a.data[0] == 2.5f);
    ginv_array_release(&a);
    ginv_free(b);
    b = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5, 1, 2,), }\n", NULL, 0, &len);
    CHECK_OK(ginv_npy_parse(b, len, &a));
    CHECK(a.ndim == 4 && a.shape[0] == 0 && a.shape[1] == 5 && ginv_array_count(&a) == 0);
    ginv_array_release(&a);
    ginv_free(b);
}

TEST(npy_write_is_v1_aligned_to_64_and_round_trips_bit_exact)
{
    float v[2 * 3 * 5];
    for (int i = 0; i < 30; i++) v[i] = (float)i * 0.3f - 4.0f;
    v[7] = -0.0f;
    v[8] = 1.4e-45f;
    int64_t shape[3] = {2, 3, 5};
    const char *path = tmp_path("a.npy");
    CHECK_OK(ginv_array_write(path, v, 3, shape));
    unsigned char *raw;
    size_t len;
    CHECK_OK(ginv_read_file(path, 1 << 20, &raw, &len));
    CHECK(len > 10 && !memcmp(raw, "\x93NUMPY\x01\x00", 8));
    size_t hlen = raw[8] | (size_t)raw[9] << 8;
    CHECK((10 + hlen) % 64 == 0 && raw[10 + hlen - 1] == '\n');
    CHECK(len == 10 + hlen + sizeof v);
    CHECK(strstr((const char *)raw + 10, "'shape': (2, 3, 5)"));
    ginv_free(raw);
    ginv_array a;
    CHECK_OK(ginv_array_read(path, &a));
    CHECK(a.ndim == 3 && a.shape[0] == 2 && a.shape[1] == 3 && a.shape[2] == 5);
    CHECK(a.data && !memcmp(a.data, v, sizeof v));
    ginv_array_release(&a);

    int64_t s1[1] = {1};
    CHECK_OK(ginv_array_write(tmp_path("one.npy"), v, 1, s1));
    CHECK_OK(ginv_array_read(tmp_path("one.npy"), &a));
    CHECK(a.ndim == 1 && a.shape[0] == 1 && a.data[0] == v[0]);
    ginv_array_release(&a);
}

TEST(array_read_refuses_non_finite_values_naming_the_element)
{
    float v[4] = {1, 2, 0, 4};
    v[2] = NAN;
    size_t len;
    unsigned char *b =
        npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }\n", v, sizeof v, &len);
    const char *path = tmp_path("nan.npy");
    CHECK_OK(ginv_write_atomic(path, b, len));
    ginv_free(b);
    ginv_array a;
    CHECK(ginv_array_read(path, &a) == GINV_ERR_NUMERIC);
    CHECK_MSG(strstr(ginv_last_error(), "[1, 0]") && strstr(ginv_last_error(), "NaN") &&
                  strstr(ginv_last_error(), "nan.npy"), "%s", ginv_last_error());
    CHECK(a.data == NULL);
    int64_t s[1] = {4};
    CHECK(ginv_array_write(tmp_path("nan2.npy"), v, 1, s) == GINV_ERR_NUMERIC);
}

TEST(text_parse_reads_rows_and_skips_blank_and_comment_lines)
{
    const char *t = "# a comment\n1 2 3\n\n  \t\n   # indented comment\n4.5\t-5e-1  +6\r\n";
    ginv_array a;
    CHECK_OK(ginv_text_parse(t, strlen(t), &a));
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3);
    float want[6] = {1, 2, 3, 4.5f, -0.5f, 6};
    CHECK(a.data && !memcmp(a.data, want, sizeof want));
    ginv_array_release(&a);

    const char *row = "0.25 0.5 0.75";          /* one row, no final newline: 1-D */
    CHECK_OK(ginv_text_parse(row, strlen(row), &a));
    CHECK(a.ndim == 1 && a.shape[0] == 3 && a.data[2] == 0.75f);
    ginv_array_release(&a);

    const char *col = "1\n2\n3\n";               /* one column: [rows, 1] */
    CHECK_OK(ginv_text_parse(col, strlen(col), &a));
    CHECK(a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 1);
    ginv_array_release(&a);
}

TEST(text_parse_names_the_line_of_a_bad_row)
{
    ginv_array a;
    const char *ragged = "1 2 3\n# c\n4 5 6\n7 8\n";
    CHECK(ginv_text_parse(ragged, strlen(ragged), &a) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "line 4: 2 values"), "%s", ginv_last_error());
    CHECK(a.data == NULL);
    /* NaN/Inf is the numeric class (exit 6), any other defect the format class */
    struct { const char *text, *expect; ginv_status st; } bad[] = {
        {"1 2\n3 nan\n", "line 2, value 2: 'nan' is not finite", GINV_ERR_NUMERIC},
        {"1 2\n3 4\n-inf 5\n", "line 3, value 1: '-inf' is not finite", GINV_ERR_NUMERIC},
        {"1 x2\n", "line 1, value 2: 'x2' is not a number", GINV_ERR_FORMAT},
        {"0x10\n", "'0x10' is not a number", GINV_ERR_FORMAT},
        {"1.5.5\n", "'1.5.5' is not a number", GINV_ERR_FORMAT},
        {"1e39\n", "'1e39' is outside the float32 range", GINV_ERR_FORMAT},
        {"\n# only comments\n\n", "has no numbers", GINV_ERR_FORMAT},
        {"", "has no numbers", GINV_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ginv_status st = ginv_text_parse(bad[i].text, strlen(bad[i].text), &a);
        CHECK_MSG(st == bad[i].st, "case %zu: status %d, expected %d", i, (int)st, (int)bad[i].st);
        CHECK_MSG(strstr(ginv_last_error(), bad[i].expect), "case %zu: '%s' lacks '%s'", i, ginv_last_error(),
                  bad[i].expect);
    }
}

TEST(text_write_round_trips_float32_bit_exact)
{
    float v[8] = {0.1f, -3.4028235e38f, 1.17549435e-38f, 1.4e-45f, 123456789.0f, -0.0f, 1.0f / 3.0f, 2};
    int64_t s2[2] = {2, 4}, s1[1] = {8};
    const char *path = tmp_path("a.txt");
    CHECK_OK(ginv_array_write(path, v, 2, s2));
    ginv_array a;
    CHECK_OK(ginv_array_read(path, &a));
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 4 && !memcmp(a.data, v, sizeof v));
    ginv_array_release(&a);
    CHECK_OK(ginv_array_write(path, v, 1, s1));
    CHECK_OK(ginv_array_read(path, &a));
    CHECK(a.ndim == 1 && a.shape[0] == 8 && !memcmp(a.data, v, sizeof v));
    ginv_array_release(&a);
    int64_t s3[3] = {2, 2, 2};
    CHECK(ginv_array_write(path, v, 3, s3) == GINV_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ginv_last_error(), ".npy"), "%s", ginv_last_error());
}

/* Parse a corpus file from memory. */
static ginv_status load_npy(const char *path, const unsigned char *buf, size_t len)
{
    ginv_array a;
    ginv_status s = ginv_npy_parse(buf, len, &a);
    ginv_array_release(&a);
    return s;
}

/* Read a corpus file by path. */
static ginv_status read_npy(const char *path, const unsigned char *buf, size_t len)
{
    ginv_array a;
    ginv_status s = ginv_array_read(path, &a);
    ginv_array_release(&a);
    return s;
}

TEST(npy_malformed_corpus_is_rejected_with_distinct_messages)
{
    int n = corpus_check("npy", load_npy);
    CHECK_MSG(n >= 15, "only %d corpus files", n);
    corpus_check("npy", read_npy);
}

TEST(npy_rejects_every_truncation_of_a_valid_file)
{
    float v[3] = {1, 2, 3};
    int64_t s[1] = {3};
    CHECK_OK(ginv_array_write(tmp_path("t.npy"), v, 1, s));
    unsigned char *raw;
    size_t len;
    CHECK_OK(ginv_read_file(tmp_path("t.npy"), 1 << 20, &raw, &len));
    int accepted = 0;
    for (size_t n = 0; n < len; n++) {
        ginv_array a;
        if (ginv_npy_parse(raw, n, &a) == GINV_OK) accepted++;
        ginv_array_release(&a);
    }
    CHECK_MSG(accepted == 0, "%d truncations were accepted", accepted);
    ginv_free(raw);
}
