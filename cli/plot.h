/* plot.h — figures for the commands, drawn by gnuplot (Debian package
 * gnuplot-nox): line plots and heat maps, as PNG (pngcairo, else png), SVG
 * or PDF (pdfcairo). Each call writes its data and a script into a private
 * temporary directory, runs gnuplot on it (no shell), and hands the finished
 * figure to the output writer only on success, so a failed plot leaves no
 * partial file and an existing one untouched. Beside a figure NAME.EXT go
 * NAME.dat (the numbers) and NAME.gp (the script: `gnuplot NAME.gp` in that
 * directory redraws NAME.EXT), so a user can restyle it; not beside '-' or a
 * device.
 *
 * Every function returns 0, or prints "ginv CMD: error: ..." (cli_error) and
 * returns an exit code. CMD is the name given to plot_set_command, else
 * argv[1] of the running process, else "plot". Titles, labels and names are
 * shown literally (no gnuplot markup) and may hold any characters. */
#ifndef GINV_PLOT_H
#define GINV_PLOT_H

/* The command name used in error messages (a static string; NULL: automatic). */
void plot_set_command(const char *cmd);

/* The figure format of the plots that follow: "png" (the default), "svg" or
 * "pdf"; anything else is a usage error naming `opt` (returns 2). A figure
 * path ending in .png, .svg or .pdf gets the format's extension instead. */
int plot_set_format(const char *cmd, const char *opt, const char *name);
/* The format's extension: "png", "svg" or "pdf". */
const char *plot_ext(void);
/* The format named by a path's extension (.svg, .pdf, else png), set as by
 * plot_set_format: for options that name the figure file itself. */
void plot_format_from_path(const char *path);
/* The file a figure asked for as `path` is written to (the extension replaced
 * as plot_set_format says), into buf; returns buf. */
const char *plot_target(const char *path, char *buf, unsigned long cap);

/* The shared option of the commands that draw figures. */
#define PLOT_FORMAT_HELP "figure format: png, svg or pdf (gnuplot pngcairo, svg, pdfcairo); NAME.dat and NAME.gp beside each figure redraw it"
#define CLI_FIGURE_OPTS(fmt) {"format", 0, OPT_STRING, &(fmt), "png|svg|pdf", PLOT_FORMAT_HELP}

/* The shared option of the commands that write image grids (cs, demo,
 * sample): tiles upscaled S times, nearest neighbour; labels in proportion. */
#define CLI_PNG_SCALE_OPT(var) CLI_PNG_SCALE_OPT_HELP(var, "image grids (PNG) upscaled S times (nearest neighbour), their labels with them")
/* The same option (name, value, range) with a command's own help text. */
#define CLI_PNG_SCALE_OPT_HELP(var, help) {"png-scale", 0, OPT_INT, &(var), "S", help, 1, 64}

/* Axis scales for the `logy` argument of the line plots: 1 (or PLOT_LOGY)
 * puts y on a log scale, PLOT_LOGX x, both OR-ed together both. On a log x
 * axis, points at x = 0 are drawn at a separate point left of the rest,
 * labelled 0 (the axis is broken there). */
enum { PLOT_LOGY = 1, PLOT_LOGX = 2 };

/* How a line plot looks. Zero-initialise, then set what you need. */
typedef struct {
    const char *title, *xlabel, *ylabel;
    int log;                            /* PLOT_LOGY | PLOT_LOGX */
    double ymin, ymax;                  /* a fixed y range when ymin < ymax (a fraction: 0, 1) */
    int nmarks;                         /* dashed vertical lines at mark_x[j], named mark_labels[j] */
    const double *mark_x;
    const char *const *mark_labels;
    int nxticks;                        /* > 0: x tics only at xtick_x[i], labelled xtick_labels[i] */
    const double *xtick_x;
    const char *const *xtick_labels;
} plot_style;

/* nseries curves, series s being y[s][0..npoints[s]) against x[s][..] (each
 * series its own x and length), with error bars when yerr is not NULL
 * (yerr[s][i]: the half-width, NaN: none). names[s] label the legend (NULL:
 * "series 1", ...). Points whose x or y is NaN or infinite are skipped, and
 * on a log y axis those with y <= 0 (on a log x axis those with x < 0). */
int plot_series(const char *png, const plot_style *style, int nseries, const char *const *names,
                const int *npoints, const double *const *x, const double *const *y,
                const double *const *yerr);

/* nseries curves y[s][0..npoints) against one x[0..npoints). */
int plot_lines(const char *png, const char *title, const char *xlabel, const char *ylabel,
               int nseries, const char *const *names, int npoints, const double *x,
               const double *const *y, int logy);

/* plot_lines plus nmarks dashed vertical lines at mark_x[j], each named in the
 * legend by mark_labels[j] (may be NULL). */
int plot_lines_marked(const char *png, const char *title, const char *xlabel,
                      const char *ylabel, int nseries, const char *const *names, int npoints,
                      const double *x, const double *const *y, int logy, int nmarks,
                      const double *mark_x, const char *const *mark_labels);

/* plot_lines with error bars: yerr[s][i] is the half-width at point i (NaN:
 * none). */
int plot_errorbars(const char *png, const char *title, const char *xlabel, const char *ylabel,
                   int nseries, const char *const *names, int npoints, const double *x,
                   const double *const *y, const double *const *yerr, int logy);

/* How a heat map looks. Zero-initialise, then set what you need. */
typedef struct {
    const char *title, *xlabel, *ylabel, *zlabel;
    int categorical;                    /* cells by index: equal square-ish boxes, a tic at each
                                         * cell's centre labelled by its value (a sweep grid) */
    const char *const *xticks, *const *yticks; /* categorical: the labels (NULL: the values, %g) */
    double zmin, zmax;                  /* a fixed colour range when zmin < zmax (rates: 0, 1) */
    int values;                         /* 1: print each cell's value in it (small grids) */
} plot_map_style;

/* npanels heat maps side by side on one colour scale, panel p titled
 * panel_titles[p] (may be NULL) and drawn from z[p] (ny x nx row-major:
 * z[p][j * nx + i] at (xs[i], ys[j]); the same grid for all); the style's
 * title heads the figure. Numeric axes (not categorical) must be
 * increasing; NaN/Inf cells are left blank. */
int plot_map(const char *png, const plot_map_style *style, int npanels,
             const char *const *panel_titles, int nx, const double *xs, int ny, const double *ys,
             const double *const *z);

/* A numeric heat map of z (ny x nx, row-major) with a colour bar labelled
 * zlabel. xs and ys must be increasing (a regular grid draws best). */
int plot_heatmap(const char *png, const char *title, const char *xlabel, const char *ylabel,
                 int nx, const double *xs, int ny, const double *ys, const double *z,
                 const char *zlabel);

#endif
