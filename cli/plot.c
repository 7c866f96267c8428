/* plot.c — line plots and heat maps through gnuplot, as PNG, SVG or PDF:
 * data and script go into a mkdtemp directory, gnuplot runs without a shell
 * (posix_spawnp) and draws the figure there too; only when gnuplot succeeded
 * and the file is whole is it written to the target by ginv_write_atomic
 * (the one output policy: a file replaced atomically, a link's target
 * replaced, a device written directly), then the data and the script beside
 * it (NAME.dat, NAME.gp) the same way. The script reads `datafile` and
 * writes `outfile`, set to the temporary files on gnuplot's command line and
 * otherwise to NAME.dat and NAME.EXT, so the kept script redraws the figure
 * where it lies. Strings reach gnuplot only inside single quotes (where it
 * substitutes nothing) with ' doubled, and the terminal is noenhanced, so
 * titles show literally. */
#include "plot.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *plot_cmd;

void plot_set_command(const char *cmd) { plot_cmd = cmd; }

/* The command for error lines: the one set, else argv[1] of this process. */
static const char *cmd_name(void)
{
    static char buf[64];
    if (plot_cmd) return plot_cmd;
    if (!buf[0]) {
        snprintf(buf, sizeof buf, "plot");
        FILE *f = fopen("/proc/self/cmdline", "rb");
        if (f) {
            char line[256];
            size_t n = fread(line, 1, sizeof line - 1, f);
            fclose(f);
            line[n] = 0;
            size_t a0 = strlen(line);
            if (a0 + 1 < n) {
                const char *a1 = line + a0 + 1;
                int okname = *a1 != 0 && strlen(a1) < sizeof buf;
                for (const char *p = a1; *p && okname; p++)
                    okname = (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_';
                if (okname) snprintf(buf, sizeof buf, "%s", a1);
            }
        }
    }
    return buf;
}

/* ------------------------------------------------------------ formats */

enum { FMT_PNG, FMT_SVG, FMT_PDF };
static int plot_fmt = FMT_PNG;
static const char *const fmt_ext[3] = {"png", "svg", "pdf"};

int plot_set_format(const char *cmd, const char *opt, const char *name)
{
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(name, fmt_ext[i])) {
            plot_fmt = i;
            return 0;
        }
    return cli_usage_error(cmd ? cmd : cmd_name(), "%s '%s' must be png, svg or pdf", opt ? opt : "--format",
                           name ? name : "");
}

const char *plot_ext(void) { return fmt_ext[plot_fmt]; }

/* The extension of path when it is .png, .svg or .pdf (index), else -1. */
static int known_ext(const char *path)
{
    size_t n = strlen(path);
    for (int i = 0; i < 3; i++)
        if (n > 4 && path[n - 4] == '.' && !strcmp(path + n - 3, fmt_ext[i])) return i;
    return -1;
}

void plot_format_from_path(const char *path)
{
    int e = path ? known_ext(path) : -1;
    plot_fmt = e < 0 ? FMT_PNG : e;
}

const char *plot_target(const char *path, char *buf, unsigned long cap)
{
    if (known_ext(path) >= 0) snprintf(buf, cap, "%.*s.%s", (int)(strlen(path) - 4), path, plot_ext());
    else snprintf(buf, cap, "%s", path);
    return buf;
}

/* ------------------------------------------------------------ the job */

typedef struct {
    char dir[64];
    char data[96], script[96], log[96], out[96];
    char target[4096];  /* the figure's file */
    char base[4096];    /* target without its extension: BASE.dat, BASE.gp ("" : none) */
    const char *name;   /* basename of base, for the kept script */
    FILE *fd, *fs;
} plot_job;

/* A single-quoted gnuplot string: ' doubled, control characters as spaces. */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\'') fputs("''", f);
        else if (*p < 0x20 || *p == 0x7f) fputc(' ', f);
        else fputc(*p, f);
    }
    fputc('\'', f);
}

/* A double-quoted string in the data file (gnuplot's column strings). */
static void dat_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        fputc(*p == '"' ? '\'' : (*p < 0x20 || *p == 0x7f) ? ' ' : *p, f);
    fputc('"', f);
}

static void job_cleanup(plot_job *j)
{
    if (j->fd) fclose(j->fd);
    if (j->fs) fclose(j->fs);
    j->fd = j->fs = NULL;
    if (j->dir[0]) {
        unlink(j->out);
        unlink(j->data);
        unlink(j->script);
        unlink(j->log);
        rmdir(j->dir);
        j->dir[0] = 0;
    }
}

/* NAME.dat and NAME.gp go beside a figure in a file, not beside '-' or a
 * device (or a link to one). */
static int wants_sidecars(const char *target)
{
    if (!strcmp(target, "-") || !strncmp(target, "/dev/", 5) || !strncmp(target, "/proc/", 6)) return 0;
    struct stat sb;
    if (stat(target, &sb) == 0) return S_ISREG(sb.st_mode);
    return errno == ENOENT;
}

/* Temporary directory, data and script files open. */
static int job_open(plot_job *j, const char *png)
{
    const char *C = cmd_name();
    memset(j, 0, sizeof *j);
    if (!png || !*png) return cli_usage_error(C, "a plot needs an output path ('-': stdout)");
    plot_target(png, j->target, sizeof j->target);
    j->name = "figure";
    if (wants_sidecars(j->target)) {
        size_t n = strlen(j->target);
        if (known_ext(j->target) >= 0) n -= 4;
        snprintf(j->base, sizeof j->base, "%.*s", (int)n, j->target);
        const char *sl = strrchr(j->base, '/');
        j->name = sl ? sl + 1 : j->base;
        if (!*j->name) j->base[0] = 0, j->name = "figure";
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 20 || strchr(tmp, '\'')) tmp = "/tmp";
    snprintf(j->dir, sizeof j->dir, "%s/ginv-plot-XXXXXX", tmp);
    if (!mkdtemp(j->dir)) {
        int e = errno;
        j->dir[0] = 0;
        job_cleanup(j);
        return cli_error_code(C, CLI_EXIT_IO, "cannot make a temporary directory for the plot: %s", strerror(e));
    }
    snprintf(j->data, sizeof j->data, "%s/data.txt", j->dir);
    snprintf(j->script, sizeof j->script, "%s/plot.gp", j->dir);
    snprintf(j->log, sizeof j->log, "%s/gnuplot.log", j->dir);
    snprintf(j->out, sizeof j->out, "%s/out.%s", j->dir, plot_ext());
    j->fd = fopen(j->data, "w");
    j->fs = fopen(j->script, "w");
    if (!j->fd || !j->fs) {
        int e = errno;
        job_cleanup(j);
        return cli_error_code(C, CLI_EXIT_IO, "cannot write the plot's temporary files: %s", strerror(e));
    }
    fprintf(j->fd, "# %s.dat: the numbers behind %s.%s (ginv %s)\n", j->name, j->name, plot_ext(), C);
    return 0;
}

/* The script's head: where it reads and writes (overridable, so that the
 * kept NAME.gp redraws NAME.EXT from NAME.dat in its own directory), the
 * terminal of the format, title and axis labels. */
static void gp_header(plot_job *j, int w, int h, const char *title, const char *xlabel,
                      const char *ylabel)
{
    FILE *f = j->fs;
    char dat[4200], out[4200];
    snprintf(dat, sizeof dat, "%s.dat", j->name);
    snprintf(out, sizeof out, "%s.%s", j->name, plot_ext());
    fprintf(f, "# %s.gp: a figure of 'ginv %s'. Redraw it (after editing) with\n"
               "#   gnuplot %s.gp\n# in this directory: it reads %s.dat and writes %s.%s.\n",
            j->name, cmd_name(), j->name, j->name, j->name, plot_ext());
    fputs("if (!exists('datafile')) datafile = ", f);
    gp_str(f, dat);
    fputs("\nif (!exists('outfile')) outfile = ", f);
    gp_str(f, out);
    fputc('\n', f);
    if (plot_fmt == FMT_PNG)
        fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                   "  set terminal pngcairo noenhanced size %d,%d font 'sans,11'\n"
                   "} else {\n"
                   "  set terminal png noenhanced size %d,%d\n"
                   "}\n",
                w, h, w, h);
    else if (plot_fmt == FMT_SVG)
        fprintf(f, "set terminal svg noenhanced size %d,%d font 'sans,11' background rgb 'white'\n", w, h);
    else
        fprintf(f, "set terminal pdfcairo noenhanced size %.2fin,%.2fin font 'sans,8'\n", w / 110.0, h / 110.0);
    fputs("set output outfile\nset encoding utf8\n", f);
    if (title) { fputs("set title ", f); gp_str(f, title); fputc('\n', f); }
    if (xlabel) { fputs("set xlabel ", f); gp_str(f, xlabel); fputc('\n', f); }
    if (ylabel) { fputs("set ylabel ", f); gp_str(f, ylabel); fputc('\n', f); }
}

/* The last non-empty line of gnuplot's output, for the error message. */
static void last_line(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ')) line[--n] = 0;
        char *p = line;
        while (*p == ' ' || *p == '^') p++;
        if (*p) snprintf(out, cap, "%s", p);
    }
    fclose(f);
}

/* Does the finished file look like the format (and is it whole)? */
static int looks_right(const unsigned char *b, size_t n)
{
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (plot_fmt == FMT_PNG) return n > 8 && !memcmp(b, png_magic, 8);
    if (plot_fmt == FMT_PDF) return n > 8 && !memcmp(b, "%PDF", 4);
    return n > 8 && memmem(b, n < 2048 ? n : 2048, "<svg", 4) && memmem(b, n, "</svg>", 6);
}

/* Write a temporary file's bytes to dest through the output writer. */
static ginv_status copy_out(const char *src, const char *dest)
{
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(src, (size_t)1 << 30, &buf, &len);
    if (st != GINV_OK) return st;
    st = ginv_write_atomic(dest, buf, len);
    ginv_free(buf);
    return st;
}

/* Run gnuplot on the script; on success write the figure, its data and its
 * script beside it. */
static int job_run(plot_job *j)
{
    const char *C = cmd_name(), *png = j->target;
    int bad = ferror(j->fd) | fclose(j->fd);
    j->fd = NULL;
    fputs("unset output\n", j->fs);
    bad |= ferror(j->fs) | fclose(j->fs);
    j->fs = NULL;
    if (bad) {
        job_cleanup(j);
        return cli_error_code(C, CLI_EXIT_IO, "cannot write the plot's temporary files");
    }
    const char *prog = getenv("GINV_GNUPLOT");
    if (!prog || !*prog) prog = "gnuplot";
    char where[400]; /* the temporary paths hold no quote (job_open) */
    snprintf(where, sizeof where, "datafile = '%s'; outfile = '%s'", j->data, j->out);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, j->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)prog, "-e", where, j->script, NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e) {
        job_cleanup(j);
        if (e == ENOENT)
            return cli_error_code(C, CLI_EXIT_UNSUPPORTED, "cannot draw '%s': gnuplot is not installed (Debian: apt-get "
                                "install gnuplot-nox, or run scripts/deps.sh)", png);
        return cli_error_code(C, CLI_EXIT_IO, "cannot run gnuplot for '%s': %s", png, strerror(e));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            e = errno;
            job_cleanup(j);
            return cli_error_code(C, CLI_EXIT_IO, "waiting for gnuplot: %s", strerror(e));
        }
    char msg[512];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        last_line(j->log, msg, sizeof msg);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        job_cleanup(j);
        if (code == 127)
            return cli_error_code(C, CLI_EXIT_UNSUPPORTED, "cannot draw '%s': gnuplot is not installed (Debian: apt-get "
                                "install gnuplot-nox, or run scripts/deps.sh)", png);
        return cli_error(C, "gnuplot failed drawing '%s': %s", png, msg[0] ? msg : "no message");
    }
    /* the figure, complete, then written to the target; data and script beside */
    unsigned char *buf = NULL;
    size_t len = 0;
    ginv_status st = ginv_read_file(j->out, (size_t)1 << 30, &buf, &len);
    if (st != GINV_OK || !looks_right(buf, len)) {
        ginv_free(buf);
        last_line(j->log, msg, sizeof msg);
        job_cleanup(j);
        return cli_error(C, "gnuplot wrote no %s for '%s'%s%s", plot_ext(), png, msg[0] ? ": " : "", msg);
    }
    st = ginv_write_atomic(png, buf, len);
    ginv_free(buf);
    if (st == GINV_OK && j->base[0]) {
        char side[4200];
        snprintf(side, sizeof side, "%s.dat", j->base);
        st = copy_out(j->data, side);
        snprintf(side, sizeof side, "%s.gp", j->base);
        if (st == GINV_OK) st = copy_out(j->script, side);
    }
    job_cleanup(j);
    if (st != GINV_OK) return cli_lib_error(C, st);
    return 0;
}

/* A palette that reads in grey and for the colour-blind (viridis stops). */
static void gp_palette(FILE *f)
{
    fputs("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', "
          "4 '#fde725')\n", f);
}

/* ------------------------------------------------------------ line plots */

/* May point i of a series be drawn? */
static int point_ok(double x, double y, int log)
{
    return isfinite(x) && isfinite(y) && !((log & PLOT_LOGY) && y <= 0) && !((log & PLOT_LOGX) && x < 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The x axis of a line plot, from its drawable points. */
typedef struct {
    int log;           /* the style's PLOT_LOG*, less PLOT_LOGX when only x = 0 is drawn */
    int total, zeros;  /* drawable points, and those at x <= 0 */
    double xmin, xmax; /* the x range */
    double pmin, pmax; /* the positive x extent */
    double xzero;      /* where a log x axis draws x = 0 (NaN: nowhere) */
} x_axis;

/* the x extent, positive x apart (a log x axis draws x = 0 on its own) */
static void x_extent(x_axis *ax, int nseries, const int *npoints, const double *const *x,
                     const double *const *y)
{
    ax->xmin = INFINITY, ax->xmax = -INFINITY, ax->pmin = INFINITY, ax->pmax = -INFINITY;
    ax->total = 0, ax->zeros = 0;
    for (int s = 0; s < nseries; s++) {
        for (int i = 0; i < npoints[s]; i++) {
            double xv = x[s][i];
            if (!point_ok(xv, y[s][i], ax->log)) continue;
            ax->total++;
            if (xv < ax->xmin) ax->xmin = xv;
            if (xv > ax->xmax) ax->xmax = xv;
            if (xv > 0) ax->pmin = fmin(ax->pmin, xv), ax->pmax = fmax(ax->pmax, xv);
            else ax->zeros++;
        }
    }
}

/* The x range from the extent: the log axis's x = 0 point, a margin for
 * markers, and the style's marks. */
static void x_range(x_axis *ax, const plot_style *sty, int nseries, const int *npoints)
{
    if ((ax->log & PLOT_LOGX) && !(ax->pmax > 0)) ax->log &= ~PLOT_LOGX; /* only x = 0: a linear axis */
    int log = ax->log;
    ax->xzero = NAN;
    if ((log & PLOT_LOGX) && ax->zeros) { /* x = 0 a step left of the smallest positive x */
        double dec = log10(ax->pmax / ax->pmin), gap = fmax(0.5, dec / 6);
        ax->xzero = ax->pmin / pow(10, gap);
        ax->xmin = ax->xzero / pow(10, 0.25 * gap);
        ax->xmax = ax->pmax * pow(10, 0.1 * gap);
    } else if (log & PLOT_LOGX) {
        ax->xmin = ax->pmin, ax->xmax = ax->pmax;
    }
    /* markers at few points: a margin so that the first and last are not cut */
    int few = 0;
    for (int s = 0; s < nseries; s++) few |= npoints[s] <= 30;
    if (few && ax->xmax > ax->xmin && !((log & PLOT_LOGX) && ax->zeros)) {
        if (log & PLOT_LOGX) {
            double f = pow(ax->xmax / ax->xmin, 0.03);
            ax->xmin /= f, ax->xmax *= f;
        } else {
            double pad = 0.03 * (ax->xmax - ax->xmin);
            ax->xmin -= pad, ax->xmax += pad;
        }
    }
    for (int m = 0; m < sty->nmarks; m++)
        if (isfinite(sty->mark_x[m]))
            ax->xmin = fmin(ax->xmin, sty->mark_x[m]), ax->xmax = fmax(ax->xmax, sty->mark_x[m]);
}

/* one data block per series (two blank lines apart), drawable points only;
 * count[s]: the points of series s written */
static void write_blocks(FILE *fd, const x_axis *ax, int nseries, const char *const *names, const int *npoints,
                         const double *const *x, const double *const *y, const double *const *yerr, int *count)
{
    int log = ax->log;
    for (int s = 0; s < nseries; s++) {
        fprintf(fd, "# series %d: ", s);
        dat_str(fd, names && names[s] ? names[s] : "");
        fputc('\n', fd);
        /* on a log x axis the x = 0 points come first, a blank line after
         * them: no line is drawn across the break */
        int zpass = (log & PLOT_LOGX) && ax->zeros;
        for (int pass = zpass ? 0 : 1; pass < 2; pass++) {
            int wrote = 0;
            for (int i = 0; i < npoints[s]; i++) {
                double xv = x[s][i], v = y[s][i];
                if (!point_ok(xv, v, log) || (zpass && (xv == 0) != (pass == 0))) continue;
                if ((log & PLOT_LOGX) && xv == 0) xv = ax->xzero;
                count[s]++, wrote++;
                if (yerr) fprintf(fd, "%.10g %.10g %.10g\n", xv, v, isfinite(yerr[s][i]) ? yerr[s][i] : 0.0);
                else fprintf(fd, "%.10g %.10g\n", xv, v);
            }
            if (pass == 0 && wrote) fputc('\n', fd);
        }
        fputs("\n\n", fd);
    }
}

/* The style's own x tics (widening the x range to them). */
static void gp_style_xtics(FILE *f, const plot_style *sty, x_axis *ax)
{
    fputs("set xtics (", f);
    for (int i = 0; i < sty->nxticks; i++) {
        fputs(i ? ", " : "", f);
        gp_str(f, sty->xtick_labels && sty->xtick_labels[i] ? sty->xtick_labels[i] : "");
        fprintf(f, " %.10g", sty->xtick_x[i]);
    }
    fputs(")\n", f);
    if (sty->nxticks > 8) fputs("set xtics rotate by 30 right\n", f);
    ax->xmin = fmin(ax->xmin, sty->xtick_x[0] - 0.5), ax->xmax = fmax(ax->xmax, sty->xtick_x[sty->nxticks - 1] + 0.5);
}

static void gp_log_x(FILE *f, const x_axis *ax, int nseries, const int *npoints, const double *const *x,
                     const double *const *y)
{
    int zeros = ax->zeros;
    double xzero = ax->xzero;
    fputs("set logscale x\nset format x '%g'\n", f);
    /* label every data x when there are few (a log axis over less than a
     * decade has few tics of its own), and the zero point */
    double *dx = malloc(sizeof(double) * (size_t)(ax->total + 1));
    int nd = 0;
    for (int s = 0; dx && s < nseries; s++)
        for (int i = 0; i < npoints[s]; i++)
            if (point_ok(x[s][i], y[s][i], ax->log) && x[s][i] > 0) dx[nd++] = x[s][i];
    if (dx) qsort(dx, (size_t)nd, sizeof *dx, cmp_double);
    int nu = 0;
    for (int i = 0; dx && i < nd; i++)
        if (!nu || dx[i] != dx[nu - 1]) dx[nu++] = dx[i];
    if (dx && nu <= 12) {
        fputs("set xtics (", f);
        if (zeros) fprintf(f, "'0' %.10g, ", xzero);
        for (int i = 0; i < nu; i++) fprintf(f, "%s'%g' %.10g", i ? ", " : "", dx[i], dx[i]);
        fputs(")\n", f);
    } else if (zeros) {
        fprintf(f, "set xtics add ('0' %.10g)\n", xzero);
    }
    free(dx);
    if (zeros) /* the break between 0 and the positive axis */
        fprintf(f, "set arrow from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 1.5 lc rgb '#666666'\n",
                sqrt(xzero * ax->pmin), sqrt(xzero * ax->pmin));
}

/* The key, the style's marks and the plot command over the series drawn. */
static void gp_plot_lines(FILE *f, const plot_style *sty, int nseries, const char *const *names, const int *count,
                          int has_err)
{
    /* the key right of the plot: clear of the x label and the title */
    fputs("set key outside right top vertical Left reverse samplen 2.5 spacing 1.2\n", f);
    static const char *mark_colors[] = {"#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};
    for (int m = 0; m < sty->nmarks; m++)
        if (isfinite(sty->mark_x[m]))
            fprintf(f, "set arrow from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 1.5 "
                       "lc rgb '%s'\n", sty->mark_x[m], sty->mark_x[m], mark_colors[m % 5]);
    fputs("plot ", f);
    int first = 1;
    for (int s = 0; s < nseries; s++) {
        if (!count[s]) continue;
        if (!first) fputs(", \\\n     ", f);
        first = 0;
        const char *pts = count[s] <= 30 ? "linespoints pt 7 ps 0.7" : "lines";
        if (has_err) fprintf(f, "datafile index %d using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.7 title ", s);
        else fprintf(f, "datafile index %d using 1:2 with %s lw 2 title ", s, pts);
        char def[32];
        snprintf(def, sizeof def, "series %d", s + 1);
        gp_str(f, names && names[s] ? names[s] : def);
    }
    for (int m = 0; m < sty->nmarks; m++) {
        if (!isfinite(sty->mark_x[m])) continue;
        fprintf(f, ", \\\n     keyentry with lines dt 2 lw 1.5 lc rgb '%s' title ", mark_colors[m % 5]);
        char def[48];
        snprintf(def, sizeof def, "x = %g", sty->mark_x[m]);
        gp_str(f, sty->mark_labels && sty->mark_labels[m] ? sty->mark_labels[m] : def);
    }
    fputc('\n', f);
}

int plot_series(const char *png, const plot_style *sty, int nseries, const char *const *names,
                const int *npoints, const double *const *x, const double *const *y,
                const double *const *yerr)
{
    const char *C = cmd_name();
    plot_style zero = {0};
    if (!sty) sty = &zero;
    x_axis ax = {.log = sty->log};
    if (nseries < 1 || !npoints || !x || !y)
        return cli_error(C, "plot '%s': nothing to plot (%d series)", png ? png : "", nseries);
    x_extent(&ax, nseries, npoints, x, y);
    if (!ax.total)
        return cli_error_code(C, CLI_EXIT_NUMERIC, "plot '%s': every point is NaN%s", png ? png : "",
                              ax.log ? " or not positive (log scale)" : "");
    x_range(&ax, sty, nseries, npoints);
    plot_job j;
    int rc = job_open(&j, png);
    if (rc) return rc;
    /* one data block per series (two blank lines apart), drawable points only */
    fprintf(j.fd, "# one block per series (gnuplot index 0, 1, ..): x y%s\n", yerr ? " half-width" : "");
    int *count = calloc((size_t)nseries, sizeof *count);
    if (!count) { job_cleanup(&j); return cli_oom(C); }
    write_blocks(j.fd, &ax, nseries, names, npoints, x, y, yerr, count);
    gp_header(&j, 900, 600, sty->title, sty->xlabel, sty->ylabel);
    FILE *f = j.fs;
    fputs("set grid\nset border lw 1.2\n", f);
    if (ax.log & PLOT_LOGY) fputs("set logscale y\nset format y '%g'\n", f);
    if (sty->nxticks > 0) gp_style_xtics(f, sty, &ax);
    if (ax.log & PLOT_LOGX) gp_log_x(f, &ax, nseries, npoints, x, y);
    if (ax.xmax > ax.xmin) fprintf(f, "set xrange [%.10g:%.10g]\n", ax.xmin, ax.xmax);
    if (sty->ymin < sty->ymax) {
        double pad = 0.03 * (sty->ymax - sty->ymin);
        fprintf(f, "set yrange [%.10g:%.10g]\n", sty->ymin - pad, sty->ymax + pad);
    }
    gp_plot_lines(f, sty, nseries, names, count, yerr != NULL);
    free(count);
    return job_run(&j);
}

/* The old one-x entry points, over plot_series. */
static int lines_one_x(const char *png, const plot_style *sty, int nseries, const char *const *names,
                       int npoints, const double *x, const double *const *y, const double *const *yerr)
{
    if (nseries < 1 || nseries > 4096) return plot_series(png, sty, 0, names, NULL, NULL, NULL, NULL);
    int *np = malloc(sizeof(int) * (size_t)nseries);
    const double **xs = malloc(sizeof(double *) * (size_t)nseries);
    if (!np || !xs) { free(np); free(xs); return cli_oom(cmd_name()); }
    for (int s = 0; s < nseries; s++) np[s] = npoints, xs[s] = x;
    int rc = plot_series(png, sty, nseries, names, np, x ? xs : NULL, y, yerr);
    free(np);
    free(xs);
    return rc;
}

int plot_lines_marked(const char *png, const char *title, const char *xlabel,
                      const char *ylabel, int nseries, const char *const *names, int npoints,
                      const double *x, const double *const *y, int logy, int nmarks,
                      const double *mark_x, const char *const *mark_labels)
{
    plot_style sty = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .log = logy,
                      .nmarks = nmarks, .mark_x = mark_x, .mark_labels = mark_labels};
    return lines_one_x(png, &sty, nseries, names, npoints, x, y, NULL);
}

int plot_errorbars(const char *png, const char *title, const char *xlabel, const char *ylabel,
                   int nseries, const char *const *names, int npoints, const double *x,
                   const double *const *y, const double *const *yerr, int logy)
{
    plot_style sty = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .log = logy};
    return lines_one_x(png, &sty, nseries, names, npoints, x, y, yerr);
}

int plot_lines(const char *png, const char *title, const char *xlabel, const char *ylabel,
               int nseries, const char *const *names, int npoints, const double *x,
               const double *const *y, int logy)
{
    return plot_lines_marked(png, title, xlabel, ylabel, nseries, names, npoints, x, y, logy,
                             0, NULL, NULL);
}

/* ------------------------------------------------------------ heat maps */

/* Is the grid increasing, and evenly spaced (then `with image` draws it)? */
static int grid_kind(int n, const double *v)
{
    if (n < 1) return -1;
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i]) || (i && !(v[i] > v[i - 1]))) return -1;
    if (n < 3) return 1;
    double step = (v[n - 1] - v[0]) / (n - 1);
    for (int i = 1; i < n; i++)
        if (fabs((v[i] - v[i - 1]) - step) > 1e-6 * fabs(step)) return 0;
    return 1;
}

/* Tics at the cell centres 0..n-1, labelled by labels[i] or the values. */
static void cat_tics(FILE *f, const char *axis, int n, const double *v, const char *const *labels)
{
    fprintf(f, "set %srange [-0.5:%g]\nset %stics (", axis, n - 0.5, axis);
    for (int i = 0; i < n; i++) {
        char num[32];
        snprintf(num, sizeof num, "%g", v ? v[i] : (double)i);
        fputs(i ? ", " : "", f);
        gp_str(f, labels && labels[i] ? labels[i] : num);
        fprintf(f, " %d", i);
    }
    fputs(")\n", f);
}

static size_t max_label(int n, const double *v, const char *const *labels)
{
    size_t L = 0;
    for (int i = 0; i < n; i++) {
        char num[32];
        snprintf(num, sizeof num, "%g", v ? v[i] : (double)i);
        size_t l = strlen(labels && labels[i] ? labels[i] : num);
        if (l > L) L = l;
    }
    return L;
}

int plot_map(const char *png, const plot_map_style *sty, int npanels,
             const char *const *panel_titles, int nx, const double *xs, int ny, const double *ys,
             const double *const *z)
{
    const char *C = cmd_name();
    plot_map_style zero = {0};
    if (!sty) sty = &zero;
    int cat = sty->categorical;
    int gx = cat ? 1 : grid_kind(nx, xs), gy = cat ? 1 : grid_kind(ny, ys);
    if (nx < 1 || ny < 1 || gx < 0 || gy < 0 || (!cat && (!xs || !ys)))
        return cli_error(C, "plot '%s': heat map axes must be finite and increasing (%d x %d)",
                         png ? png : "", nx, ny);
    if (npanels < 1 || !z) return cli_error(C, "plot '%s': no heat map to draw", png ? png : "");
    double zmin = INFINITY, zmax = -INFINITY;
    for (int p = 0; p < npanels; p++)
        for (size_t i = 0; i < (size_t)nx * ny; i++)
            if (isfinite(z[p][i])) zmin = fmin(zmin, z[p][i]), zmax = fmax(zmax, z[p][i]);
    if (!(zmin <= zmax)) return cli_error_code(C, CLI_EXIT_NUMERIC, "plot '%s': every value is NaN", png ? png : "");
    if (sty->zmin < sty->zmax) zmin = sty->zmin, zmax = sty->zmax;
    else if (zmax == zmin) zmin -= 0.5, zmax += 0.5;
    plot_job j;
    int rc = job_open(&j, png);
    if (rc) return rc;
    /* categorical axes and unevenly spaced numeric ones are drawn by cell
     * index, the values as tic labels, so every cell is a full, equal box */
    int bycell_x = cat || gx == 0, bycell_y = cat || gy == 0;
    int image = !bycell_x && !bycell_y && nx > 1 && ny > 1;
    int values = sty->values && (size_t)nx * ny <= 144;
    fprintf(j.fd, "# one block per panel (gnuplot index 0, 1, ..): x y z%s\n",
            bycell_x || bycell_y ? " (x, y: cell positions; the tics name their values)" : "");
    if (values) fprintf(j.fd, "# and the cell's text and its colour (0xRRGGBB)\n");
    for (int p = 0; p < npanels; p++) {
        fprintf(j.fd, "# panel %d: ", p);
        dat_str(j.fd, panel_titles && panel_titles[p] ? panel_titles[p] : "");
        fputc('\n', j.fd);
        for (int r = 0; r < ny; r++) {
            for (int c = 0; c < nx; c++) {
                fprintf(j.fd, "%.10g %.10g ", bycell_x ? c : xs[c], bycell_y ? r : ys[r]);
                double v = z[p][(size_t)r * nx + c];
                if (isfinite(v)) fprintf(j.fd, "%.10g", v);
                else fputs("NaN", j.fd);
                if (values) {
                    char t[32] = "";
                    if (isfinite(v)) snprintf(t, sizeof t, fabs(v) < 1e4 && fabs(v) >= 1e-2 ? "%.2f" : "%.2g", v);
                    fputc(' ', j.fd);
                    dat_str(j.fd, t);
                    double u = (v - zmin) / (zmax - zmin);
                    fprintf(j.fd, " %d", isfinite(v) && u > 0.6 ? 0 : 0xffffff);
                }
                fputc('\n', j.fd);
            }
            fputc('\n', j.fd);
        }
        fputc('\n', j.fd);
    }
    int w = npanels == 1 ? 760 : 430 * npanels + 150, h = npanels == 1 ? 640 : 520;
    gp_header(&j, w, h, npanels == 1 ? sty->title : NULL, sty->xlabel, sty->ylabel);
    FILE *f = j.fs;
    gp_palette(f);
    fprintf(f, "set cbrange [%.10g:%.10g]\n", zmin, zmax);
    if (bycell_x) {
        cat_tics(f, "x", nx, xs, sty->xticks);
        size_t L = max_label(nx, xs, sty->xticks);
        if (L * 8 > (size_t)(w / npanels - 150) / (size_t)nx) fputs("set xtics rotate by 30 right\n", f);
    } else {
        double hx = nx > 1 ? 0.5 * (xs[nx - 1] - xs[0]) / (nx - 1) : 0.5;
        fprintf(f, "set xrange [%.10g:%.10g]\n", xs[0] - (image ? hx : 0), xs[nx - 1] + (image ? hx : 0));
    }
    if (bycell_y) cat_tics(f, "y", ny, ys, sty->yticks);
    else {
        double hy = ny > 1 ? 0.5 * (ys[ny - 1] - ys[0]) / (ny - 1) : 0.5;
        fprintf(f, "set yrange [%.10g:%.10g]\n", ys[0] - (image ? hy : 0), ys[ny - 1] + (image ? hy : 0));
    }
    if (sty->zlabel) { fputs("set cblabel ", f); gp_str(f, sty->zlabel); fputc('\n', f); }
    fputs("unset key\nset tics out nomirror\nset border lw 1.2\n", f);
    if (bycell_x || bycell_y) {
        /* square-ish cells: the plot's aspect follows the grid's */
        double ratio = (double)ny / nx;
        fprintf(f, "set size ratio %g\n", fmin(3.0, fmax(1.0 / 3, ratio)));
        fputs("set tics scale 0\n", f);
    } else if (gx == 1 && gy == 1) {
        /* equal units when both axes are the same kind of quantity on a regular grid */
        fputs("set grid front\nset size ratio -1\n", f);
    }
    if (npanels > 1) {
        fprintf(f, "set multiplot layout 1,%d title ", npanels);
        gp_str(f, sty->title ? sty->title : "");
        fputc('\n', f);
    }
    for (int p = 0; p < npanels; p++) {
        if (npanels > 1) {
            fputs("set title ", f);
            gp_str(f, panel_titles && panel_titles[p] ? panel_titles[p] : "");
            fputc('\n', f);
        }
        if (bycell_x && bycell_y)
            fprintf(f, "plot datafile index %d using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette", p);
        else if (image)
            fprintf(f, "plot datafile index %d using 1:2:3 with image", p);
        else
            fprintf(f, "set view map\nset pm3d map corners2color c1\nsplot datafile index %d using 1:2:3 with pm3d", p);
        if (values && bycell_x && bycell_y)
            fprintf(f, ", \\\n     datafile index %d using 1:2:4:5 with labels tc rgb variable font ',10'", p);
        fputc('\n', f);
    }
    if (npanels > 1) fputs("unset multiplot\n", f);
    return job_run(&j);
}

int plot_heatmap(const char *png, const char *title, const char *xlabel, const char *ylabel,
                 int nx, const double *xs, int ny, const double *ys, const double *z,
                 const char *zlabel)
{
    const double *zz[1] = {z};
    plot_map_style sty = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .zlabel = zlabel};
    return plot_map(png, &sty, 1, NULL, nx, xs, ny, ys, z ? zz : NULL);
}
