#include "activations.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Compile the hot loops for AVX-512, AVX2+FMA and the baseline; the loader picks
// one (GNU ifunc). Elsewhere, the baseline only.
#include "kernels.h"  // MULTIVERSION

#include "vector_exp.h"

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

void nqft_activation(nqft_activation_kind kind, double *h, double *first, double *second, size_t n) {
    switch (kind) {
    case NQFT_TANH: apply_tanh(h, first, second, n); break;
    case NQFT_SOFTPLUS: apply_softplus(h, first, second, n); break;
    case NQFT_SILU: apply_silu(h, first, second, n); break;
    }
}

MULTIVERSION
void nqft_exponential(double *h, size_t n) {
    for (size_t i = 0; i < n; i++) h[i] = vector_exp(h[i]);
}
