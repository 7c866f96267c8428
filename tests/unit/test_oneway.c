/* test_oneway.c — the hard instance of Pareek & Risteski's Theorem 2,
 * G(z) = C(sgn z) (src/net/oneway.c): C is a permutation of {-1, +1}^d (by
 * enumeration), it mixes (one flipped input bit changes about half the
 * output), the network computes it exactly on every vertex and on real z
 * through the sign layer, the sign layer passes no gradient, the parameter
 * count is the formula's, and bad sizes are refused. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* vertex number s of {-1, +1}^d: bit j of s set <-> entry j is -1 */
static void vertex(int d, unsigned s, float *v)
{
    for (int j = 0; j < d; j++) v[j] = (s >> j) & 1 ? -1.0f : 1.0f;
}

static unsigned number(int d, const float *v)
{
    unsigned s = 0;
    for (int j = 0; j < d; j++) s |= (unsigned)(v[j] < 0) << j;
    return s;
}

TEST(oneway_c_is_a_permutation_of_the_hypercube_by_enumeration)
{
    enum { D = 16, N = 1 << D };
    float *v = malloc(sizeof(float) * (size_t)N * D), *y = malloc(sizeof(float) * (size_t)N * D);
    unsigned char *hit = calloc(N, 1);
    if (!v || !y || !hit) { free(v), free(y), free(hit); CHECK(0); return; }
    for (unsigned s = 0; s < N; s++) vertex(D, s, v + (size_t)s * D);
    CHECK_OK(ginv_oneway_apply(D, 4, 7, N, v, y));
    int bad = 0, fixed = 0;
    for (unsigned s = 0; s < N; s++) {
        const float *o = y + (size_t)s * D;
        for (int j = 0; j < D; j++) bad += o[j] != 1.0f && o[j] != -1.0f;
        unsigned t = number(D, o);
        bad += hit[t]++ != 0; /* every output once: a bijection */
        fixed += t == s;
    }
    CHECK_MSG(bad == 0, "%d repeated or non-vertex outputs", bad);
    CHECK_MSG(fixed < 16, "%d fixed points of 65536", fixed); /* a random permutation has about 1 */
    /* avalanche: flipping one input bit changes about d/2 output bits */
    double changed = 0;
    int pairs = 0;
    for (unsigned s = 0; s < N; s += 97)
        for (int j = 0; j < D; j++) {
            unsigned t = number(D, y + (size_t)s * D), u = number(D, y + (size_t)(s ^ (1u << j)) * D);
            changed += __builtin_popcount(t ^ u), pairs++;
        }
    changed /= pairs;
    CHECK_MSG(changed > 0.35 * D && changed < 0.65 * D, "mean output bits changed %g of %d", changed, D);
    /* the avalanche against the rounds, printed for docs/encoders.md (seed 7,
     * every 97th vertex, each of its 16 bits flipped) */
    printf("  avalanche, fraction of output bits changed:");
    for (int R = 1; R <= 6; R++) {
        CHECK_OK(ginv_oneway_apply(D, R, 7, N, v, y));
        double ch = 0;
        int np = 0;
        for (unsigned s = 0; s < N; s += 97)
            for (int j = 0; j < D; j++)
                ch += __builtin_popcount(number(D, y + (size_t)s * D) ^ number(D, y + (size_t)(s ^ (1u << j)) * D)),
                    np++;
        printf(" %d rounds %.3f%s", R, ch / np / D, R < 6 ? "," : "\n");
    }
    free(v), free(y), free(hit);
}

TEST(oneway_network_is_c_of_sgn_z_exactly)
{
    enum { D = 10, N = 1 << D, R = 5 };
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_oneway(&net, D, R, 3));
    if (!net) return;
    int h = D / 2;
    size_t want = (size_t)D * 10 * h + 10 * h + (size_t)(R - 1) * (10 * h * 10 * h + 10 * h) + (size_t)10 * h * D + D;
    CHECK_MSG(ginv_net_nparams(net) == want, "parameters %zu, formula %zu", ginv_net_nparams(net), want);
    CHECK(ginv_net_in(net) == D && ginv_net_out(net) == D && ginv_net_layer_c(net, 0)->kind == GINV_LAYER_SIGN);
    float *v = malloc(sizeof(float) * (size_t)N * D), *c = malloc(sizeof(float) * (size_t)N * D);
    float *z = malloc(sizeof(float) * (size_t)N * D);
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, N));
    if (!v || !c || !z || !ws) { free(v), free(c), free(z), ginv_net_ws_free(ws), ginv_net_free(net); CHECK(0); return; }
    for (unsigned s = 0; s < N; s++) vertex(D, s, v + (size_t)s * D);
    CHECK_OK(ginv_oneway_apply(D, R, 3, N, v, c));
    /* every vertex, and real z ~ N(0, I) whose signs are that vertex */
    ginv_rng r;
    ginv_rng_init(&r, 5, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, z, (size_t)N * D, 1.0);
    for (size_t i = 0; i < (size_t)N * D; i++) z[i] = fabsf(z[i]) * v[i];
    int diff = 0;
    for (int pass = 0; pass < 2; pass++) {
        const float *x = ginv_net_forward(net, ws, N, pass ? z : v);
        for (size_t i = 0; i < (size_t)N * D; i++) diff += x[i] != c[i];
    }
    CHECK_MSG(diff == 0, "%d outputs differ from C(sgn z)", diff);
    CHECK_OK(ginv_oneway_verify(net, D, R, 3));
    /* another seed's C is another permutation: verification names the first difference */
    CHECK(ginv_oneway_verify(net, D, R, 4) == GINV_ERR_NUMERIC);
    CHECK(strstr(ginv_last_error(), "the net differs from C at vertex") != NULL);
    /* the sign layer passes no gradient: J_G = 0 wherever it exists */
    float dx[D], dz[D];
    for (int j = 0; j < D; j++) dx[j] = 1.0f, dz[j] = 7.0f;
    ginv_net_forward(net, ws, 1, z);
    ginv_net_backward(net, ws, 1, dx, dz, 0);
    for (int j = 0; j < D; j++) CHECK(dz[j] == 0.0f);
    /* and it survives a model file */
    char path[] = "/tmp/ginv-oneway-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    ginv_net *back = NULL;
    CHECK_OK(ginv_net_save(net, path));
    CHECK_OK(ginv_net_load(path, &back));
    if (back) {
        ginv_net_ws *ws2 = NULL;
        CHECK_OK(ginv_net_ws_new(&ws2, back, 64));
        const float *x = ws2 ? ginv_net_forward(back, ws2, 64, z) : NULL;
        for (size_t i = 0; x && i < (size_t)64 * D; i++) CHECK(x[i] == c[i]);
        ginv_net_ws_free(ws2);
    }
    ginv_net_free(back);
    unlink(path);
    free(v), free(c), free(z);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

TEST(oneway_refuses_bad_sizes_and_non_vertices)
{
    ginv_net *net = (ginv_net *)1;
    CHECK(ginv_net_oneway(&net, 7, 4, 1) == GINV_ERR_ARG && net == NULL);
    CHECK(strstr(ginv_last_error(), "d = 7 must be even") != NULL);
    CHECK(ginv_net_oneway(&net, 8, 0, 1) == GINV_ERR_ARG && strstr(ginv_last_error(), "rounds = 0"));
    float v[4] = {1, -1, 0.5f, 1}, y[4];
    CHECK(ginv_oneway_apply(4, 2, 1, 1, v, y) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "entry 2 is 0.5, not +1 or -1") != NULL);
    /* sgn: +1 at 0, NaN stays NaN */
    ginv_layer spec[1] = {{.kind = GINV_LAYER_SIGN, .in = 3, .out = 3}};
    ginv_net *s = NULL;
    CHECK_OK(ginv_net_new(&s, 1, spec));
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, s, 1));
    float z[3] = {0.0f, -2.5f, NAN};
    const float *x = s && ws ? ginv_net_forward(s, ws, 1, z) : NULL;
    if (x) CHECK(x[0] == 1.0f && x[1] == -1.0f && isnan(x[2]));
    ginv_net_ws_free(ws);
    ginv_net_free(s);
}
