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
void nqft_site_change(nqft_activation_kind activation, int64_t chains, int64_t k, int64_t h, int64_t v, const double *restrict rows,
                      const double *restrict values, const int64_t *restrict patches,
                      const double *restrict columns, const double *restrict deltas, const double *restrict w,
                      const uint8_t *restrict skip, int64_t *restrict out_rows, double *restrict out_values,
                      double *restrict out_deltas, float *restrict out_slopes, double *restrict change,
                      double *restrict scratch) {
    const int64_t n = k * h;
    // One chain at a time: its K shifted rows go to the scratch the activation
    // overwrites (K H doubles, reused, so it stays in the L1 cache); the rows
    // themselves are not kept (an accepted move recomputes its own).
    for (int64_t c = 0; c < chains; c++) {
        const double delta = deltas[c];
        out_deltas[c] = delta;
        for (int64_t o = 0; o < k; o++) out_rows[c * k + o] = c * v + patches[o];
        if (skip && skip[c]) continue;
        for (int64_t o = 0; o < k; o++) shift_row(scratch + o * h, rows + out_rows[c * k + o] * h, columns + o * h, delta, h);
        nqft_activation(activation, scratch, NULL, NULL, (size_t)n);
        for (int64_t o = 0; o < k; o++) {
            out_values[c * k + o] = nqft_lane_dot(w, scratch + o * h, h);
            change[c] += out_values[c * k + o] - values[out_rows[c * k + o]];
        }
        if (out_slopes) {
            float *restrict slopes = out_slopes + c * n;
            for (int64_t i = 0; i < n; i++) slopes[i] = (float)(1.0 - scratch[i] * scratch[i]);
        }
    }
}

MULTIVERSION
void nqft_site_bound(int64_t chains, int64_t k, int64_t h, int64_t v, const float *restrict slopes,
                     const int64_t *restrict patches, const double *restrict weighted_columns,
                     const double *restrict deltas, double curvature, double spread, double size,
                     double *restrict bounds) {
    // w_u W_1[u, o] sigma'_u eight lanes at a time (the slopes widened to
    // double), in four accumulators so that the multiply-adds do not wait on
    // one another, added in a fixed order.
#define NQFT_SLOPE_TERM(j) (load8(a + (j)) * ({ v8f narrow_; memcpy(&narrow_, b + (j), sizeof narrow_); __builtin_convertvector(narrow_, v8); }))
    for (int64_t c = 0; c < chains; c++) {
        v8 acc0 = {0}, acc1 = {0}, acc2 = {0}, acc3 = {0};
        double slope = 0;
        for (int64_t o = 0; o < k; o++) {
            const double *restrict a = weighted_columns + o * h;
            const float *restrict b = slopes + (c * v + patches[o]) * h;
            int64_t j = 0;
            for (; j + 32 <= h; j += 32) {
                acc0 += NQFT_SLOPE_TERM(j);
                acc1 += NQFT_SLOPE_TERM(j + 8);
                acc2 += NQFT_SLOPE_TERM(j + 16);
                acc3 += NQFT_SLOPE_TERM(j + 24);
            }
            for (; j + 8 <= h; j += 8) acc0 += NQFT_SLOPE_TERM(j);
            for (; j < h; j++) slope += a[j] * (double)b[j];
        }
        const v8 acc = (acc0 + acc1) + (acc2 + acc3);
        slope += ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        const double delta = deltas[c], square = delta * delta;
        const double margin = 1e-9 * (size + square * curvature) + 1e-6 * fabs(delta) * spread + 1e-12 * fabs(bounds[c]);
        bounds[c] += (delta * slope + square * curvature) + margin;
    }
#undef NQFT_SLOPE_TERM
}

MULTIVERSION
void nqft_site_accept(int64_t chains, int64_t k, int64_t h, double *restrict rows, double *restrict values,
                      float *restrict slopes, const int64_t *restrict patch_rows, const double *restrict columns,
                      const double *restrict deltas, const double *restrict proposed_values,
                      const float *restrict proposed_slopes, const uint8_t *restrict accepted) {
    for (int64_t c = 0; c < chains; c++) {
        if (!accepted[c]) continue;
        for (int64_t o = 0; o < k; o++) {
            const int64_t r = patch_rows[c * k + o];
            shift_row(rows + r * h, rows + r * h, columns + o * h, deltas[c], h);
            values[r] = proposed_values[c * k + o];
            if (slopes) {
                float *restrict to = slopes + r * h;
                const float *restrict from = proposed_slopes + (c * k + o) * h;
                for (int64_t j = 0; j < h; j++) to[j] = from[j];
            }
        }
    }
}
