/* cmd_demo.c — `ginv demo`: the main job. `ginv demo` (or `ginv demo
 * images`) recovers Fashion-MNIST test images from few measurements with the
 * shipped VAE decoder, CSGM against the Lasso; `ginv demo random` is the
 * recovery table on random expansive ReLU generators. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int demo_images(int argc, char **argv);
int demo_random(int argc, char **argv);

int cmd_demo(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "random")) return demo_random(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "images")) return demo_images(argc - 1, argv + 1);
    return demo_images(argc, argv);
}
