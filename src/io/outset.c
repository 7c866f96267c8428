/* outset.c — output sets: the files a command writes into one --out
 * directory appear together or not at all.
 *
 * ginv_outset_begin(DIR) makes a fresh staging directory beside DIR,
 * PARENT/.BASE.staging.PID; the command writes its files there (each by
 * ginv_write_atomic). ginv_outset_commit then carries over into the staging
 * directory whatever else DIR holds (regular files by hard link, symbolic
 * links copied), and swaps the two directories in one
 * renameat2(RENAME_EXCHANGE); the old directory, now at the staging name, is
 * removed. Where the file system cannot exchange, DIR is renamed aside to
 * PARENT/.BASE.old.PID, the staging directory renamed into place and the old
 * one removed. A kill at any moment leaves DIR all old or all new.
 *
 * Every begin first tidies what killed runs left beside DIR: a staging or
 * old directory whose PID no longer runs is removed, except an old one with
 * no DIR, which is renamed back (the kill fell between the two renames).
 *
 * DIR is not swapped, and the staged files are renamed into it one by one
 * (each atomic, the set not), when it cannot be: DIR holds a subdirectory or
 * another non-file, DIR is the working directory or above it, or DIR is a
 * mount point. */
#include "file_internal.h"
#include "base/check_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ginv_outset {
    char *dir;     /* the destination, links resolved */
    char *parent;  /* its directory */
    char *staging; /* PARENT/.BASE.staging.PID */
    char *shown;   /* as the caller named it, for messages */
    int committed;
};

static char *join3(const char *a, const char *b, const char *c)
{
    size_t len = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = ginv_malloc(len);
    if (p) snprintf(p, len, "%s%s%s", a, b, c);
    return p;
}

/* Tidy PARENT/.BASE.staging.PID and .BASE.old.PID of dead PIDs. */
static void tidy(const char *parent, const char *base, const char *dir)
{
    char *pst = join3(".", base, ".staging."), *pold = join3(".", base, ".old.");
    DIR *d = pst && pold ? opendir(parent) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            long ps = ginv_name_pid(e->d_name, pst), po = ginv_name_pid(e->d_name, pold);
            long pid = ps > 0 ? ps : po;
            if (pid <= 0 || pid == (long)getpid() || !ginv_pid_dead(pid)) continue;
            char *p = join3(parent, "/", e->d_name);
            if (!p) break;
            struct stat sb;
            if (po > 0 && lstat(dir, &sb) != 0 && errno == ENOENT && rename(p, dir) == 0)
                ginv_fsync_dir(parent);
            else ginv_remove_tree(p);
            ginv_free(p);
        }
        closedir(d);
    }
    ginv_free(pst);
    ginv_free(pold);
}

void ginv_outset_free(ginv_outset *s)
{
    if (!s) return;
    if (!s->committed && s->staging) ginv_remove_tree(s->staging);
    ginv_free(s->dir);
    ginv_free(s->parent);
    ginv_free(s->staging);
    ginv_free(s->shown);
    ginv_free(s);
}

ginv_status ginv_outset_begin(const char *dir, ginv_outset **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    if (!dir || !*dir || !strcmp(dir, "-"))
        return ginv_fail(GINV_ERR_ARG, "an output directory needs a path, got '%s'", dir ? dir : "");
    ginv_outset *s = ginv_malloc(sizeof *s);
    if (!s) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    ginv_status st = GINV_OK;
    char *resolved = NULL;
    s->shown = ginv_strdup(dir);
    if (!s->shown) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (!st) {
        /* trailing slashes off first: "link/" would follow the link */
        char *bare = ginv_strdup(dir);
        if (!bare) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else {
            size_t n = strlen(bare);
            while (n > 1 && bare[n - 1] == '/') bare[--n] = 0;
            st = ginv_resolve_target(bare, &resolved, NULL);
            ginv_free(bare);
        }
    }
    if (!st) {
        /* ".", ".." or "/" made canonical */
        size_t n = strlen(resolved);
        while (n > 1 && resolved[n - 1] == '/') resolved[--n] = 0;
        const char *b = strrchr(resolved, '/');
        b = b ? b + 1 : resolved;
        if (!strcmp(b, ".") || !strcmp(b, "..") || !strcmp(resolved, "/")) {
            char *real = realpath(resolved, NULL);
            if (!real) st = ginv_fail(GINV_ERR_IO, "output directory '%s': %s", dir, strerror(errno));
            else {
                ginv_free(resolved);
                resolved = ginv_strdup(real);
                free(real);
                if (!resolved) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
            }
        }
    }
    const char *base = NULL;
    if (!st) {
        s->dir = resolved;
        resolved = NULL;
        st = ginv_split_path(s->dir, &s->parent, &base);
    }
    struct stat sb;
    if (!st) {
        if (stat(s->parent, &sb) != 0)
            st = ginv_fail(GINV_ERR_IO, "output directory '%s': cannot use '%s': %s", dir,
                           s->parent, strerror(errno));
        else if (!S_ISDIR(sb.st_mode))
            st = ginv_fail(GINV_ERR_IO, "output directory '%s': '%s' is not a directory", dir,
                           s->parent);
    }
    if (!st && stat(s->dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        st = ginv_fail(GINV_ERR_IO, "output directory '%s' exists and is not a directory", dir);
    if (!st && !*base)
        st = ginv_fail(GINV_ERR_IO, "output directory '%s': '/' cannot be one", dir);
    if (!st) {
        tidy(s->parent, base, s->dir);
        char pid[32];
        snprintf(pid, sizeof pid, ".staging.%ld", (long)getpid());
        size_t len = strlen(s->parent) + strlen(base) + strlen(pid) + 3;
        s->staging = ginv_malloc(len);
        if (!s->staging) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else snprintf(s->staging, len, "%s/.%s%s", s->parent, base, pid);
    }
    if (!st) {
        ginv_remove_tree(s->staging); /* ours from an earlier set of this process */
        if (mkdir(s->staging, 0777) != 0) {
            st = ginv_fail(GINV_ERR_IO, "output directory '%s': cannot create '%s': %s", dir,
                           s->staging, strerror(errno));
            ginv_free(s->staging);
            s->staging = NULL;
        } else if (stat(s->dir, &sb) == 0) {
            (void)chmod(s->staging, sb.st_mode & 07777);
        }
    }
    ginv_free(resolved);
    if (st) {
        ginv_outset_free(s);
        return st;
    }
    *out = s;
    return GINV_OK;
}

const char *ginv_outset_dir(const ginv_outset *s) { return s->staging; }

/* Is `dir` the working directory or one above it? */
static int holds_cwd(const char *dir)
{
    char *cwd = getcwd(NULL, 0), *real = realpath(dir, NULL);
    int r = 1;
    if (cwd && real) {
        size_t n = strlen(real);
        r = !strcmp(real, "/") ||
            (!strncmp(cwd, real, n) && (cwd[n] == 0 || cwd[n] == '/'));
    }
    free(cwd);
    free(real);
    return r;
}

/* Carry DIR's other entries into the staging directory: 0, or -1 when one
 * cannot be carried (a subdirectory, a device, a failed link). Stale
 * NAME.tmp.PID files of dead PIDs are dropped. */
static int carry_over(const ginv_outset *s)
{
    DIR *d = opendir(s->dir);
    if (!d) return -1;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *src = join3(s->dir, "/", e->d_name), *dst = join3(s->staging, "/", e->d_name);
        struct stat sb;
        if (!src || !dst) rc = -1;
        else if (lstat(dst, &sb) == 0 || errno != ENOENT) {
            /* written anew */
        } else if (lstat(src, &sb) != 0) {
            rc = errno == ENOENT ? 0 : -1;
        } else if (S_ISREG(sb.st_mode)) {
            const char *t = strstr(e->d_name, ".tmp.");
            long pid = -1;
            while (t && pid < 0) {
                pid = ginv_name_pid(t, ".tmp.");
                if (pid < 0) t = strstr(t + 1, ".tmp.");
            }
            if (!(pid > 0 && ginv_pid_dead(pid)) && link(src, dst) != 0) rc = -1;
        } else if (S_ISLNK(sb.st_mode)) {
            char buf[4096];
            ssize_t n = readlink(src, buf, sizeof buf - 1);
            if (n < 0) rc = -1;
            else {
                buf[n] = 0;
                if (symlink(buf, dst) != 0) rc = -1;
            }
        } else {
            rc = -1;
        }
        ginv_free(src);
        ginv_free(dst);
    }
    closedir(d);
    return rc;
}

/* The fallback: each staged file renamed into DIR on its own. */
static ginv_status commit_files(ginv_outset *s)
{
    if (mkdir(s->dir, 0777) != 0 && errno != EEXIST)
        return ginv_fail(GINV_ERR_IO, "cannot create '%s': %s", s->shown, strerror(errno));
    DIR *d = opendir(s->staging);
    if (!d) return ginv_fail(GINV_ERR_IO, "cannot read '%s': %s", s->staging, strerror(errno));
    ginv_status st = GINV_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *src = join3(s->staging, "/", e->d_name), *dst = join3(s->dir, "/", e->d_name);
        if (!src || !dst) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else if (rename(src, dst) != 0)
            st = ginv_fail(GINV_ERR_IO, "cannot write '%s/%s': %s", s->shown, e->d_name,
                           strerror(errno));
        ginv_free(src);
        ginv_free(dst);
    }
    closedir(d);
    if (!st) {
        ginv_fsync_dir(s->dir);
        ginv_remove_tree(s->staging);
        s->committed = 1;
    }
    return st;
}

ginv_status ginv_outset_commit(ginv_outset *s)
{
    GINV_NONNULL(s);
    if (s->committed) return GINV_OK;
    ginv_fsync_dir(s->staging);
    struct stat sb;
    if (lstat(s->dir, &sb) != 0) {
        if (errno != ENOENT)
            return ginv_fail(GINV_ERR_IO, "cannot use '%s': %s", s->shown, strerror(errno));
        if (rename(s->staging, s->dir) != 0)
            return ginv_fail(GINV_ERR_IO, "cannot create '%s': %s", s->shown, strerror(errno));
        ginv_fsync_dir(s->parent);
        s->committed = 1;
        return GINV_OK;
    }
    if (holds_cwd(s->dir) || carry_over(s) != 0) return commit_files(s);
    ginv_fsync_dir(s->staging);
    if (renameat2(AT_FDCWD, s->staging, AT_FDCWD, s->dir, RENAME_EXCHANGE) == 0) {
        s->committed = 1;
        ginv_fsync_dir(s->parent);
        ginv_remove_tree(s->staging); /* the old directory now */
        return GINV_OK;
    }
    if (errno == EBUSY || errno == EXDEV) return commit_files(s);
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return ginv_fail(GINV_ERR_IO, "cannot replace '%s': %s", s->shown, strerror(errno));
    /* no exchange here: aside, into place, then the old one removed (a kill
     * between the two renames is undone by the next begin) */
    char pid[32];
    snprintf(pid, sizeof pid, ".old.%ld", (long)getpid());
    const char *base = strrchr(s->dir, '/');
    base = base ? base + 1 : s->dir;
    char *old = ginv_malloc(strlen(s->parent) + strlen(base) + strlen(pid) + 3);
    if (!old) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    sprintf(old, "%s/.%s%s", s->parent, base, pid);
    ginv_remove_tree(old);
    if (rename(s->dir, old) != 0) {
        ginv_free(old);
        if (errno == EBUSY || errno == EXDEV) return commit_files(s);
        return ginv_fail(GINV_ERR_IO, "cannot replace '%s': %s", s->shown, strerror(errno));
    }
    if (rename(s->staging, s->dir) != 0) {
        ginv_status st = ginv_fail(GINV_ERR_IO, "cannot replace '%s': %s", s->shown, strerror(errno));
        (void)rename(old, s->dir);
        ginv_free(old);
        return st;
    }
    s->committed = 1;
    ginv_fsync_dir(s->parent);
    ginv_remove_tree(old);
    ginv_free(old);
    return GINV_OK;
}
