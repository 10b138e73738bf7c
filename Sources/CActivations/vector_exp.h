#ifndef NQFT_VECTOR_EXP_H
#define NQFT_VECTOR_EXP_H

#include <stdint.h>
#include <string.h>

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

#endif
