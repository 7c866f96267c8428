/* main.c — `ginv COMMAND ...`: dispatches to one file per command. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"recover", cmd_recover, "MAP inversion: recover z0 from y = A G(z0) + noise"},
    {"encoder", cmd_encoder, "encoders q(z | x) for a generator: train amortised ones, how often they invert it (eval), build Theorem 1's, sample"},
    {"net", cmd_net, "make generators (net random, net oneway), take one net out of a file (net extract)"},
    {"info", cmd_info, "print a model file's architecture and parameter count"},
    {"import", cmd_import, "convert an ONNX generator (torch.onnx.export) to a ginv model file"},
    {"export", cmd_export, "write a model file as a standard ONNX model"},
    {"generate", cmd_generate, "evaluate a generator on given or random latents: arrays, PNG grid"},
    {"theory", cmd_theory, "closed forms of Hand & Voroninski: g, rho_d, h_{x,x0}"},
    {"experiment", cmd_experiment, "experiments: recovery (phase transitions), cs (CSGM vs Lasso vs m), hardness (the exponential wall)"},
    {"demo", cmd_demo, "the main job: CSGM vs Lasso on Fashion-MNIST (demo random: random ReLU nets)"},
    {"cs", cmd_cs, "compressed sensing on images: CSGM vs Lasso (pixel, DCT, wavelet)"},
    {"wdc", cmd_wdc, "estimate each dense layer's Weight Distribution Condition constant"},
    {"rric", cmd_rric, "estimate an operator's Range Restricted Isometry Condition constant"},
    {"landscape", cmd_landscape, "f along t z0 and on a plane: -rho_d z0, Hessian, basins, PNG"},
    {"sample", cmd_sample, "posterior sampling: Langevin chains (ULA, MALA, projected, annealed), R-hat/ESS"},
    {"train", cmd_train, "train a generator or its prior: train vae (Fashion-MNIST or your images), train score (SGILO)"},
    {"plot", cmd_plot, "line plots of arrays from several JSON results in one PNG"},
    {"reduce", cmd_reduce, "hardness reductions (SAT, CVP, half-clique, vertex cover) -> ReLU nets; generators, map-back"},
    {"sweep", cmd_sweep, "parameter sweeps into an SQLite store: resumable, threads, MPI ranks"},
    {"results", cmd_results, "summarise a sweep store: success with Wilson intervals, quantiles, PNG"},
    {"decide", cmd_decide, "exact inversion decision: is x in (or near) the range? YES/NO/UNKNOWN"},
    {"invert-lp", cmd_invert_lp, "layer-wise LP inversion of an expansive ReLU net (Lei et al.)"},
};

static void usage(FILE *fp)
{
    fprintf(fp, "ginv %s — invert deep generative models\n\nusage: ginv COMMAND [options]\n\n"
                "commands:\n", GINV_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "  %-10s %s\n\n'ginv COMMAND --help' describes a command's options.\n", "version",
            "print the version");
    fputs("\nexit status (docs/cli.md):\n"
          "  0 success   1 other failure   2 usage (bad option or value)   3 decide: UNKNOWN\n"
          "  4 input format or sizes   5 I/O (open, read, write; store busy)\n"
          "  6 numeric (NaN/Inf input, divergence)   7 resource (memory, size limits)\n"
          "  8 unsupported (or a needed program is missing)\n"
          "  130 cancelled by Ctrl-C (recover, sample, cs, train vae, sweep: no outputs written)\n",
          fp);
}

/* OpenBLAS picks its kernels when it loads: if it fell back to generic ones
 * on a CPU with AVX2/AVX-512, start again once with OPENBLAS_CORETYPE set
 * (GINV_NO_REEXEC=1 or an explicit OPENBLAS_CORETYPE leaves it alone). */
static void maybe_reexec(char **argv)
{
    const char *better = ginv_blas_better_core();
    if (!better || getenv("OPENBLAS_CORETYPE") || getenv("GINV_NO_REEXEC")) return;
    setenv("OPENBLAS_CORETYPE", better, 1);
    setenv("GINV_NO_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE"); /* exec failed: carry on with what we have */
}

int main(int argc, char **argv)
{
    maybe_reexec(argv);
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("ginv %s (OpenBLAS kernels: %s)\n", GINV_VERSION, ginv_blas_core());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "ginv: error: unknown command '%s' (see 'ginv --help')\n", argv[1]);
    return CLI_EXIT_USAGE;
}
