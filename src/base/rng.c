/* rng.c — random streams derived from (seed, purpose, index).
 *
 * The state of xoshiro256** is filled by splitmix64 run over a key that mixes
 * the three numbers, so stream (s, p, i) never depends on which thread or
 * process draws it, nor on how many other streams were drawn before. */
#include "ginv.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void ginv_rng_init(ginv_rng *r, uint64_t seed, uint64_t purpose, uint64_t index)
{
    uint64_t key = seed;
    uint64_t a = splitmix64(&key);
    key = a ^ (purpose * 0xD1B54A32D192ED03ull);
    uint64_t b = splitmix64(&key);
    key = b ^ (index * 0x8CB92BA72F3D8DD7ull);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&key);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
    r->has_spare = 0;
    r->spare = 0;
}

uint64_t ginv_rng_u64(ginv_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double ginv_rng_uniform(ginv_rng *r) { return (ginv_rng_u64(r) >> 11) * 0x1.0p-53; }

/* Marsaglia's polar method; the second variate is kept for the next call. */
double ginv_rng_normal(ginv_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * ginv_rng_uniform(r) - 1.0;
        v = 2.0 * ginv_rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

void ginv_rng_normal_f32(ginv_rng *r, float *x, size_t n, double sd)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)(sd * ginv_rng_normal(r));
}

/* Lemire's unbiased bounded draw by rejection. */
uint64_t ginv_rng_below(ginv_rng *r, uint64_t n)
{
    if (n <= 1) return 0;
    uint64_t limit = -n % n;
    for (;;) {
        uint64_t x = ginv_rng_u64(r);
        __uint128_t m = (__uint128_t)x * n;
        if ((uint64_t)m >= limit) return (uint64_t)(m >> 64);
    }
}
