#include "patch_network.h"

#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "kernels.h"  // MULTIVERSION
#include "lanes.h"

// Patches per block: the block's pre-activations and both derivatives (3 x 32 x H
// doubles, 24 KB at H = 32) stay in the L1 cache between the passes over them.
#define PATCHES 32

// The units are padded to a multiple of eight (hp) with zero weights, biases and
// output weights, and the patch entries likewise (kp) in the copy of W the
// gradient reads: every loop then runs over whole eight-lane blocks whose sums
// stay in registers. A padded unit has w = 0, so it adds nothing to any output.
typedef struct {
    int64_t v, k, h, hp, kp;
    const int64_t *patch_sites;
    const double *wt;        // W transposed, K x hp
    const double *wk;        // W, hp x kp
    const double *bias;      // hp
    const double *w;         // hp
    const double *row_norm;  // |W_j.|^2, hp
} Network;

// Per field: the block's patches (with room past its end for the eight-entry
// reads), pre-activations and derivatives, the column sums.
typedef struct {
    double *p, *z, *s1, *s2, *sums;
} Scratch;

MULTIVERSION
static void one_field(nqft_activation_kind activation, const Network *restrict n, const double *restrict phi, double *restrict value,
                      double *restrict gradient, double *restrict laplacian, double *restrict jacobian,
                      const Scratch *restrict s) {
    const int64_t v = n->v, k = n->k, h = n->h, hp = n->hp, kp = n->kp;
    const double *restrict wt = n->wt, *restrict wk = n->wk, *restrict bias = n->bias, *restrict w = n->w;
    double *restrict p = s->p, *restrict z = s->z, *restrict s1 = s->s1, *restrict s2 = s->s2;
    const int derivatives = gradient || laplacian || jacobian;
    // sums: sigma (hp), delta (hp), sigma'' (hp), then delta (x) p transposed (K x hp).
    double *restrict sum_a = s->sums, *restrict sum_d = sum_a + hp, *restrict sum_s2 = sum_a + 2 * hp,
                     *restrict sum_dp = sum_a + 3 * hp;
    memset(sum_a, 0, (size_t)((3 + k) * hp) * sizeof(double));
    if (gradient) memset(gradient, 0, (size_t)v * sizeof(double));
    for (int64_t x0 = 0; x0 < v; x0 += PATCHES) {
        const int64_t m = v - x0 < PATCHES ? v - x0 : PATCHES;
        for (int64_t i = 0; i < m * k; i++) p[i] = phi[n->patch_sites[x0 * k + i]];
        // z = b + W p for four patches and eight units at a time, in registers: four
        // independent chains of K multiply-adds. p has room for the rows past m.
        for (int64_t x = 0; x < m; x += 4) {
            const double *restrict px = p + x * k;
            const int64_t rows = m - x < 4 ? m - x : 4;
            for (int64_t j0 = 0; j0 < hp; j0 += 8) {
                v8 acc[4];
                for (int r = 0; r < 4; r++) acc[r] = load8(bias + j0);
                for (int64_t o = 0; o < k; o++) {
                    const v8 wo = load8(wt + o * hp + j0);
                    for (int r = 0; r < 4; r++) acc[r] += px[r * k + o] * wo;
                }
                for (int r = 0; r < rows; r++) store8(z + (x + r) * hp + j0, acc[r]);
            }
        }
        nqft_activation(activation, z, derivatives ? s1 : NULL, derivatives ? s2 : NULL, (size_t)(m * hp));
        // Column sums over the block's patches, eight units at a time in registers;
        // sigma' becomes delta = w sigma' in place.
        for (int64_t j0 = 0; j0 < hp; j0 += 8) {
            v8 va = {0}, vd = {0}, vs = {0};
            for (int64_t x = 0; x < m; x++) va += load8(z + x * hp + j0);
            store8(sum_a + j0, load8(sum_a + j0) + va);
            if (!derivatives) continue;
            const v8 wj = load8(w + j0);
            for (int64_t x = 0; x < m; x++) {
                const v8 d = load8(s1 + x * hp + j0) * wj;
                store8(s1 + x * hp + j0, d);
                vd += d;
                vs += load8(s2 + x * hp + j0);
            }
            store8(sum_d + j0, load8(sum_d + j0) + vd);
            store8(sum_s2 + j0, load8(sum_s2 + j0) + vs);
            // dW_jo = sum_x delta_j p_o: eight entries o at a time, each a register.
            if (jacobian)
                for (int64_t o0 = 0; o0 < k; o0 += 8) {
                    v8 acc[8] = {{0}};
                    for (int64_t x = 0; x < m; x++) {
                        const v8 d = load8(s1 + x * hp + j0);
                        for (int r = 0; r < 8; r++) acc[r] += p[x * k + o0 + r] * d;
                    }
                    for (int64_t r = 0; r < 8 && o0 + r < k; r++)
                        store8(sum_dp + (o0 + r) * hp + j0, load8(sum_dp + (o0 + r) * hp + j0) + acc[r]);
                }
        }
        // dg/dp_o = delta . W_.o for eight entries o at a time and four patches (four
        // independent chains over the units), then added to the entries' sites.
        if (gradient)
            for (int64_t x = 0; x < m; x += 4) {
                const int64_t rows = m - x < 4 ? m - x : 4;
                for (int64_t o0 = 0; o0 < kp; o0 += 8) {
                    v8 acc[4] = {{0}};
                    for (int64_t j = 0; j < hp; j++) {
                        const v8 wj = load8(wk + j * kp + o0);
                        for (int r = 0; r < 4; r++) acc[r] += s1[(x + r) * hp + j] * wj;
                    }
                    for (int64_t r = 0; r < rows; r++)
                        for (int64_t l = 0; l < 8 && o0 + l < k; l++)
                            gradient[n->patch_sites[(x0 + x + r) * k + o0 + l]] += acc[r][l];
                }
            }
    }
    *value = nqft_lane_dot(w, sum_a, h);
    if (laplacian) {
        double sum = 0;
        for (int64_t j = 0; j < h; j++) sum += w[j] * sum_s2[j] * n->row_norm[j];
        *laplacian = sum;
    }
    if (jacobian) {
        for (int64_t j = 0; j < h; j++)
            for (int64_t o = 0; o < k; o++) jacobian[j * k + o] = sum_dp[o * hp + j];
        memcpy(jacobian + h * k, sum_d, (size_t)h * sizeof(double));
        memcpy(jacobian + h * k + h, sum_a, (size_t)h * sizeof(double));
    }
}

void nqft_patch_network(nqft_activation_kind activation, int64_t fields, int64_t v, int64_t k, int64_t h, const double *phi,
                        const int64_t *patch_sites, const double *parameters, double *value, double *gradient,
                        double *laplacian, double *jacobian) {
    const double *weights = parameters, *bias = parameters + h * k, *w = parameters + h * k + h;
    const int64_t hp = (h + 7) / 8 * 8, kp = (k + 7) / 8 * 8;
    // The padded copies (zeros past h and k), then the per-field scratch: the
    // patches have 4 rows and 8 entries of room past a block (read, never used).
    const int64_t sizes[] = {k * hp, hp * kp, hp, hp, hp, (PATCHES + 4) * k + 8, PATCHES * hp, PATCHES * hp,
                             PATCHES * hp, (3 + k) * hp};
    int64_t total = 0;
    for (int i = 0; i < 10; i++) total += sizes[i];
    double *memory = calloc((size_t)total, sizeof(double)), *next = memory, *part[10];
    for (int i = 0; i < 10; i++) {
        part[i] = next;
        next += sizes[i];
    }
    double *wt = part[0], *wk = part[1], *b = part[2], *wo = part[3], *row_norm = part[4];
    for (int64_t j = 0; j < h; j++) {
        for (int64_t o = 0; o < k; o++) {
            const double wjo = weights[j * k + o];
            wt[o * hp + j] = wjo;
            wk[j * kp + o] = wjo;
            row_norm[j] += wjo * wjo;
        }
        b[j] = bias[j];
        wo[j] = w[j];
    }
    const Network network = {v, k, h, hp, kp, patch_sites, wt, wk, b, wo, row_norm};
    const Scratch scratch = {part[5], part[6], part[7], part[8], part[9]};
    const int64_t columns = h * k + 2 * h;
    for (int64_t f = 0; f < fields; f++)
        one_field(activation, &network, phi + f * v, value + f, gradient ? gradient + f * v : NULL,
                  laplacian ? laplacian + f : NULL, jacobian ? jacobian + f * columns : NULL, &scratch);
    free(memory);
}
