#ifndef NQFT_VECTOR_EXP_H
#define NQFT_VECTOR_EXP_H

#include <stdint.h>
#include <string.h>

// e^x without branches or library calls, so that loops over it vectorise
// (Cody and Waite, Software Manual for the Elementary Functions, 1980):
// x = n ln2 + r with n = round(x / ln2), |r| <= ln2/2, ln2 split in two parts so
// that n ln2_hi is exact; e^r by a polynomial of degree 11, the Chebyshev
// interpolant of e^r on [-ln2/2, ln2/2] (near-minimax: relative error 4.2e-18,
// below half an ulp; computed with mpmath.chebyfit at 40 digits, coefficients
// rounded to double), two multiply-adds fewer than the Taylor polynomial of
// degree 13 it replaces at the same accuracy (the exponential bounds the
// activations' cost); 2^n built in the exponent bits.
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
    double p = 2.5110037605963777712e-8;
    p = p * r + 2.7632639639041029749e-7;
    p = p * r + 2.7557240918578969823e-6;
    p = p * r + 2.4801485482328492419e-5;
    p = p * r + 1.9841269890047113707e-4;
    p = p * r + 1.3888888952314774652e-3;
    p = p * r + 8.3333333333196006109e-3;
    p = p * r + 4.1666666666488095495e-2;
    p = p * r + 1.6666666666666680806e-1;
    p = p * r + 5.0000000000000183855e-1;
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
