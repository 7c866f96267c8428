/* report.c — errors, JSON documents and the progress display. */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "ginv %s: error: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return 2;
}

int cli_lib_error(const char *cmd, ginv_status st)
{
    const char *m = ginv_last_error();
    return cli_error(cmd, "%s", *m ? m : ginv_strerror(st));
}

cJSON *cli_json_new(const char *command)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "command", command);
    cJSON_AddStringToObject(d, "version", GINV_VERSION);
    return d;
}

cJSON *cli_json_problem(cJSON *doc, const cli_problem *pr)
{
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    if (pr->model) cJSON_AddStringToObject(p, "model", pr->model);
    if (pr->layers) {
        cJSON_AddStringToObject(p, "layers", pr->layers);
        cJSON_AddStringToObject(p, "act", pr->act);
        cJSON_AddStringToObject(p, "out_act", pr->out_act ? pr->out_act : pr->act);
        cJSON_AddBoolToObject(p, "bias", pr->bias);
        cJSON_AddStringToObject(p, pr->init_key, pr->init);
    }
    cJSON_AddNumberToObject(p, "k", pr->k);
    cJSON_AddNumberToObject(p, "n", pr->n);
    cJSON_AddStringToObject(p, "op", pr->op);
    cJSON_AddNumberToObject(p, "m", pr->m);
    return p;
}

cJSON *cli_json_num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

int cli_json_write(const char *cmd, cJSON *doc, const char *path)
{
    char *txt = cJSON_Print(doc);
    if (!txt) return cli_error(cmd, "out of memory writing JSON");
    int rc = 0;
    if (!strcmp(path, "-")) {
        printf("%s\n", txt);
        fflush(stdout);
    } else {
        size_t len = strlen(txt);
        txt[len] = '\n';
        ginv_status st = ginv_write_atomic(path, txt, len + 1);
        txt[len] = 0;
        if (st != GINV_OK) rc = cli_lib_error(cmd, st);
    }
    cJSON_free(txt);
    return rc;
}

typedef struct {
    int quiet, tty;
    double t0;
    long last_done;
} term_state;

static term_state term;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void on_log(void *user, int level, const char *msg)
{
    if (term.quiet && level > GINV_LOG_WARN) return;
    static const char *names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "ginv: %s: %s\n", names[level & 3], msg);
}

/* A one-line bar with count, rate and ETA, redrawn in place on a terminal. */
static void on_progress(void *user, const char *what, long done, long total)
{
    if (term.quiet || !term.tty) return;
    if (done <= 1 || term.last_done > done) term.t0 = wall();
    term.last_done = done;
    double el = wall() - term.t0;
    if (total > 0) {
        int w = 30, fill = (int)(w * (double)done / total);
        char bar[31];
        for (int i = 0; i < w; i++) bar[i] = i < fill ? '#' : '.';
        bar[w] = 0;
        double eta = done > 0 ? el * (total - done) / done : 0;
        fprintf(stderr, "\r%s [%s] %ld/%ld  %.1fs elapsed  ETA %.1fs ", what, bar, done, total,
                el, eta);
        if (done >= total) fputc('\n', stderr);
    } else {
        fprintf(stderr, "\r%s %ld  %.1fs ", what, done, el);
    }
    fflush(stderr);
}

void cli_install_callbacks(int quiet)
{
    term.quiet = quiet;
    term.tty = isatty(2);
    term.t0 = wall();
    ginv_set_log(on_log, NULL);
    ginv_set_progress(on_progress, NULL);
}
