/* test_outputs.c — the output writer's policy (ginv_write_atomic) and output
 * sets (ginv_outset_*): what each kind of path gets, and what a set leaves. */
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", test_tmpdir(), name);
}

static int file_is(const char *path, const char *text)
{
    unsigned char *b;
    size_t n;
    if (ginv_read_file(path, 1 << 20, &b, &n) != GINV_OK) return 0;
    int eq = n == strlen(text) && !memcmp(b, text, n);
    ginv_free(b);
    return eq;
}

/* A PID that no longer runs: a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

TEST(write_atomic_replaces_a_regular_file_and_keeps_its_mode)
{
    char p[512];
    path_in(p, sizeof p, "wa_reg.txt");
    CHECK_OK(ginv_write_atomic(p, "old", 3));
    chmod(p, 0600);
    CHECK_OK(ginv_write_atomic(p, "new!", 4));
    CHECK(file_is(p, "new!"));
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && (sb.st_mode & 07777) == 0600);
    unlink(p);
}

TEST(write_atomic_follows_links_and_keeps_them)
{
    char target[512], link1[512], link2[512], dang[512], made[512];
    path_in(target, sizeof target, "wa_target.txt");
    path_in(link1, sizeof link1, "wa_link1.txt");
    path_in(link2, sizeof link2, "wa_link2.txt");
    path_in(dang, sizeof dang, "wa_dangling.txt");
    path_in(made, sizeof made, "wa_made.txt");
    CHECK_OK(ginv_write_atomic(target, "a", 1));
    CHECK(symlink("wa_target.txt", link1) == 0);
    CHECK(symlink("wa_link1.txt", link2) == 0);
    CHECK_OK(ginv_write_atomic(link2, "through", 7));
    struct stat sb;
    CHECK(lstat(link1, &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(lstat(link2, &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(file_is(target, "through"));
    CHECK(symlink("wa_made.txt", dang) == 0); /* the target does not exist yet */
    CHECK_OK(ginv_write_atomic(dang, "made", 4));
    CHECK(lstat(dang, &sb) == 0 && S_ISLNK(sb.st_mode));
    CHECK(file_is(made, "made"));
    unlink(target), unlink(link1), unlink(link2), unlink(dang), unlink(made);
}

TEST(write_atomic_writes_devices_directly_and_refuses_directories)
{
    CHECK_OK(ginv_write_atomic("/dev/null", "x", 1));
    struct stat sb;
    CHECK(stat("/dev/null", &sb) == 0 && S_ISCHR(sb.st_mode));
    CHECK(ginv_write_atomic("/dev/full", "x", 1) == GINV_ERR_IO);
    CHECK(strstr(ginv_last_error(), "/dev/full") != NULL);
    CHECK(ginv_write_atomic(test_tmpdir(), "x", 1) == GINV_ERR_IO);
    CHECK(strstr(ginv_last_error(), "directory") != NULL);
    CHECK(ginv_write_atomic("", "x", 1) == GINV_ERR_ARG);
}

TEST(write_atomic_removes_temporaries_of_dead_writers_only)
{
    char p[512], dead[600], live[600], other[600];
    path_in(p, sizeof p, "wa_stale.txt");
    snprintf(dead, sizeof dead, "%s.tmp.%ld", p, dead_pid());
    snprintf(live, sizeof live, "%s.tmp.1", p);
    snprintf(other, sizeof other, "%s.tmp.12x", p);
    CHECK_OK(ginv_write_atomic(dead, "", 0));
    CHECK_OK(ginv_write_atomic(live, "", 0));
    CHECK_OK(ginv_write_atomic(other, "", 0));
    CHECK_OK(ginv_write_atomic(p, "ok", 2));
    CHECK(access(dead, F_OK) != 0);
    CHECK(access(live, F_OK) == 0); /* PID 1 runs */
    CHECK(access(other, F_OK) == 0); /* not a PID */
    unlink(p), unlink(live), unlink(other);
}

/* entries of dir whose names start with prefix */
static int count_prefix(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

TEST(outset_appears_whole_keeps_other_files_and_tidies)
{
    char dir[512], f[700];
    path_in(dir, sizeof dir, "os_dir");
    /* a new directory */
    ginv_outset *s;
    CHECK_OK(ginv_outset_begin(dir, &s));
    snprintf(f, sizeof f, "%s/a.txt", ginv_outset_dir(s));
    CHECK_OK(ginv_write_atomic(f, "one", 3));
    CHECK(access(dir, F_OK) != 0); /* nothing until the commit */
    CHECK_OK(ginv_outset_commit(s));
    ginv_outset_free(s);
    snprintf(f, sizeof f, "%s/a.txt", dir);
    CHECK(file_is(f, "one"));
    /* replaced: a user's file stays, a set not committed changes nothing */
    snprintf(f, sizeof f, "%s/user.txt", dir);
    CHECK_OK(ginv_write_atomic(f, "mine", 4));
    CHECK_OK(ginv_outset_begin(dir, &s));
    snprintf(f, sizeof f, "%s/a.txt", ginv_outset_dir(s));
    CHECK_OK(ginv_write_atomic(f, "lost", 4));
    ginv_outset_free(s);
    snprintf(f, sizeof f, "%s/a.txt", dir);
    CHECK(file_is(f, "one"));
    CHECK_OK(ginv_outset_begin(dir, &s));
    snprintf(f, sizeof f, "%s/a.txt", ginv_outset_dir(s));
    CHECK_OK(ginv_write_atomic(f, "two", 3));
    CHECK_OK(ginv_outset_commit(s));
    ginv_outset_free(s);
    snprintf(f, sizeof f, "%s/a.txt", dir);
    CHECK(file_is(f, "two"));
    snprintf(f, sizeof f, "%s/user.txt", dir);
    CHECK(file_is(f, "mine"));
    CHECK(count_prefix(test_tmpdir(), ".os_dir.") == 0);
    /* a killed run's staging directory goes; its old directory, without
     * DIR, comes back before the new set replaces it */
    char stale[700], old[700];
    long dp = dead_pid();
    snprintf(stale, sizeof stale, "%s/.os_dir.staging.%ld", test_tmpdir(), dp);
    snprintf(old, sizeof old, "%s/.os_dir.old.%ld", test_tmpdir(), dp);
    CHECK(mkdir(stale, 0777) == 0);
    CHECK(rename(dir, old) == 0);
    CHECK_OK(ginv_outset_begin(dir, &s));
    CHECK(access(stale, F_OK) != 0);
    CHECK(access(old, F_OK) != 0);
    snprintf(f, sizeof f, "%s/a.txt", dir);
    CHECK(file_is(f, "two")); /* restored */
    ginv_outset_free(s);
    CHECK(count_prefix(test_tmpdir(), ".os_dir.") == 0);
    snprintf(f, sizeof f, "%s/a.txt", dir);
    unlink(f);
    snprintf(f, sizeof f, "%s/user.txt", dir);
    unlink(f);
    rmdir(dir);
}

TEST(outset_refuses_a_file_and_a_missing_parent)
{
    char f[512], sub[600];
    path_in(f, sizeof f, "os_file");
    CHECK_OK(ginv_write_atomic(f, "x", 1));
    ginv_outset *s = NULL;
    CHECK(ginv_outset_begin(f, &s) == GINV_ERR_IO && !s);
    CHECK(strstr(ginv_last_error(), "not a directory") != NULL);
    snprintf(sub, sizeof sub, "%s/none/out", test_tmpdir());
    CHECK(ginv_outset_begin(sub, &s) == GINV_ERR_IO && !s);
    CHECK(ginv_outset_begin("-", &s) == GINV_ERR_ARG && !s);
    unlink(f);
}
