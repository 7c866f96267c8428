/* test_model_malformed.c — model files that are valid safetensors but not
 * valid ginv models (tests/malformed/model/) fail to load, with a message
 * that says why. */
#include "corpus.h"
#include "test.h"

#include <string.h>

/* Load a corpus file as a model, with live library memory capped at 64 MiB
 * beyond what is live now: a loader that believes a forged header and
 * allocates what it declares fails at once with "out of memory" (and the
 * corpus message check) instead of zeroing gigabytes. */
static ginv_status load_model(const char *path, const unsigned char *buf, size_t len)
{
    ginv_net *net = NULL;
    size_t old = ginv_alloc_limit(ginv_live_bytes() + ((size_t)64 << 20));
    ginv_status s = ginv_net_load(path, &net);
    ginv_alloc_limit(old);
    if (s == GINV_OK) ginv_net_free(net);
    return s;
}

/* Issue 18 item 3: 211 bytes whose metadata declares a 65536 x 65537 dense
 * layer are refused by the shape check, before the 16.8 GB parameter block
 * (or anything beyond a few times the file's size) is allocated. */
TEST(model_header_cannot_make_the_loader_allocate_what_the_file_lacks)
{
    char path[512];
    snprintf(path, sizeof path, "%s/model/huge_dense_layer.safetensors", corpus_root());
    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 16 * 1024);
    ginv_net *net = NULL;
    ginv_status s = ginv_net_from_st(&f, &net);
    ginv_alloc_limit(old);
    CHECK_MSG(s == GINV_ERR_SHAPE, "status %d: %s", (int)s, ginv_last_error());
    CHECK_MSG(strstr(ginv_last_error(), "needs [65537, 65536]"), "message: %s", ginv_last_error());
    if (s == GINV_OK) ginv_net_free(net);
    ginv_st_release(&f);
}

TEST(alloc_limit_caps_live_bytes_and_lifts)
{
    size_t old = ginv_alloc_limit(ginv_live_bytes() + 1000);
    void *a = ginv_malloc(600), *b = ginv_malloc(600);
    CHECK(a && !b);
    void *c = ginv_realloc(a, 2000);
    CHECK(!c);
    c = ginv_realloc(a, 900);
    CHECK(c);
    ginv_alloc_limit(old);
    b = ginv_malloc(600);
    CHECK(b);
    ginv_free(b);
    ginv_free(c);
}

TEST(model_malformed_corpus_is_rejected_with_distinct_messages)
{
    int n = corpus_check("model", load_model);
    CHECK_MSG(n >= 2, "only %d corpus files", n);
}

TEST(model_corpus_files_are_valid_safetensors)
{
    const char *files[] = {"layers_do_not_chain.safetensors", "metadata_ginv_not_json.safetensors"};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/model/%s", corpus_root(), files[i]);
        ginv_st_file f;
        CHECK_OK(ginv_st_read(path, &f));
        ginv_st_release(&f);
    }
}
