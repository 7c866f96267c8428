/* test_safetensors.c — the safetensors reader and writer: bit-exact round
 * trips, F64 -> F32 reads, strict rejection of the malformed corpus, and every
 * truncation of a valid file. */
#include "corpus.h"
#include "test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* A path in the test run's temporary directory. */
static const char *tmp_path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", test_tmpdir(), name);
    return p;
}

/* Build the bytes of a safetensors file from a header text and data. */
static unsigned char *st_bytes(const char *hdr, const void *data, size_t dlen, size_t *len)
{
    size_t n = strlen(hdr);
    *len = 8 + n + dlen;
    unsigned char *b = ginv_malloc(*len);
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, hdr, n);
    if (dlen) memcpy(b + 8 + n, data, dlen);
    return b;
}

/* The value of key in a metadata JSON text, copied into buf ("" if absent). */
static const char *meta_value(const char *json, const char *key, char *buf, size_t size)
{
    buf[0] = 0;
    cJSON *m = cJSON_Parse(json);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    if (cJSON_IsString(v)) snprintf(buf, size, "%s", v->valuestring);
    cJSON_Delete(m);
    return buf;
}

TEST(safetensors_round_trip_is_bit_exact_for_f32_and_f64_with_metadata)
{
    float w[12];
    uint32_t bits[12] = {0x00000000, 0x80000000, 0x00000001, 0x007fffff, 0x3f800000, 0xbf800001,
                         0x7f7fffff, 0xff7fffff, 0x3eaaaaab, 0x42f6e979, 0x33d6bf95, 0x12345678};
    memcpy(w, bits, sizeof w);
    double v[5] = {0.1, -1e-300, 1e300, 4.9406564584124654e-324, -0.0};
    float scalar = 3.25f;
    int64_t sw[2] = {3, 4}, sv[1] = {5}, se[2] = {0, 7};
    const char *note = "ünïcode \"quoted\" back\\slash\nnew line\ttab";
    const char *arch = "{\"format\":\"ginv-net\",\"version\":1,\"layers\":[{\"type\":\"relu\"}]}";

    ginv_st_writer *wr = ginv_st_writer_new();
    CHECK(wr);
    CHECK_OK(ginv_st_writer_add(wr, "layers.0.weight", GINV_DT_F32, 2, sw, w));
    CHECK_OK(ginv_st_writer_add(wr, "v64", GINV_DT_F64, 1, sv, v));
    CHECK_OK(ginv_st_writer_add(wr, "scalar", GINV_DT_F32, 0, NULL, &scalar));
    CHECK_OK(ginv_st_writer_add(wr, "empty", GINV_DT_F32, 2, se, NULL));
    CHECK_OK(ginv_st_writer_meta(wr, "ginv", arch));
    CHECK_OK(ginv_st_writer_meta(wr, "note", note));
    const char *path = tmp_path("round.safetensors");
    CHECK_OK(ginv_st_writer_save(wr, path));
    ginv_st_writer_free(wr);

    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    CHECK(f.ntensors == 4);
    const ginv_st_tensor *t = ginv_st_find(&f, "layers.0.weight");
    CHECK(t && t->dtype == GINV_DT_F32 && t->ndim == 2 && t->shape[0] == 3 && t->shape[1] == 4);
    CHECK(t && t->nbytes == sizeof w && !memcmp(f.data + t->offset, w, sizeof w));
    t = ginv_st_find(&f, "v64");
    CHECK(t && t->dtype == GINV_DT_F64 && t->ndim == 1 && t->shape[0] == 5);
    CHECK(t && t->nbytes == sizeof v && !memcmp(f.data + t->offset, v, sizeof v));
    t = ginv_st_find(&f, "scalar");
    CHECK(t && t->ndim == 0 && t->nbytes == 4 && !memcmp(f.data + t->offset, &scalar, 4));
    t = ginv_st_find(&f, "empty");
    CHECK(t && t->ndim == 2 && t->shape[0] == 0 && t->shape[1] == 7 && t->nbytes == 0);
    CHECK(ginv_st_find(&f, "missing") == NULL);
    char buf[256];
    CHECK(f.metadata_json);
    CHECK(f.metadata_json && !strcmp(meta_value(f.metadata_json, "ginv", buf, sizeof buf), arch));
    CHECK(f.metadata_json && !strcmp(meta_value(f.metadata_json, "note", buf, sizeof buf), note));

    float *got = NULL;
    CHECK_OK(ginv_st_get_f32(&f, "layers.0.weight", 12, &got));
    CHECK(got && !memcmp(got, w, sizeof w));
    ginv_free(got);
    ginv_st_release(&f);
    CHECK(f.ntensors == 0 && f.data == NULL && f.metadata_json == NULL);

    /* The header is space-padded so the data buffer starts at a multiple of 8. */
    unsigned char *raw;
    size_t len;
    CHECK_OK(ginv_read_file(path, 1 << 20, &raw, &len));
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | raw[i];
    CHECK((8 + n) % 8 == 0);
    CHECK(raw[8] == '{');
    /* Parsing the same bytes from memory agrees with reading the file. */
    CHECK_OK(ginv_st_parse(raw, len, &f));
    CHECK(f.ntensors == 4 && f.data_len == sizeof w + sizeof v + 4);
    ginv_st_release(&f);
    ginv_free(raw);
}

TEST(safetensors_get_f32_converts_f64_and_checks_the_count)
{
    double v[3] = {0.5, -2.25, 1e-3};
    int64_t s[1] = {3};
    ginv_st_writer *wr = ginv_st_writer_new();
    CHECK_OK(ginv_st_writer_add(wr, "v", GINV_DT_F64, 1, s, v));
    int8_t i8[3] = {1, 2, 3};
    CHECK_OK(ginv_st_writer_add(wr, "i", GINV_DT_I8, 1, s, i8));
    double big[3] = {1e300, 0, 0};
    CHECK_OK(ginv_st_writer_add(wr, "big", GINV_DT_F64, 1, s, big));
    const char *path = tmp_path("f64.safetensors");
    CHECK_OK(ginv_st_writer_save(wr, path));
    ginv_st_writer_free(wr);

    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    float *x = NULL;
    CHECK_OK(ginv_st_get_f32(&f, "v", 3, &x));
    CHECK(x && x[0] == 0.5f && x[1] == -2.25f && x[2] == (float)1e-3);
    ginv_free(x);
    CHECK(ginv_st_get_f32(&f, "v", 4, &x) == GINV_ERR_SHAPE && x == NULL);
    CHECK_MSG(strstr(ginv_last_error(), "has 3 elements"), "%s", ginv_last_error());
    CHECK(ginv_st_get_f32(&f, "nope", 3, &x) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "'nope' not found"), "%s", ginv_last_error());
    CHECK(ginv_st_get_f32(&f, "i", 3, &x) == GINV_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(ginv_last_error(), "is I8"), "%s", ginv_last_error());
    CHECK(ginv_st_get_f32(&f, "big", 3, &x) == GINV_ERR_NUMERIC);
    CHECK_MSG(strstr(ginv_last_error(), "outside the float32 range"), "%s", ginv_last_error());
    ginv_st_release(&f);
}

TEST(safetensors_writer_refuses_bad_tensors)
{
    ginv_st_writer *wr = ginv_st_writer_new();
    float x[2] = {1, 2};
    int64_t s[1] = {2}, neg[1] = {-1};
    CHECK_OK(ginv_st_writer_add(wr, "a", GINV_DT_F32, 1, s, x));
    CHECK(ginv_st_writer_add(wr, "a", GINV_DT_F32, 1, s, x) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "already added"), "%s", ginv_last_error());
    CHECK(ginv_st_writer_add(wr, "", GINV_DT_F32, 1, s, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "__metadata__", GINV_DT_F32, 1, s, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "b\xff", GINV_DT_F32, 1, s, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "b", GINV_DT_F32, 1, neg, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "b", GINV_DT_F32, 9, s, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "b", (ginv_dtype)99, 1, s, x) == GINV_ERR_ARG);
    CHECK(ginv_st_writer_add(wr, "b", GINV_DT_F32, 1, s, NULL) == GINV_ERR_ARG);
    CHECK_OK(ginv_st_writer_meta(wr, "k", "v"));
    CHECK(ginv_st_writer_meta(wr, "k", "w") == GINV_ERR_ARG);
    CHECK(ginv_st_writer_save(wr, "/nonexistent-dir/x.safetensors") == GINV_ERR_IO);
    ginv_st_writer_free(wr);
}

TEST(safetensors_accepts_headers_from_other_writers)
{
    /* Whitespace, key order, metadata last, an empty tensor, no padding. */
    const char *hdr = "{ \"b\" : { \"data_offsets\" : [4, 8], \"shape\": [1], \"dtype\": \"F32\" },\n"
                      "  \"a\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]},\n"
                      "  \"z\": {\"dtype\": \"F64\", \"shape\": [0, 3], \"data_offsets\": [8, 8]},\n"
                      "  \"__metadata__\": {\"format\": \"pt\", \"\u00e9\": \"\\u00e9\"} }   ";
    unsigned char data[8] = {1, 2, 3, 4, 0, 0, 0x80, 0x3f};
    size_t len;
    unsigned char *b = st_bytes(hdr, data, 8, &len);
    ginv_st_file f;
    CHECK_OK(ginv_st_parse(b, len, &f));
    CHECK(f.ntensors == 3 && !strcmp(f.tensors[0].name, "b"));
    float *x = NULL;
    CHECK_OK(ginv_st_get_f32(&f, "b", 1, &x));
    CHECK(x && x[0] == 1.0f);
    ginv_free(x);
    const ginv_st_tensor *a = ginv_st_find(&f, "a");
    CHECK(a && a->dtype == GINV_DT_BF16 && a->offset == 0 && a->nbytes == 4);
    char buf[64];
    CHECK(!strcmp(meta_value(f.metadata_json, "\u00e9", buf, sizeof buf), "\u00e9"));
    ginv_st_release(&f);
    ginv_free(b);

    /* A file with no tensors at all. */
    b = st_bytes("{}      ", NULL, 0, &len);
    CHECK_OK(ginv_st_parse(b, len, &f));
    CHECK(f.ntensors == 0 && f.data_len == 0 && f.metadata_json == NULL);
    ginv_st_release(&f);
    ginv_free(b);
}

TEST(safetensors_rejects_every_truncation_of_a_valid_file)
{
    float w[6] = {1, 2, 3, 4, 5, 6};
    int64_t s[2] = {2, 3};
    ginv_st_writer *wr = ginv_st_writer_new();
    CHECK_OK(ginv_st_writer_add(wr, "w", GINV_DT_F32, 2, s, w));
    CHECK_OK(ginv_st_writer_add(wr, "v", GINV_DT_F32, 1, s, w));
    CHECK_OK(ginv_st_writer_meta(wr, "k", "v"));
    const char *path = tmp_path("trunc.safetensors");
    CHECK_OK(ginv_st_writer_save(wr, path));
    ginv_st_writer_free(wr);
    unsigned char *raw;
    size_t len;
    CHECK_OK(ginv_read_file(path, 1 << 20, &raw, &len));
    int accepted = 0;
    for (size_t n = 0; n < len; n++) {
        ginv_st_file f;
        if (ginv_st_parse(raw, n, &f) == GINV_OK) {
            accepted++;
            ginv_st_release(&f);
        } else {
            CHECK(f.ntensors == 0 && f.tensors == NULL && f.data == NULL);
        }
    }
    CHECK_MSG(accepted == 0, "%d truncations were accepted", accepted);
    ginv_free(raw);
}

TEST(safetensors_read_names_the_path_of_a_bad_file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/safetensors/hole.safetensors", corpus_root());
    ginv_st_file f;
    CHECK(ginv_st_read(path, &f) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), path) && strstr(ginv_last_error(), "has a hole"), "%s",
              ginv_last_error());
    CHECK(ginv_st_read(tmp_path("does-not-exist.safetensors"), &f) == GINV_ERR_IO);
    CHECK_MSG(strstr(ginv_last_error(), "does-not-exist"), "%s", ginv_last_error());
}

/* Parse a corpus file from memory (the message then names no path). */
static ginv_status load_st(const char *path, const unsigned char *buf, size_t len)
{
    ginv_st_file f;
    ginv_status s = ginv_st_parse(buf, len, &f);
    ginv_st_release(&f);
    return s;
}

/* Read a corpus file by path. */
static ginv_status read_st(const char *path, const unsigned char *buf, size_t len)
{
    ginv_st_file f;
    ginv_status s = ginv_st_read(path, &f);
    ginv_st_release(&f);
    return s;
}

TEST(safetensors_malformed_corpus_is_rejected_with_distinct_messages)
{
    int n = corpus_check("safetensors", load_st);
    CHECK_MSG(n >= 15, "only %d corpus files", n);
    corpus_check("safetensors", read_st);
}
