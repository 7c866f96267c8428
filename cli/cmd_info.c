/* cmd_info.c — `ginv info FILE`: a model file's architecture and size. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_info(int argc, char **argv)
{
    const char *json = NULL;
    cli_opt opts[] = {
        {"json", 0, OPT_STRING, &json, "FILE", "also write the architecture as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {"info", "Print a model file's architecture and parameter count.",
                   "ginv info MODEL.safetensors [--json FILE]", NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error("info", "expected one model file (see --help)");
    ginv_net *net;
    ginv_status st = ginv_net_load(pos[0], &net);
    if (st != GINV_OK) return cli_lib_error("info", st);
    int L = ginv_net_nlayers(net);
    if (!json || strcmp(json, "-")) {
        printf("model %s: latent %d -> output %d, %d layers, %zu parameters\n", pos[0],
               ginv_net_in(net), ginv_net_out(net), L, ginv_net_nparams(net));
        for (int i = 0; i < L; i++) {
            const ginv_layer *ly = ginv_net_layer_c(net, i);
            if (ly->kind == GINV_LAYER_DENSE)
                printf("  %2d  dense      %6d -> %-6d %s\n", i, ly->in, ly->out,
                       ly->bias ? "bias" : "no bias");
            else if (ly->kind == GINV_LAYER_LEAKY_RELU)
                printf("  %2d  leaky_relu alpha %g\n", i, ly->alpha);
            else
                printf("  %2d  %s\n", i, ginv_layer_kind_name(ly->kind));
        }
    }
    if (json) {
        cJSON *doc = cli_json_new("info");
        cJSON_AddStringToObject(doc, "file", pos[0]);
        cJSON_AddNumberToObject(doc, "latent", ginv_net_in(net));
        cJSON_AddNumberToObject(doc, "output", ginv_net_out(net));
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
        char *arch = ginv_net_arch_json(net);
        cJSON_AddItemToObject(doc, "architecture", cJSON_Parse(arch));
        ginv_free(arch);
        rc = cli_json_write("info", doc, json);
        cJSON_Delete(doc);
    }
    ginv_net_free(net);
    return rc;
}
