/* test_model_malformed.c — model files that are valid safetensors but not
 * valid ginv models (tests/malformed/model/) fail to load, with a message
 * that says why. */
#include "corpus.h"
#include "test.h"

/* Load a corpus file as a model. */
static ginv_status load_model(const char *path, const unsigned char *buf, size_t len)
{
    ginv_net *net = NULL;
    ginv_status s = ginv_net_load(path, &net);
    if (s == GINV_OK) ginv_net_free(net);
    return s;
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
