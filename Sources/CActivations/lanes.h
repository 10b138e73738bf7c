#ifndef NQFT_LANES_H
#define NQFT_LANES_H

#include <stdint.h>

// sum_j a[j] b[j] in eight interleaved partial sums, so the loop vectorises
// without reassociation flags; the order is fixed, the same for every call.
static inline __attribute__((always_inline)) double nqft_lane_dot(const double *restrict a, const double *restrict b,
                                                                  int64_t n) {
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; l++) acc[l] += a[j + l] * b[j + l];
    double s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; j < n; j++) s += a[j] * b[j];
    return s;
}

#endif
