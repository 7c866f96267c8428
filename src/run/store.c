/* store.c — the SQLite result store (WAL): a meta table with the spec and
 * its hash, one row per finished unit in `units`, its metrics in `metrics`,
 * both written in one transaction as the unit finishes. Opening checks the
 * file before anything is written: not SQLite, corrupted, locked, another
 * spec, or an existing sweep without resume are refused, the file untouched. */
#include "ginv.h"
#include "base/check_internal.h"
#include "run/run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_FORMAT "ginv-sweep-1"

struct ginv_run_store {
    sqlite3 *db;
    sqlite3_stmt *ins_unit, *ins_metric;
    sqlite3_stmt *del_error[2]; /* with retry_errors: the unit's old error row (metrics, row) */
    int retry_errors;
    char host[256];
    char *path;
    char *lock_path;           /* PATH.lock, held with flock while the store is open */
    int lock_fd;
};

static const char *schema =
    "CREATE TABLE ginv_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE units("
    "  id INTEGER PRIMARY KEY,"
    "  cell INTEGER NOT NULL, trial INTEGER NOT NULL,"
    "  params TEXT NOT NULL,"          /* the cell's canonical parameters (JSON) */
    "  seed INTEGER NOT NULL,"         /* the seed of the unit's streams */
    "  status TEXT NOT NULL, error TEXT NOT NULL,"
    "  version TEXT NOT NULL,"         /* ginv version that computed it */
    "  started REAL NOT NULL, seconds REAL NOT NULL,"  /* Unix time, wall seconds */
    "  rank INTEGER NOT NULL, host TEXT NOT NULL,"
    "  UNIQUE(cell, trial));"
    "CREATE TABLE metrics("
    "  unit INTEGER NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL, value REAL,"
    "  PRIMARY KEY(unit, pos)) WITHOUT ROWID;";

/* A message for an SQLite failure on path, naming what it means. */
static ginv_status sql_fail(sqlite3 *db, int rc, const char *path, const char *doing)
{
    int base = rc & 0xff;
    if (base == SQLITE_NOTADB)
        return ginv_fail(GINV_ERR_FORMAT, "'%s' is not an SQLite database (left untouched)", path);
    if (base == SQLITE_CORRUPT)
        return ginv_fail(GINV_ERR_FORMAT, "'%s' is a corrupted SQLite database (%s; left untouched)",
                         path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return ginv_fail(GINV_ERR_IO, "'%s' is locked by another process (gave up after the busy "
                                      "timeout while %s)", path, doing);
    return ginv_fail(GINV_ERR_IO, "'%s': SQLite error while %s: %s", path, doing,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Run SQL that returns at most one text value into out (may be NULL). */
static int exec1(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    if (out && cap) out[0] = 0; /* defined even when the statement cannot be prepared */
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (out && cap && !out[0]) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", t ? (const char *)t : "");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A store is a regular file (or nothing yet): SQLite would put PATH-journal
 * and PATH-wal beside a device or FIFO and write into it. */
static ginv_status store_path_check(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode)) return GINV_OK;
    return ginv_fail(GINV_ERR_IO, "'%s' is %s, not a regular file: a store must be a file (left untouched)",
                     path, S_ISDIR(sb.st_mode) ? "a directory" : S_ISCHR(sb.st_mode) ? "a character device"
                         : S_ISBLK(sb.st_mode) ? "a block device" : S_ISFIFO(sb.st_mode) ? "a FIFO"
                         : "a special file");
}

/* Open and check: a regular file, readable, SQLite, intact. name is what
 * SQLite opens (the path, or a file: URI of it), path what is checked and
 * what messages say; *rc_out (may be NULL) gets SQLite's code of a failure. */
static ginv_status open_checked_as(sqlite3 **out, const char *name, const char *path, int flags,
                                   int busy_ms, int *rc_out)
{
    sqlite3 *db = NULL;
    if (rc_out) *rc_out = SQLITE_OK;
    ginv_status pst = store_path_check(path);
    if (pst != GINV_OK) return pst;
    int rc = sqlite3_open_v2(name, &db, flags, NULL);
    if (rc_out) *rc_out = rc;
    if (rc != SQLITE_OK) {
        ginv_status st = sql_fail(db, rc, path, "opening it");
        sqlite3_close(db);
        return st;
    }
    sqlite3_busy_timeout(db, busy_ms);
    sqlite3_extended_result_codes(db, 1);
    char res[512] = "";
    rc = exec1(db, "PRAGMA quick_check", res, sizeof res);
    /* quick_check ran and found damage: its first line is the message; when
     * it could not even run (e.g. a truncated file), SQLite's error is */
    int damaged = rc == SQLITE_OK && strcmp(res, "ok");
    if (rc_out) *rc_out = damaged ? SQLITE_CORRUPT : rc;
    if (damaged) {
        if (!res[0]) snprintf(res, sizeof res, "quick_check found damage");
        for (char *q = res; *q; q++) /* one line */
            if (*q == '\n' || *q == '\r') *q = ' ';
    }
    if (rc != SQLITE_OK || damaged) {
        ginv_status st = damaged
                             ? ginv_fail(GINV_ERR_FORMAT, "'%s' is a corrupted SQLite database (%s; left untouched)", path, res)
                             : sql_fail(db, rc, path, "checking it");
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return GINV_OK;
}

static ginv_status open_checked(sqlite3 **out, const char *path, int flags, int busy_ms)
{
    return open_checked_as(out, path, path, flags, busy_ms, NULL);
}

/* Open a store for reading only. A store in WAL mode needs PATH-shm beside it,
 * which a reader creates; in a directory it cannot write (a read-only mount,
 * another user's results) that fails, so the store is then opened immutable
 * (no -shm, no locks: nothing can be writing it there), unless a write-ahead
 * log with units not yet in the main file lies beside it. */
static ginv_status open_reader(sqlite3 **out, const char *path, int busy_ms)
{
    int rc;
    ginv_status gs = open_checked_as(out, path, path, SQLITE_OPEN_READONLY, busy_ms, &rc);
    int base = rc & 0xff;
    if (!gs || (base != SQLITE_READONLY && base != SQLITE_CANTOPEN && base != SQLITE_IOERR)) return gs;
    size_t len = strlen(path);
    char *aux = ginv_malloc(len + 8), *uri = ginv_malloc(3 * len + 32);
    if (!aux || !uri) {
        ginv_free(aux);
        ginv_free(uri);
        return gs;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", ginv_last_error());
    /* the directory: can a reader create PATH-shm there? */
    memcpy(aux, path, len + 1);
    char *slash = strrchr(aux, '/');
    if (!slash) snprintf(aux, len + 8, ".");
    else if (slash == aux) aux[1] = 0;
    else *slash = 0;
    int dir_ro = access(aux, W_OK) != 0;
    snprintf(aux, len + 8, "%s-wal", path);
    struct stat wb;
    int wal = stat(aux, &wb) == 0 && wb.st_size > 0;
    if (!dir_ro) {
        gs = ginv_fail(gs, "%s", msg);
    } else if (wal) {
        gs = ginv_fail(GINV_ERR_IO, "'%s' cannot be read here: its directory is read-only and units "
                                    "not yet in the main file wait in its write-ahead log '%s'; copy "
                                    "both to a writable directory (or run 'ginv results' where the "
                                    "sweep ran)", path, aux);
    } else {
        /* file:PATH?immutable=1, the path percent-encoded where a URI needs it */
        char *u = uri + snprintf(uri, 3 * len + 32, "file:");
        for (const unsigned char *c = (const unsigned char *)path; *c; c++)
            if (*c == '%' || *c == '?' || *c == '#' || *c < 0x20 || *c >= 0x7f)
                u += sprintf(u, "%%%02X", *c);
            else
                *u++ = (char)*c;
        snprintf(u, 32, "?immutable=1");
        gs = open_checked_as(out, uri, path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, busy_ms, NULL);
    }
    ginv_free(aux);
    ginv_free(uri);
    return gs;
}

static int has_table(sqlite3 *db, const char *name, int *rc)
{
    char sql[256], res[64];
    snprintf(sql, sizeof sql, "SELECT name FROM sqlite_master WHERE type='table' AND name='%s'", name);
    *rc = exec1(db, sql, res, sizeof res);
    return *rc == SQLITE_OK && res[0];
}

static int put_meta(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO ginv_meta(key, value) VALUES(?, ?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int get_meta(sqlite3 *db, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT value FROM ginv_meta WHERE key = ?", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    out[0] = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", t ? (const char *)t : "");
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One writer per store: an advisory lock (flock, exclusive, non-blocking) on
 * PATH.lock, which holds "PID HOST" of its owner. The kernel drops it when the
 * process ends, however it ends; the file is removed on a clean close. A lock
 * taken on a file that its previous owner removed meanwhile is retried, so two
 * processes never both hold "the" lock. */
static ginv_status store_lock(ginv_run_store *s, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return GINV_OK; /* refused elsewhere */
    size_t len = strlen(path) + 6;
    if (!(s->lock_path = ginv_malloc(len))) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    snprintf(s->lock_path, len, "%s.lock", path);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return ginv_fail(GINV_ERR_IO, "cannot create the lock file '%s' beside the store: %s",
                             s->lock_path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            char owner[300] = "";
            ssize_t n = e == EWOULDBLOCK ? pread(fd, owner, sizeof owner - 1, 0) : -1;
            close(fd);
            if (e != EWOULDBLOCK)
                return ginv_fail(GINV_ERR_IO, "cannot lock '%s': %s", s->lock_path, strerror(e));
            owner[n > 0 ? n : 0] = 0;
            long pid = 0;
            char host[256] = "";
            if (sscanf(owner, "%ld %255s", &pid, host) < 1 || pid <= 0)
                return ginv_fail(GINV_ERR_IO, "'%s' is in use by another sweep (a process holds %s); "
                                              "wait for it to finish, or stop it and run again with --resume",
                                 path, s->lock_path);
            return ginv_fail(GINV_ERR_IO, "'%s' is in use by another sweep (process %ld%s%s holds %s); "
                                          "wait for it to finish, or stop it and run again with --resume",
                             path, pid, host[0] ? " on " : "", host, s->lock_path);
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(s->lock_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            char owner[300];
            int n = snprintf(owner, sizeof owner, "%ld %s\n", (long)getpid(), s->host);
            if (ftruncate(fd, 0) != 0 || pwrite(fd, owner, (size_t)n, 0) != n) {
                /* the lock holds without its note; the refusal then names no PID */
            }
            s->lock_fd = fd;
            return GINV_OK;
        }
        close(fd); /* its owner removed it as we opened it: take the new one */
    }
    return ginv_fail(GINV_ERR_IO, "cannot take the lock '%s': it keeps being replaced", s->lock_path);
}

void ginv_run_store_close(ginv_run_store *s)
{
    if (!s) return;
    sqlite3_finalize(s->ins_unit);
    sqlite3_finalize(s->ins_metric);
    sqlite3_finalize(s->del_error[0]);
    sqlite3_finalize(s->del_error[1]);
    sqlite3_close(s->db);
    if (s->lock_fd >= 0) { /* remove while still holding it, then release */
        unlink(s->lock_path);
        close(s->lock_fd);
    }
    ginv_free(s->lock_path);
    ginv_free(s->path);
    ginv_free(s);
}

/* Mark the units already stored; check they belong to this spec. */
static ginv_status load_done(ginv_run_store *s, const ginv_sweep_spec *spec, unsigned char *done,
                             long *ndone)
{
    sqlite3_stmt *st;
    long cells = ginv_sweep_spec_cells(spec), T = ginv_sweep_spec_trials(spec);
    int rc = sqlite3_prepare_v2(s->db, "SELECT cell, trial, params, status FROM units", -1, &st, NULL);
    if (rc != SQLITE_OK) return sql_fail(s->db, rc, s->path, "reading its units");
    ginv_status gs = GINV_OK;
    *ndone = 0;
    while (!gs && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        long c = (long)sqlite3_column_int64(st, 0), t = (long)sqlite3_column_int64(st, 1);
        const char *p = (const char *)sqlite3_column_text(st, 2);
        const char *status = (const char *)sqlite3_column_text(st, 3);
        if (c < 0 || c >= cells || t < 0 || t >= T || !p || strcmp(p, ginv_sweep_spec_cell_text(spec, c)))
            gs = ginv_fail(GINV_ERR_FORMAT, "'%s' holds a unit (cell %ld, trial %ld) that is not in this spec", s->path, c, t);
        else if (s->retry_errors && (!status || strcmp(status, "ok")))
            done[c * T + t] = 2; /* an error to run again */
        else if (done[c * T + t] != 1) {
            done[c * T + t] = 1;
            (*ndone)++;
        }
    }
    if (!gs && rc != SQLITE_DONE) gs = sql_fail(s->db, rc, s->path, "reading its units");
    sqlite3_finalize(st);
    return gs;
}

ginv_status ginv_run_store_open(ginv_run_store **out, const char *path, const ginv_sweep_spec *spec,
                                int resume, int retry_errors, int busy_ms, unsigned char *done)
{
    *out = NULL;
    ginv_run_store *s = ginv_calloc(1, sizeof *s);
    if (!s || !(s->path = ginv_strdup(path))) {
        ginv_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    s->lock_fd = -1;
    s->retry_errors = retry_errors;
    if (gethostname(s->host, sizeof s->host - 1)) snprintf(s->host, sizeof s->host, "?");
    /* one sweep at a time: refused at once, naming the owner, before SQLite waits */
    ginv_status gs = store_lock(s, path);
    if (!gs) gs = open_checked(&s->db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_ms);
    if (gs) {
        ginv_run_store_close(s);
        return gs;
    }
    int rc;
    const char *doing = "switching it to WAL mode";
    char mode[32];
    /* the writer lock first, so nothing below races another writer */
    if ((rc = exec1(s->db, "BEGIN IMMEDIATE", NULL, 0)) != SQLITE_OK) {
        doing = "taking the write lock";
        goto sqlerr;
    }
    doing = "reading its tables";
    int meta = has_table(s->db, "ginv_meta", &rc);
    if (rc != SQLITE_OK) goto sqlerr;
    if (!meta) {
        char any[64];
        if ((rc = exec1(s->db, "SELECT name FROM sqlite_master", any, sizeof any)) != SQLITE_OK) goto sqlerr;
        if (any[0]) {
            gs = ginv_fail(GINV_ERR_FORMAT, "'%s' is an SQLite database but not a ginv sweep store (no ginv_meta table; left untouched)", path);
            goto fail;
        }
        doing = "creating its tables";
        char total[32], now[32];
        snprintf(total, sizeof total, "%ld", ginv_sweep_spec_cells(spec) * (long)ginv_sweep_spec_trials(spec));
        snprintf(now, sizeof now, "%ld", (long)time(NULL));
        if ((rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL)) != SQLITE_OK ||
            (rc = put_meta(s->db, "format", STORE_FORMAT)) != SQLITE_OK ||
            (rc = put_meta(s->db, "spec", ginv_sweep_spec_canonical(spec))) != SQLITE_OK ||
            (rc = put_meta(s->db, "spec_hash", ginv_sweep_spec_hash(spec))) != SQLITE_OK ||
            (rc = put_meta(s->db, "command", ginv_sweep_spec_command(spec))) != SQLITE_OK ||
            (rc = put_meta(s->db, "units", total)) != SQLITE_OK ||
            (rc = put_meta(s->db, "created", now)) != SQLITE_OK ||
            (rc = put_meta(s->db, "created_by", "ginv " GINV_VERSION)) != SQLITE_OK)
            goto sqlerr;
    } else {
        char fmt[64], hash[64];
        if ((rc = get_meta(s->db, "format", fmt, sizeof fmt)) != SQLITE_OK ||
            (rc = get_meta(s->db, "spec_hash", hash, sizeof hash)) != SQLITE_OK)
            goto sqlerr;
        if (strcmp(fmt, STORE_FORMAT)) {
            gs = ginv_fail(GINV_ERR_FORMAT, "'%s' is a store of format '%s', not %s (left untouched)", path, fmt, STORE_FORMAT);
            goto fail;
        }
        if (strcmp(hash, ginv_sweep_spec_hash(spec))) {
            gs = ginv_fail(GINV_ERR_ARG, "'%s' holds a sweep of another spec (spec hash %s, this spec %s); "
                           "resume it with its own spec, or give a new --db file", path, hash, ginv_sweep_spec_hash(spec));
            goto fail;
        }
        long n = 0;
        if ((gs = load_done(s, spec, done, &n))) goto fail;
        if (!resume) {
            gs = ginv_fail(GINV_ERR_ARG, "'%s' already holds this sweep (%ld of %ld units done); set parameter 'resume' "
                           "to continue it, or give a new parameter 'db' file", path, n,
                           ginv_sweep_spec_cells(spec) * (long)ginv_sweep_spec_trials(spec));
            goto fail;
        }
    }
    doing = "committing";
    if ((rc = exec1(s->db, "COMMIT", NULL, 0)) != SQLITE_OK) goto sqlerr;
    doing = "switching it to WAL mode";
    if ((rc = exec1(s->db, "PRAGMA journal_mode=WAL", mode, sizeof mode)) != SQLITE_OK) goto sqlerr;
    if ((rc = exec1(s->db, "PRAGMA synchronous=NORMAL", NULL, 0)) != SQLITE_OK) goto sqlerr;
    doing = "preparing statements";
    if ((rc = sqlite3_prepare_v2(s->db,
                                 "INSERT INTO units(cell, trial, params, seed, status, error, version, "
                                 "started, seconds, rank, host) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                                 -1, &s->ins_unit, NULL)) != SQLITE_OK ||
        (rc = sqlite3_prepare_v2(s->db, "INSERT INTO metrics(unit, pos, name, value) VALUES(?,?,?,?)", -1,
                                 &s->ins_metric, NULL)) != SQLITE_OK)
        goto sqlerr;
    if (retry_errors &&
        ((rc = sqlite3_prepare_v2(s->db,
                                  "DELETE FROM metrics WHERE unit IN (SELECT id FROM units WHERE cell = ?1 "
                                  "AND trial = ?2 AND status <> 'ok')", -1, &s->del_error[0], NULL)) != SQLITE_OK ||
         (rc = sqlite3_prepare_v2(s->db, "DELETE FROM units WHERE cell = ?1 AND trial = ?2 AND status <> 'ok'",
                                  -1, &s->del_error[1], NULL)) != SQLITE_OK))
        goto sqlerr;
    *out = s;
    return GINV_OK;
sqlerr:
    gs = sql_fail(s->db, rc, path, doing);
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    ginv_run_store_close(s);
    return gs;
}

ginv_status ginv_run_store_put(ginv_run_store *s, const ginv_sweep_spec *spec, const ginv_run_result *r)
{
    int rc;
    const char *doing = "starting a transaction";
    if ((rc = exec1(s->db, "BEGIN IMMEDIATE", NULL, 0)) != SQLITE_OK) goto err;
    for (int k = 0; k < 2 && s->del_error[k]; k++) { /* the error row it replaces, in the same transaction */
        doing = "replacing a unit's error";
        sqlite3_reset(s->del_error[k]);
        sqlite3_bind_int64(s->del_error[k], 1, r->cell);
        sqlite3_bind_int64(s->del_error[k], 2, r->trial);
        if ((rc = sqlite3_step(s->del_error[k])) != SQLITE_DONE) goto err;
    }
    doing = "storing a unit";
    sqlite3_stmt *u = s->ins_unit;
    sqlite3_reset(u);
    sqlite3_bind_int64(u, 1, r->cell);
    sqlite3_bind_int64(u, 2, r->trial);
    sqlite3_bind_text(u, 3, ginv_sweep_spec_cell_text(spec, r->cell), -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 4, (sqlite3_int64)ginv_sweep_cell_seed(spec, r->cell));
    sqlite3_bind_text(u, 5, r->status == GINV_OK ? "ok" : "error", -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 6, r->status == GINV_OK ? "" : r->error, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 7, GINV_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_double(u, 8, r->started);
    sqlite3_bind_double(u, 9, r->seconds);
    sqlite3_bind_int(u, 10, r->rank);
    sqlite3_bind_text(u, 11, s->host, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(u)) != SQLITE_DONE) goto err;
    sqlite3_int64 id = sqlite3_last_insert_rowid(s->db);
    for (int i = 0; i < r->metrics.n; i++) {
        sqlite3_stmt *m = s->ins_metric;
        sqlite3_reset(m);
        sqlite3_bind_int64(m, 1, id);
        sqlite3_bind_int(m, 2, i);
        sqlite3_bind_text(m, 3, r->metrics.name[i], -1, SQLITE_STATIC);
        if (isnan(r->metrics.value[i])) sqlite3_bind_null(m, 4); /* SQLite has no NaN */
        else sqlite3_bind_double(m, 4, r->metrics.value[i]);
        if ((rc = sqlite3_step(m)) != SQLITE_DONE) goto err;
    }
    doing = "committing a unit";
    if ((rc = exec1(s->db, "COMMIT", NULL, 0)) != SQLITE_OK) goto err;
    return GINV_OK;
err:;
    ginv_status gs = sql_fail(s->db, rc, s->path, doing);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return gs;
}

/* ------------------------------------------------------------- reading */

ginv_status ginv_store_read(const char *path, int busy_ms, char **spec, char **command,
                            ginv_store_row_fn fn, void *user)
{
    if (spec) *spec = NULL;
    if (command) *command = NULL;
    GINV_NONNULL(path);
    struct stat sb;
    if (stat(path, &sb) != 0) return ginv_fail(GINV_ERR_IO, "cannot open '%s': no such file", path);
    sqlite3 *db;
    ginv_status gs = open_reader(&db, path, busy_ms);
    if (gs) return gs;
    int rc;
    sqlite3_stmt *st = NULL;
    if (!has_table(db, "ginv_meta", &rc)) {
        gs = rc != SQLITE_OK ? sql_fail(db, rc, path, "reading its tables")
                             : ginv_fail(GINV_ERR_FORMAT, "'%s' is an SQLite database but not a ginv sweep store (no ginv_meta table)", path);
        goto out;
    }
    char buf[64];
    if ((rc = get_meta(db, "format", buf, sizeof buf)) != SQLITE_OK) goto sqlerr;
    if (strcmp(buf, STORE_FORMAT)) {
        gs = ginv_fail(GINV_ERR_FORMAT, "'%s' is a store of format '%s', not %s", path, buf, STORE_FORMAT);
        goto out;
    }
    for (int k = 0; k < 2; k++) {
        char **dst = k ? command : spec;
        if (!dst) continue;
        if ((rc = sqlite3_prepare_v2(db, "SELECT value FROM ginv_meta WHERE key = ?", -1, &st, NULL)) != SQLITE_OK) goto sqlerr;
        sqlite3_bind_text(st, 1, k ? "command" : "spec", -1, SQLITE_STATIC);
        const char *v = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (v && !(*dst = ginv_strdup(v))) gs = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        else if (!v) /* a missing or NULL row (NULL text would crash ginv_strdup) */
            gs = ginv_fail(GINV_ERR_FORMAT, "'%s' is not a complete ginv sweep store: its ginv_meta has no '%s' "
                           "value", path, k ? "command" : "spec");
        sqlite3_finalize(st);
        st = NULL;
        if (gs) goto out;
    }
    if (!fn) goto out;
    rc = sqlite3_prepare_v2(db,
                            "SELECT u.id, u.cell, u.trial, u.seed, u.params, u.status, u.error, u.seconds, "
                            "u.rank, m.name, m.value FROM units u LEFT JOIN metrics m ON m.unit = u.id "
                            "ORDER BY u.id, m.pos", -1, &st, NULL);
    if (rc != SQLITE_OK) goto sqlerr;
    ginv_metrics met = {0};
    char names[GINV_METRICS_MAX][64];
    char *params = NULL, *status = NULL, *error = NULL;
    ginv_store_row row = {0};
    sqlite3_int64 cur = -1;
    int stop = 0;
    for (;;) {
        rc = sqlite3_step(st);
        sqlite3_int64 id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
        if (id != cur && cur != -1 && !stop) { /* the previous unit is complete */
            row.params = params;
            row.status = status;
            row.error = error;
            row.metrics = &met;
            stop = fn ? fn(user, &row) : 1; /* fn NULL: spec and command only */
        }
        if (id != cur) {
            ginv_free(params);
            ginv_free(status);
            ginv_free(error);
            params = status = error = NULL;
        }
        if (rc != SQLITE_ROW || stop) break;
        if (id != cur) {
            cur = id;
            met.n = 0;
            row.cell = (long)sqlite3_column_int64(st, 1);
            row.trial = sqlite3_column_int(st, 2);
            row.seed = (uint64_t)sqlite3_column_int64(st, 3);
            params = ginv_strdup((const char *)sqlite3_column_text(st, 4));
            status = ginv_strdup((const char *)sqlite3_column_text(st, 5));
            error = ginv_strdup((const char *)sqlite3_column_text(st, 6));
            row.seconds = sqlite3_column_double(st, 7);
            row.rank = sqlite3_column_int(st, 8);
        }
        if (sqlite3_column_type(st, 9) != SQLITE_NULL && met.n < GINV_METRICS_MAX) {
            snprintf(names[met.n], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 9));
            met.name[met.n] = names[met.n];
            met.value[met.n] = sqlite3_column_type(st, 10) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 10);
            met.n++;
        }
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) goto sqlerr;
    goto out;
sqlerr:
    gs = sql_fail(db, rc, path, "reading it");
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (gs) {
        if (spec) { ginv_free(*spec); *spec = NULL; }
        if (command) { ginv_free(*command); *command = NULL; }
    }
    return gs;
}
