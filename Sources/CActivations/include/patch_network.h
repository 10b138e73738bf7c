#ifndef NQFT_PATCH_NETWORK_H
#define NQFT_PATCH_NETWORK_H

#include <stdint.h>
#include "activations.h"

/// The translation-invariant network with one hidden layer on B fields of V sites,
///
///     f(phi) = sum_x g(P_x phi),   g(p) = w . sigma(W p + b),   (P_x phi)_o = phi[patch_sites[x K + o]],
///
/// W (H x K, row-major), b (H) and w (H) one after another in `parameters` (the
/// MultilayerPerceptron layout). For each field, with z = W p + b and
/// delta_j = w_j sigma'(z_j) per patch:
///
///     value[b]         = sum_x g(P_x phi_b)
///     gradient[b, y]   = sum_{x,o: patch_sites[x K + o] = y} sum_j delta_j W_jo          (B x V)
///     laplacian[b]     = sum_x sum_j w_j sigma''(z_j) |W_j.|^2                           (the K patch sites are distinct)
///     jacobian[b, .]   = sum_x (delta (x) p, delta, sigma(z))                            (B x (H K + 2 H): dW, db, dw)
///
/// `gradient`, `laplacian` and `jacobian` may each be NULL (not computed). The
/// patches are taken a block at a time, so everything one field needs stays in
/// the cache: one pass where the batched form makes several over B V x H
/// matrices. Each field's numbers are computed alone, in a fixed order, so they
/// do not depend on the batch they come in. sigma by `activation` as in
/// nqft_activation (`nqft_activation_kind`).
void nqft_patch_network(nqft_activation_kind activation, int64_t fields, int64_t v, int64_t k, int64_t h, const double *phi,
                        const int64_t *patch_sites, const double *parameters, double *value, double *gradient,
                        double *laplacian, double *jacobian);

#endif
