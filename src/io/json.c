/* json.c — strict JSON reading (see json_internal.h): cJSON parses, then a
 * walk over every object refuses repeated keys, naming the key and where it
 * sits. */
#include "io/json_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* qsort order of C strings. */
static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key repeated among o's members, or NULL; *nomem on allocation failure. */
static const char *repeated_key(const cJSON *o, int *nomem)
{
    size_t n = 0;
    for (const cJSON *c = o->child; c; c = c->next) n++;
    if (n < 2) return NULL;
    if (n <= 16) { /* the usual small object: compare pairs */
        for (const cJSON *a = o->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (a->string && b->string && !strcmp(a->string, b->string)) return a->string;
        return NULL;
    }
    const char **keys = ginv_malloc(n * sizeof *keys);
    if (!keys) {
        *nomem = 1;
        return NULL;
    }
    size_t k = 0;
    for (const cJSON *c = o->child; c; c = c->next) keys[k++] = c->string ? c->string : "";
    qsort(keys, n, sizeof *keys, by_str);
    const char *dup = NULL;
    for (size_t i = 1; i < n && !dup; i++)
        if (!strcmp(keys[i], keys[i - 1])) dup = keys[i];
    ginv_free(keys);
    return dup;
}

/* Append a path step to path (len bytes used of cap), truncating quietly. */
static size_t path_add(char *path, size_t len, size_t cap, const cJSON *parent, const cJSON *child,
                       int index)
{
    if (len >= cap) return len;
    int w = cJSON_IsObject(parent) ? snprintf(path + len, cap - len, "%s\"%.60s\"", len ? "." : "",
                                              child->string ? child->string : "")
                                   : snprintf(path + len, cap - len, "[%d]", index);
    return w < 0 ? len : len + (size_t)w < cap ? len + (size_t)w : cap - 1;
}

static ginv_status walk(const cJSON *v, const char *what, char *path, size_t len, size_t cap)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) return GINV_OK;
    if (cJSON_IsObject(v)) {
        int nomem = 0;
        const char *dup = repeated_key(v, &nomem);
        if (nomem) return ginv_fail(GINV_ERR_NOMEM, "out of memory checking the keys of %s", what);
        if (dup) {
            path[len < cap ? len : cap - 1] = 0;
            if (len == 0)
                return ginv_fail(GINV_ERR_FORMAT, "%s has key \"%.80s\" twice in the top-level object; "
                                 "JSON keys must be unique", what, dup);
            return ginv_fail(GINV_ERR_FORMAT, "%s has key \"%.80s\" twice in object %s; JSON keys "
                             "must be unique", what, dup, path);
        }
    }
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c)) continue;
        size_t l2 = path_add(path, len, cap, v, c, i);
        ginv_status st = walk(c, what, path, l2, cap);
        path[len < cap ? len : cap - 1] = 0;
        if (st != GINV_OK) return st;
    }
    return GINV_OK;
}

ginv_status ginv_json_check_unique(const cJSON *root, const char *what)
{
    char path[256] = "";
    return walk(root, what ? what : "JSON", path, 0, sizeof path);
}

/* RFC 8259 section 7, which cJSON does not enforce: a string holds no raw
 * control character (U+0000..U+001F must be escaped). And a C string cannot
 * hold U+0000, so "\u0000" is refused too rather than cut short. Returns the
 * byte offset of the first offence and its kind (1 raw, 2 escaped NUL), or
 * kind 0. */
static size_t string_offence(const char *text, size_t len, int *kind)
{
    int in = 0;
    *kind = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!in) {
            in = c == '"';
            continue;
        }
        if (c < 0x20) {
            *kind = 1;
            return i;
        }
        if (c == '"') in = 0;
        else if (c == '\\' && i + 1 < len) {
            if (text[i + 1] == 'u' && i + 5 < len && !strncmp(text + i + 2, "0000", 4)) {
                *kind = 2;
                return i;
            }
            i++; /* the escaped character */
        }
    }
    return 0;
}

ginv_status ginv_json_parse_strict(const char *text, size_t len, const char *what, cJSON **out)
{
    *out = NULL;
    if (!what) what = "JSON";
    if (!text) return ginv_fail(GINV_ERR_FORMAT, "%s is missing (no JSON text)", what);
    if (len == (size_t)-1) len = strlen(text);
    int bad;
    size_t at_bad = string_offence(text, len, &bad);
    if (bad == 1)
        return ginv_fail(GINV_ERR_FORMAT, "%s has a raw control character (byte 0x%02x) inside a "
                         "string at byte %zu; JSON strings must escape it", what,
                         (unsigned char)text[at_bad], at_bad);
    if (bad == 2)
        return ginv_fail(GINV_ERR_FORMAT, "%s has \\u0000 (a NUL character) inside a string at "
                         "byte %zu; ginv's names and values cannot hold it", what, at_bad);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        return ginv_fail(GINV_ERR_FORMAT, "%s is not valid JSON (near byte %zu of %zu)", what, at, len);
    }
    for (const char *p = end; p && p < text + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            cJSON_Delete(root);
            return ginv_fail(GINV_ERR_FORMAT, "%s has bytes after its JSON value, at byte %zu", what,
                             (size_t)(p - text));
        }
    ginv_status st = ginv_json_check_unique(root, what);
    if (st != GINV_OK) {
        cJSON_Delete(root);
        return st;
    }
    *out = root;
    return GINV_OK;
}
