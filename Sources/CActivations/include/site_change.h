#ifndef NQFT_SITE_CHANGE_H
#define NQFT_SITE_CHANGE_H

#include <stdint.h>
#include "activations.h"

/// A single-site proposal for a translation-invariant network with one hidden
/// layer, g(p) = w . sigma(h(p)), h the first layer's pre-activations (`rows`, V
/// per chain, chain after chain; `values` their g): a move of a site by delta_c
/// in chain c shifts the pre-activations of the K patches that contain it,
/// rows c V + patches[o], along the first layer's columns. For chain c and
/// offset o (r = c K + o):
///
///     out_rows[r]   = c V + patches[o]
///     out_values[r] = w . sigma(rows[out_rows[r]] + deltas[c] columns[o])
///     change[c]    += out_values[r] - values[out_rows[r]]   (o = 0 .. K-1, in order)
///
/// (the shift one fused multiply-add per entry), and out_deltas[c] = deltas[c]
/// (the accept's copies). The chains with skip[c] != 0 (skip may be NULL) get
/// their out_rows and out_deltas only. With out_slopes (not NULL only for
/// tanh), sigma' = 1 - tanh^2 of chain c's shifted rows, in single precision,
/// at out_slopes[c K H ..] (the accept keeps them for nqft_site_bound). sigma
/// by `activation` as in nqft_activation (`nqft_activation_kind`). The
/// proposal is the hot path of single-site sampling: one pass with no
/// allocation, sigma vectorised over a chain's rows at once in `scratch` (K H
/// doubles, overwritten). No buffer may overlap another.
void nqft_site_change(nqft_activation_kind activation, int64_t chains, int64_t k, int64_t h, int64_t v, const double *rows,
                      const double *values, const int64_t *patches, const double *columns, const double *deltas,
                      const double *w, const uint8_t *skip, int64_t *out_rows, double *out_values,
                      double *out_deltas, float *out_slopes, double *change, double *scratch);

/// Adds to bounds[c] an upper bound on what nqft_site_change would add to a
/// number equal to bounds[c] (the network's change, with the rounding of its
/// additions), without evaluating sigma. With d_u = delta_c columns[o H + u],
/// Taylor's theorem with the Lagrange remainder gives, per unit,
///
///     sigma(h + d_u) - sigma(h) <= d_u sigma'(h) + d_u^2 sup|sigma''| / 2,
///
/// so, with `slopes` = sigma'(rows) (the layout of `rows`, single precision, as
/// nqft_site_accept keeps them), weighted_columns[o H + u] = w_u columns[o H + u]
/// and curvature = sup|sigma''| / 2 sum_{o,u} |w_u| columns[o H + u]^2, the change is at most
///
///     delta_c sum_o weighted_columns[o] . slopes[c V + patches[o]] + delta_c^2 curvature
///
/// plus a margin for rounding: 1e-9 (size + delta_c^2 curvature), size = 1 + K sum_u |w_u|,
/// for the evaluated values and their differences (a few ulps of size, for a
/// bounded activation: |sigma| <= 1, sup|sigma'| <= 1); 1e-6 |delta_c| spread,
/// spread = sum_{o,u} |weighted_columns[o H + u]|, for the single-precision slopes
/// (at most 2^-24 |delta_c| spread); 1e-12 |bounds[c]| for the K additions into
/// the running total (K ulps of it). Each at least 10 times what it covers.
void nqft_site_bound(int64_t chains, int64_t k, int64_t h, int64_t v, const float *slopes, const int64_t *patches,
                     const double *weighted_columns, const double *deltas, double curvature, double spread,
                     double size, double *bounds);

/// Makes an accepted proposal current: for the chains c with accepted[c] != 0 and
/// each offset o (r = c K + o), rows[patch_rows[r]] += deltas[c] columns[o], with
/// the same fused multiply-add as nqft_site_change, so the row kept is the row
/// whose value was computed, values[patch_rows[r]] = proposed_values[r] and, when
/// slopes is not NULL, its row patch_rows[r] = row r of proposed_slopes (the
/// proposal's out_slopes). A chain's K patch rows are distinct.
void nqft_site_accept(int64_t chains, int64_t k, int64_t h, double *rows, double *values, float *slopes,
                      const int64_t *patch_rows, const double *columns, const double *deltas,
                      const double *proposed_values, const float *proposed_slopes, const uint8_t *accepted);

#endif
