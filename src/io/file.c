/* file.c — whole-file reads and the one output writer, ginv_write_atomic.
 *
 * The writer's policy (include/ginv.h says the same):
 *   "-"                  standard output, written directly;
 *   a regular file, or nothing yet
 *                        PATH.tmp.PID in the same directory, fsync, rename
 *                        over PATH, fsync the directory: PATH is old or new,
 *                        never partial;
 *   a symbolic link      followed (a chain, the last target need not exist)
 *                        and the target replaced as above: the link stays;
 *   /dev/stdout, /dev/fd/N, /proc/self/fd/N (or a link to one)
 *                        written to that descriptor at its offset, after
 *                        stdio's buffer, whatever it is open on;
 *   anything else        (a character device such as /dev/null, a FIFO, a
 *                        socket, /dev/stdout onto a terminal or pipe) opened
 *                        O_WRONLY and written directly, never renamed over;
 *   a directory          refused.
 * Each write first removes PATH.tmp.PID files whose PID no longer runs (left
 * by a killed writer). */
#include "file_internal.h"
#include "base/check_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ginv_status ginv_read_file(const char *path, size_t max_len, unsigned char **out, size_t *len)
{
    GINV_NONNULL(out);
    GINV_NONNULL(len);
    *out = NULL;
    *len = 0;
    GINV_NONNULL(path);
    FILE *fp = fopen(path, "rb");
    if (!fp) return ginv_fail(GINV_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return ginv_fail(GINV_ERR_IO, "'%s' is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_len) {
        fclose(fp);
        return ginv_fail(GINV_ERR_FORMAT, "'%s' is %lld bytes, more than the %zu allowed", path,
                         (long long)st.st_size, max_len);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *buf = ginv_malloc(n + 1);
    if (!buf) {
        fclose(fp);
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate %zu bytes for '%s'", n, path);
    }
    size_t got = fread(buf, 1, n, fp);
    int err = ferror(fp);
    fclose(fp);
    if (got != n || err) {
        ginv_free(buf);
        return ginv_fail(GINV_ERR_IO, "cannot read '%s'", path);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return GINV_OK;
}

int ginv_pid_dead(long pid)
{
    if (pid <= 0 || pid > INT_MAX) return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

long ginv_name_pid(const char *name, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (strncmp(name, prefix, pl) != 0) return -1;
    const char *p = name + pl;
    if (!*p || strlen(p) > 10) return -1;
    long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        v = 10 * v + (*p - '0');
    }
    return v;
}

ginv_status ginv_split_path(const char *path, char **dir, const char **base)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 1;
    *dir = ginv_malloc(dl + 1);
    if (!*dir) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (!slash) memcpy(*dir, ".", 2);
    else if (slash == path) memcpy(*dir, "/", 2);
    else {
        memcpy(*dir, path, dl);
        (*dir)[dl] = 0;
    }
    *base = slash ? slash + 1 : path;
    return GINV_OK;
}

/* The descriptor a path names in this process (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N, /proc/PID/fd/N), -2 another /proc path, else -1. */
static int fd_of(const char *p)
{
    static const char *const pre[] = {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"};
    if (!strcmp(p, "/dev/stdin")) return 0;
    if (!strcmp(p, "/dev/stdout")) return 1;
    if (!strcmp(p, "/dev/stderr")) return 2;
    char mine[48];
    snprintf(mine, sizeof mine, "/proc/%ld/fd/", (long)getpid());
    for (int i = 0; i < 4; i++) {
        long n = ginv_name_pid(p, i < 3 ? pre[i] : mine);
        if (n >= 0 && n <= INT_MAX) return (int)n;
    }
    return strncmp(p, "/proc/", 6) ? -1 : -2;
}

ginv_status ginv_resolve_target(const char *path, char **out, int *via_proc)
{
    *out = NULL;
    if (via_proc) *via_proc = fd_of(path);
    char *cur = ginv_strdup(path);
    if (!cur) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    int hops = 0;
    for (;;) {
        struct stat sb;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode)) break;
        if (++hops > 40) {
            ginv_free(cur);
            return ginv_fail(GINV_ERR_IO, "cannot write '%s': too many levels of symbolic links",
                             path);
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            ginv_status s = ginv_fail(GINV_ERR_IO, "cannot read the link '%s': %s", cur,
                                      strerror(errno));
            ginv_free(cur);
            return s;
        }
        link[n] = 0;
        char *next;
        if (link[0] == '/' || !strchr(cur, '/')) next = ginv_strdup(link);
        else {
            size_t dl = (size_t)(strrchr(cur, '/') - cur) + 1;
            next = ginv_malloc(dl + (size_t)n + 1);
            if (next) {
                memcpy(next, cur, dl);
                memcpy(next + dl, link, (size_t)n + 1);
            }
        }
        ginv_free(cur);
        if (!next) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        if (via_proc && *via_proc == -1) *via_proc = fd_of(next);
        cur = next;
    }
    if (!hops) {
        *out = cur;
        return GINV_OK;
    }
    /* a link's target: its directory made canonical (it must exist) */
    char *dir;
    const char *base;
    ginv_status s = ginv_split_path(cur, &dir, &base);
    if (s != GINV_OK) {
        ginv_free(cur);
        return s;
    }
    char *real = realpath(dir, NULL);
    if (!real) {
        s = ginv_fail(GINV_ERR_IO, "cannot write '%s': the link's target directory '%s': %s",
                      path, dir, strerror(errno));
        ginv_free(dir);
        ginv_free(cur);
        return s;
    }
    size_t rl = strlen(real), bl = strlen(base);
    *out = ginv_malloc(rl + bl + 2);
    if (*out) snprintf(*out, rl + bl + 2, "%s%s%s", real, rl && real[rl - 1] == '/' ? "" : "/", base);
    free(real);
    ginv_free(dir);
    ginv_free(cur);
    return *out ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
}

int ginv_remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(sb.st_mode)) return unlink(path);
    DIR *d = opendir(path);
    if (!d) return -1;
    int rc = 0;
    size_t pl = strlen(path);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        size_t len = pl + strlen(e->d_name) + 2;
        char *child = ginv_malloc(len);
        if (!child) {
            rc = -1;
            break;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        if (ginv_remove_tree(child) != 0) rc = -1;
        ginv_free(child);
    }
    closedir(d);
    if (rmdir(path) != 0) rc = -1;
    return rc;
}

void ginv_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* Remove DIR/BASE.tmp.PID for PIDs that no longer run (a killed writer's). */
static void clean_stale_tmp(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    if (!d) return;
    size_t bl = strlen(base);
    char *prefix = ginv_malloc(bl + 8);
    if (!prefix) {
        closedir(d);
        return;
    }
    snprintf(prefix, bl + 8, "%s.tmp.", base);
    size_t dl = strlen(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = ginv_name_pid(e->d_name, prefix);
        if (pid <= 0 || pid == (long)getpid() || !ginv_pid_dead(pid)) continue;
        size_t len = dl + strlen(e->d_name) + 2;
        char *p = ginv_malloc(len);
        if (!p) break;
        snprintf(p, len, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) unlink(p);
        ginv_free(p);
    }
    ginv_free(prefix);
    closedir(d);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Straight into what is there: a device, FIFO, socket, or one of this
 * process's descriptors (fd >= 0: written at its offset, after stdio's
 * buffer, so the output keeps its order). */
static ginv_status write_direct(const char *path, int fd, const void *buf, size_t len,
                                int truncate)
{
    int own = fd < 0;
    if (fd == 1) fflush(stdout);
    if (fd == 2) fflush(stderr);
    if (own) {
        fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (truncate ? O_TRUNC : 0));
        if (fd < 0)
            return ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    }
    int bad = write_all(fd, buf, len) != 0;
    int e = errno;
    if (own && close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) return ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    return GINV_OK;
}

/* PATH.tmp.PID beside path, fsync, rename over path, fsync the directory. */
static ginv_status replace_atomic(const char *shown, const char *path, const void *buf,
                                  size_t len)
{
    char *dir;
    const char *base;
    ginv_status s = ginv_split_path(path, &dir, &base);
    if (s != GINV_OK) return s;
    if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
        ginv_free(dir);
        return ginv_fail(GINV_ERR_IO, "cannot write '%s': not a file name", shown);
    }
    clean_stale_tmp(dir, base);
    size_t pl = strlen(path);
    char *tmp = ginv_malloc(pl + 32);
    if (!tmp) {
        ginv_free(dir);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    struct stat old;
    int had = stat(path, &old) == 0 && S_ISREG(old.st_mode);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        s = ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", shown, strerror(errno));
        ginv_free(tmp);
        ginv_free(dir);
        return s;
    }
    if (had) (void)fchmod(fd, old.st_mode & 07777);
    int ok = write_all(fd, buf, len) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        s = ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", shown, strerror(e));
        unlink(tmp);
    } else {
        ginv_fsync_dir(dir);
    }
    ginv_free(tmp);
    ginv_free(dir);
    return s;
}

ginv_status ginv_write_atomic(const char *path, const void *buf, size_t len)
{
    if (!path || !*path) return ginv_fail(GINV_ERR_ARG, "no output path given");
    if (!strcmp(path, "-")) return write_direct("standard output", 1, buf, len, 0);
    int pfd = fd_of(path);
    if (pfd >= 0) return write_direct(path, pfd, buf, len, 0);
    struct stat sb, lsb;
    int exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode))
        return ginv_fail(GINV_ERR_IO, "cannot write '%s': it is a directory", path);
    if (exists && !S_ISREG(sb.st_mode)) return write_direct(path, -1, buf, len, 0);
    if (lstat(path, &lsb) != 0 || !S_ISLNK(lsb.st_mode)) return replace_atomic(path, path, buf, len);
    char *target;
    int via_proc;
    ginv_status s = ginv_resolve_target(path, &target, &via_proc);
    if (s != GINV_OK) return s;
    if (via_proc >= 0) {
        /* a link to one of our descriptors (/dev/stdout -> /proc/self/fd/1
         * -> a file the shell redirected to): write at its offset */
        ginv_free(target);
        return write_direct(path, via_proc, buf, len, 0);
    }
    struct stat tsb;
    if (via_proc == -2 || (exists && (stat(target, &tsb) != 0 || tsb.st_dev != sb.st_dev ||
                                      tsb.st_ino != sb.st_ino))) {
        /* into /proc otherwise, or a link the file system resolves otherwise
         * than its text says: write through it, truncating */
        ginv_free(target);
        return write_direct(path, -1, buf, len, 1);
    }
    s = replace_atomic(path, target, buf, len);
    ginv_free(target);
    return s;
}
