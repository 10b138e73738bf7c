#include "network_fields.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

// z[p] <- sigma(z[p]) (variance[p % points] for the Gauss-net); one loop per
// activation, each long and branch-free so it vectorises and pipelines.
static inline __attribute__((always_inline)) void activate(int activation, double *restrict z,
                                                            const double *restrict variance, int64_t points,
                                                            int64_t rows) {
    const int64_t n = points * rows;
    switch (activation) {
    case 0:
        for (int64_t e = 0; e < n; e++) z[e] = (double)fast_erf((float)z[e]);
        break;
    case 1:
        for (int64_t e = 0; e < n; e++) z[e] = z[e] > 0 ? z[e] : 0;
        break;
    case 2:
        for (int64_t i = 0; i < rows; i++)
            for (int64_t p = 0; p < points; p++) z[i * points + p] = vector_exp(z[i * points + p] - variance[p]);
        break;
    default:
        for (int64_t e = 0; e < n; e++) z[e] = fast_cos(z[e]);
        break;
    }
}

// Per network: every neuron's pre-activations (width x P), the activation over
// all of them in one pass, then the output layer f = offset + sum_i v_i s_i.
MULTIVERSION
void nqft_network_fields(int activation, int64_t networks, int64_t width, int64_t dimension, int64_t points,
                         const double *coordinates, const double *variance, const double *weights,
                         const double *biases, const double *amplitudes, const double *offsets, double *fields) {
    // A single neuron's few values (the deformed ensemble's moves) stay on the stack.
    double local[1024];
    double *z = width * points <= 1024 ? local : malloc(sizeof(double) * (size_t)(width * points));
    if (!z) abort();
    for (int64_t n = 0; n < networks; n++) {
        for (int64_t i = 0; i < width; i++) {
            const int64_t neuron = n * width + i;
            const double *w = weights + neuron * dimension;
            const double b = biases[neuron], w0 = w[0];
            double *restrict zi = z + i * points;
            const double *restrict x0 = coordinates;
            for (int64_t p = 0; p < points; p++) zi[p] = b + w0 * x0[p];
            for (int64_t j = 1; j < dimension; j++) {
                const double wj = w[j];
                const double *restrict xj = coordinates + j * points;
                for (int64_t p = 0; p < points; p++) zi[p] += wj * xj[p];
            }
        }
        activate(activation, z, variance, points, width);
        double *restrict f = fields + n * points;
        for (int64_t p = 0; p < points; p++) f[p] = offsets[n];
        for (int64_t i = 0; i < width; i++) {
            const double v = amplitudes[n * width + i];
            const double *restrict si = z + i * points;
            for (int64_t p = 0; p < points; p++) f[p] += v * si[p];
        }
    }
    if (z != local) free(z);
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

void nqft_network_activation(int activation, double *z, const double *variance, int64_t n) {
    activate(activation, z, variance, n, 1);
}
