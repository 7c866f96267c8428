/* oneway.c — the hard instance of Pareek & Risteski's Theorem 2,
 * G(z) = C(sgn z) (§4.2, §6), with C a permutation of {-1, +1}^d.
 *
 * C is a balanced Feistel cipher (Luby & Rackoff): the state v = (L, R),
 * halves of h = d/2 values in {-1, +1}, and each round r maps
 *   (L, R) -> (R, L ⊙ F_r(R)),  F_r(R)_i = key_{r,i} R_{a} g(R_{b}, R_{c}),
 * with XOR written as the product of +-1 values (bit 0 <-> +1), g the AND of
 * bits in that encoding, g(x, y) = (1 + x + y - x y) / 2 (-1 iff both are
 * -1), and a, b, c, key drawn per round and coordinate from the seed. A
 * Feistel round is a bijection whatever F_r is (it is undone by
 * L = R' ⊙ F_r(L')), so C is a permutation; with several rounds of a
 * nonlinear F it mixes every input bit into every output bit. It is not
 * one-way for someone who reads its description (the rounds run backwards);
 * it stands in for Conjecture 1's circuit for learners that see only samples
 * (x, z), which is the situation of a trained encoder (docs/encoders.md).
 *
 * The network computes C exactly with dense + ReLU layers on +-1 values:
 * each round is one ReLU layer whose units are (a) relu(R_j), relu(-R_j),
 * which carry R into the next state (R_j = relu(R_j) - relu(-R_j)), and (b)
 * for each i, indicator units relu(<u, p> - 3) of the patterns p of
 * u = (L_i, R_a, R_b, R_c) in {+-1}^4 where R'_i = -1 (1 exactly at u = p,
 * else 0, as <u, p> <= 2 otherwise), so R'_i = 1 - 2 sum of them. The next
 * round's dense layer reads the state from these units (an affine map) and
 * composes it with its own pattern weights; a last dense layer writes v. */
#include "ginv.h"
#include "base/check_internal.h"

#include <string.h>

enum { GINV_STREAM_ONEWAY = GINV_STREAM_USER + 45 };

/* round r's wiring: a, b, c (h each) and key (h) */
typedef struct {
    int h, rounds;
    int *a, *b, *c;
    signed char *key;
} feistel;

static void feistel_free(feistel *f)
{
    ginv_free(f->a);
    ginv_free(f->b);
    ginv_free(f->c);
    ginv_free(f->key);
}

static ginv_status check_size(int d, int rounds)
{
    if (d < 2 || d % 2 || d > (1 << 16))
        return ginv_fail(GINV_ERR_ARG, "one-way permutation: d = %d must be even, in [2, 65536] (two halves)", d);
    if (rounds < 1 || rounds > 64)
        return ginv_fail(GINV_ERR_ARG, "one-way permutation: rounds = %d must be in [1, 64]", rounds);
    return GINV_OK;
}

static ginv_status feistel_draw(feistel *f, int d, int rounds, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    ginv_status st = check_size(d, rounds);
    if (st != GINV_OK) return st;
    int h = f->h = d / 2;
    f->rounds = rounds;
    size_t n = (size_t)h * rounds;
    f->a = ginv_malloc(n * sizeof(int));
    f->b = ginv_malloc(n * sizeof(int));
    f->c = ginv_malloc(n * sizeof(int));
    f->key = ginv_malloc(n);
    if (!f->a || !f->b || !f->c || !f->key) {
        feistel_free(f);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d-round Feistel permutation of d = %d", rounds, d);
    }
    for (int r = 0; r < rounds; r++) {
        ginv_rng g;
        ginv_rng_init(&g, seed, GINV_STREAM_ONEWAY, (uint64_t)r);
        for (int i = 0; i < h; i++) {
            size_t o = (size_t)r * h + i;
            f->a[o] = (int)(ginv_rng_u64(&g) % (uint64_t)h);
            f->b[o] = (int)(ginv_rng_u64(&g) % (uint64_t)h);
            f->c[o] = (int)(ginv_rng_u64(&g) % (uint64_t)h);
            f->key[o] = ginv_rng_u64(&g) >> 63 ? -1 : 1;
        }
    }
    return GINV_OK;
}

/* R'_i of round r for L_i and R (+-1 values) */
static int round_bit(const feistel *f, int r, int i, int Li, const int *R)
{
    size_t o = (size_t)r * f->h + i;
    int x = R[f->b[o]], y = R[f->c[o]];
    int g = (1 + x + y - x * y) / 2;
    return Li * f->key[o] * R[f->a[o]] * g;
}

ginv_status ginv_oneway_apply(int d, int rounds, uint64_t seed, int count, const float *v, float *out)
{
    GINV_NONNULL(v);
    GINV_NONNULL(out);
    if (count < 0) return ginv_fail(GINV_ERR_ARG, "one-way permutation: count %d < 0", count);
    feistel f;
    ginv_status st = feistel_draw(&f, d, rounds, seed);
    if (st != GINV_OK) return st;
    int h = f.h, *L = ginv_malloc(sizeof(int) * h), *R = ginv_malloc(sizeof(int) * h),
        *T = ginv_malloc(sizeof(int) * h);
    if (!L || !R || !T) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int s = 0; st == GINV_OK && s < count; s++) {
        const float *x = v + (size_t)s * d;
        for (int j = 0; j < d && st == GINV_OK; j++)
            if (x[j] != 1.0f && x[j] != -1.0f)
                st = ginv_fail(GINV_ERR_ARG, "one-way permutation: input %d, entry %d is %g, not +1 or -1", s, j,
                               (double)x[j]);
        if (st != GINV_OK) break;
        for (int j = 0; j < h; j++) L[j] = (int)x[j], R[j] = (int)x[h + j];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < h; i++) T[i] = round_bit(&f, r, i, L[i], R);
            memcpy(L, R, sizeof(int) * h);
            memcpy(R, T, sizeof(int) * h);
        }
        float *y = out + (size_t)s * d;
        for (int j = 0; j < h; j++) y[j] = (float)L[j], y[h + j] = (float)R[j];
    }
    ginv_free(L);
    ginv_free(R);
    ginv_free(T);
    feistel_free(&f);
    return st;
}

/* The +-1 patterns p of u = (L_i, R_a, R_b, R_c) with R'_i = -1: the
 * indicator units of coordinate i (8 of the 16: R'_i is L_i times a
 * function of the rest, so exactly one L_i value gives -1 for each rest). */
static int minus_patterns(const feistel *f, int r, int i, int p[8][4])
{
    int n = 0;
    for (int m = 0; m < 16; m++) {
        int u[4] = {m & 1 ? -1 : 1, m & 2 ? -1 : 1, m & 4 ? -1 : 1, m & 8 ? -1 : 1};
        size_t o = (size_t)r * f->h + i;
        int g = (1 + u[2] + u[3] - u[2] * u[3]) / 2;
        if (u[0] * f->key[o] * u[1] * g == -1 && n < 8) memcpy(p[n++], u, sizeof u);
    }
    return n;
}

/* Layer widths: a round's ReLU layer has 2h carry units and 8h indicator
 * units. The state v = (L, R) after round r is read from round r's units:
 * L'_j = carry+_j - carry-_j, R'_i = 1 - 2 sum of i's indicators; before
 * round 0 it is the sign layer's output itself. `read` fills S (d x W_in)
 * and s0 (d) with v = S u + s0 for the units u of the layer before. */
static void read_state(int h, int first, float *S, float *s0)
{
    int d = 2 * h, W = first ? d : 10 * h;
    memset(S, 0, sizeof(float) * (size_t)d * W);
    memset(s0, 0, sizeof(float) * d);
    if (first) {
        for (int j = 0; j < d; j++) S[(size_t)j * W + j] = 1;
        return;
    }
    for (int j = 0; j < h; j++) { /* L' = the carried R */
        S[(size_t)j * W + 2 * j] = 1;
        S[(size_t)j * W + 2 * j + 1] = -1;
    }
    for (int i = 0; i < h; i++) { /* R'_i = 1 - 2 sum of its 8 indicators */
        s0[h + i] = 1;
        for (int q = 0; q < 8; q++) S[(size_t)(h + i) * W + 2 * h + 8 * i + q] = -2;
    }
}

/* Round r's dense layer: its units as affine functions of the state v
 * (U v + u0, 10h x d), composed with the reading v = S u + s0. */
static ginv_status round_layer(const feistel *f, int r, const float *S, const float *s0, int Win, float *W,
                               float *b)
{
    int h = f->h, d = 2 * h, out = 10 * h;
    float *U = ginv_calloc((size_t)out * d, sizeof(float)), *u0 = ginv_calloc((size_t)out, sizeof(float));
    if (!U || !u0) {
        ginv_free(U);
        ginv_free(u0);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for round %d of the one-way network", r);
    }
    for (int j = 0; j < h; j++) { /* carry R_j = v[h + j] */
        U[(size_t)(2 * j) * d + h + j] = 1;
        U[(size_t)(2 * j + 1) * d + h + j] = -1;
    }
    for (int i = 0; i < h; i++) {
        int p[8][4], np = minus_patterns(f, r, i, p);
        size_t o = (size_t)r * h + i;
        int idx[4] = {i, h + f->a[o], h + f->b[o], h + f->c[o]}; /* L_i, R_a, R_b, R_c in v */
        for (int q = 0; q < np; q++) {
            float *row = U + (size_t)(2 * h + 8 * i + q) * d;
            for (int t = 0; t < 4; t++) row[idx[t]] += (float)p[q][t];
            u0[2 * h + 8 * i + q] = -3;
        }
    }
    /* W = U S (out x Win), b = U s0 + u0 */
    for (int o = 0; o < out; o++) {
        for (int w = 0; w < Win; w++) {
            double acc = 0;
            for (int j = 0; j < d; j++) acc += (double)U[(size_t)o * d + j] * S[(size_t)j * Win + w];
            W[(size_t)o * Win + w] = (float)acc;
        }
        double acc = u0[o];
        for (int j = 0; j < d; j++) acc += (double)U[(size_t)o * d + j] * s0[j];
        b[o] = (float)acc;
    }
    ginv_free(U);
    ginv_free(u0);
    return GINV_OK;
}

ginv_status ginv_net_oneway(ginv_net **out, int d, int rounds, uint64_t seed)
{
    GINV_NONNULL(out);
    *out = NULL;
    feistel f;
    ginv_status st = feistel_draw(&f, d, rounds, seed);
    if (st != GINV_OK) return st;
    int h = f.h, nl = 2 + 2 * rounds;
    ginv_layer *spec = ginv_calloc((size_t)nl, sizeof *spec);
    float *S = ginv_malloc(sizeof(float) * (size_t)d * 10 * h), *s0 = ginv_malloc(sizeof(float) * d);
    if (!spec || !S || !s0) {
        ginv_free(spec), ginv_free(S), ginv_free(s0);
        feistel_free(&f);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the one-way network (d = %d)", d);
    }
    int n = 0, width = d;
    spec[n++] = (ginv_layer){.kind = GINV_LAYER_SIGN, .in = d, .out = d};
    for (int r = 0; r < rounds; r++) {
        spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = width, .out = 10 * h, .bias = 1};
        spec[n++] = (ginv_layer){.kind = GINV_LAYER_RELU};
        width = 10 * h;
    }
    spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = width, .out = d, .bias = 1};
    ginv_net *net = NULL;
    st = ginv_net_new(&net, n, spec);
    for (int r = 0; st == GINV_OK && r < rounds; r++) {
        ginv_layer *L = ginv_net_layer(net, 1 + 2 * r);
        read_state(h, r == 0, S, s0);
        st = round_layer(&f, r, S, s0, L->in, L->W, L->b);
    }
    if (st == GINV_OK) { /* the last layer writes v after the last round */
        ginv_layer *L = ginv_net_layer(net, n - 1);
        read_state(h, 0, S, s0);
        memcpy(L->W, S, sizeof(float) * (size_t)d * L->in);
        memcpy(L->b, s0, sizeof(float) * d);
    }
    ginv_free(spec);
    ginv_free(S);
    ginv_free(s0);
    feistel_free(&f);
    if (st != GINV_OK) {
        ginv_net_free(net);
        return st;
    }
    *out = net;
    return GINV_OK;
}

ginv_status ginv_oneway_verify(const ginv_net *net, int d, int rounds, uint64_t seed)
{
    GINV_NONNULL(net);
    ginv_status st = check_size(d, rounds);
    if (st != GINV_OK) return st;
    if (d > 24) return ginv_fail(GINV_ERR_ARG, "one-way verification enumerates 2^d vertices: d = %d > 24", d);
    if (ginv_net_in(net) != d || ginv_net_out(net) != d)
        return ginv_fail(GINV_ERR_SHAPE, "the net maps %d -> %d values, not d = %d", ginv_net_in(net), ginv_net_out(net), d);
    enum { CHUNK = 4096 };
    size_t N = (size_t)1 << d;
    unsigned char *hit = ginv_calloc(N, 1);
    float *v = ginv_malloc(sizeof(float) * CHUNK * d), *c = ginv_malloc(sizeof(float) * CHUNK * d);
    ginv_net_ws *ws = NULL;
    if (!hit || !v || !c || ginv_net_ws_new(&ws, net, CHUNK) != GINV_OK)
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory enumerating 2^%d vertices", d);
    for (size_t s0 = 0; st == GINV_OK && s0 < N; s0 += CHUNK) {
        int B = N - s0 < CHUNK ? (int)(N - s0) : CHUNK;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < d; j++) v[(size_t)b * d + j] = ((s0 + b) >> j) & 1 ? -1.0f : 1.0f;
        if ((st = ginv_oneway_apply(d, rounds, seed, B, v, c)) != GINV_OK) break;
        const float *x = ginv_net_forward(net, ws, B, v);
        for (int b = 0; b < B && st == GINV_OK; b++) {
            size_t t = 0;
            for (int j = 0; j < d; j++) {
                if (x[(size_t)b * d + j] != c[(size_t)b * d + j])
                    st = ginv_fail(GINV_ERR_NUMERIC, "the net differs from C at vertex %zu, coordinate %d (%g vs %g)",
                                   s0 + b, j, (double)x[(size_t)b * d + j], (double)c[(size_t)b * d + j]);
                t |= (size_t)(c[(size_t)b * d + j] < 0) << j;
            }
            if (st == GINV_OK && hit[t]++)
                st = ginv_fail(GINV_ERR_NUMERIC, "C is not a bijection: vertex %zu repeats an image", s0 + b);
        }
    }
    ginv_net_ws_free(ws);
    ginv_free(hit);
    ginv_free(v);
    ginv_free(c);
    return st;
}
