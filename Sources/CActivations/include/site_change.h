#ifndef NQFT_SITE_CHANGE_H
#define NQFT_SITE_CHANGE_H

#include <stdint.h>

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
/// (the accept's copies). sigma by `activation` as in nqft_activation (0 tanh, 1
/// softplus, 2 silu). The proposal is the hot path of single-site sampling: one
/// pass with no allocation, sigma vectorised over a chain's rows at once in
/// `scratch` (K H doubles, overwritten). No buffer may overlap another.
void nqft_site_change(int activation, int64_t chains, int64_t k, int64_t h, int64_t v, const double *rows,
                      const double *values, const int64_t *patches, const double *columns, const double *deltas,
                      const double *w, int64_t *out_rows, double *out_values, double *out_deltas, double *change,
                      double *scratch);

/// Makes an accepted proposal current: for the chains c with accepted[c] != 0 and
/// each offset o (r = c K + o), rows[patch_rows[r]] += deltas[c] columns[o], with
/// the same fused multiply-add as nqft_site_change, so the row kept is the row
/// whose value was computed, and values[patch_rows[r]] = proposed_values[r]. A
/// chain's K patch rows are distinct.
void nqft_site_accept(int64_t chains, int64_t k, int64_t h, double *rows, double *values, const int64_t *patch_rows,
                      const double *columns, const double *deltas, const double *proposed_values,
                      const uint8_t *accepted);

#endif
