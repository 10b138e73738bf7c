#include "activations.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Compile the hot loops for AVX-512, AVX2+FMA and the baseline; the loader picks
// one (GNU ifunc). Elsewhere, the baseline only.
#include "kernels.h"  // MULTIVERSION

// e^x without branches or library calls, so that loops over it vectorise
// (Cody and Waite, Software Manual for the Elementary Functions, 1980):
// x = n ln2 + r with n = round(x / ln2), |r| <= ln2/2, ln2 split in two parts so
// that n ln2_hi is exact; e^r by its Taylor polynomial of degree 13 (truncation
// < (ln2/2)^14/14! < 5e-18, below half an ulp); 2^n built in the exponent bits.
// n is rounded by adding 1.5 * 2^52, which leaves it in the low mantissa bits.
// Domain: x is clamped to [-708, 709] so the result is a normal number (the
// activations only need the limits to be approached); NaN propagates.
// Accuracy: within 2 ulp of e^x on [-708, 709] (tested against libm).
static inline double vector_exp(double x) {
    const double shift = 0x1.8p52;
    double c = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
    double shifted = c * 1.4426950408889634 + shift;
    double n = shifted - shift;
    double r = (c - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // The low 12 bits of `shifted` hold n (two's complement); << 52 moves them
    // into the exponent field, + 1023 biases it.
    uint64_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits << 52) + ((uint64_t)1023 << 52);
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// tanh x = 1 - 2/(e^{2x} + 1): absolute error at most 2 ulp(1) = 4.4e-16, exact limits +-1.
// sigma' = 1 - t^2, sigma'' = -2 t (1 - t^2).
MULTIVERSION static void apply_tanh(double *h, double *first, double *second, size_t n) {
    if (first && second) {
        for (size_t i = 0; i < n; i++) {
            double t = 1.0 - 2.0 / (vector_exp(2.0 * h[i]) + 1.0);
            double d = 1.0 - t * t;
            h[i] = t;
            first[i] = d;
            second[i] = -2.0 * t * d;
        }
    } else {
        for (size_t i = 0; i < n; i++) h[i] = 1.0 - 2.0 / (vector_exp(2.0 * h[i]) + 1.0);
    }
}

// softplus log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}) without overflow;
// sigma' = s(x) (the logistic function), sigma'' = s (1 - s).
MULTIVERSION static void apply_softplus(double *h, double *first, double *second, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double x = h[i];
        double s = 1.0 / (1.0 + vector_exp(-x));
        h[i] = (x > 0 ? x : 0) + log1p(vector_exp(-fabs(x)));
        if (first && second) {
            first[i] = s;
            second[i] = s * (1.0 - s);
        }
    }
}

// SiLU x s(x) (Elfwing et al. 2018); sigma' = s (1 + x (1 - s)),
// sigma'' = s (1 - s) (2 + x (1 - 2 s)).
MULTIVERSION static void apply_silu(double *h, double *first, double *second, size_t n) {
    if (first && second) {
        for (size_t i = 0; i < n; i++) {
            double x = h[i];
            double s = 1.0 / (1.0 + vector_exp(-x));
            h[i] = x * s;
            first[i] = s * (1.0 + x * (1.0 - s));
            second[i] = s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s));
        }
    } else {
        for (size_t i = 0; i < n; i++) h[i] = h[i] / (1.0 + vector_exp(-h[i]));
    }
}

void nqft_activation(int kind, double *h, double *first, double *second, size_t n) {
    switch (kind) {
    case 0: apply_tanh(h, first, second, n); break;
    case 1: apply_softplus(h, first, second, n); break;
    default: apply_silu(h, first, second, n); break;
    }
}

MULTIVERSION
void nqft_exponential(double *h, size_t n) {
    for (size_t i = 0; i < n; i++) h[i] = vector_exp(h[i]);
}
