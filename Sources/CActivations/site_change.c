#include "site_change.h"

#include "activations.h"
#include "kernels.h"  // MULTIVERSION
#include "lanes.h"

MULTIVERSION
void nqft_site_change(int activation, int64_t chains, int64_t k, int64_t h, const double *restrict rows,
                      const int64_t *restrict patch_rows, const double *restrict columns,
                      const double *restrict deltas, const double *restrict w, double *restrict out_rows,
                      double *restrict out_values, double *restrict scratch) {
    // One chain at a time: its K shifted rows go to out_rows (kept for the accept)
    // and to the scratch the activation overwrites, one pass instead of a copy
    // after; the scratch (K H doubles) is reused, so it stays in the L1 cache.
    for (int64_t c = 0; c < chains; c++) {
        const double delta = deltas[c];
        for (int64_t o = 0; o < k; o++) {
            const int64_t r = c * k + o;
            const double *restrict source = rows + patch_rows[r] * h, *restrict column = columns + o * h;
            double *restrict target = out_rows + r * h, *restrict activated = scratch + o * h;
            for (int64_t j = 0; j < h; j++) {
                const double z = source[j] + delta * column[j];
                target[j] = z;
                activated[j] = z;
            }
        }
        nqft_activation(activation, scratch, NULL, NULL, (size_t)(k * h));
        for (int64_t o = 0; o < k; o++) out_values[c * k + o] = nqft_lane_dot(w, scratch + o * h, h);
    }
}
