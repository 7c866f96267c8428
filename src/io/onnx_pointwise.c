/* onnx_pointwise.c — elementwise functions PyTorch's exporter spells out in
 * several nodes: GELU at opsets below 20 (Div, Erf, Add, Mul, Mul), its tanh
 * form (Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul, Mul) and SiLU (Sigmoid,
 * Mul with the same input). A region of such nodes (their inputs: the data
 * tensor x, the region's own results, scalar constants) computes one
 * function of x; it is identified by evaluating it in double at fixed probe
 * points against the candidates, whatever order the nodes come in. */
#include "io/onnx_internal.h"

#include <math.h>
#include <string.h>

#define NPROBE 41
#define MAXNODES 32

static const char *const pw_ops[] = {"Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sigmoid", NULL};

int ginv_onnx_is_pointwise_op(const char *op)
{
    for (int i = 0; pw_ops[i]; i++)
        if (!strcmp(op, pw_ops[i])) return 1;
    return 0;
}

static double cand(int kind, double x)
{
    switch (kind) {
    case GINV_LAYER_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case GINV_LAYER_GELU_TANH:
        return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case GINV_LAYER_SILU: return x / (1 + exp(-x));
    case GINV_LAYER_TANH: return tanh(x);
    case GINV_LAYER_SIGMOID: return 1 / (1 + exp(-x));
    default: return NAN;
    }
}

int ginv_onnx_pointwise_identify(const onnx_node *const *nodes, int n, const char *x,
                                 const onnx_values *vals, const char *out_name)
{
    if (n < 1 || n > MAXNODES) return -1;
    static __thread double val[MAXNODES][NPROBE];
    double xs[NPROBE];
    for (int p = 0; p < NPROBE; p++) xs[p] = -5.0 + 0.25 * p;
    const double *res = NULL;
    for (int i = 0; i < n; i++) {
        const onnx_node *nd = nodes[i];
        int unary = !strcmp(nd->op_type, "Erf") || !strcmp(nd->op_type, "Tanh") ||
                    !strcmp(nd->op_type, "Sigmoid");
        size_t want = unary ? 1 : 2;
        if (nd->n_input != want || nd->n_output < 1) return -1;
        double in[2][NPROBE];
        for (size_t j = 0; j < want; j++) {
            const char *name = nd->input[j];
            const double *src = NULL;
            if (!strcmp(name, x)) src = xs;
            for (int k = 0; !src && k < i; k++)
                if (nodes[k]->n_output >= 1 && !strcmp(nodes[k]->output[0], name)) src = val[k];
            if (src) {
                memcpy(in[j], src, sizeof in[j]);
                continue;
            }
            const onnx_value *c = ginv_onnx_values_find(vals, name);
            if (!c || c->kind != ONNX_VAL_CONST || c->count != 1) return -1;
            double v = c->is_int ? (double)c->iv[0] : (double)c->fv[0];
            for (int p = 0; p < NPROBE; p++) in[j][p] = v;
        }
        const char *op = nd->op_type;
        for (int p = 0; p < NPROBE; p++) {
            double a = in[0][p], b = want > 1 ? in[1][p] : 0, r;
            if (!strcmp(op, "Add")) r = a + b;
            else if (!strcmp(op, "Sub")) r = a - b;
            else if (!strcmp(op, "Mul")) r = a * b;
            else if (!strcmp(op, "Div")) r = a / b;
            else if (!strcmp(op, "Pow")) r = pow(a, b);
            else if (!strcmp(op, "Erf")) r = erf(a);
            else if (!strcmp(op, "Tanh")) r = tanh(a);
            else if (!strcmp(op, "Sigmoid")) r = 1 / (1 + exp(-a));
            else return -1;
            val[i][p] = r;
        }
        if (!strcmp(nd->output[0], out_name)) res = val[i];
    }
    if (!res) return -1;
    static const int kinds[] = {GINV_LAYER_GELU, GINV_LAYER_GELU_TANH, GINV_LAYER_SILU,
                                GINV_LAYER_TANH, GINV_LAYER_SIGMOID};
    for (size_t c = 0; c < sizeof kinds / sizeof *kinds; c++) {
        int ok = 1;
        for (int p = 0; ok && p < NPROBE; p++) {
            double g = cand(kinds[c], xs[p]);
            ok = fabs(res[p] - g) <= 1e-6 * (1 + fabs(g));
        }
        if (ok) return kinds[c];
    }
    return -1;
}
