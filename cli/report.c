/* report.c — errors, JSON documents and the progress display. */
#include "cli.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0: no
 * overlong forms, surrogates or code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return len;
}

char *cli_utf8_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), cap = 3 * n + 1, o = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (k) {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3;
            i++;
        }
    }
    out[o] = 0;
    return out;
}

void cli_print_escaped(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (k == 1 && p[i] >= 0x20 && p[i] != 0x7f) fputc(p[i], f);
        else if (k > 1) fwrite(p + i, 1, k, f);
        else {
            fprintf(f, "\\x%02X", p[i]);
            k = 1;
        }
        i += k;
    }
}

/* One line: invalid UTF-8 and control bytes (a path's) shown as \xHH. */
const char *const *cli_spell_only;

/* Is the name at s (n bytes) one the command spells as an option? */
static int spelled(const char *s, size_t n)
{
    if (!cli_spell_only) return 1;
    for (const char *const *o = cli_spell_only; *o; o++)
        if (strlen(*o) == n && !strncmp(*o, s, n)) return 1;
    return 0;
}

/* The length of a parameter name at s ("lr", "start-scale") closed by a
 * quote, or 0. */
static size_t param_name(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || (s[n] == '-' && n))
        n++;
    return n && s[n] == '\'' && spelled(s, n) ? n : 0;
}

char *cli_option_spelling(const char *msg)
{
    size_t len = strlen(msg);
    char *out = malloc(len + 1), *o = out;
    if (!out) return NULL;
    for (const char *p = msg; *p;) {
        int plural = !strncmp(p, "parameters '", 12);
        if (plural || !strncmp(p, "parameter '", 11)) {
            const char *q = p + (plural ? 12 : 11);
            size_t n = param_name(q);
            if (n) {
                for (;;) { /* 'a', 'b' and 'c' -> --a, --b and --c */
                    *o++ = '-', *o++ = '-';
                    memcpy(o, q, n), o += n;
                    q += n + 1;
                    const char *sep = !strncmp(q, ", '", 3) ? ", " : !strncmp(q, " and '", 6) ? " and " : NULL;
                    size_t m = sep && plural ? param_name(q + strlen(sep) + 1) : 0;
                    if (!m) break;
                    memcpy(o, sep, strlen(sep)), o += strlen(sep);
                    q += strlen(sep) + 1;
                    n = m;
                }
                p = q;
                continue;
            }
        }
        *o++ = *p++;
    }
    *o = 0;
    return out;
}

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    char *spelled = msg ? cli_option_spelling(msg) : NULL;
    if (spelled) free(msg), msg = spelled;
    fprintf(stderr, "ginv %s: error: ", cmd);
    cli_print_escaped(stderr, msg ? msg : fmt);
    fputc('\n', stderr);
    free(msg);
}

int cli_exit_code(ginv_status st)
{
    switch (st) {
    case GINV_OK: return CLI_EXIT_OK;
    case GINV_ERR_ARG: return CLI_EXIT_USAGE;
    case GINV_ERR_FORMAT:
    case GINV_ERR_SHAPE: return CLI_EXIT_FORMAT;
    case GINV_ERR_IO: return CLI_EXIT_IO;
    case GINV_ERR_NUMERIC: return CLI_EXIT_NUMERIC;
    case GINV_ERR_NOMEM: return CLI_EXIT_RESOURCE;
    case GINV_ERR_UNSUPPORTED: return CLI_EXIT_UNSUPPORTED;
    case GINV_ERR_CANCELLED: return CLI_EXIT_CANCELLED;
    }
    return CLI_EXIT_FAIL;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return CLI_EXIT_FAIL;
}

int cli_error_code(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return code;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    ginv_status st = ginv_last_status();
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return st == GINV_OK ? CLI_EXIT_FAIL : cli_exit_code(st);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

FILE *cli_wrote_stream(const char *path)
{
    if (path && (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"))) return stderr;
    return stdout;
}

int cli_oom(const char *cmd) { return cli_error_code(cmd, CLI_EXIT_RESOURCE, "out of memory"); }

int cli_lib_error(const char *cmd, ginv_status st)
{
    const char *m = ginv_last_error();
    return cli_error_code(cmd, cli_exit_code(st), "%s", *m ? m : ginv_strerror(st));
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

/* *slot (a cJSON-owned string) replaced by its valid-UTF-8 form when that
 * differs. 0, or -1 out of memory. */
static int clean_slot(char **slot)
{
    char *c = cli_utf8_clean(*slot);
    if (!c) return -1;
    if (strcmp(c, *slot)) {
        char *copy = cJSON_malloc(strlen(c) + 1);
        if (!copy) {
            free(c);
            return -1;
        }
        strcpy(copy, c);
        cJSON_free(*slot);
        *slot = copy;
    }
    free(c);
    return 0;
}

/* Every string and key of the tree made valid UTF-8 (cli_utf8_clean): cJSON
 * copies bytes as they are, and a path need not be UTF-8. */
static int json_clean(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->string && !(item->type & cJSON_StringIsConst) && clean_slot(&item->string) != 0)
            return -1;
        if (cJSON_IsString(item) && item->valuestring && !(item->type & cJSON_IsReference) &&
            clean_slot(&item->valuestring) != 0)
            return -1;
        if (item->child && json_clean(item->child) != 0) return -1;
    }
    return 0;
}

int cli_json_write(const char *cmd, cJSON *doc, const char *path)
{
    if (json_clean(doc) != 0) return cli_oom(cmd);
    char *txt = cJSON_Print(doc);
    if (!txt) return cli_oom(cmd);
    int rc = 0;
    if (!strcmp(path, "-")) {
        printf("%s\n", txt);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = cli_error_code(cmd, CLI_EXIT_IO, "cannot write JSON to standard output");
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
    fprintf(stderr, "ginv: %s: ", names[level & 3]);
    cli_print_escaped(stderr, msg);
    fputc('\n', stderr);
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

/* The context of a long run: Ctrl-C (SIGINT) sets its cancel flag, the run
 * stops at its next check and the command reports "cancelled" (exit 130)
 * without writing its outputs. A second Ctrl-C kills as usual. */
static ginv_ctx *run_ctx;

static void on_sigint(int sig)
{
    (void)sig;
    ginv_ctx_cancel(run_ctx);        /* an atomic store: async-signal-safe */
    signal(SIGINT, SIG_DFL);
}

static void run_ctx_free(void)
{
    signal(SIGINT, SIG_DFL);
    ginv_ctx_free(run_ctx);
    run_ctx = NULL;
}

ginv_ctx *cli_run_ctx(void)
{
    if (run_ctx) return run_ctx;
    if (ginv_ctx_new(&run_ctx) != GINV_OK) return NULL; /* runs then go uncancellable */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    atexit(run_ctx_free);
    return run_ctx;
}

/* "C x H x W" of a layer's input or output */
static void shape_text(char *buf, size_t len, int c, int h, int w)
{
    if (h == 1 && w == 1) snprintf(buf, len, "%d", c);
    else snprintf(buf, len, "%dx%dx%d", c, h, w);
}

void cli_print_layers(const ginv_net *net)
{
    int L = ginv_net_nlayers(net);
    printf("  %3s  %-17s %-12s    %-12s %10s\n", "#", "layer", "in", "out", "params");
    for (int i = 0; i < L; i++) {
        const ginv_layer *ly = ginv_net_layer_c(net, i);
        char in[40], out[40], extra[96] = "";
        shape_text(in, sizeof in, ly->c_in, ly->h_in, ly->w_in);
        shape_text(out, sizeof out, ly->c_out, ly->h_out, ly->w_out);
        if (ly->kind == GINV_LAYER_CONV2D || ly->kind == GINV_LAYER_CONV_TRANSPOSE2D)
            snprintf(extra, sizeof extra, "k %dx%d s %d,%d p %d,%d d %d,%d%s%s", ly->kh, ly->kw,
                     ly->stride_h, ly->stride_w, ly->pad_h, ly->pad_w, ly->dil_h, ly->dil_w,
                     ly->outpad_h || ly->outpad_w ? " outpad" : "", ly->bias ? " bias" : "");
        else if (ly->kind == GINV_LAYER_DENSE) snprintf(extra, sizeof extra, "%s", ly->bias ? "bias" : "");
        else if (ly->kind == GINV_LAYER_LEAKY_RELU || ly->kind == GINV_LAYER_ELU)
            snprintf(extra, sizeof extra, "alpha %g", ly->alpha);
        else if (ly->kind == GINV_LAYER_UPSAMPLE_NEAREST)
            snprintf(extra, sizeof extra, "factor %d", ly->factor);
        printf("  %3d  %-17s %-12s -> %-12s %10zu%s%s\n", i, ginv_layer_kind_name(ly->kind), in, out,
               ginv_layer_nparams(ly), *extra ? "  " : "", extra);
    }
}
