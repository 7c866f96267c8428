/* store.c — the SQLite result store (WAL): a meta table with the spec and
 * its hash, one row per finished unit in `units`, its metrics in `metrics`,
 * both written in one transaction as the unit finishes. Opening checks the
 * file before anything is written: not SQLite, corrupted, locked, another
 * spec, or an existing sweep without resume are refused, the file untouched. */
#include "ginv.h"
#include "run/run_internal.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_FORMAT "ginv-sweep-1"

struct ginv_run_store {
    sqlite3 *db;
    sqlite3_stmt *ins_unit, *ins_metric;
    char host[256];
    char *path;
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
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    if (out && cap) out[0] = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (out && cap && !out[0]) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(out, cap, "%s", t ? (const char *)t : "");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Open and check: readable, SQLite, intact. */
static ginv_status open_checked(sqlite3 **out, const char *path, int flags, int busy_ms)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        ginv_status st = sql_fail(db, rc, path, "opening it");
        sqlite3_close(db);
        return st;
    }
    sqlite3_busy_timeout(db, busy_ms);
    sqlite3_extended_result_codes(db, 1);
    char res[512];
    rc = exec1(db, "PRAGMA quick_check", res, sizeof res);
    if (rc == SQLITE_OK && strcmp(res, "ok")) {
        rc = SQLITE_CORRUPT;
        for (char *q = res; *q; q++) /* one line */
            if (*q == '\n') *q = ' ';
    }
    if (rc != SQLITE_OK) {
        ginv_status st = rc == SQLITE_CORRUPT && res[0]
                             ? ginv_fail(GINV_ERR_FORMAT, "'%s' is a corrupted SQLite database (%s; left untouched)", path, res)
                             : sql_fail(db, rc, path, "checking it");
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return GINV_OK;
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

void ginv_run_store_close(ginv_run_store *s)
{
    if (!s) return;
    sqlite3_finalize(s->ins_unit);
    sqlite3_finalize(s->ins_metric);
    sqlite3_close(s->db);
    ginv_free(s->path);
    ginv_free(s);
}

/* Mark the units already stored; check they belong to this spec. */
static ginv_status load_done(ginv_run_store *s, const ginv_sweep_spec *spec, unsigned char *done,
                             long *ndone)
{
    sqlite3_stmt *st;
    long cells = ginv_sweep_spec_cells(spec), T = ginv_sweep_spec_trials(spec);
    int rc = sqlite3_prepare_v2(s->db, "SELECT cell, trial, params FROM units", -1, &st, NULL);
    if (rc != SQLITE_OK) return sql_fail(s->db, rc, s->path, "reading its units");
    ginv_status gs = GINV_OK;
    *ndone = 0;
    while (!gs && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        long c = (long)sqlite3_column_int64(st, 0), t = (long)sqlite3_column_int64(st, 1);
        const char *p = (const char *)sqlite3_column_text(st, 2);
        if (c < 0 || c >= cells || t < 0 || t >= T || !p || strcmp(p, ginv_sweep_spec_cell_text(spec, c)))
            gs = ginv_fail(GINV_ERR_FORMAT, "'%s' holds a unit (cell %ld, trial %ld) that is not in this spec", s->path, c, t);
        else if (!done[c * T + t]++)
            (*ndone)++;
    }
    if (!gs && rc != SQLITE_DONE) gs = sql_fail(s->db, rc, s->path, "reading its units");
    sqlite3_finalize(st);
    return gs;
}

ginv_status ginv_run_store_open(ginv_run_store **out, const char *path, const ginv_sweep_spec *spec,
                                int resume, int busy_ms, unsigned char *done)
{
    *out = NULL;
    ginv_run_store *s = ginv_calloc(1, sizeof *s);
    if (!s || !(s->path = ginv_strdup(path))) {
        ginv_free(s);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    if (gethostname(s->host, sizeof s->host - 1)) snprintf(s->host, sizeof s->host, "?");
    ginv_status gs = open_checked(&s->db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_ms);
    if (gs) {
        ginv_free(s->path);
        ginv_free(s);
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
            gs = ginv_fail(GINV_ERR_ARG, "'%s' already holds this sweep (%ld of %ld units done); pass --resume "
                           "to continue it, or give a new --db file", path, n,
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
    struct stat sb;
    if (stat(path, &sb) != 0) return ginv_fail(GINV_ERR_IO, "cannot open '%s': no such file", path);
    sqlite3 *db;
    ginv_status gs = open_checked(&db, path, SQLITE_OPEN_READONLY, busy_ms);
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
        if (sqlite3_step(st) == SQLITE_ROW) *dst = ginv_strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        st = NULL;
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
            stop = fn(user, &row);
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
