#include "network_fields.h"

#include <math.h>
#include <stdint.h>

#include "kernels.h"  // MULTIVERSION
#include "vector_exp.h"

// erf x = x P(x^2)/Q(x^2) on |x| <= 4, fitted by iteratively reweighted linear least
// squares (the weight 1/Q makes the linearised residual the true one); +-1 beyond
// (1 - erf 4 = 1.5e-8). Evaluated in single precision, 16 lanes per AVX-512
// vector: within 4.3e-7 of erf (7.2e-8 in double precision, at half the speed),
// 10^3 below the statistical resolution of 10^8 networks (tested against libm).
static inline __attribute__((always_inline)) float fast_erf(float x) {
    const float c = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
    const float t = c * c;
    const float p = ((((2.0272865690718334e-06f * t + 0.00028618799736002923f) * t + 0.0038447062871326382f) * t
                      + 0.052981763041886835f) * t + 0.19230819371756708f) * t + 1.1283790461435836f;
    const float q = ((((3.7928556026993545e-05f * t + 0.0011810574160452606f) * t + 0.015124428908635591f) * t
                      + 0.1148795359074481f) * t + 0.5037605985647998f) * t + 1.0f;
    return c * p / q;
}

// cos x: x = n 2pi + r in double precision (2pi in two parts, n 2pi_hi exact for
// |n| < 2^20), |r| <= pi; a = |r| folded into [0, pi/2] by cos a = -cos(pi - a);
// then Taylor to degree 14 in single precision (truncation (pi/2)^16/16! < 1e-10):
// within 1.2e-7 of cos for |x| < 1e5 (tested against libm).
static inline __attribute__((always_inline)) double fast_cos(double x) {
    const double shift = 0x1.8p52;
    const double n = (x * 0.15915494309189535 + shift) - shift;
    const double r = (x - n * 6.28318530717958623200e+00) - n * 2.44929359829470635445e-16;
    double a = r < 0 ? -r : r;
    const int flip = a > 1.5707963267948966;
    a = flip ? 3.14159265358979311600e+00 - a + 1.22464679914735317723e-16 : a;
    const float t = (float)(a * a);
    float p = -1.0f / 87178291200.0f;
    p = p * t + 1.0f / 479001600.0f;
    p = p * t - 1.0f / 3628800.0f;
    p = p * t + 1.0f / 40320.0f;
    p = p * t - 1.0f / 720.0f;
    p = p * t + 1.0f / 24.0f;
    p = p * t - 0.5f;
    p = p * t + 1.0f;
    return flip ? -(double)p : (double)p;
}

// Sites are taken BLOCK at a time (8 when there are at most 8) and every neuron is
// added into an accumulator that stays in vector registers: per site and neuron one
// pre-activation, one activation and one FMA, with no pass over memory in between
// (three passes over a width x P block, which outgrows the L1 cache at P = 64,
// N = 100, ran at half the rate).
#define BLOCK 16

static inline __attribute__((always_inline)) double activation_of(nqft_network_activation activation, double z, double variance) {
    switch (activation) {
    case NQFT_NETWORK_ERF: return (double)fast_erf((float)z);
    case NQFT_NETWORK_RELU: return z > 0 ? z : 0;
    case NQFT_NETWORK_GAUSS: return vector_exp(z - variance);
    case NQFT_NETWORK_COS: return fast_cos(z);
    }
    return 0.0 / 0.0;  // unreachable for a valid activation: NaN, never a silent other activation
}

// out[l] = offset + sum_i v_i sigma(b_i + w_i . x_l) for the first `block` (8 or BLOCK)
// sites of `x` (d x BLOCK).
static inline __attribute__((always_inline)) void network_block(nqft_network_activation activation, int64_t d, int block, int64_t width,
                                                                 const double *restrict x, const double *restrict var,
                                                                 const double *restrict w, const double *restrict b,
                                                                 const double *restrict v, double offset,
                                                                 double *restrict out) {
    double acc[BLOCK];
    for (int l = 0; l < block; l++) acc[l] = offset;
    for (int64_t i = 0; i < width; i++) {
        const double bi = b[i], vi = v[i], w0 = w[i * d], w1 = d > 1 ? w[i * d + 1] : 0, w2 = d > 2 ? w[i * d + 2] : 0;
        for (int l = 0; l < block; l++) {
            double z = bi + w0 * x[l];
            if (d > 1) z += w1 * x[BLOCK + l];
            if (d > 2) z += w2 * x[2 * BLOCK + l];
            acc[l] += vi * activation_of(activation, z, var[l]);
        }
    }
    for (int l = 0; l < block; l++) out[l] = acc[l];
}

// The block with the activation, the dimension and the block size as constants, so
// each of the 24 combinations compiles to its own straight-line vector loop.
static inline __attribute__((always_inline)) void dispatch_block(nqft_network_activation activation, int64_t d, int small, int64_t width,
                                                                  const double *x, const double *var,
                                                                  const double *w, const double *b,
                                                                  const double *v, double offset, double *out) {
#define NQFT_SIZED(A, D)                                                                   \
    if (small) network_block(A, D, 8, width, x, var, w, b, v, offset, out);                \
    else network_block(A, D, BLOCK, width, x, var, w, b, v, offset, out);
#define NQFT_BLOCK(A)                                                                      \
    switch (d) {                                                                          \
    case 1: NQFT_SIZED(A, 1) break;                                                       \
    case 2: NQFT_SIZED(A, 2) break;                                                       \
    default: NQFT_SIZED(A, 3) break;                                                      \
    }
    switch (activation) {
    case NQFT_NETWORK_ERF: NQFT_BLOCK(NQFT_NETWORK_ERF) break;
    case NQFT_NETWORK_RELU: NQFT_BLOCK(NQFT_NETWORK_RELU) break;
    case NQFT_NETWORK_GAUSS: NQFT_BLOCK(NQFT_NETWORK_GAUSS) break;
    case NQFT_NETWORK_COS: NQFT_BLOCK(NQFT_NETWORK_COS) break;
    }
#undef NQFT_BLOCK
#undef NQFT_SIZED
}

MULTIVERSION
void nqft_network_fields(nqft_network_activation activation, int64_t networks, int64_t width, int64_t dimension, int64_t points,
                         const double *coordinates, const double *variance, const double *weights,
                         const double *biases, const double *amplitudes, const double *offsets, double *fields) {
    double x[3 * BLOCK], var[BLOCK], out[BLOCK];
    for (int64_t p0 = 0; p0 < points; p0 += BLOCK) {
        const int64_t m = points - p0 < BLOCK ? points - p0 : BLOCK;
        // This block's coordinates and variances, zero-padded to BLOCK sites.
        for (int64_t j = 0; j < 3; j++)
            for (int64_t l = 0; l < BLOCK; l++) x[j * BLOCK + l] = j < dimension && l < m ? coordinates[j * points + p0 + l] : 0;
        for (int64_t l = 0; l < BLOCK; l++) var[l] = l < m && variance ? variance[p0 + l] : 0;
        for (int64_t n = 0; n < networks; n++) {
            dispatch_block(activation, dimension, points <= 8, width, x, var, weights + n * width * dimension, biases + n * width,
                           amplitudes + n * width, offsets[n], out);
            for (int64_t l = 0; l < m; l++) fields[n * points + p0 + l] = out[l];
        }
    }
}

// One loop per activation, so each vectorises over the points.
MULTIVERSION
void nqft_neuron_field(nqft_network_activation activation, int64_t dimension, int64_t points, const double *coordinates,
                       const double *variance, const double *weight, double bias, double amplitude, double *out) {
    double z[points > 0 ? points : 1];
    for (int64_t p = 0; p < points; p++) z[p] = bias + weight[0] * coordinates[p];
    for (int64_t j = 1; j < dimension; j++)
        for (int64_t p = 0; p < points; p++) z[p] += weight[j] * coordinates[j * points + p];
    switch (activation) {
    case NQFT_NETWORK_ERF: for (int64_t p = 0; p < points; p++) out[p] = amplitude * activation_of(NQFT_NETWORK_ERF, z[p], 0); break;
    case NQFT_NETWORK_RELU: for (int64_t p = 0; p < points; p++) out[p] = amplitude * activation_of(NQFT_NETWORK_RELU, z[p], 0); break;
    case NQFT_NETWORK_GAUSS: for (int64_t p = 0; p < points; p++) out[p] = amplitude * activation_of(NQFT_NETWORK_GAUSS, z[p], variance[p]); break;
    case NQFT_NETWORK_COS: for (int64_t p = 0; p < points; p++) out[p] = amplitude * activation_of(NQFT_NETWORK_COS, z[p], 0); break;
    }
}

MULTIVERSION
double nqft_quartic_change(const double *phi, const double *delta, int64_t n) {
    double sum = 0;
    for (int64_t p = 0; p < n; p++) {
        const double a = phi[p] * phi[p], b = (phi[p] + delta[p]) * (phi[p] + delta[p]);
        sum += b * b - a * a;
    }
    return sum;
}
