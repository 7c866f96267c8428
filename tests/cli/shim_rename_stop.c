/* shim_rename_stop.c — LD_PRELOAD shim for tests/cli/test_kill.sh: counts
 * the process's rename(), renameat() and renameat2() calls and, on call
 * number GINV_KILL_AT_RENAME (1-based), sends itself SIGKILL before the
 * rename happens. With GINV_RENAME_LOG=FILE every call appends a line
 * "N FROM -> TO" to FILE first (to count a run's renames). With
 * SHIM_NO_EXCHANGE=1, renameat2(RENAME_EXCHANGE) fails with EINVAL, as on
 * a file system without it (not counted). Built by the
 * test: cc -shared -fPIC -o shim.so shim_rename_stop.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long calls;

static void before(const char *from, const char *to)
{
    long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    const char *log = getenv("GINV_RENAME_LOG");
    if (log && *log) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            char line[8192];
            int len = snprintf(line, sizeof line, "%ld %s -> %s\n", n, from, to);
            if (len > 0) (void)!write(fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
            close(fd);
        }
    }
    const char *at = getenv("GINV_KILL_AT_RENAME");
    if (at && *at && atol(at) == n) {
        kill(getpid(), SIGKILL);
        pause();
    }
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    before(from, to);
    return real(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    static int (*real)(int, const char *, int, const char *);
    if (!real) real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
    before(from, to);
    return real(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned int flags)
{
    static int (*real)(int, const char *, int, const char *, unsigned int);
    if (!real)
        real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
    const char *no = getenv("SHIM_NO_EXCHANGE");
    if ((flags & RENAME_EXCHANGE) && no && *no == '1') {
        errno = EINVAL; /* a file system without exchange; not counted */
        return -1;
    }
    before(from, to);
    return real(fd1, from, fd2, to, flags);
}
