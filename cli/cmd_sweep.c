/* cmd_sweep.c — `ginv sweep SPEC.json --db FILE`: run every (cell, trial) of
 * a spec through its command's unit runner, each finished unit committed to
 * the SQLite store at once; --resume continues a killed sweep; under mpirun
 * the units are split over the ranks (rank 0 writes). docs/sweeps.md. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int tty, quiet;
    double every, t0, last;
    long first;             /* done at the first report (the resumed units) */
} sweep_progress;

static sweep_progress prog;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* done/total, units per second over this run, ETA: redrawn on a terminal,
 * else one line every `every` seconds (cluster logs). */
static void on_progress(void *user, const char *what, long done, long total)
{
    if (prog.quiet || strcmp(what, "units")) return;
    double now = mono();
    if (prog.first < 0) {
        prog.first = done;
        prog.t0 = prog.last = now;
    }
    long ran = done - prog.first;
    double el = now - prog.t0, rate = el > 0 ? ran / el : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    int final = done >= total;
    if (!prog.tty && !final && now - prog.last < prog.every) return;
    if (!prog.tty && final && ran == 0) return;
    prog.last = now;
    fprintf(stderr, "%sunits %ld/%ld (%.1f%%)  %.2f units/s  elapsed %.0fs  ETA %.0fs%s",
            prog.tty ? "\r" : "", done, total, total ? 100.0 * done / total : 100.0, rate, el,
            eta, prog.tty && !final ? "   " : "\n");
    fflush(stderr);
}

int cmd_sweep(int argc, char **argv)
{
    const char *C = "sweep", *db = NULL, *json = NULL;
    int resume = 0, quiet = 0, retry = 0;
    double every = 10;
    ginv_sweep_opts so;
    ginv_sweep_opts_init(&so);
    so.threads = 0; /* cli_threads() after parsing */
    int max_units = 0;
    cli_opt opts[] = {
        {"db", 0, OPT_STRING, &db, "FILE", "the SQLite result store (created if absent)"},
        {"resume", 0, OPT_FLAG, &resume, "", "continue the sweep in --db: run only the units not stored yet"},
        {"retry-errors", 0, OPT_FLAG, &retry, "", "with --resume: also run again the units stored as errors (their rows are replaced)"},
        CLI_THREADS_OPT(so.threads),
        {"busy-timeout", 0, OPT_INT, &so.busy_timeout_ms, "MS", "wait this long for a locked store", 0, 1 << 30},
        {"max-units", 0, OPT_INT, &max_units, "N", "stop after N new units (0: all)", 0, 1 << 30},
        {"progress-every", 0, OPT_DOUBLE, &every, "S", "without a terminal: a progress line every S seconds", 0.1, 1e9},
        {"json", 0, OPT_STRING, &json, "FILE", "write the run's summary as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    char cmds[256];
    char details[2048];
    snprintf(details, sizeof details,
             "SPEC is JSON: {\"command\": \"recover\", \"fixed\": {\"op\": \"gaussian\", \"algo\": \"signflip\",\n"
             "\"iters\": 2000}, \"grid\": {\"layers\": [\"5,250,1000\", \"10,250,1000\"], \"m\": [25, 50, 100]},\n"
             "\"trials\": 30, \"seed\": 1}. Keys of \"fixed\" and \"grid\" are the command's own option\n"
             "names; commands that can run in a sweep: %s. Each (cell, trial) is a unit with\n"
             "its own streams (cell seed, trial), the cell seed derived from the spec seed and the\n"
             "cell's parameters (\"seeds\": \"shared\" gives every cell the spec seed), so results are\n"
             "bit-identical however the work is split: threads, MPI ranks (mpirun -np N ginv sweep\n"
             "...; rank 0 writes the store), or runs resumed after a kill. Every finished unit is\n"
             "committed at once (SQLite, WAL); --resume skips them, a unit cut off is redone.\n"
             "A unit whose runner failed is stored as an error (a result: --resume keeps it;\n"
             "--resume --retry-errors runs it again). One sweep at a time per store: a second\n"
             "one is refused at once (exit 5) naming the PID that holds DB.lock.\n"
             "Summarise with 'ginv results DB'. See docs/sweeps.md.",
             ginv_unit_commands(cmds, sizeof cmds));
    cli_cmd cmd = {C, "Run a parameter sweep into an SQLite store; resumable, threads and MPI ranks.",
                   "ginv sweep SPEC.json --db FILE [--resume] [--threads T] [options]", details};
    const char *pos[1];
    static const char *const own[] = {"db", "resume", "retry-errors", "threads", "busy-timeout",
                                      "max-units", "progress-every", "json", NULL};
    cli_spell_only = own; /* the other parameters an error names are the spec's keys */
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error(C, "give the spec file: ginv sweep SPEC.json --db FILE");
    if (!db) return cli_usage_error(C, "--db FILE is required");
    if (retry && !resume) return cli_usage_error(C, "--retry-errors needs --resume (it reruns the error units of an existing store)");
    so.threads = cli_threads(so.threads);
    cli_install_callbacks(quiet);
    prog = (sweep_progress){.tty = isatty(2), .quiet = quiet, .every = every, .first = -1};
    ginv_set_progress(on_progress, NULL);
    so.db = db;
    so.resume = resume;
    so.retry_errors = retry;
    so.max_units = max_units;

    ginv_sweep_spec *spec;
    ginv_status st = ginv_sweep_spec_load(pos[0], &spec);
    if (st) return cli_lib_error(C, st);
    ginv_sweep_stats stats;
    so.ctx = cli_run_ctx(); /* Ctrl-C: the store keeps the finished units; exit 130 */
    st = ginv_sweep_run(spec, &so, &stats);
    if (st) {
        ginv_sweep_spec_free(spec);
        return cli_lib_error(C, st);
    }
    if (stats.rank == 0) {
        double ups = stats.seconds > 0 ? stats.done_now / stats.seconds : 0;
        char retry_note[96] = "";
        if (retry) snprintf(retry_note, sizeof retry_note, "; %ld error unit%s retried", stats.retried,
                            stats.retried == 1 ? "" : "s");
        if (!quiet)
            printf("sweep %s: %ld units (%ld cells x %d trials); %ld were stored before, %ld ran now "
                   "in %.2fs (%.2f units/s, %d rank%s x %d thread%s)%s%s\n",
                   ginv_sweep_spec_hash(spec), stats.total, ginv_sweep_spec_cells(spec),
                   ginv_sweep_spec_trials(spec), stats.done_before, stats.done_now, stats.seconds, ups,
                   stats.ranks, stats.ranks == 1 ? "" : "s", stats.threads, stats.threads == 1 ? "" : "s",
                   stats.done_before + stats.done_now < stats.total ? "; not finished: run again with --resume" : "",
                   retry_note);
        if (stats.failed)
            fprintf(stderr, "ginv sweep: warning: %ld units failed; their errors are stored (ginv results %s)\n",
                    stats.failed, db);
        if (json) {
            cJSON *doc = cli_json_new(C);
            cJSON_AddStringToObject(doc, "spec", pos[0]);
            cJSON_AddStringToObject(doc, "spec_hash", ginv_sweep_spec_hash(spec));
            cJSON_AddStringToObject(doc, "db", db);
            cJSON_AddStringToObject(doc, "sweep_command", ginv_sweep_spec_command(spec));
            cJSON_AddNumberToObject(doc, "cells", ginv_sweep_spec_cells(spec));
            cJSON_AddNumberToObject(doc, "trials", ginv_sweep_spec_trials(spec));
            cJSON_AddNumberToObject(doc, "units", stats.total);
            cJSON_AddNumberToObject(doc, "done_before", stats.done_before);
            cJSON_AddNumberToObject(doc, "done_now", stats.done_now);
            cJSON_AddNumberToObject(doc, "failed", stats.failed);
            if (retry) cJSON_AddNumberToObject(doc, "retried", stats.retried);
            cJSON_AddBoolToObject(doc, "complete", stats.done_before + stats.done_now == stats.total);
            cJSON_AddNumberToObject(doc, "ranks", stats.ranks);
            cJSON_AddNumberToObject(doc, "threads", stats.threads);
            cJSON_AddNumberToObject(doc, "seconds", stats.seconds);
            cJSON_AddNumberToObject(doc, "units_per_second", ups);
            rc = cli_json_write(C, doc, json);
            cJSON_Delete(doc);
        }
    }
    ginv_sweep_spec_free(spec);
    return rc;
}
