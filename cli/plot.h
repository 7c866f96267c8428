/* plot.h — PNG figures for the commands, drawn by gnuplot (Debian package
 * gnuplot-nox): line plots and heat maps. Each call writes its data and a
 * script into a private temporary directory, runs gnuplot on it (no shell),
 * and renames the finished PNG over `png` only on success, so a failed plot
 * leaves no partial file and an existing one untouched.
 *
 * Every function returns 0, or prints "ginv CMD: error: ..." (cli_error) and
 * returns an exit code (1). CMD is the name given to plot_set_command, else
 * argv[1] of the running process, else "plot". Titles, labels and names are
 * shown literally (no gnuplot markup) and may hold any characters. */
#ifndef GINV_PLOT_H
#define GINV_PLOT_H

/* The command name used in error messages (a static string; NULL: automatic). */
void plot_set_command(const char *cmd);

/* Axis scales for the `logy` argument of the line plots: 1 (or PLOT_LOGY)
 * puts y on a log scale, PLOT_LOGX x, both OR-ed together both. */
enum { PLOT_LOGY = 1, PLOT_LOGX = 2 };

/* nseries curves y[s][0..npoints) against x[0..npoints), one legend entry per
 * names[s] (names may be NULL: "series 1", ...). Points whose y (or x) is NaN
 * or infinite are skipped, and with logy (log-scale y axis) those <= 0 too. */
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

/* A heat map of z (ny x nx, row-major: z[j * nx + i] at (xs[i], ys[j])) with
 * a colour bar labelled zlabel. xs and ys must be increasing (a regular grid
 * draws best). NaN/Inf cells are left blank. */
int plot_heatmap(const char *png, const char *title, const char *xlabel, const char *ylabel,
                 int nx, const double *xs, int ny, const double *ys, const double *z,
                 const char *zlabel);

/* npanels heat maps side by side on one colour scale, panel p titled
 * panel_titles[p] and drawn from z[p] (ny x nx row-major, same grid for all);
 * `title` heads the whole figure. */
int plot_panels_heatmap(const char *png, const char *title, const char *xlabel,
                        const char *ylabel, int npanels, const char *const *panel_titles,
                        int nx, const double *xs, int ny, const double *ys,
                        const double *const *z, const char *zlabel);

#endif
