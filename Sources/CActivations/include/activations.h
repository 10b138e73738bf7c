#ifndef NQFT_ACTIVATIONS_H
#define NQFT_ACTIVATIONS_H

#include <stddef.h>

/// The wavefunction networks' activations (Swift `Activation`). Every switch on it
/// lists every case and has no `default:`, so a case added here and missed in a
/// kernel is a compiler warning (-Wswitch), never a silent fallback.
typedef enum nqft_activation_kind { NQFT_TANH = 0, NQFT_SOFTPLUS = 1, NQFT_SILU = 2 } nqft_activation_kind;

/// Activation functions of the networks, applied elementwise to a batch of
/// pre-activations, in place: h[i] <- sigma(h[i]); when `first` and `second` are
/// non-null they receive sigma'(h[i]) and sigma''(h[i]).
///
/// Written in C for one reason: the loops are compiled for several instruction
/// sets (AVX-512, AVX2, baseline) and the best is chosen when the program loads,
/// so they vectorise at the machine's full width and still run anywhere.
void nqft_activation(nqft_activation_kind kind, double *h, double *first, double *second, size_t n);

/// h[i] <- e^{h[i]} in place (within 2 ulp; clamped to [-708, 709]), vectorised likewise.
void nqft_exponential(double *h, size_t n);

#endif
