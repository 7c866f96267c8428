/* scratch.h — for the fuzz targets that read files (VAE checkpoints, image
 * specs, SQLite stores): a private scratch folder, in memory (/dev/shm) when
 * there is one, made once and removed at exit. */
#ifndef GINV_FUZZ_SCRATCH_H
#define GINV_FUZZ_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_scratch_dir[256];

static void fuzz_scratch_remove(void)
{
    char cmd[300];
    if (!fuzz_scratch_dir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_scratch_dir);
    if (system(cmd)) { /* nothing to do */
    }
}

/* The folder (made on the first call). */
static const char *fuzz_scratch(void)
{
    if (!fuzz_scratch_dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_scratch_dir, sizeof fuzz_scratch_dir, "%s/ginv-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_scratch_dir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fuzz_scratch_remove);
    }
    return fuzz_scratch_dir;
}

/* Write buf to NAME in the folder; its path into path. */
static void fuzz_scratch_write(const char *name, const void *buf, size_t len, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fuzz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f)) {
        perror(path);
        abort();
    }
}

#endif
