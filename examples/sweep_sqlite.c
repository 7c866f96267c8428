/* sweep_sqlite.c — a small parameter sweep into an SQLite store, then read
 * back: success rate of MAP recovery (Hand & Voroninski's setting: random
 * 5-50-200 ReLU generator, Gaussian A, sign-flip gradient descent) against
 * the number of measurements m, 6 trials per cell, with Wilson intervals.
 *
 *   cc sweep_sqlite.c $(pkg-config --cflags --libs ginv) -o sweep_sqlite
 *   ./sweep_sqlite [DB]           (default sweep.db; run again: resumes)
 *
 * Unit (cell, trial) draws its numbers from (cell seed, trial), so the store
 * holds the same numbers whatever the threads, ranks or interruptions. */
#include <ginv.h>

#include <stdio.h>
#include <string.h>

static const char spec_json[] =
    "{\"command\": \"recover\","
    " \"fixed\": {\"layers\": \"5,50,200\", \"op\": \"gaussian\", \"algo\": \"signflip\","
    "            \"iters\": 600, \"restarts\": 1},"
    " \"grid\": {\"m\": [5, 40]}, \"trials\": 6, \"seed\": 7}";

enum { MAXCELLS = 8 };
typedef struct {
    long units[MAXCELLS], ok[MAXCELLS];
    char params[MAXCELLS][256];
} tally;

/* Called for every stored unit: count the "success" metric per cell. */
static int count(void *user, const ginv_store_row *row)
{
    tally *t = user;
    if (row->cell < 0 || row->cell >= MAXCELLS) return 0;
    snprintf(t->params[row->cell], sizeof t->params[0], "%s", row->params);
    t->units[row->cell]++;
    for (int i = 0; i < row->metrics->n; i++)
        if (!strcmp(row->metrics->name[i], "success") && row->metrics->value[i] == 1)
            t->ok[row->cell]++;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "sweep_sqlite: %s: %s\n", what, ginv_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *db = argc > 1 ? argv[1] : "sweep.db";
    ginv_lib_init(0, NULL);

    ginv_sweep_spec *spec = NULL;
    if (ginv_sweep_spec_parse(spec_json, strlen(spec_json), &spec) != GINV_OK) return fail("spec");
    ginv_sweep_opts o;
    ginv_sweep_opts_init(&o);
    o.db = db;
    o.resume = 1;                /* a second run finds every unit done */
    o.threads = 2;
    ginv_sweep_stats stats;
    if (ginv_sweep_run(spec, &o, &stats) != GINV_OK) {
        ginv_sweep_spec_free(spec);
        return fail(db);
    }
    printf("sweep: %ld units (%ld cells x %d trials): %ld stored before, %ld now, %ld failed\n",
           stats.total, ginv_sweep_spec_cells(spec), ginv_sweep_spec_trials(spec),
           stats.done_before, stats.done_now, stats.failed);
    ginv_sweep_spec_free(spec);

    tally t = {0};
    if (ginv_store_read(db, 1000, NULL, NULL, count, &t) != GINV_OK) return fail(db);
    for (int c = 0; c < MAXCELLS; c++) {
        if (!t.units[c]) continue;
        double lo, hi;
        ginv_wilson_interval(t.ok[c], t.units[c], 1.96, &lo, &hi);
        printf("cell %d %s: success %ld/%ld, 95%% interval [%.2f, %.2f]\n", c, t.params[c],
               t.ok[c], t.units[c], lo, hi);
    }
    return 0;
}
