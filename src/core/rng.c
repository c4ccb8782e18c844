/* xoshiro256** PRNG seeded through splitmix64; deterministic across platforms. */
#include "internal.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void vh_rng_seed(vh_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t vh_rng_u64(vh_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

double vh_rng_uniform(vh_rng *r) { return (double)(vh_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t vh_rng_below(vh_rng *r, uint64_t n) {
    /* Rejection sampling removes modulo bias. */
    uint64_t lim = (uint64_t)-1 - ((uint64_t)-1 % n), x;
    do x = vh_rng_u64(r); while (x >= lim);
    return x % n;
}

double vh_rng_normal(vh_rng *r) {
    double u1 = vh_rng_uniform(r), u2 = vh_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void vh_rng_shuffle_int(vh_rng *r, int *a, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)vh_rng_below(r, i);
        int t = a[i - 1]; a[i - 1] = a[j]; a[j] = t;
    }
}
