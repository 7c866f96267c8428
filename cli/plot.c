/* plot.c — PNG line plots and heat maps through gnuplot: data and script go
 * into a mkdtemp directory, gnuplot runs without a shell (posix_spawnp) and
 * draws the PNG there too; only when gnuplot succeeded and the file is a PNG
 * is it written to the target by ginv_write_atomic (the one output policy:
 * a file replaced atomically, a link's target replaced, a device written
 * directly). Strings reach gnuplot only
 * inside single quotes (where it substitutes nothing) with ' doubled, and the
 * terminal is noenhanced, so titles show literally. */
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

typedef struct {
    char dir[64];
    char data[96], script[96], log[96];
    char *tmp_png; /* in dir */
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

static void job_cleanup(plot_job *j)
{
    if (j->fd) fclose(j->fd);
    if (j->fs) fclose(j->fs);
    j->fd = j->fs = NULL;
    if (j->tmp_png) {
        unlink(j->tmp_png);
        free(j->tmp_png);
        j->tmp_png = NULL;
    }
    if (j->dir[0]) {
        unlink(j->data);
        unlink(j->script);
        unlink(j->log);
        rmdir(j->dir);
        j->dir[0] = 0;
    }
}

/* Temporary directory, data and script files open. */
static int job_open(plot_job *j, const char *png)
{
    const char *C = cmd_name();
    memset(j, 0, sizeof *j);
    if (!png || !*png) return cli_usage_error(C, "a plot needs an output path ('-': stdout)");
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 20) tmp = "/tmp";
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
    j->tmp_png = malloc(sizeof j->data);
    if (!j->tmp_png) {
        job_cleanup(j);
        return cli_oom(C);
    }
    snprintf(j->tmp_png, sizeof j->data, "%s/out.png", j->dir);
    j->fd = fopen(j->data, "w");
    j->fs = fopen(j->script, "w");
    if (!j->fd || !j->fs) {
        int e = errno;
        job_cleanup(j);
        return cli_error_code(C, CLI_EXIT_IO, "cannot write the plot's temporary files: %s", strerror(e));
    }
    return 0;
}

/* Terminal (pngcairo, else png), output, title and axis labels. */
static void gp_header(plot_job *j, int w, int h, const char *title, const char *xlabel,
                      const char *ylabel)
{
    FILE *f = j->fs;
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
               "  set terminal pngcairo noenhanced size %d,%d font 'sans,10'\n"
               "} else {\n"
               "  set terminal png noenhanced size %d,%d\n"
               "}\n",
            w, h, w, h);
    fputs("set output ", f);
    gp_str(f, j->tmp_png);
    fputs("\nset encoding utf8\nset grid\n", f);
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

/* Run gnuplot on the script; on success write the PNG to the target. */
static int job_run(plot_job *j, const char *png)
{
    const char *C = cmd_name();
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
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, j->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)prog, j->script, NULL};
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
    /* a PNG, complete, then written to the target */
    int fd = open(j->tmp_png, O_RDWR);
    unsigned char magic[8] = {0};
    ssize_t got = fd >= 0 ? read(fd, magic, 8) : -1;
    static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (got != 8 || memcmp(magic, png_magic, 8)) {
        if (fd >= 0) close(fd);
        last_line(j->log, msg, sizeof msg);
        job_cleanup(j);
        return cli_error(C, "gnuplot wrote no PNG for '%s'%s%s", png, msg[0] ? ": " : "", msg);
    }
    close(fd);
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(j->tmp_png, (size_t)1 << 30, &buf, &len);
    if (st == GINV_OK) {
        st = ginv_write_atomic(png, buf, len);
        ginv_free(buf);
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

/* plot_lines plus dashed vertical markers (H&V figures: stationary points). */
/* The line plot behind plot_lines*, with error bars when yerr is given. */
static int lines_impl(const char *png, const char *title, const char *xlabel,
                      const char *ylabel, int nseries, const char *const *names, int npoints,
                      const double *x, const double *const *y, const double *const *yerr,
                      int logy, int nmarks, const double *mark_x,
                      const char *const *mark_labels)
{
    const char *C = cmd_name();
    if (nseries < 1 || npoints < 1 || !x || !y)
        return cli_error(C, "plot '%s': nothing to plot (%d series of %d points)",
                         png ? png : "", nseries, npoints);
    double xmin = INFINITY, xmax = -INFINITY;
    int *count = calloc((size_t)nseries, sizeof *count), total = 0;
    if (!count) return cli_oom(C);
    for (int s = 0; s < nseries; s++)
        for (int i = 0; i < npoints; i++) {
            double v = y[s][i];
            if (!isfinite(x[i]) || !isfinite(v) || ((logy & PLOT_LOGY) && v <= 0) || ((logy & PLOT_LOGX) && x[i] <= 0)) continue;
            count[s]++;
            total++;
            if (x[i] < xmin) xmin = x[i];
            if (x[i] > xmax) xmax = x[i];
        }
    if (!total) {
        free(count);
        return cli_error_code(C, CLI_EXIT_NUMERIC, "plot '%s': every point is NaN%s", png ? png : "",
                         logy ? " or not positive (log scale)" : "");
    }
    for (int m = 0; m < nmarks; m++)
        if (isfinite(mark_x[m])) {
            if (mark_x[m] < xmin) xmin = mark_x[m];
            if (mark_x[m] > xmax) xmax = mark_x[m];
        }
    plot_job j;
    int rc = job_open(&j, png);
    if (rc) { free(count); return rc; }
    /* one data block per series (two blank lines apart), finite points only */
    for (int s = 0; s < nseries; s++) {
        fprintf(j.fd, "# series %d\n", s);
        for (int i = 0; i < npoints; i++) {
            double v = y[s][i];
            if (!isfinite(x[i]) || !isfinite(v) || ((logy & PLOT_LOGY) && v <= 0) || ((logy & PLOT_LOGX) && x[i] <= 0)) continue;
            if (yerr) fprintf(j.fd, "%.10g %.10g %.10g\n", x[i], v,
                              isfinite(yerr[s][i]) ? yerr[s][i] : 0.0);
            else fprintf(j.fd, "%.10g %.10g\n", x[i], v);
        }
        fputs("\n\n", j.fd);
    }
    gp_header(&j, 900, 560, title, xlabel, ylabel);
    FILE *f = j.fs;
    if (logy & PLOT_LOGY) fputs("set logscale y\nset format y '%g'\n", f);
    if (logy & PLOT_LOGX) {
        fputs("set logscale x\nset format x '%g'\n", f);
        if (npoints <= 16) { /* label every data x: a log axis over less than a decade has few */
            fputs("set xtics (", f);
            for (int i = 0; i < npoints; i++) fprintf(f, "%s%.10g", i ? ", " : "", x[i]);
            fputs(")\n", f);
        }
    }
    if (xmax > xmin) fprintf(f, "set xrange [%.10g:%.10g]\n", xmin, xmax);
    fputs("set key below\nset border lw 1.2\n", f);
    static const char *mark_colors[] = {"#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};
    for (int m = 0; m < nmarks; m++)
        if (isfinite(mark_x[m]))
            fprintf(f, "set arrow from %.10g, graph 0 to %.10g, graph 1 nohead dt 2 lw 1.5 "
                       "lc rgb '%s'\n", mark_x[m], mark_x[m], mark_colors[m % 5]);
    fputs("plot ", f);
    int first = 1;
    for (int s = 0; s < nseries; s++) {
        if (!count[s]) continue;
        if (!first) fputs(", \\\n     ", f);
        first = 0;
        gp_str(f, j.data);
        if (yerr) fprintf(f, " index %d using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title ", s);
        else fprintf(f, " index %d using 1:2 with lines lw 2 title ", s);
        char def[32];
        snprintf(def, sizeof def, "series %d", s + 1);
        gp_str(f, names && names[s] ? names[s] : def);
    }
    for (int m = 0; m < nmarks; m++) {
        if (!isfinite(mark_x[m])) continue;
        fprintf(f, ", \\\n     keyentry with lines dt 2 lw 1.5 lc rgb '%s' title ",
                mark_colors[m % 5]);
        char def[48];
        snprintf(def, sizeof def, "x = %g", mark_x[m]);
        gp_str(f, mark_labels && mark_labels[m] ? mark_labels[m] : def);
    }
    fputc('\n', f);
    free(count);
    return job_run(&j, png);
}

/* Curves y[s](x), NaN points skipped. */
int plot_lines_marked(const char *png, const char *title, const char *xlabel,
                      const char *ylabel, int nseries, const char *const *names, int npoints,
                      const double *x, const double *const *y, int logy, int nmarks,
                      const double *mark_x, const char *const *mark_labels)
{
    return lines_impl(png, title, xlabel, ylabel, nseries, names, npoints, x, y, NULL, logy,
                      nmarks, mark_x, mark_labels);
}

int plot_errorbars(const char *png, const char *title, const char *xlabel, const char *ylabel,
                   int nseries, const char *const *names, int npoints, const double *x,
                   const double *const *y, const double *const *yerr, int logy)
{
    return lines_impl(png, title, xlabel, ylabel, nseries, names, npoints, x, y, yerr, logy, 0,
                      NULL, NULL);
}

int plot_lines(const char *png, const char *title, const char *xlabel, const char *ylabel,
               int nseries, const char *const *names, int npoints, const double *x,
               const double *const *y, int logy)
{
    return plot_lines_marked(png, title, xlabel, ylabel, nseries, names, npoints, x, y, logy,
                             0, NULL, NULL);
}

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

/* npanels heat maps on one colour scale; npanels == 1 is plot_heatmap. */
static int heatmaps(const char *png, const char *title, const char *xlabel, const char *ylabel,
                    int npanels, const char *const *panel_titles, int nx, const double *xs,
                    int ny, const double *ys, const double *const *z, const char *zlabel)
{
    const char *C = cmd_name();
    int gx = grid_kind(nx, xs), gy = grid_kind(ny, ys);
    if (gx < 0 || gy < 0)
        return cli_error(C, "plot '%s': heat map axes must be finite and increasing (%d x %d)",
                         png ? png : "", nx, ny);
    if (npanels < 1 || !z) return cli_error(C, "plot '%s': no heat map to draw", png ? png : "");
    double zmin = INFINITY, zmax = -INFINITY;
    for (int p = 0; p < npanels; p++)
        for (size_t i = 0; i < (size_t)nx * ny; i++)
            if (isfinite(z[p][i])) {
                if (z[p][i] < zmin) zmin = z[p][i];
                if (z[p][i] > zmax) zmax = z[p][i];
            }
    if (!(zmin <= zmax)) return cli_error_code(C, CLI_EXIT_NUMERIC, "plot '%s': every value is NaN", png ? png : "");
    if (zmax == zmin) { zmin -= 0.5; zmax += 0.5; }
    plot_job j;
    int rc = job_open(&j, png);
    if (rc) return rc;
    /* an unevenly spaced axis (a sweep grid) is drawn by cell index, with the
     * values as tic labels, so every cell is a full, equal box */
    int image = nx > 1 && ny > 1;
    for (int p = 0; p < npanels; p++) {
        fprintf(j.fd, "# panel %d: x y z\n", p);
        for (int r = 0; r < ny; r++) {
            for (int c = 0; c < nx; c++) {
                fprintf(j.fd, "%.10g %.10g ", gx == 1 ? xs[c] : c, gy == 1 ? ys[r] : r);
                double v = z[p][(size_t)r * nx + c];
                if (isfinite(v)) fprintf(j.fd, "%.10g\n", v);
                else fputs("NaN\n", j.fd);
            }
            fputc('\n', j.fd);
        }
        fputc('\n', j.fd);
    }
    int w = npanels == 1 ? 720 : 420 * npanels + 120, h = npanels == 1 ? 620 : 470;
    gp_header(&j, w, h, npanels == 1 ? title : NULL, xlabel, ylabel);
    FILE *f = j.fs;
    gp_palette(f);
    double hx = nx > 1 ? 0.5 * (xs[nx - 1] - xs[0]) / (nx - 1) : 0.5;
    double hy = ny > 1 ? 0.5 * (ys[ny - 1] - ys[0]) / (ny - 1) : 0.5;
    fprintf(f, "set cbrange [%.10g:%.10g]\n", zmin, zmax);
    if (gx == 1)
        fprintf(f, "set xrange [%.10g:%.10g]\n", xs[0] - (image ? hx : 0), xs[nx - 1] + (image ? hx : 0));
    else {
        fprintf(f, "set xrange [-0.5:%g]\nset xtics (", nx - 0.5);
        for (int i = 0; i < nx; i++) fprintf(f, "%s\"%g\" %d", i ? ", " : "", xs[i], i);
        fputs(")\n", f);
    }
    if (gy == 1)
        fprintf(f, "set yrange [%.10g:%.10g]\n", ys[0] - (image ? hy : 0), ys[ny - 1] + (image ? hy : 0));
    else {
        fprintf(f, "set yrange [-0.5:%g]\nset ytics (", ny - 0.5);
        for (int i = 0; i < ny; i++) fprintf(f, "%s\"%g\" %d", i ? ", " : "", ys[i], i);
        fputs(")\n", f);
    }
    if (zlabel) { fputs("set cblabel ", f); gp_str(f, zlabel); fputc('\n', f); }
    fputs("unset key\n", f);
    /* equal units only when both axes are the same kind of quantity on a regular grid */
    if (gx == 1 && gy == 1) fputs("set grid front\nset size ratio -1\n", f);
    if (!image) fputs("set view map\nset pm3d map corners2color c1\n", f);
    if (npanels > 1) {
        fprintf(f, "set multiplot layout 1,%d title ", npanels);
        gp_str(f, title ? title : "");
        fputc('\n', f);
    }
    for (int p = 0; p < npanels; p++) {
        if (npanels > 1) {
            fputs("set title ", f);
            gp_str(f, panel_titles && panel_titles[p] ? panel_titles[p] : "");
            fputc('\n', f);
        }
        fputs(image ? "plot " : "splot ", f);
        gp_str(f, j.data);
        fprintf(f, " index %d using 1:2:3 with %s\n", p, image ? "image" : "pm3d");
    }
    if (npanels > 1) fputs("unset multiplot\n", f);
    return job_run(&j, png);
}

int plot_heatmap(const char *png, const char *title, const char *xlabel, const char *ylabel,
                 int nx, const double *xs, int ny, const double *ys, const double *z,
                 const char *zlabel)
{
    const double *zz[1] = {z};
    return heatmaps(png, title, xlabel, ylabel, 1, NULL, nx, xs, ny, ys, z ? zz : NULL, zlabel);
}

int plot_panels_heatmap(const char *png, const char *title, const char *xlabel,
                        const char *ylabel, int npanels, const char *const *panel_titles,
                        int nx, const double *xs, int ny, const double *ys,
                        const double *const *z, const char *zlabel)
{
    return heatmaps(png, title, xlabel, ylabel, npanels, panel_titles, nx, xs, ny, ys, z, zlabel);
}
