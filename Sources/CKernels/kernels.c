#include "kernels.h"

#include <string.h>

MULTIVERSION
void nqft_add_scaled(double *restrict dst, const double *restrict src, double w, int64_t n) {
    for (int64_t k = 0; k < n; k++) dst[k] += w * src[k];
}

void nqft_circulant_accept(const double *kernel, const int64_t *extent, int64_t d, int64_t site, int64_t chains,
                           const double *deltas, const uint8_t *accepted, double *g, double *column) {
    int64_t any = 0;
    for (int64_t c = 0; c < chains; c++) any |= accepted[c];
    if (!any) return;
    // The site's coordinates x, the strides, and an odometer y over the rows
    // (every coordinate but the last).
    int64_t x[4] = {0}, y[4] = {0}, stride[4] = {0}, v = 1;
    for (int64_t mu = d - 1, rest = site; mu >= 0; mu--) {
        x[mu] = rest % extent[mu];
        rest /= extent[mu];
        stride[mu] = v;
        v *= extent[mu];
    }
    const int64_t n = extent[d - 1], last = x[d - 1];
    for (int64_t start = 0; start < v; start += n) {
        int64_t row = 0;
        for (int64_t mu = 0; mu < d - 1; mu++) {
            const int64_t difference = y[mu] - x[mu];
            row += (difference < 0 ? difference + extent[mu] : difference) * stride[mu];
        }
        memcpy(column + start + last, kernel + row, (size_t)(n - last) * sizeof(double));
        memcpy(column + start, kernel + row + n - last, (size_t)last * sizeof(double));
        for (int64_t mu = d - 2; mu >= 0; mu--) {
            if (++y[mu] < extent[mu]) break;
            y[mu] = 0;
        }
    }
    for (int64_t c = 0; c < chains; c++) {
        if (accepted[c]) nqft_add_scaled(g + c * v, column, deltas[c], v);
    }
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

// The interior of a row (k = 1 .. l-2), with the other directions' neighbour
// rows in local restrict pointers so the loop vectorises (an array of pointers
// indexed in the loop kept it scalar).
static inline void kick_interior(double *restrict out, const double *restrict row, const double *const *up,
                                 const double *const *down, const double *w, int64_t others, double w_last,
                                 double diagonal, double cubic, double h, int64_t l) {
    const double *restrict u0 = others > 0 ? up[0] : row, *restrict d0 = others > 0 ? down[0] : row;
    const double *restrict u1 = others > 1 ? up[1] : row, *restrict d1 = others > 1 ? down[1] : row;
    const double *restrict u2 = others > 2 ? up[2] : row, *restrict d2 = others > 2 ? down[2] : row;
    const double w0 = others > 0 ? w[0] : 0, w1 = others > 1 ? w[1] : 0, w2 = others > 2 ? w[2] : 0;
    for (int64_t k = 1; k < l - 1; k++) {
        const double x = row[k];
        double acc = -(diagonal + cubic * x * x) * x + w_last * (row[k - 1] + row[k + 1]);
        acc += w0 * (u0[k] + d0[k]) + w1 * (u1[k] + d1[k]) + w2 * (u2[k] + d2[k]);
        out[k] += h * acc;
    }
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
            kick_interior(out, row, up, down, w, others, w_last, diagonal, cubic, h, l);
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

MULTIVERSION
double nqft_dot(const double *a, const double *b, int64_t n) {
    double sum = 0;
#pragma clang loop vectorize(enable) interleave(enable)
    for (int64_t k = 0; k < n; k++) sum += a[k] * b[k];
    return sum;
}

// The three digits of x scale, each exact.
#define NQFT_DIGITS(x, a, b, c)                  \
    do {                                         \
        double y_ = (x) * scale;                 \
        double a_ = __builtin_trunc(y_);         \
        y_ = (y_ - a_) * unit;                   \
        double b_ = __builtin_trunc(y_);         \
        (a) = (int64_t)a_;                       \
        (b) = (int64_t)b_;                       \
        (c) = (int64_t)__builtin_trunc((y_ - b_) * unit); \
    } while (0)

MULTIVERSION
void nqft_exact_accumulate(const double *restrict x, int64_t n, double scale, int64_t *restrict high,
                           int64_t *restrict middle, int64_t *restrict low, int64_t step) {
    const double unit = 1099511627776.0;  // 2^40
    if (step == 0) {
        int64_t h = 0, m = 0, l = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t a, b, c;
            NQFT_DIGITS(x[i], a, b, c);
            h += a;
            m += b;
            l += c;
        }
        *high += h;
        *middle += m;
        *low += l;
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t a, b, c;
        NQFT_DIGITS(x[i], a, b, c);
        high[i] += a;
        middle[i] += b;
        low[i] += c;
    }
}
#undef NQFT_DIGITS

MULTIVERSION
double nqft_largest_magnitude(const double *x, int64_t n, int *finite) {
    uint64_t largest = 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, x + i, sizeof bits);
        bits &= 0x7fffffffffffffffULL;
        largest = bits > largest ? bits : largest;
    }
    // An infinity or a NaN has every exponent bit set, and lies above every finite value.
    *finite = largest < 0x7ff0000000000000ULL;
    double value;
    memcpy(&value, &largest, sizeof value);
    return value;
}

void nqft_base64_encode(const unsigned char *in, size_t n, char *out) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0, o = 0;
    for (; i + 3 <= n; i += 3, o += 4) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o] = table[v >> 18];
        out[o + 1] = table[(v >> 12) & 63];
        out[o + 2] = table[(v >> 6) & 63];
        out[o + 3] = table[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        out[o] = table[v >> 18];
        out[o + 1] = table[(v >> 12) & 63];
        out[o + 2] = i + 1 < n ? table[(v >> 6) & 63] : '=';
        out[o + 3] = '=';
    }
}
