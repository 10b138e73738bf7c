#ifndef NQFT_LANES_H
#define NQFT_LANES_H

#include <stdint.h>
#include <string.h>

// Eight doubles as one value, for loops written so that each block of eight is
// one vector register whatever the compiler's vectoriser decides (left to it,
// an 8 x 8 block of sums stayed in memory and a dot product ran two lanes
// wide); v8f, eight floats, widens to it with __builtin_convertvector. Unaligned
// loads and stores go through memcpy; they are macros, not functions, because a
// function taking or returning v8 would change the ABI between the
// instruction-set clones (MULTIVERSION).
typedef double v8 __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
#define load8(a) ({ v8 loaded_; memcpy(&loaded_, (a), sizeof loaded_); loaded_; })
#define store8(a, x) do { v8 stored_ = (x); memcpy((a), &stored_, sizeof stored_); } while (0)

// sum_j a[j] b[j] in eight interleaved partial sums (one vector), added in a
// fixed order: the same for every call and every instruction-set clone, without
// reassociation flags (CKernels' nqft_dot leaves the order to the vectoriser,
// which differs between the clones, and is a call per row of the hot loops).
static inline __attribute__((always_inline)) double nqft_lane_dot(const double *restrict a, const double *restrict b,
                                                                  int64_t n) {
    v8 acc = {0};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) acc += load8(a + j) * load8(b + j);
    double s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; j < n; j++) s += a[j] * b[j];
    return s;
}

#endif
