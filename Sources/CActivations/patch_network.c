#include "patch_network.h"

#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "kernels.h"  // MULTIVERSION
#include "lanes.h"

// Patches per block: the block's pre-activations and both derivatives (3 x 32 x H
// doubles, 24 KB at H = 32) stay in the L1 cache between the passes over them.
#define PATCHES 32

MULTIVERSION
static void one_field(int activation, int64_t v, int64_t k, int64_t h, const double *restrict phi,
                      const int64_t *restrict patch_sites, const double *restrict wt, const double *restrict bias,
                      const double *restrict w, const double *restrict row_norm, double *restrict value,
                      double *restrict gradient, double *restrict laplacian, double *restrict jacobian,
                      double *restrict p, double *restrict z, double *restrict s1, double *restrict s2,
                      double *restrict sums, double *restrict lanes) {
    const int derivatives = gradient || laplacian || jacobian;
    // sums: sigma (H), delta (H), w sigma'' (H), then delta (x) p transposed (K x H).
    double *restrict sum_a = sums, *restrict sum_d = sums + h, *restrict sum_s2 = sums + 2 * h, *restrict sum_dp = sums + 3 * h;
    memset(sums, 0, (size_t)((3 + k) * h) * sizeof(double));
    if (gradient) memset(lanes, 0, (size_t)(8 * v) * sizeof(double));
    for (int64_t x0 = 0; x0 < v; x0 += PATCHES) {
        const int64_t m = v - x0 < PATCHES ? v - x0 : PATCHES;
        for (int64_t i = 0; i < m * k; i++) p[i] = phi[patch_sites[x0 * k + i]];
        // z = b + W p for four patches and eight units at a time, in registers: four
        // independent chains of K multiply-adds (one chain through memory per
        // entry ran at the latency of its stores). p has room for the rows past m.
        for (int64_t x = 0; x < m; x += 4) {
            const double *restrict px = p + x * k;
            const int64_t rows = m - x < 4 ? m - x : 4;
            int64_t j0 = 0;
            for (; j0 + 8 <= h; j0 += 8) {
                double acc[4][8];
                for (int r = 0; r < 4; r++)
                    for (int l = 0; l < 8; l++) acc[r][l] = bias[j0 + l];
                for (int64_t o = 0; o < k; o++)
                    for (int r = 0; r < 4; r++)
                        for (int l = 0; l < 8; l++) acc[r][l] += px[r * k + o] * wt[o * h + j0 + l];
                for (int r = 0; r < rows; r++)
                    for (int l = 0; l < 8; l++) z[(x + r) * h + j0 + l] = acc[r][l];
            }
            for (int64_t r = 0; r < rows; r++)
                for (int64_t j = j0; j < h; j++) {
                    double acc = bias[j];
                    for (int64_t o = 0; o < k; o++) acc += px[r * k + o] * wt[o * h + j];
                    z[(x + r) * h + j] = acc;
                }
        }
        nqft_activation(activation, z, derivatives ? s1 : NULL, derivatives ? s2 : NULL, (size_t)(m * h));
        for (int64_t x = 0; x < m; x++)
            for (int64_t j = 0; j < h; j++) sum_a[j] += z[x * h + j];
        if (!derivatives) continue;
        for (int64_t x = 0; x < m; x++) {
            double *restrict d = s1 + x * h;  // delta = w sigma', in place of sigma'
            for (int64_t j = 0; j < h; j++) d[j] *= w[j];
            for (int64_t j = 0; j < h; j++) sum_d[j] += d[j];
            for (int64_t j = 0; j < h; j++) sum_s2[j] += s2[x * h + j];
            if (jacobian)
                for (int64_t o = 0; o < k; o++) {
                    const double po = p[x * k + o];
                    double *restrict t = sum_dp + o * h;
                    for (int64_t j = 0; j < h; j++) t[j] += po * d[j];
                }
            // dg/dp_o = delta . W_.o, added to its site in eight lanes: one horizontal
            // sum per site at the end instead of one per patch entry.
            if (gradient)
                for (int64_t o = 0; o < k; o++) {
                    const double *restrict wo = wt + o * h;
                    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                    int64_t j0 = 0;
                    for (; j0 + 8 <= h; j0 += 8)
                        for (int l = 0; l < 8; l++) lane[l] += d[j0 + l] * wo[j0 + l];
                    for (int64_t j = j0; j < h; j++) lane[j - j0] += d[j] * wo[j];
                    double *restrict g = lanes + patch_sites[(x0 + x) * k + o] * 8;
                    for (int l = 0; l < 8; l++) g[l] += lane[l];
                }
        }
    }
    *value = nqft_lane_dot(w, sum_a, h);
    if (gradient)
        for (int64_t y = 0; y < v; y++) {
            const double *g = lanes + y * 8;
            gradient[y] = ((g[0] + g[4]) + (g[1] + g[5])) + ((g[2] + g[6]) + (g[3] + g[7]));
        }
    if (laplacian) {
        double s = 0;
        for (int64_t j = 0; j < h; j++) s += w[j] * sum_s2[j] * row_norm[j];
        *laplacian = s;
    }
    if (jacobian) {
        for (int64_t j = 0; j < h; j++)
            for (int64_t o = 0; o < k; o++) jacobian[j * k + o] = sum_dp[o * h + j];
        memcpy(jacobian + h * k, sum_d, (size_t)h * sizeof(double));
        memcpy(jacobian + h * k + h, sum_a, (size_t)h * sizeof(double));
    }
}

void nqft_patch_network(int activation, int64_t fields, int64_t v, int64_t k, int64_t h, const double *phi,
                        const int64_t *patch_sites, const double *parameters, double *value, double *gradient,
                        double *laplacian, double *jacobian) {
    const double *weights = parameters, *bias = parameters + h * k, *w = parameters + h * k + h;
    // W transposed (K x H), so the loops over units run over contiguous memory; |W_j.|^2.
    double *scratch = calloc((size_t)(k * h + h + (PATCHES + 4) * k + 3 * PATCHES * h + (3 + k) * h + 8 * v), sizeof(double));
    double *wt = scratch, *row_norm = wt + k * h, *p = row_norm + h, *z = p + (PATCHES + 4) * k, *s1 = z + PATCHES * h,
           *s2 = s1 + PATCHES * h, *sums = s2 + PATCHES * h, *lanes = sums + (3 + k) * h;
    for (int64_t j = 0; j < h; j++) {
        row_norm[j] = 0;
        for (int64_t o = 0; o < k; o++) {
            wt[o * h + j] = weights[j * k + o];
            row_norm[j] += weights[j * k + o] * weights[j * k + o];
        }
    }
    const int64_t columns = h * k + 2 * h;
    for (int64_t b = 0; b < fields; b++)
        one_field(activation, v, k, h, phi + b * v, patch_sites, wt, bias, w, row_norm, value + b,
                  gradient ? gradient + b * v : NULL, laplacian ? laplacian + b : NULL,
                  jacobian ? jacobian + b * columns : NULL, p, z, s1, s2, sums, lanes);
    free(scratch);
}
