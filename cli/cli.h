/* cli.h — what the command files share: the option table and parser, JSON
 * output, error reporting and the terminal progress display. Only cli/ prints
 * or exits. */
#ifndef GINV_CLI_H
#define GINV_CLI_H

#include "ginv.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

/* OPT_ALIAS: a deprecated spelling kept for one release; `meta` names the
 * option it stands for (CLI_ALIAS). Using it prints one warning. */
typedef enum { OPT_FLAG, OPT_INT, OPT_U64, OPT_DOUBLE, OPT_STRING, OPT_ALIAS } opt_type;

/* One row of a command's option table: it drives parsing, range checks and
 * --help. `lo`/`hi` bound numbers (inclusive) when lo < hi. */
typedef struct {
    const char *name;  /* long name without "--" */
    char short_name;   /* or 0 */
    opt_type type;
    void *dst;         /* int*, uint64_t*, double*, const char** */
    const char *meta;  /* the value's name in --help, e.g. "N" */
    const char *help;
    double lo, hi;
    int seen;          /* set by the parser */
} cli_opt;

typedef struct {
    const char *name;     /* "recover" or "net random" */
    const char *summary;  /* one line */
    const char *usage;    /* e.g. "ginv recover [options]" */
    const char *details;  /* paragraphs after the option list, or NULL */
} cli_cmd;

/* Option rows shared by the commands that build a random generator from
 * --layers (recover, sample) and take an operator (--op, --m, --image). */
#define CLI_LAYERS_OPTS(act, out_act, alpha, bias, bias_sd)                                     \
    {"act", 0, OPT_STRING, &(act), "NAME", "with --layers: activation of each layer"},          \
    {"out-act", 0, OPT_STRING, &(out_act), "NAME", "with --layers: activation of the last layer"}, \
    {"alpha", 0, OPT_DOUBLE, &(alpha), "A", "with --layers: leaky_relu slope", 0, 0.999999},    \
    {"bias", 0, OPT_FLAG, &(bias), "", "with --layers: dense layers have biases"},              \
    {"bias-sd", 0, OPT_DOUBLE, &(bias_sd), "S", "with --layers --bias: biases ~ N(0, S^2)", 0, 1e6}
#define CLI_OP_OPTS(opspec, m, image)                                                           \
    {"op", 0, OPT_STRING, &(opspec), "SPEC", CLI_OP_HELP},                                      \
    {"m", 0, OPT_INT, &(m), "M", GINV_M_HELP, 1, 1 << 24},   \
    {"image", 0, OPT_STRING, &(image), "CxHxW", GINV_IMAGE_HELP}
/* The --op help text every command shows (docs/cli.md, "Options"): the
 * library's, as in the parameter tables. */
#define CLI_OP_HELP GINV_OP_HELP
/* -q: one meaning in every command (docs/cli.md, "Options"). */
#define CLI_QUIET_OPT(dst) {"quiet", 'q', OPT_FLAG, &(dst), "", "only errors: no table, summary or progress"}
/* A deprecated spelling: --OLD works as --NEW for one release, with a warning. */
#define CLI_ALIAS(old, new_name) {old, 0, OPT_ALIAS, NULL, new_name, NULL}
/* --threads: 0 until resolved by cli_threads() after parsing, so --help shows
 * no machine-dependent default. */
#define CLI_THREADS_OPT(dst)                                                                    \
    {"threads", 0, OPT_INT, &(dst), "T",                                                        \
     "threads (default: the CPUs this process may use, or $GINV_THREADS; results do not depend on it)", 1, 256}

enum { CLI_OK = 0, CLI_HELP = -1 };
/* Parse argv[1..argc) into the table; positional arguments go to pos
 * (at most maxpos). Prints the error or the help itself. Returns CLI_OK,
 * CLI_HELP (exit 0) or an exit code (2: usage error). */
int cli_parse(const cli_cmd *cmd, cli_opt *opts, int argc, char **argv, const char **pos,
              int maxpos, int *npos);
void cli_help(const cli_cmd *cmd, const cli_opt *opts);
const cli_opt *cli_find(const cli_opt *opts, const char *name);

/* Exit statuses, one per class of failure (docs/cli.md, `ginv --help`). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,        /* any other failure */
    CLI_EXIT_USAGE = 2,       /* a bad option, value or combination */
    CLI_EXIT_UNKNOWN = 3,     /* decide: no answer within --time-limit */
    CLI_EXIT_FORMAT = 4,      /* an input breaks its format, or sizes disagree */
    CLI_EXIT_IO = 5,          /* a file could not be opened, read or written; a store is busy */
    CLI_EXIT_NUMERIC = 6,     /* NaN/Inf in the input, divergence */
    CLI_EXIT_RESOURCE = 7,    /* out of memory, or over a size limit */
    CLI_EXIT_UNSUPPORTED = 8, /* valid, but not something ginv does (or a tool is missing) */
    CLI_EXIT_WARNINGS = 9,    /* sample: finished, outputs written, but a convergence check
                                 failed (R-hat, ESS, acceptance, divergences, tree depth,
                                 NaN); --allow-warnings makes it 0 */
    CLI_EXIT_CANCELLED = 130  /* stopped by Ctrl-C (SIGINT): 128 + SIGINT, as shells report it */
};
/* The exit status of a library status class. */
int cli_exit_code(ginv_status st);

/* Print "ginv CMD: error: MSG" to stderr and return the exit code 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, returning the given exit code (CLI_EXIT_*). */
int cli_error_code(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After a library call failed: MSG (which usually quotes ginv_last_error()),
 * with the exit code of ginv_last_status()'s class. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The library's last message, with the exit code of st's class. */
int cli_lib_error(const char *cmd, ginv_status st);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where "wrote PATH" notices go: stderr when PATH is standard output ("-",
 * /dev/stdout), so the data written there stays clean; stdout otherwise. */
FILE *cli_wrote_stream(const char *path);
/* "out of memory" (exit CLI_EXIT_RESOURCE). */
int cli_oom(const char *cmd);

/* Arbitrary bytes (a path) as valid UTF-8: every byte that does not start a
 * valid sequence becomes U+FFFD (malloc'd; NULL when out of memory). The
 * JSON writer applies it to every string and key. */
char *cli_utf8_clean(const char *s);
/* s on f with invalid UTF-8 and control bytes written as \xHH: error and
 * log lines stay one readable line whatever a path holds. */
void cli_print_escaped(FILE *f, const char *s);

/* A JSON document with "command", "version" set; write to path ("-" is
 * stdout) through ginv_write_atomic (a device or FIFO is written directly,
 * a link's target replaced), every string made valid UTF-8 first. */
cJSON *cli_json_new(const char *command);
int cli_json_write(const char *cmd, cJSON *doc, const char *path);
/* A number that may be NaN: JSON null when not finite. */
cJSON *cli_json_num(double v);

/* The problem a command ran on, as JSON: adds "params" to doc with the
 * generator (model file, or --layers with act, out_act, bias and the
 * init/weights choice under init_key), k, n, the operator and m; returns it
 * so the command can add its own fields. */
typedef struct {
    const char *model, *layers, *act, *out_act, *init_key, *init, *op;
    int bias, k, n, m;
} cli_problem;
cJSON *cli_json_problem(cJSON *doc, const cli_problem *pr);

/* The context the long-running commands (recover, sample, cs, train vae,
 * sweep) give their library run: the first call installs a SIGINT handler
 * that cancels it (GINV_ERR_CANCELLED, exit CLI_EXIT_CANCELLED). NULL when
 * out of memory (the run is then not cancellable). */
ginv_ctx *cli_run_ctx(void);

/* Terminal output: progress on stderr when it is a terminal, unless quiet. */
void cli_install_callbacks(int quiet);

/* Threads when the user gives none: $GINV_THREADS when set (a positive
 * integer), else the CPUs this process may run on (sched_getaffinity),
 * shared among the MPI ranks on this node. Results never depend on it. */
int cli_default_threads(void);
/* t when the user gave --threads (t > 0), else cli_default_threads(). */
int cli_threads(int t);

/* Read the array file given to --OPT; it must hold `count` values (0: any).
 * 0 or an exit code (the error printed). */
int cli_read_vector(const char *cmd, const char *opt, const char *path, size_t count,
                    ginv_array *a);

/* Scenario options for trial 0 (ginv_scenario_opts_init, then the generator:
 * net if loaded, else spec; the operator; the seed). */
void cli_scenario_opts(ginv_scenario_opts *o, ginv_net *net, const ginv_layer *spec, int nspec,
                       const ginv_op_spec *ops, uint64_t seed);

/* "10,250,1000" -> sizes (at most max). */
int cli_parse_sizes(const char *cmd, const char *opt, const char *text, int *out, int max);

/* Layer list for --layers K,N1,..,ND: dense (+ act) per layer, out_act on the
 * last (NULL: act). Returns 0 or an exit code. spec holds 2 * 64 entries. */
int cli_build_spec(const char *cmd, const char *layers, const char *act, const char *out_act,
                   double alpha, int bias, ginv_layer *spec, int *nspec);

/* A task's parameter table (ginv/base.h) as option rows writing into obj
 * (its aliases as deprecated spellings): the command appends its own rows.
 * Returns the rows written, or -1 when more than max. */
int cli_table_opts(const ginv_param_table *t, void *obj, cli_opt *rows, int max);
/* A command's whole option table: t's rows, then its own (own ends with
 * {0}), into rows (max entries). 0, or -1 when they do not fit. */
int cli_table_join(const ginv_param_table *t, void *obj, const cli_opt *own, cli_opt *rows, int max);
/* A parameter check's failure (st): the library's message, exit 2 for bad
 * values. */
int cli_param_error(const char *cmd, ginv_status st);
/* The library names parameters ("parameter 'lr'", "parameters 'model' and
 * 'layers'"); every error the CLI prints spells them as the options they are
 * ("--lr", "--model and --layers"). malloc'd; NULL when out of memory. */
char *cli_option_spelling(const char *msg);
/* NULL (the default): every parameter name is spelled as an option. `sweep`
 * and `results` list their own options here (NULL-terminated): the other
 * parameters they name are the keys of a spec, and stay named as such. */
extern const char *const *cli_spell_only;
/* Every set parameter of obj into the JSON object parent (key: the name with
 * '-' written '_'; unset strings and automatic numbers left out). */
cJSON *cli_json_table(cJSON *parent, const ginv_param_table *t, const void *obj);

/* The layer table of a net on stdout: kind, input and output shape (C x H x
 * W, or the width), parameters, and the kind's settings (kernel, stride,
 * padding, dilation; alpha; factor; bias). `ginv info` and `ginv import`. */
void cli_print_layers(const ginv_net *net);

/* Command entry points. */
int cmd_info(int argc, char **argv);
/* info_lemma3.c: --jacobian's extremes {min sigma_min, max sigma_max, their medians} at N latents
 * (stream (seed, JACOBIAN, 0)), and --lemma3 (x_norm < 0: sqrt(d); beta < 0: not given) */
int cli_jacobian_extremes(const char *C, ginv_net *net, int N, uint64_t seed, double out[4]);
/* est: the sampled {m, M, M2, M3} already made (NaN where not: estimated here when not certified, and kept) */
int cli_info_lemma3(const char *C, ginv_net *net, double eps, double beta, double x_norm, int njac, int nsmooth,
                    uint64_t seed, double est[4], int print, cJSON **out);
/* cmd_reduce.c: --p, an integer 1..64 (or inf when allow_inf): 0, or the exit code */
int cli_reduce_parse_p(const char *C, const char *text, int allow_inf, double *p);
int cmd_encoder(int argc, char **argv);
/* encoder_dlg.c: an encoder file, a deep latent Gaussian or an amortised Gaussian net; sizes checked against G
 * when G is given: 0, or the exit code */
int cli_load_encoder(const char *C, const char *path, const ginv_net *G, ginv_dlg **E, ginv_net **A,
                     ginv_net_ws **ws, int *n, int *d);
/* encoder_dlg.c: `encoder build`, `encoder sample` and `encoder distance` */
int cli_encoder_build(int argc, char **argv);
/* `encoder train --arch dlg` (encoder_dlg_train.c): the options parsed by cmd_encoder.c */
typedef struct {
    const char *model, *out, *json, *act_s;
    double beta, lr;
    int layers, hidden, sivi_k, steps, batch, threads, quiet;
    uint64_t seed;
    const char *ckpt; /* OUT.ckpt */
    int ckpt_every, resume;
} cli_dlg_train_args;
int cli_encoder_train_dlg(const char *C, const cli_dlg_train_args *a);
int cli_encoder_sample(int argc, char **argv);
int cli_encoder_distance(int argc, char **argv);
/* B draws of q(. | x) for one x: a deep latent Gaussian (E), or an amortised Gaussian encoder net (A, its
 * workspace ws of batch 1: x -> (mu, log sigma^2)); draw b's noise from the stream (seed, DLG, b) */
ginv_status cli_encoder_draws(ginv_dlg *E, ginv_net *A, ginv_net_ws *ws, const float *x, int B, int k,
                              uint64_t seed, float *z);
int cmd_net(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_wdc(int argc, char **argv);
int cmd_rric(int argc, char **argv);
int cmd_landscape(int argc, char **argv);
int cmd_theory(int argc, char **argv);
int cmd_experiment(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_reduce(int argc, char **argv);
/* reduce_gap_cvp.c: `ginv reduce random-gap-cvp` */
int reduce_random_gap_cvp(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_train_score(int argc, char **argv); /* `train score`, from cmd_train */
/* `generate --score-steps` (generate_score.c): x = G2(h), h from the score
 * prior in model by the reverse SDE (from t = 1, or from --h perturbed to t);
 * *x (malloc'd, *B x n). 0 or an exit code. */
int generate_from_score(const char *model, ginv_net *net, int B, uint64_t seed, int steps, const char *hpath,
                        double t, float **x, int *Bout);
int cmd_cs(int argc, char **argv);
int cmd_decide(int argc, char **argv);
int cmd_invert_lp(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_generate(int argc, char **argv);

#endif
