#ifndef NQFT_CONVOLUTION_H
#define NQFT_CONVOLUTION_H

#include <stdint.h>

/// A circular convolution on a lattice (NeuralAnsatz.CircularConvolution) over
/// `rows` = B V rows of `c` input channels, `t` taps, `o` output channels:
///
///     y[r, k] = bias[k] + sum_{j, i} a[(base(r) + taps[site(r) t + j]) c + i] wt[(j c + i) o + k],
///
/// with base(r) = (r / sites) sites, site(r) = r % sites. Written in C, like the
/// activations, so the loops are compiled for AVX-512, AVX2 and the baseline and
/// the best runs (the channel loops are short and vectorise at full width).
/// w is W in its own layout (o x (t c)), wt its transpose ((t c) x o); each path reads the one it vectorises over.
void nqft_convolution_forward(const double *a, const double *w, const double *wt, const double *bias,
                              const int64_t *taps, int64_t rows, int64_t sites, int64_t t, int64_t c, int64_t o,
                              double *y);

/// The backward pass for output gradients g (rows x o): adds dL/dW into dwt
/// (transposed, (t c) x o) or, for the paths vectorised over input channels, into
/// dw (W's own layout) — the return value is 1 when dw was used — and dL/dbias
/// into db (o); when da is non-null, writes dL/da into da (rows x c), from the
/// weights in the layout w2[(j o + k) c + i] = W[k, (j, i)]. The tap offsets
/// must be symmetric (tap t - 1 - j is minus tap j).
int nqft_convolution_backward(const double *a, const double *g, const double *w2, const int64_t *taps,
                              int64_t rows, int64_t sites, int64_t t, int64_t c, int64_t o,
                              double *dwt, double *dw, double *db, double *da);

#endif
