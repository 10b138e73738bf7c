#include "convolution.h"

#include <string.h>

#include "kernels.h"  // MULTIVERSION

// The output-channel count O is a compile-time constant in the common cases
// (8 hidden channels, 2 for s and t), so the k loops become single vector ops.
// Four rows at a time: four independent accumulator chains hide the FMA
// latency (one chain of 72 dependent FMAs per row was the bottleneck) and
// every weight row loaded serves four rows.
#define FORWARD_ROWS(O)                                                                  \
    int64_t r = 0;                                                                       \
    for (; r + 4 <= rows; r += 4) {                                                      \
        double acc[4][O];                                                                \
        const double *from[4];                                                           \
        const int64_t *nb[4];                                                            \
        for (int q = 0; q < 4; q++) {                                                    \
            const int64_t row = r + q, base = (row / sites) * sites;                     \
            nb[q] = taps + (row % sites) * t;                                            \
            from[q] = a + base * c;                                                      \
            for (int64_t k = 0; k < (O); k++) acc[q][k] = bias[k];                       \
        }                                                                                \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *f0 = from[0] + nb[0][j] * c, *f1 = from[1] + nb[1][j] * c;     \
            const double *f2 = from[2] + nb[2][j] * c, *f3 = from[3] + nb[3][j] * c;     \
            const double *wj = wt + j * c * (O);                                         \
            _Pragma("clang loop vectorize(disable)")                                     \
            for (int64_t i = 0; i < c; i++) {                                            \
                const double *w = wj + i * (O);                                          \
                for (int64_t k = 0; k < (O); k++) {                                      \
                    acc[0][k] += f0[i] * w[k];                                           \
                    acc[1][k] += f1[i] * w[k];                                           \
                    acc[2][k] += f2[i] * w[k];                                           \
                    acc[3][k] += f3[i] * w[k];                                           \
                }                                                                        \
            }                                                                            \
        }                                                                                \
        for (int q = 0; q < 4; q++)                                                      \
            for (int64_t k = 0; k < (O); k++) y[(r + q) * (O) + k] = acc[q][k];          \
    }                                                                                    \
    for (; r < rows; r++) {                                                              \
        const int64_t base = (r / sites) * sites, site = r % sites;                      \
        const int64_t *nbr = taps + site * t;                                            \
        double acc[O];                                                                   \
        for (int64_t k = 0; k < (O); k++) acc[k] = bias[k];                              \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *f = a + (base + nbr[j]) * c;                                   \
            const double *wj = wt + j * c * (O);                                         \
            for (int64_t i = 0; i < c; i++)                                              \
                for (int64_t k = 0; k < (O); k++) acc[k] += f[i] * wj[i * (O) + k];      \
        }                                                                                \
        for (int64_t k = 0; k < (O); k++) y[r * (O) + k] = acc[k];                       \
    }

MULTIVERSION
void nqft_convolution_forward(const double *restrict a, const double *restrict w, const double *restrict wt,
                              const double *restrict bias, const int64_t *restrict taps, int64_t rows, int64_t sites,
                              int64_t t, int64_t c, int64_t o, double *restrict y) {
    if (o == 2 && c == 8) {
        // Two outputs from eight channels: vectorise over the input channels
        // (contiguous in a and in W's rows) and reduce once per row.
        for (int64_t r = 0; r < rows; r++) {
            const int64_t base = (r / sites) * sites, site = r % sites;
            const int64_t *nb = taps + site * t;
            double acc0[8] = {0}, acc1[8] = {0};
#pragma clang loop vectorize(disable)
            for (int64_t j = 0; j < t; j++) {
                const double *f = a + (base + nb[j]) * 8;
                const double *w0 = w + j * 8, *w1 = w + t * 8 + j * 8;
                for (int i = 0; i < 8; i++) {
                    acc0[i] += f[i] * w0[i];
                    acc1[i] += f[i] * w1[i];
                }
            }
            double s0 = bias[0], s1 = bias[1];
            for (int i = 0; i < 8; i++) {
                s0 += acc0[i];
                s1 += acc1[i];
            }
            y[2 * r] = s0;
            y[2 * r + 1] = s1;
        }
    } else if (o == 8) {
        FORWARD_ROWS(8)
    } else if (o == 2) {
        FORWARD_ROWS(2)
    } else {
        for (int64_t r = 0; r < rows; r++) {
            const int64_t base = (r / sites) * sites, site = r % sites;
            const int64_t *nb = taps + site * t;
            double *out = y + r * o;
            for (int64_t k = 0; k < o; k++) out[k] = bias[k];
            for (int64_t j = 0; j < t; j++) {
                const double *from = a + (base + nb[j]) * c;
                const double *wj = wt + j * c * o;
                for (int64_t i = 0; i < c; i++) {
                    const double v = from[i];
                    for (int64_t k = 0; k < o; k++) out[k] += v * wj[i * o + k];
                }
            }
        }
    }
}

// dL/dW and dL/db: per row and tap, the outer product of the row's output
// gradient with the input channels the tap read; four rows at a time, so each
// weight-gradient row is read and written once per four rows.
#define WEIGHT_ROWS(O)                                                                   \
    int64_t r = 0;                                                                       \
    for (; r + 4 <= rows; r += 4) {                                                      \
        const double *from[4], *gr[4];                                                   \
        const int64_t *nb[4];                                                            \
        for (int q = 0; q < 4; q++) {                                                    \
            const int64_t row = r + q;                                                   \
            nb[q] = taps + (row % sites) * t;                                            \
            from[q] = a + ((row / sites) * sites) * c;                                   \
            gr[q] = g + row * (O);                                                       \
            for (int64_t k = 0; k < (O); k++) db[k] += gr[q][k];                         \
        }                                                                                \
        _Pragma("clang loop vectorize(disable)")                                         \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *f0 = from[0] + nb[0][j] * c, *f1 = from[1] + nb[1][j] * c;     \
            const double *f2 = from[2] + nb[2][j] * c, *f3 = from[3] + nb[3][j] * c;     \
            double *dwj = dwt + j * c * (O);                                             \
            _Pragma("clang loop vectorize(disable)")                                     \
            for (int64_t i = 0; i < c; i++) {                                            \
                double *dw = dwj + i * (O);                                              \
                for (int64_t k = 0; k < (O); k++)                                        \
                    dw[k] += f0[i] * gr[0][k] + f1[i] * gr[1][k] + f2[i] * gr[2][k] + f3[i] * gr[3][k]; \
            }                                                                            \
        }                                                                                \
    }                                                                                    \
    for (; r < rows; r++) {                                                              \
        const int64_t base = (r / sites) * sites, site = r % sites;                      \
        const int64_t *nbr = taps + site * t;                                            \
        const double *g1 = g + r * (O);                                                  \
        for (int64_t k = 0; k < (O); k++) db[k] += g1[k];                                \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *f = a + (base + nbr[j]) * c;                                   \
            double *dwj = dwt + j * c * (O);                                             \
            _Pragma("clang loop vectorize(disable)")                                     \
            for (int64_t i = 0; i < c; i++)                                              \
                for (int64_t k = 0; k < (O); k++) dwj[i * (O) + k] += f[i] * g1[k];      \
        }                                                                                \
    }

// dL/da as a transposed convolution, gathered per destination site so nothing is
// reduced across lanes or written twice: the offsets are symmetric, so tap
// t - 1 - j of x is x - offset_j, the row whose tap j read x.
#define INPUT_ROWS(C)                                                                    \
    int64_t r = 0;                                                                       \
    for (; r + 4 <= rows; r += 4) {                                                      \
        double acc[4][C];                                                                \
        const double *gb[4];                                                             \
        const int64_t *nb[4];                                                            \
        for (int q = 0; q < 4; q++) {                                                    \
            const int64_t row = r + q;                                                   \
            nb[q] = taps + (row % sites) * t;                                            \
            gb[q] = g + ((row / sites) * sites) * o;                                     \
            for (int64_t i = 0; i < (C); i++) acc[q][i] = 0;                             \
        }                                                                                \
        _Pragma("clang loop vectorize(disable)")                                         \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *g0 = gb[0] + nb[0][t - 1 - j] * o, *g1 = gb[1] + nb[1][t - 1 - j] * o; \
            const double *g2 = gb[2] + nb[2][t - 1 - j] * o, *g3 = gb[3] + nb[3][t - 1 - j] * o; \
            const double *w2j = w2 + j * o * (C);                                        \
            _Pragma("clang loop vectorize(disable)")                                     \
            for (int64_t k = 0; k < o; k++) {                                            \
                const double *w = w2j + k * (C);                                         \
                for (int64_t i = 0; i < (C); i++) {                                      \
                    acc[0][i] += g0[k] * w[i];                                           \
                    acc[1][i] += g1[k] * w[i];                                           \
                    acc[2][i] += g2[k] * w[i];                                           \
                    acc[3][i] += g3[k] * w[i];                                           \
                }                                                                        \
            }                                                                            \
        }                                                                                \
        for (int q = 0; q < 4; q++)                                                      \
            for (int64_t i = 0; i < (C); i++) da[(r + q) * (C) + i] = acc[q][i];         \
    }                                                                                    \
    for (; r < rows; r++) {                                                              \
        const int64_t base = (r / sites) * sites, site = r % sites;                      \
        const int64_t *nbr = taps + site * t;                                            \
        double acc[C];                                                                   \
        for (int64_t i = 0; i < (C); i++) acc[i] = 0;                                    \
        for (int64_t j = 0; j < t; j++) {                                                \
            const double *gr = g + (base + nbr[t - 1 - j]) * o;                          \
            const double *w2j = w2 + j * o * (C);                                        \
            for (int64_t k = 0; k < o; k++)                                              \
                for (int64_t i = 0; i < (C); i++) acc[i] += gr[k] * w2j[k * (C) + i];    \
        }                                                                                \
        for (int64_t i = 0; i < (C); i++) da[r * (C) + i] = acc[i];                      \
    }

MULTIVERSION
int nqft_convolution_backward(const double *restrict a, const double *restrict g, const double *restrict w2,
                              const int64_t *restrict taps, int64_t rows, int64_t sites, int64_t t, int64_t c,
                              int64_t o, double *restrict dwt, double *restrict dw, double *restrict db,
                              double *restrict da) {
    int original = 0;
    if (o == 2 && c == 8) {
        // dW[k, (j, i)] += g[k] a[x + offset_j, i]: vectorised over i, in W's own layout.
        original = 1;
        for (int64_t r = 0; r < rows; r++) {
            const int64_t base = (r / sites) * sites, site = r % sites;
            const int64_t *nb = taps + site * t;
            const double g0 = g[2 * r], g1 = g[2 * r + 1];
            db[0] += g0;
            db[1] += g1;
#pragma clang loop vectorize(disable)
            for (int64_t j = 0; j < t; j++) {
                const double *f = a + (base + nb[j]) * 8;
                double *d0 = dw + j * 8, *d1 = dw + t * 8 + j * 8;
                for (int i = 0; i < 8; i++) {
                    d0[i] += g0 * f[i];
                    d1[i] += g1 * f[i];
                }
            }
        }
    } else if (o == 8) {
        WEIGHT_ROWS(8)
    } else if (o == 2) {
        WEIGHT_ROWS(2)
    } else {
        const int64_t O = o;
        WEIGHT_ROWS(O)
    }
    if (!da) return original;
    if (c == 8) {
        INPUT_ROWS(8)
    } else if (c == 1 && o == 8) {
        // One input channel: a dot product over the eight outputs per tap.
        for (int64_t r = 0; r < rows; r++) {
            const int64_t base = (r / sites) * sites, site = r % sites;
            const int64_t *nb = taps + site * t;
            double acc[8] = {0};
#pragma clang loop vectorize(disable)
            for (int64_t j = 0; j < t; j++) {
                const double *gr = g + (base + nb[t - 1 - j]) * 8;
                const double *w2j = w2 + j * 8;
                for (int k = 0; k < 8; k++) acc[k] += gr[k] * w2j[k];
            }
            double sum = 0;
            for (int k = 0; k < 8; k++) sum += acc[k];
            da[r] = sum;
        }
    } else {
        const int64_t C = c;
        INPUT_ROWS(C)
    }
    return original;
}
