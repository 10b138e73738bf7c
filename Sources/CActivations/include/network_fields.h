#ifndef NQFT_NETWORK_FIELDS_H
#define NQFT_NETWORK_FIELDS_H

#include <stdint.h>

/// The network field theories' activations (Swift `NetworkActivation`); every
/// switch on it lists every case and has no `default:` (see `nqft_activation_kind`).
typedef enum nqft_network_activation {
    NQFT_NETWORK_ERF = 0,
    NQFT_NETWORK_RELU = 1,
    NQFT_NETWORK_GAUSS = 2,
    NQFT_NETWORK_COS = 3,
} nqft_network_activation;

/// Fields of one-hidden-layer networks at P input points (neural-network field
/// theory, docs/CONVENTIONS.md §5): for network n,
///
///     fields[n][p] = offsets[n] + sum_{i < width} amplitudes[n][i] sigma(z_{n,i}(p)),
///     z_{n,i}(p) = biases[n][i] + sum_{j < dimension} weights[n][i][j] coordinates[j][p],
///
/// with sigma by `activation`: erf, relu, gauss (exp(z - variance[p])), cos.
/// erf is a rational fit evaluated in single precision, within 4.3e-7 of erf; cos
/// reduces by 2 pi in double precision and evaluates a polynomial in single
/// precision, within 1.2e-7 for |z| < 1e5; exp (Gauss-net) is double, within 2 ulp.
/// In C so the loops over points are compiled for the machine's vector width.
void nqft_network_fields(nqft_network_activation activation, int64_t networks, int64_t width, int64_t dimension, int64_t points,
                         const double *coordinates, const double *variance, const double *weights,
                         const double *biases, const double *amplitudes, const double *offsets, double *fields);

/// One neuron alone: out[p] = amplitude sigma(bias + weight . x_p) (the deformed
/// ensemble's moves, where the batched kernel's blocking does not pay; the tests
/// check the activations through it, with x_p = z_p, weight 1, bias 0).
void nqft_neuron_field(nqft_network_activation activation, int64_t dimension, int64_t points, const double *coordinates,
                       const double *variance, const double *weight, double bias, double amplitude, double *out);

/// sum_p ((phi[p] + delta[p])^4 - phi[p]^4), the change of sum phi^4 when phi moves by delta.
double nqft_quartic_change(const double *phi, const double *delta, int64_t n);

#endif
