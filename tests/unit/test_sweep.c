/* test_sweep.c — sweeps: specs expand into cells and refuse what they must,
 * a cell's seed follows its parameters, the recover runner gives the numbers
 * of ginv_recover_run, runs on 1 and 2 threads store identical metrics, the
 * store refuses foreign files, truncated files and other specs, one writer
 * holds a store at a time, error units are rerun on request, --where filters
 * are parsed strictly, a registered runner runs, and the Wilson interval and
 * quantiles match hand-computed values. */
#include "test.h"
#include "run/run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *small_spec =
    "{\"command\": \"recover\", \"fixed\": {\"op\": \"gaussian\", \"algo\": \"signflip\", \"iters\": 150},"
    " \"grid\": {\"layers\": [\"4,20,60\", \"5,20,60\"], \"m\": [12, 30]}, \"trials\": 3, \"seed\": 5}";

static ginv_sweep_spec *parse(const char *txt)
{
    ginv_sweep_spec *s = NULL;
    ginv_sweep_spec_parse(txt, strlen(txt), &s);
    return s;
}

TEST(sweep_spec_expands_grid_first_key_slowest)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    CHECK(ginv_sweep_spec_cells(s) == 4);
    CHECK(ginv_sweep_spec_trials(s) == 3);
    /* cell 1 = layers[0], m[1]; parameters sorted by name, values as text */
    const ginv_params *p = ginv_sweep_spec_cell(s, 1);
    CHECK(!strcmp(ginv_params_get(p, "layers"), "4,20,60"));
    CHECK(!strcmp(ginv_params_get(p, "m"), "30"));
    CHECK(!strcmp(ginv_params_get(p, "iters"), "150"));
    CHECK(!strcmp(ginv_sweep_spec_cell_text(s, 1),
                  "{\"algo\":\"signflip\",\"iters\":\"150\",\"layers\":\"4,20,60\",\"m\":\"30\",\"op\":\"gaussian\"}"));
    CHECK(strlen(ginv_sweep_spec_hash(s)) == 16);
    ginv_sweep_spec_free(s);
}

TEST(sweep_spec_refuses_unknown_parameter_naming_the_valid_ones)
{
    const char *t = "{\"command\": \"recover\", \"fixed\": {\"layerz\": \"4,20\"}, \"grid\": {\"m\": [5]}}";
    ginv_sweep_spec *s = NULL;
    CHECK(ginv_sweep_spec_parse(t, strlen(t), &s) == GINV_ERR_ARG);
    CHECK(s == NULL);
    CHECK_MSG(strstr(ginv_last_error(), "unknown parameter 'layerz'") && strstr(ginv_last_error(), "layers, act"),
              "message: %s", ginv_last_error());
    t = "{\"command\": \"recover\", \"fixed\": {\"seed\": 3}, \"grid\": {\"m\": [5]}}";
    CHECK(ginv_sweep_spec_parse(t, strlen(t), &s) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "top level"), "message: %s", ginv_last_error());
    t = "{\"command\": \"recovr\", \"grid\": {\"m\": [5]}}";
    CHECK(ginv_sweep_spec_parse(t, strlen(t), &s) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "'recovr'") && strstr(ginv_last_error(), "recover"), "message: %s", ginv_last_error());
}

TEST(sweep_spec_refuses_empty_grid_duplicates_and_bad_values)
{
    const char *bad[] = {
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": []}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [5, \"5\"]}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\", \"m\": 3}, \"grid\": {\"m\": [5]}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [\"many\"]}}",
        "{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [5]}, \"trails\": 3}",
        "{\"command\": \"recover\", \"grid\": {\"m\": [5]",
    };
    const char *expect[] = {"grid is empty", "grid is empty", "'m' has no values", "lists '5' twice",
                            "both fixed and in the grid", "parameter 'm' expects an integer",
                            "unknown spec key 'trails'", "not valid JSON"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ginv_sweep_spec *s = NULL;
        CHECK(ginv_sweep_spec_parse(bad[i], strlen(bad[i]), &s) != GINV_OK);
        CHECK_MSG(strstr(ginv_last_error(), expect[i]), "spec %zu: message '%s' lacks '%s'", i, ginv_last_error(), expect[i]);
        ginv_sweep_spec_free(s);
    }
}

TEST(sweep_cell_seed_follows_parameters_not_grid_position)
{
    ginv_sweep_spec *a = parse("{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [10, 20]}, \"seed\": 9}");
    ginv_sweep_spec *b = parse("{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [30, 20, 10]}, \"seed\": 9}");
    ginv_sweep_spec *c = parse("{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [10, 20]}, \"seed\": 9, \"seeds\": \"shared\"}");
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(ginv_sweep_cell_seed(a, 1) == ginv_sweep_cell_seed(b, 1)); /* m = 20 */
        CHECK(ginv_sweep_cell_seed(a, 0) == ginv_sweep_cell_seed(b, 2)); /* m = 10 */
        CHECK(ginv_sweep_cell_seed(a, 0) != ginv_sweep_cell_seed(a, 1));
        CHECK(ginv_sweep_cell_seed(a, 0) < (1ull << 63));
        CHECK(ginv_sweep_cell_seed(c, 0) == 9 && ginv_sweep_cell_seed(c, 1) == 9);
        CHECK(strcmp(ginv_sweep_spec_hash(a), ginv_sweep_spec_hash(b)));
    }
    ginv_sweep_spec_free(a);
    ginv_sweep_spec_free(b);
    ginv_sweep_spec_free(c);
}

TEST(recover_unit_gives_the_numbers_of_ginv_recover_run)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    const ginv_params *p = ginv_sweep_spec_cell(s, 3); /* 5,20,60, m = 30 */
    uint64_t seed = ginv_sweep_cell_seed(s, 3);
    ginv_metrics m = {0};
    CHECK_OK(ginv_unit_recover.run(p, seed, 2, &m));
    /* the same trial by hand: trials 0..2 of seed `seed`, keep trial 2 */
    static const ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 5, .out = 20}, {.kind = GINV_LAYER_RELU},
                                      {.kind = GINV_LAYER_DENSE, .in = 20, .out = 60}, {.kind = GINV_LAYER_RELU}};
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_opts_init(&o);
    ginv_op_spec_parse(&ops, "gaussian", 30);
    o.nspec = 4;
    o.spec = spec;
    o.op = &ops;
    o.solve.type = ginv_solver_signflip;
    o.solve.lr = 1.0;
    o.solve.iters = 150;
    o.trials = 3;
    o.seed = seed;
    ginv_recover_trial res[3];
    CHECK_OK(ginv_recover_run(&o, res));
    CHECK(m.n >= 3 && !strcmp(m.name[0], "rel_error") && !strcmp(m.name[3], "meas_loss"));
    CHECK_MSG(m.value[0] == res[2].rel_error, "unit %.17g vs recover %.17g", m.value[0], res[2].rel_error);
    CHECK(m.value[3] == res[2].meas_loss);
    for (int t = 0; t < 3; t++) ginv_recover_trial_release(&res[t]);
    ginv_op_spec_release(&ops);
    ginv_sweep_spec_free(s);
}

/* every stored metric, "cell trial name %a" per line */
typedef struct { char *buf; size_t len, cap; long rows; } dump;

static int dump_row(void *user, const ginv_store_row *r)
{
    dump *d = user;
    d->rows++;
    for (int i = 0; i < r->metrics->n; i++) {
        char line[256];
        int n = snprintf(line, sizeof line, "%ld %d %s %a\n", r->cell, r->trial, r->metrics->name[i], r->metrics->value[i]);
        if (d->len + n + 1 > d->cap) {
            d->cap = 2 * (d->cap + n + 1);
            d->buf = realloc(d->buf, d->cap);
        }
        memcpy(d->buf + d->len, line, (size_t)n + 1);
        d->len += n;
    }
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *db_path(const char *name)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 256, "%s/%s", test_tmpdir(), name);
    unlink(p);
    return p;
}

/* Options for a sweep in this process (no MPI) into the store tmp/NAME. */
static void local_opts(ginv_sweep_opts *o, const char *name)
{
    ginv_sweep_opts_init(o);
    o->mpi = 0;
    o->db = db_path(name);
}

TEST(sweep_on_two_threads_stores_the_metrics_of_one_thread_bit_for_bit)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    ginv_sweep_opts o;
    ginv_sweep_stats st;
    dump d[2] = {{0}};
    for (int k = 0; k < 2; k++) {
        ginv_sweep_opts_init(&o);
        o.db = db_path(k ? "two.db" : "one.db");
        o.threads = k + 1;
        o.mpi = 0;
        CHECK_OK(ginv_sweep_run(s, &o, &st));
        CHECK(st.done_now == 12 && st.done_before == 0 && st.failed == 0);
        /* sorted rows: the insertion order differs between runs */
        CHECK_OK(ginv_store_read(o.db, 1000, NULL, NULL, dump_row, &d[k]));
        CHECK(d[k].rows == 12);
    }
    /* order-insensitive comparison: sort the lines */
    for (int k = 0; k < 2; k++) {
        char **lines = malloc(sizeof(char *) * 200);
        int n = 0;
        for (char *save, *t = strtok_r(d[k].buf, "\n", &save); t && n < 200; t = strtok_r(NULL, "\n", &save)) lines[n++] = t;
        qsort(lines, (size_t)n, sizeof *lines, cmp_line);
        char *joined = calloc(1, d[k].len + 2);
        for (int i = 0; i < n; i++) { strcat(joined, lines[i]); strcat(joined, "\n"); }
        free(lines);
        free(d[k].buf);
        d[k].buf = joined;
    }
    CHECK(d[0].buf && d[1].buf && !strcmp(d[0].buf, d[1].buf));
    /* resuming a finished sweep runs nothing; without --resume it is refused */
    o.resume = 1;
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_before == 12 && st.done_now == 0);
    o.resume = 0;
    CHECK(ginv_sweep_run(s, &o, &st) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "already holds this sweep (12 of 12"), "%s", ginv_last_error());
    free(d[0].buf);
    free(d[1].buf);
    ginv_sweep_spec_free(s);
}

TEST(sweep_store_refuses_foreign_files_and_other_specs_untouched)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    ginv_sweep_opts o;
    ginv_sweep_stats st;
    local_opts(&o, "text.db");
    CHECK_OK(ginv_write_atomic(o.db, "not a database\n", 15));
    CHECK(ginv_sweep_run(s, &o, &st) == GINV_ERR_FORMAT);
    CHECK_MSG(strstr(ginv_last_error(), "is not an SQLite database"), "%s", ginv_last_error());
    unsigned char *buf;
    size_t len;
    CHECK_OK(ginv_read_file(o.db, 1000, &buf, &len));
    CHECK(len == 15 && !memcmp(buf, "not a database\n", 15));
    ginv_free(buf);
    /* a store of 2 units of this spec, then the same file with another seed */
    o.db = db_path("partial.db");
    o.max_units = 2;
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_now == 2);
    ginv_sweep_spec *s2 = parse("{\"command\": \"recover\", \"fixed\": {\"layers\": \"4,20\"}, \"grid\": {\"m\": [5]}, \"seed\": 6}");
    o.resume = 1;
    CHECK(ginv_sweep_run(s2, &o, &st) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "another spec"), "%s", ginv_last_error());
    o.max_units = 0;
    CHECK_OK(ginv_sweep_run(s, &o, &st)); /* the right spec resumes */
    CHECK(st.done_before == 2 && st.done_now == 10);
    ginv_sweep_spec_free(s2);
    ginv_sweep_spec_free(s);
}

/* A toy command: registering it is all a new command needs. */
static const char *const toy_params[] = {"scale", NULL};
static ginv_status toy_check(const ginv_params *p)
{
    double x;
    return ginv_params_double(p, "scale", 1, 0, 10, &x);
}
static ginv_status toy_run(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    double scale;
    ginv_status st = toy_check(p);
    if (st) return st;
    ginv_params_double(p, "scale", 1, 0, 10, &scale);
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER, trial);
    double u = ginv_rng_uniform(&r);
    ginv_metrics_add(out, "value", scale * u);
    ginv_metrics_add(out, "hit", u < 0.5);
    return GINV_OK;
}
static const ginv_unit_runner toy = {"toy", toy_params, toy_check, toy_run, "hit"};

TEST(sweep_runs_a_registered_runner_and_refuses_a_second_one)
{
    if (!ginv_unit_find("toy")) CHECK_OK(ginv_unit_register(&toy));
    CHECK(ginv_unit_register(&toy) == GINV_ERR_ARG);
    CHECK(ginv_unit_register(&ginv_unit_recover) == GINV_ERR_ARG);
    ginv_sweep_spec *s = parse("{\"command\": \"toy\", \"grid\": {\"scale\": [1, 2]}, \"trials\": 4}");
    CHECK(s != NULL);
    if (!s) return;
    ginv_sweep_opts o;
    ginv_sweep_stats st;
    local_opts(&o, "toy.db");
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_now == 8);
    ginv_sweep_spec_free(s);
    const char *bad = "{\"command\": \"toy\", \"grid\": {\"scale\": [11]}}";
    CHECK(ginv_sweep_spec_parse(bad, strlen(bad), &s) == GINV_ERR_ARG);
    CHECK_MSG(strstr(ginv_last_error(), "cell 0") && strstr(ginv_last_error(), "'scale' 11 is out of range"), "%s", ginv_last_error());
}

TEST(sweep_store_refuses_a_truncated_file_with_sqlites_own_message)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    ginv_sweep_opts o;
    ginv_sweep_stats st;
    local_opts(&o, "trunc.db");
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    unsigned char *buf;
    size_t len;
    CHECK_OK(ginv_read_file(o.db, 1 << 24, &buf, &len));
    CHECK(len > 8192);
    CHECK_OK(ginv_write_atomic(o.db, buf, 8192)); /* the first two pages survive */
    ginv_free(buf);
    o.resume = 1;
    for (int k = 0; k < 2; k++) { /* the writer's and the reader's check */
        ginv_clear_error();
        ginv_status r = k ? ginv_store_read(o.db, 100, NULL, NULL, NULL, NULL) : ginv_sweep_run(s, &o, &st);
        CHECK(r == GINV_ERR_FORMAT);
        const char *m = ginv_last_error();
        CHECK_MSG(strstr(m, "is a corrupted SQLite database (database disk image is malformed; left untouched)"),
                  "%s", m);
        for (const char *c = m; *c; c++) CHECK_MSG((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "byte %02x in '%s'", (unsigned char)*c, m);
    }
    CHECK_OK(ginv_read_file(o.db, 1 << 24, &buf, &len));
    CHECK(len == 8192); /* untouched */
    ginv_free(buf);
    ginv_sweep_spec_free(s);
}

TEST(sweep_store_is_held_by_one_writer_and_names_its_pid)
{
    ginv_sweep_spec *s = parse(small_spec);
    CHECK(s != NULL);
    if (!s) return;
    long T = ginv_sweep_spec_trials(s), total = ginv_sweep_spec_cells(s) * T;
    unsigned char *done = ginv_calloc((size_t)total, 1);
    const char *db = db_path("held.db");
    char lock[300], pid[64];
    snprintf(lock, sizeof lock, "%s.lock", db);
    snprintf(pid, sizeof pid, "process %ld on ", (long)getpid());
    ginv_run_store *a = NULL, *b = NULL;
    CHECK_OK(ginv_run_store_open(&a, db, s, 1, 0, 1000, done));
    CHECK(access(lock, F_OK) == 0);
    /* a second writer (here another open file description of the same lock) is
     * refused at once, with the owner's PID; a reader is not */
    CHECK(ginv_run_store_open(&b, db, s, 1, 0, 1000, done) == GINV_ERR_IO);
    CHECK(b == NULL);
    CHECK_MSG(strstr(ginv_last_error(), "is in use by another sweep") && strstr(ginv_last_error(), pid) &&
              strstr(ginv_last_error(), ".lock"), "%s", ginv_last_error());
    CHECK_OK(ginv_store_read(db, 100, NULL, NULL, NULL, NULL));
    ginv_run_store_close(a);
    CHECK(access(lock, F_OK) != 0); /* removed on a clean close */
    CHECK_OK(ginv_run_store_open(&b, db, s, 1, 0, 1000, done));
    ginv_run_store_close(b);
    ginv_free(done);
    ginv_sweep_spec_free(s);
}

/* A runner that fails trial 1 while `flaky_fail` is set. */
static int flaky_fail;
static const char *const flaky_params[] = {"x", NULL};
static ginv_status flaky_run(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    if (flaky_fail && trial == 1) return ginv_fail(GINV_ERR_NUMERIC, "flaky: trial 1 diverged");
    ginv_metrics_add(out, "v", (double)(seed % 1000) + (double)trial);
    return GINV_OK;
}
static const ginv_unit_runner flaky = {"flaky", flaky_params, NULL, flaky_run, NULL};

static int count_rows(void *user, const ginv_store_row *r)
{
    long *c = user;
    c[0]++;
    c[1] += !strcmp(r->status, "ok") && r->metrics->n == 1;
    c[2] += !strcmp(r->status, "error") && strstr(r->error, "flaky: trial 1 diverged") != NULL;
    return 0;
}

TEST(sweep_retry_errors_reruns_the_error_units_and_replaces_their_rows)
{
    if (!ginv_unit_find("flaky")) CHECK_OK(ginv_unit_register(&flaky));
    ginv_sweep_spec *s = parse("{\"command\": \"flaky\", \"grid\": {\"x\": [1, 2]}, \"trials\": 3}");
    CHECK(s != NULL);
    if (!s) return;
    ginv_sweep_opts o;
    ginv_sweep_stats st;
    local_opts(&o, "flaky.db");
    flaky_fail = 1;
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_now == 6 && st.failed == 2);
    long c[3] = {0};
    CHECK_OK(ginv_store_read(o.db, 100, NULL, NULL, count_rows, c));
    CHECK(c[0] == 6 && c[1] == 4 && c[2] == 2);
    flaky_fail = 0;
    o.resume = 1; /* an error is a result: a plain resume keeps it */
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_before == 6 && st.done_now == 0 && st.retried == 0);
    o.retry_errors = 1;
    CHECK_OK(ginv_sweep_run(s, &o, &st));
    CHECK(st.done_before == 4 && st.done_now == 2 && st.retried == 2 && st.failed == 0);
    memset(c, 0, sizeof c);
    CHECK_OK(ginv_store_read(o.db, 100, NULL, NULL, count_rows, c));
    CHECK(c[0] == 6 && c[1] == 6 && c[2] == 0); /* replaced, not added */
    CHECK_OK(ginv_sweep_run(s, &o, &st)); /* nothing left to retry */
    CHECK(st.done_before == 6 && st.done_now == 0 && st.retried == 0);
    o.resume = 0;
    CHECK(ginv_sweep_run(s, &o, &st) == GINV_ERR_ARG); /* retry needs resume */
    ginv_sweep_spec_free(s);
}

static const char *where_spec =
    "{\"command\":\"recover\",\"seed\":\"5\",\"seeds\":\"cell\",\"trials\":3,\"fixed\":{\"algo\":\"signflip\",\"op\":\"gaussian\"},"
    "\"grid\":[[\"layers\",[\"4,20,60\",\"5,20,60\"]],[\"m\",[\"12\",\"30\"]]]}";

TEST(where_filters_parse_strictly_and_only_name_what_the_sweep_has)
{
    ginv_where w;
    CHECK_OK(ginv_where_parse(" m = 30 ;layers=4,20,60", where_spec, &w));
    CHECK(w.n == 2 && !strcmp(w.name[0], "m") && !strcmp(w.value[0], "30") && !strcmp(w.value[1], "4,20,60"));
    CHECK(ginv_where_match(&w, "{\"algo\":\"signflip\",\"layers\":\"4,20,60\",\"m\":\"30\"}") == 1);
    CHECK(ginv_where_match(&w, "{\"algo\":\"signflip\",\"layers\":\"5,20,60\",\"m\":\"30\"}") == 0);
    CHECK(ginv_where_match(&w, "{\"layers\":\"4,20,60\"}") == 0);
    CHECK(ginv_where_match(&w, "not json") == 0);
    ginv_where_release(&w);
    CHECK_OK(ginv_where_parse("algo=signflip", where_spec, &w)); /* a fixed parameter */
    ginv_where_release(&w);
    CHECK_OK(ginv_where_parse("anything=at all", NULL, &w)); /* syntax only */
    CHECK(w.n == 1 && !strcmp(w.value[0], "at all"));
    ginv_where_release(&w);
    static const struct { const char *text, *msg; } bad[] = {
        {"", "no condition"},
        {"  ", "no condition"},
        {"m==;;", "one '='"},
        {"m=12;", "empty condition"},
        {";m=12", "empty condition"},
        {"m=12;;layers=4,20,60", "empty condition"},
        {"m", "expected P=V"},
        {"=12", "no parameter name"},
        {"m=", "no value"},
        {"m=12;m=30", "given twice"},
        {"nonexistent=5", "'nonexistent' is not a parameter of this sweep (its parameters: algo, op, layers, m)"},
        {"m=13", "never '13' in this sweep (its values: '12', '30')"},
        {"algo=gd", "never 'gd' in this sweep (its value: 'signflip')"},
        {"a=1;b=2;c=3;d=4;e=5;f=6;g=7;h=8;i=9;j=10;k=11;l=12;m=13;n=14;o=15;p=16;q=17", "more than 16"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *spec = strstr(bad[i].text, "a=1;") ? NULL : where_spec;
        CHECK_MSG(ginv_where_parse(bad[i].text, spec, &w) == GINV_ERR_ARG, "'%s' accepted", bad[i].text);
        CHECK_MSG(strstr(ginv_last_error(), bad[i].msg), "'%s': %s", bad[i].text, ginv_last_error());
        CHECK(w.n == 0 && w.buf == NULL);
        ginv_where_release(&w);
    }
    CHECK(ginv_where_parse("m=12", "{not json", &w) == GINV_ERR_FORMAT);
}

TEST(sweep_result_codec_carries_every_bit)
{
    ginv_run_result r = {.cell = 123456789012L, .trial = 7, .status = GINV_ERR_NUMERIC, .started = 1.7e9 + 0.123,
                         .seconds = 0.1, .rank = 3};
    snprintf(r.error, sizeof r.error, "diverged at iteration 4");
    ginv_metrics_add(&r.metrics, "a", 0.1 + 0.2);
    ginv_metrics_add(&r.metrics, "b", NAN);
    ginv_metrics_add(&r.metrics, "c", -0.0);
    unsigned char buf[1024];
    size_t len = ginv_run_result_encode(&r, buf, sizeof buf);
    ginv_run_result q;
    CHECK(len < sizeof buf && ginv_run_result_decode(buf, len, NULL, &q) == 0);
    CHECK(q.cell == r.cell && q.trial == 7 && q.status == GINV_ERR_NUMERIC && q.rank == 3);
    CHECK(!strcmp(q.error, r.error) && q.started == r.started);
    CHECK(q.metrics.n == 3 && !strcmp(q.metrics.name[1], "b"));
    CHECK(!memcmp(q.metrics.value, r.metrics.value, 3 * sizeof(double)));
    CHECK(ginv_run_result_decode(buf, len - 1, NULL, &q) != 0); /* truncated */
}

TEST(wilson_interval_and_quantiles_match_hand_values)
{
    double lo, hi;
    /* 8 of 10 at z = 1.96: centre (0.8 + 0.19208)/1.38416 = 0.716742,
     * half-width 1.96 sqrt(0.016 + 0.009604)/1.38416 = 0.226583 */
    ginv_wilson_interval(8, 10, 1.96, &lo, &hi);
    CHECK_NEAR(lo, 0.490159, 1e-5);
    CHECK_NEAR(hi, 0.943325, 1e-5);
    ginv_wilson_interval(0, 5, 1.96, &lo, &hi); /* never 0 width at the edges */
    CHECK(lo == 0 && hi > 0.4 && hi < 0.44);
    double x[] = {1, 2, 3, 4};
    CHECK_NEAR(ginv_quantile_sorted(x, 4, 0.25), 1.75, 1e-12);
    CHECK_NEAR(ginv_quantile_sorted(x, 4, 0.5), 2.5, 1e-12);
    CHECK(ginv_quantile_sorted(x, 4, 1) == 4);
}

TEST(params_typed_reads_take_defaults_check_ranges_and_read_flags)
{
    /* names sorted, as a cell's parameters are */
    ginv_params p = {.n = 4,
                     .name = {"iters", "m", "op", "quiet"},
                     .value = {"150", "abc", "gaussian", "true"}};
    int v = 0;
    CHECK_OK(ginv_params_int(&p, "iters", 10, 1, 1000, &v));
    CHECK(v == 150);
    CHECK_OK(ginv_params_int(&p, "trials", 7, 1, 1000, &v)); /* absent: the default */
    CHECK(v == 7);
    CHECK(ginv_params_int(&p, "iters", 10, 1, 100, &v) != GINV_OK); /* 150 > 100 */
    CHECK(strstr(ginv_last_error(), "iters") != NULL);
    CHECK(ginv_params_int(&p, "m", 10, 1, 100, &v) != GINV_OK); /* not a number */
    CHECK(strstr(ginv_last_error(), "m") != NULL);
    CHECK(!strcmp(ginv_params_str(&p, "op", "identity"), "gaussian"));
    CHECK(!strcmp(ginv_params_str(&p, "init", "paper"), "paper"));
    int fl = -1;
    CHECK_OK(ginv_params_flag(&p, "quiet", &fl));
    CHECK(fl == 1);
    CHECK_OK(ginv_params_flag(&p, "verbose", &fl)); /* absent: false */
    CHECK(fl == 0);
    CHECK(ginv_params_flag(&p, "op", &fl) != GINV_OK); /* "gaussian" is no flag */
}

TEST(unit_commands_lists_the_builtin_runners_and_mpi_is_not_launched_here)
{
    char buf[256];
    const char *s = ginv_unit_commands(buf, sizeof buf);
    CHECK(s == buf);
    CHECK_MSG(strstr(buf, "recover") && strstr(buf, "cs"), "commands '%s'", buf);
    /* each listed name is a runner */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", buf);
    for (char *t = strtok(copy, ", "); t; t = strtok(NULL, ", "))
        CHECK_MSG(ginv_unit_find(t) != NULL, "'%s' listed but not found", t);
    /* the test runner is not started by mpirun */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK"))
        CHECK(ginv_sweep_mpi_launched() == 0);
}
