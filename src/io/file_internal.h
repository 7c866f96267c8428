/* file_internal.h — inside libginv only: the path helpers the atomic writer
 * (file.c) and output sets (outset.c) share. */
#ifndef GINV_IO_FILE_INTERNAL_H
#define GINV_IO_FILE_INTERNAL_H

#include "ginv.h"

/* 1 when no process has this id (kill(pid, 0) fails with ESRCH). */
int ginv_pid_dead(long pid);

/* If `name` is PREFIX followed by a decimal PID and nothing else, return
 * the PID, else -1. */
long ginv_name_pid(const char *name, const char *prefix);

/* Follow `path` through symbolic links (at most 40) to the file a write
 * should replace; the target need not exist, its directory must. *out is
 * ginv_malloc'd: the link's target with its directory canonical, or a copy
 * of path when it is not a link. *via_proc (may be NULL): the descriptor N
 * when path or a link on the way names one of this process's descriptors
 * (/dev/stdout, /dev/fd/N, /proc/self/fd/N), -2 when it leads elsewhere into
 * /proc (no place to rename into), else -1. */
ginv_status ginv_resolve_target(const char *path, char **out, int *via_proc);

/* Split path into a ginv_malloc'd directory ("." when none) and a pointer to
 * the last component inside path. */
ginv_status ginv_split_path(const char *path, char **dir, const char **base);

/* Remove path: a file, or a directory and everything under it (without
 * following links). 0 on success, else -1 with errno set. */
int ginv_remove_tree(const char *path);

/* fsync a directory (errors ignored: not every file system allows it). */
void ginv_fsync_dir(const char *dir);

#endif
