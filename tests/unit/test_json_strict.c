/* test_json_strict.c — every JSON the project reads refuses repeated keys
 * (issue 18 item 14: cJSON keeps both members and lookups take the first, so
 * a spec with "trials" twice ran with the first value, silently): the shared
 * reader (src/io/json.c) and each reader that goes through it — sweep specs,
 * model architectures, the ginv.problem entry with its source, VAE files. */
#include "io/json_internal.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

/* A strict parse of text must fail with a message holding want. */
static void refused(const char *text, const char *want)
{
    cJSON *j = (cJSON *)1;
    ginv_status st = ginv_json_parse_strict(text, strlen(text), "the test text", &j);
    CHECK_MSG(st == GINV_ERR_FORMAT && !j, "'%s' accepted", text);
    CHECK_MSG(strstr(ginv_last_error(), want), "'%s': message '%s' lacks '%s'", text, ginv_last_error(), want);
}

TEST(json_strict_reader_refuses_repeated_keys_at_any_depth_naming_them)
{
    refused("{\"a\":1,\"b\":2,\"a\":3}", "the test text has key \"a\" twice in the top-level object");
    refused("{\"a\":{\"x\":1,\"x\":1}}", "key \"x\" twice in object \"a\"");
    refused("{\"a\":[1,{\"y\":[{\"z\":0,\"z\":0}]}]}", "key \"z\" twice in object \"a\"[1].\"y\"[0]");
    refused("[{},{\"k\":1,\"k\":2}]", "key \"k\" twice in object [1]");
    /* more members than the pairwise check handles: the sorted path */
    char big[2048];
    size_t n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "{");
    for (int i = 0; i < 40; i++) n += (size_t)snprintf(big + n, sizeof big - n, "\"k%d\":%d,", i, i);
    snprintf(big + n, sizeof big - n, "\"k17\":0}");
    refused(big, "key \"k17\" twice in the top-level object");
    refused("{\"a\":1} x", "has bytes after its JSON value, at byte 8");
    refused("{\"a\":", "the test text is not valid JSON");
    /* RFC 8259 section 7: no raw control character inside a string (the
     * fuzzer's key "layers" followed by NUL bytes passed as "layers"), and
     * no escaped NUL, which a C string cannot keep */
    const char raw[] = "{\"layers\0\0\": 1}";
    cJSON *r = (cJSON *)1;
    CHECK(ginv_json_parse_strict(raw, sizeof raw - 1, "raw", &r) == GINV_ERR_FORMAT && !r);
    CHECK(strstr(ginv_last_error(), "raw control character (byte 0x00) inside a string at byte 8") != NULL);
    refused("[\"a\tb\"]", "raw control character (byte 0x09) inside a string at byte 3");
    refused("{\"k\": \"x\\u0000y\"}", "has \\u0000 (a NUL character) inside a string at byte 8");
    /* escaped, they are fine: a tab, an escaped backslash before "u0000" */
    const char *esc = "[\"a\\tb\", \"\\\\u0000\", \"\\u0001\"]";
    r = NULL;
    CHECK_OK(ginv_json_parse_strict(esc, strlen(esc), "escaped", &r));
    CHECK(cJSON_GetArraySize(r) == 3 && !strcmp(cJSON_GetArrayItem(r, 1)->valuestring, "\\u0000"));
    cJSON_Delete(r);
    /* distinct keys, also ones equal up to case, are fine */
    cJSON *j = NULL;
    const char *ok = "{\"a\":1,\"A\":2,\"b\":{\"a\":1},\"c\":[{\"a\":1},{\"a\":2}]}  \n";
    CHECK_OK(ginv_json_parse_strict(ok, strlen(ok), "ok", &j));
    CHECK(cJSON_IsObject(j));
    cJSON_Delete(j);
}

TEST(sweep_spec_with_a_repeated_key_is_refused)
{
    const char *bad[] = {
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [5]}, \"trials\": 3, "
        "\"trials\": 30}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\", \"layers\": \"4,30\"}, \"grid\": {\"m\": [5]}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [5], \"m\": [6]}}",
    };
    const char *want[] = {"has key \"trials\" twice in the top-level object", "has key \"layers\" twice in object \"fixed\"",
                          "has key \"m\" twice in object \"grid\""};
    for (int i = 0; i < 3; i++) {
        ginv_sweep_spec *s = NULL;
        CHECK(ginv_sweep_spec_parse(bad[i], strlen(bad[i]), &s) == GINV_ERR_FORMAT);
        CHECK_MSG(strstr(ginv_last_error(), want[i]), "spec %d: '%s' lacks '%s'", i, ginv_last_error(), want[i]);
        ginv_sweep_spec_free(s);
    }
    /* from a file, the message names it */
    char path[256];
    snprintf(path, sizeof path, "%s/dup_spec.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f);
    if (!f) return;
    fputs(bad[0], f);
    fclose(f);
    ginv_sweep_spec *s = NULL;
    CHECK(ginv_sweep_spec_load(path, &s) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "dup_spec.json") && strstr(ginv_last_error(), "\"trials\" twice"), "message: %s",
              ginv_last_error());
    ginv_sweep_spec_free(s);
}

TEST(problem_entry_with_a_repeated_key_is_refused_also_inside_its_source)
{
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 1, spec));
    double target[2] = {0, 1};
    /* ginv_problem_save embeds the source as it parses, repeated key and all */
    ginv_problem pb = {.n = 2, .target = target, .p = GINV_NORM_EXACT, .latent = GINV_LATENT_01,
                       .source_json = "{\"kind\":\"sat\",\"n\":2,\"n\":3}"};
    char path[256];
    snprintf(path, sizeof path, "%s/dup_problem.safetensors", test_tmpdir());
    CHECK_OK(ginv_problem_save(net, &pb, path));
    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    ginv_problem got;
    int found = 1;
    CHECK(ginv_problem_from_st(&f, 2, &got, &found) == GINV_ERR_FORMAT && !found);
    CHECK_MSG(strstr(ginv_last_error(), "__metadata__[\"ginv.problem\"] has key \"n\" twice in object \"source\""),
              "message: %s", ginv_last_error());
    ginv_st_release(&f);

    /* a repeated top-level key of the entry itself */
    ginv_st_writer *w = ginv_st_writer_new();
    CHECK_OK(ginv_net_write_part(net, w, "ginv", ""));
    CHECK_OK(ginv_st_writer_meta(w, "ginv.problem", "{\"target\":[0,1],\"delta\":0,\"delta\":5,\"p\":\"exact\","
                                                    "\"latent\":\"01\"}"));
    CHECK_OK(ginv_st_writer_save(w, path));
    ginv_st_writer_free(w);
    CHECK_OK(ginv_st_read(path, &f));
    CHECK(ginv_problem_from_st(&f, 2, &got, &found) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "has key \"delta\" twice in the top-level object"), "message: %s",
              ginv_last_error());
    ginv_st_release(&f);
    ginv_net_free(net);
}

TEST(vae_file_with_a_repeated_metadata_key_is_refused)
{
    char path[256];
    snprintf(path, sizeof path, "%s/dup_vae.safetensors", test_tmpdir());
    ginv_st_writer *w = ginv_st_writer_new();
    CHECK_OK(ginv_st_writer_meta(w, "ginv.vae", "{\"n\":4,\"k\":2,\"k\":3,\"hidden\":[3],\"act\":\"softplus\"}"));
    CHECK_OK(ginv_st_writer_save(w, path));
    ginv_st_writer_free(w);
    ginv_vae *v = NULL;
    CHECK(ginv_vae_load(path, &v) == GINV_ERR_FORMAT && !v);
    CHECK_MSG(strstr(ginv_last_error(), "__metadata__[\"ginv.vae\"] has key \"k\" twice"), "message: %s",
              ginv_last_error());
}
