#include "site_change.h"

#include <math.h>

#include "activations.h"
#include "kernels.h"  // MULTIVERSION
#include "lanes.h"

// row + delta column, one fused multiply-add per entry: the proposal's rows and the
// accepted rows kept in the cache come from this one expression. `out` may be
// `source` (the accept works in place), so neither is restrict.
static inline __attribute__((always_inline)) void shift_row(double *out, const double *source,
                                                            const double *restrict column, double delta, int64_t h) {
    for (int64_t j = 0; j < h; j++) out[j] = fma(delta, column[j], source[j]);
}

MULTIVERSION
void nqft_site_change(int activation, int64_t chains, int64_t k, int64_t h, int64_t v, const double *restrict rows,
                      const double *restrict values, const int64_t *restrict patches,
                      const double *restrict columns, const double *restrict deltas, const double *restrict w,
                      int64_t *restrict out_rows, double *restrict out_values, double *restrict out_deltas,
                      double *restrict change, double *restrict scratch) {
    // One chain at a time: its K shifted rows go to the scratch the activation
    // overwrites (K H doubles, reused, so it stays in the L1 cache); the rows
    // themselves are not kept (an accepted move recomputes its own).
    for (int64_t c = 0; c < chains; c++) {
        const double delta = deltas[c];
        out_deltas[c] = delta;
        for (int64_t o = 0; o < k; o++) {
            out_rows[c * k + o] = c * v + patches[o];
            shift_row(scratch + o * h, rows + out_rows[c * k + o] * h, columns + o * h, delta, h);
        }
        nqft_activation(activation, scratch, NULL, NULL, (size_t)(k * h));
        for (int64_t o = 0; o < k; o++) {
            out_values[c * k + o] = nqft_lane_dot(w, scratch + o * h, h);
            change[c] += out_values[c * k + o] - values[out_rows[c * k + o]];
        }
    }
}

MULTIVERSION
void nqft_site_accept(int64_t chains, int64_t k, int64_t h, double *restrict rows, double *restrict values,
                      const int64_t *restrict patch_rows, const double *restrict columns, const double *restrict deltas,
                      const double *restrict proposed_values, const uint8_t *restrict accepted) {
    for (int64_t c = 0; c < chains; c++) {
        if (!accepted[c]) continue;
        for (int64_t o = 0; o < k; o++) {
            double *row = rows + patch_rows[c * k + o] * h;
            shift_row(row, row, columns + o * h, deltas[c], h);
            values[patch_rows[c * k + o]] = proposed_values[c * k + o];
        }
    }
}
