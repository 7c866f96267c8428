/* corpus.c — the malformed-file corpus runner (see corpus.h). */
#include "corpus.h"

#include "test.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CASES 256

const char *corpus_root(void)
{
    const char *env = getenv("GINV_TEST_DATA");
    return env && env[0] ? env : "tests/malformed";
}

/* Remove every occurrence of needle from s, in place. */
static void strip_all(char *s, const char *needle)
{
    size_t n = strlen(needle);
    char *p;
    while (n && (p = strstr(s, needle))) memmove(p, p + n, strlen(p + n) + 1);
}

int corpus_check(const char *folder, corpus_load_fn load)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/%s", corpus_root(), folder);
    snprintf(path, sizeof path, "%s/EXPECT", dir);
    unsigned char *man;
    size_t mlen;
    if (ginv_read_file(path, 1 << 20, &man, &mlen) != GINV_OK) {
        CHECK_MSG(0, "cannot read the manifest: %s (run from the repository root)", ginv_last_error());
        return 0;
    }
    static char names[MAX_CASES][128];
    static char msgs[MAX_CASES][1024];
    int n = 0;
    for (char *line = strtok((char *)man, "\n"); line; line = strtok(NULL, "\n")) {
        if (!line[0] || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        CHECK_MSG(tab, "%s: manifest line without a TAB: '%s'", folder, line);
        if (!tab) continue;
        *tab = 0;
        const char *file = line, *expect = tab + 1;
        if (n == MAX_CASES) {
            CHECK_MSG(0, "%s: more than %d cases", folder, MAX_CASES);
            break;
        }
        snprintf(path, sizeof path, "%s/%s", dir, file);
        unsigned char *buf;
        size_t len;
        if (ginv_read_file(path, 1 << 26, &buf, &len) != GINV_OK) {
            CHECK_MSG(0, "%s: %s", folder, ginv_last_error());
            continue;
        }
        ginv_clear_error();
        ginv_status s = load(path, buf, len);
        ginv_free(buf);
        const char *msg = ginv_last_error();
        CHECK_MSG(s != GINV_OK, "%s/%s: loaded without error", folder, file);
        CHECK_MSG(strstr(msg, expect), "%s/%s: message '%s' lacks '%s'", folder, file, msg, expect);
        snprintf(names[n], sizeof names[n], "%s", file);
        snprintf(msgs[n], sizeof msgs[n], "%s", msg);
        strip_all(msgs[n], path);
        for (int j = 0; j < n; j++)
            CHECK_MSG(strcmp(msgs[j], msgs[n]), "%s: %s and %s give the same message '%s'", folder, names[j],
                      names[n], msgs[n]);
        n++;
    }
    ginv_free(man);

    DIR *d = opendir(dir);
    CHECK_MSG(d, "cannot list %s", dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "EXPECT")) continue;
        int listed = 0;
        for (int j = 0; j < n && !listed; j++) listed = !strcmp(names[j], e->d_name);
        CHECK_MSG(listed, "%s/%s is not listed in EXPECT", folder, e->d_name);
    }
    if (d) closedir(d);
    return n;
}
