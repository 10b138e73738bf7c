#include "site_change.h"

#include <stdlib.h>
#include <string.h>

#include "activations.h"

void nqft_site_change(int activation, int64_t chains, int64_t k, int64_t h, const double *rows,
                      const int64_t *patch_rows, const double *columns, const double *deltas,
                      const double *w, double *out_rows, double *out_values) {
    const int64_t n = chains * k;
    for (int64_t r = 0; r < n; r++) {
        const double *source = rows + patch_rows[r] * h, *column = columns + (r % k) * h;
        double *target = out_rows + r * h;
        const double delta = deltas[r / k];
        for (int64_t j = 0; j < h; j++) target[j] = source[j] + delta * column[j];
    }
    double *activated = malloc((size_t)(n * h) * sizeof(double));
    memcpy(activated, out_rows, (size_t)(n * h) * sizeof(double));
    nqft_activation(activation, activated, NULL, NULL, (size_t)(n * h));
    for (int64_t r = 0; r < n; r++) {
        const double *a = activated + r * h;
        double g = 0;
        for (int64_t j = 0; j < h; j++) g += w[j] * a[j];
        out_values[r] = g;
    }
    free(activated);
}
