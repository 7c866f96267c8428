/* file.c — whole-file reads and atomic writes (temp file, fsync, rename), so
 * a failed run never leaves a partial output or damages an existing one. */
#include "ginv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ginv_status ginv_read_file(const char *path, size_t max_len, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
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

ginv_status ginv_write_atomic(const char *path, const void *buf, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = ginv_malloc(pl + 32);
    if (!tmp) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        ginv_status s = ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        ginv_free(tmp);
        return s;
    }
    const unsigned char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    int ok = left == 0 && fsync(fd) == 0;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        ginv_status s = ginv_fail(GINV_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        ginv_free(tmp);
        return s;
    }
    ginv_free(tmp);
    return GINV_OK;
}
