#include "kernels.h"

MULTIVERSION
void nqft_add_scaled(double *restrict dst, const double *restrict src, double w, int64_t n) {
    for (int64_t k = 0; k < n; k++) dst[k] += w * src[k];
}

MULTIVERSION
double nqft_squared_difference(const double *a, const double *b, int64_t n) {
    double sum = 0;
#pragma clang loop vectorize(enable) interleave(enable)
    for (int64_t k = 0; k < n; k++) {
        const double d = b[k] - a[k];
        sum += d * d;
    }
    return sum;
}

MULTIVERSION
void nqft_local_force(double *restrict f, const double *restrict phi, double diagonal, double cubic, int64_t n) {
    for (int64_t x = 0; x < n; x++) f[x] = -(diagonal + cubic * phi[x] * phi[x]) * phi[x];
}

MULTIVERSION
void nqft_moments(const double *phi, int64_t n, double *moments) {
    double p2 = 0, p4 = 0;
    for (int64_t x = 0; x < n; x++) {
        const double s = phi[x] * phi[x];
        p2 += s;
        p4 += s * s;
    }
    moments[0] = p2;
    moments[1] = p4;
}

// One row of the last direction: p[k] += h (-(diagonal + cubic phi^2) phi
// + w_last (phi[k-1] + phi[k+1]) + sum_m w[m] (up[m][k] + down[m][k])), the
// neighbours in the last direction wrapped at the row's ends.
static inline double row_force(const double *phi, const double *const *up, const double *const *down,
                               const double *w, int64_t others, double w_last, double diagonal, double cubic,
                               int64_t k, int64_t left, int64_t right) {
    double acc = -(diagonal + cubic * phi[k] * phi[k]) * phi[k] + w_last * (phi[left] + phi[right]);
    for (int64_t m = 0; m < others; m++) acc += w[m] * (up[m][k] + down[m][k]);
    return acc;
}

#define KICK_INTERIOR(OTHERS)                                                                          \
    for (int64_t k = 1; k < l - 1; k++) {                                                              \
        double acc = -(diagonal + cubic * row[k] * row[k]) * row[k] + w_last * (row[k - 1] + row[k + 1]); \
        for (int64_t m = 0; m < (OTHERS); m++) acc += w[m] * (up[m][k] + down[m][k]);                 \
        out[k] += h * acc;                                                                             \
    }

MULTIVERSION
void nqft_kick(double *restrict p, const double *restrict phi, double h, double diagonal, double cubic,
               const double *weights, const int64_t *extent, int64_t d) {
    const int64_t l = extent[d - 1], others = d - 1;
    int64_t volume = 1, stride[4];
    for (int64_t m = d - 1; m >= 0; m--) {
        stride[m] = volume;
        volume *= extent[m];
    }
    const double w_last = weights[d - 1];
    const double *w = weights;
    for (int64_t start = 0; start < volume; start += l) {
        const double *up[3], *down[3];
        for (int64_t m = 0; m < others; m++) {
            const int64_t c = (start / stride[m]) % extent[m];
            const int64_t next = (c + 1) % extent[m], previous = (c + extent[m] - 1) % extent[m];
            up[m] = phi + start + (next - c) * stride[m];
            down[m] = phi + start + (previous - c) * stride[m];
        }
        const double *row = phi + start;
        double *out = p + start;
        if (l >= 3) {
            switch (others) {
            case 0: KICK_INTERIOR(0) break;
            case 1: KICK_INTERIOR(1) break;
            case 2: KICK_INTERIOR(2) break;
            default: KICK_INTERIOR(3) break;
            }
            out[0] += h * row_force(row, up, down, w, others, w_last, diagonal, cubic, 0, l - 1, 1);
            out[l - 1] += h * row_force(row, up, down, w, others, w_last, diagonal, cubic, l - 1, l - 2, 0);
        } else {
            for (int64_t k = 0; k < l; k++)
                out[k] += h * row_force(row, up, down, w, others, w_last, diagonal, cubic, k, (k + l - 1) % l, (k + 1) % l);
        }
    }
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void nqft_keep_freed_memory(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
