#ifndef NQFT_KERNELS_H
#define NQFT_KERNELS_H

#include <stdint.h>
#include <stddef.h>

/// MULTIVERSION compiles a function for AVX-512, AVX2+FMA and the baseline; the
/// loader picks the best the machine has (GNU ifunc), so hot loops vectorise at
/// full width and the binary still runs anywhere. Elsewhere, the baseline only.
#if defined(__x86_64__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

/// Unit-stride loops of the lattice stencils (Lattice.EuclideanAction), in C
/// only so they are compiled for the machine's vector width.

/// dst[k] += w src[k], k < n.
void nqft_add_scaled(double *dst, const double *src, double w, int64_t n);

/// g[c V .. c V + V) += deltas[c] A[:, site] for the chains c with accepted[c] != 0,
/// A circulant on a periodic row-major lattice of d <= 4 dimensions (`extent`,
/// the last coordinate unit-stride): A[y, x] = kernel[y - x], the difference
/// taken per coordinate. The column is built once into `column` (V doubles),
/// from two contiguous runs of the kernel per row of the last coordinate, and
/// added with nqft_add_scaled. (The Gaussian's single-site accept, one call a round.)
void nqft_circulant_accept(const double *kernel, const int64_t *extent, int64_t d, int64_t site, int64_t chains,
                           const double *deltas, const uint8_t *accepted, double *g, double *column);

/// sum_k (b[k] - a[k])^2, k < n.
double nqft_squared_difference(const double *a, const double *b, int64_t n);

/// sum_k a[k] b[k], k < n.
double nqft_dot(const double *a, const double *b, int64_t n);

/// f[x] = -(diagonal + cubic phi[x]^2) phi[x], x < n.
void nqft_local_force(double *f, const double *phi, double diagonal, double cubic, int64_t n);

/// sum phi^2 and sum phi^4 into moments[0], moments[1].
void nqft_moments(const double *phi, int64_t n, double *moments);

/// The HMC kick p += h F(phi) in one pass, F = -dS/dphi of the (anisotropic)
/// phi^4 action on a periodic row-major lattice of d <= 4 dimensions:
/// F_x = -(diagonal + cubic phi_x^2) phi_x + sum_mu weights[mu] (phi_{x+mu} + phi_{x-mu}).
void nqft_kick(double *p, const double *phi, double h, double diagonal, double cubic, const double *weights,
               const int64_t *extent, int64_t d);

/// Adds x[i] (|x[i]| < 2^E, `scale` = 2^(40 - E)) to high[step i], middle[step i]
/// and low[step i] as the integers of its three 40-bit fixed-point digits below
/// 2^E, truncated toward zero (Parallelism's ExactSum): trunc(x 2^(40-E)), then the
/// next 40 bits of the remainder, and the next. Every operation is exact. `step`
/// 1: a sum per element (each digit in its own array, so the loop vectorises);
/// 0: one total of all.
void nqft_exact_accumulate(const double *x, int64_t n, double scale, int64_t *high, int64_t *middle, int64_t *low,
                           int64_t step);

/// The largest |x[i]| of x[0 .. n) (0 for n = 0), and through `finite` whether
/// every x[i] is finite: one pass over the bit patterns, whose order for
/// non-negative doubles is the values' (vectorised; ExactSum's exponent scan).
double nqft_largest_magnitude(const double *x, int64_t n, int *finite);

/// Keeps freed heap blocks in the process (glibc: no mmap below 256 MiB, no trim
/// below 1 GiB). Training and sampling free and reallocate the same large arrays
/// every step; by default each step faulted in and zeroed fresh pages (15% of a
/// flow training step, measured with perf). Peak memory is unchanged.
void nqft_keep_freed_memory(void);

#endif

/// Base64 (RFC 4648, with padding) of `n` bytes into `out`, which holds
/// 4 ceil(n / 3) characters: a checkpoint's arrays, ~1 GB/s.
void nqft_base64_encode(const unsigned char *in, size_t n, char *out);
