/* child.c — run an external program as a child process (no shell) with a
 * wall-clock timeout, for experiments that time reference solvers (minisat,
 * fplll, cliquer, glpsol, cbc) beside ginv. The child runs in its own process
 * group, so a timeout kills it and anything it started, and nothing else. */
#include "ginv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int ginv_child_find(const char *name, char *path, size_t len)
{
    if (!name || !*name) return 0;
    if (strchr(name, '/')) {
        if (access(name, X_OK) != 0) return 0;
        if (path && len) snprintf(path, len, "%s", name);
        return 1;
    }
    const char *env = getenv("PATH");
    if (!env || !*env) env = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = env; *p;) {
        const char *colon = strchr(p, ':');
        size_t dl = colon ? (size_t)(colon - p) : strlen(p);
        char cand[4096];
        int w = snprintf(cand, sizeof cand, "%.*s/%s", (int)(dl ? dl : 1), dl ? p : ".", name);
        struct stat st;
        if (w > 0 && (size_t)w < sizeof cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
            access(cand, X_OK) == 0) {
            if (path && len) snprintf(path, len, "%s", cand);
            return 1;
        }
        if (!colon) break;
        p = colon + 1;
    }
    return 0;
}

/* Wait for pid until `deadline` (monotonic seconds; <= 0: forever). Returns 1
 * when reaped (status in *st), 0 at the deadline, -1 on error. */
static int wait_until(pid_t pid, double deadline, int *st)
{
#ifdef SYS_pidfd_open
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        int r;
        for (;;) {
            int ms = -1;
            if (deadline > 0) {
                double left = deadline - now_s();
                ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
            }
            struct pollfd p = {.fd = fd, .events = POLLIN};
            r = poll(&p, 1, ms);
            if (r < 0 && errno == EINTR) continue;
            break;
        }
        close(fd);
        if (r < 0) return -1;
        if (r == 0) return 0;
        while (waitpid(pid, st, 0) < 0)
            if (errno != EINTR) return -1;
        return 1;
    }
#endif
    /* no pidfd: poll waitpid, sleeping 50 us doubling to 5 ms */
    long sleep_ns = 50000;
    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid) return 1;
        if (r < 0 && errno != EINTR) return -1;
        if (deadline > 0 && now_s() >= deadline) return 0;
        struct timespec ts = {0, sleep_ns};
        nanosleep(&ts, NULL);
        if (sleep_ns < 5000000) sleep_ns *= 2;
    }
}

ginv_status ginv_child_run(const char *const *argv, const char *stdin_path,
                           const char *stdout_path, double timeout, ginv_child_result *res)
{
    if (!res) return ginv_fail(GINV_ERR_ARG, "ginv_child_run: no result");
    memset(res, 0, sizeof *res);
    res->code = -1;
    if (!argv || !argv[0] || !*argv[0]) return ginv_fail(GINV_ERR_ARG, "ginv_child_run: no program");
    if (!(timeout >= 0)) return ginv_fail(GINV_ERR_ARG, "ginv_child_run: timeout %g must be >= 0", timeout);
    if (!ginv_child_find(argv[0], NULL, 0))
        return ginv_fail(GINV_ERR_UNSUPPORTED, "program '%s' is not installed (not found on PATH)", argv[0]);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_addopen(&fa, 0, stdin_path ? stdin_path : "/dev/null", O_RDONLY, 0);
    if (stdout_path) {
        posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    } else {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    double t0 = now_s();
    int e = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e) {
        if (e == ENOENT)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "program '%s' is not installed (not found on PATH)", argv[0]);
        return ginv_fail(GINV_ERR_IO, "cannot run '%s': %s", argv[0], strerror(e));
    }
    res->started = 1;
    int st = 0;
    int r = wait_until(pid, timeout > 0 ? t0 + timeout : 0, &st);
    if (r == 0) {
        /* the deadline: kill the child's process group (it is its leader) */
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        res->timed_out = 1;
        res->seconds = now_s() - t0;
        return GINV_OK;
    }
    res->seconds = now_s() - t0;
    if (r < 0) {
        int err = errno;
        kill(-pid, SIGKILL);
        return ginv_fail(GINV_ERR_IO, "waiting for '%s': %s", argv[0], strerror(err));
    }
    if (WIFEXITED(st)) {
        res->exited = 1;
        res->code = WEXITSTATUS(st);
        /* posix_spawnp reports a failed exec as exit 127 on some systems */
        if (res->code == 127 && res->seconds < 0.5 && !ginv_child_find(argv[0], NULL, 0))
            return ginv_fail(GINV_ERR_UNSUPPORTED, "program '%s' is not installed", argv[0]);
    } else if (WIFSIGNALED(st)) {
        res->signaled = 1;
        res->code = 128 + WTERMSIG(st);
    }
    return GINV_OK;
}
