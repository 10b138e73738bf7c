#ifndef NQFT_MPI_SHIM_H
#define NQFT_MPI_SHIM_H

#include <stdint.h>

/// The few collective operations NeuralQFT needs, on MPI_COMM_WORLD, behind plain
/// C types: Open MPI's handles (MPI_COMM_WORLD, MPI_UINT64_T) are macros over
/// internal symbols that Swift cannot import, so mpi.h stays in mpi_shim.c.
/// Built without the MPI trait, every function is the one-rank case.
/// Every function returns 0 on success, an MPI error code otherwise.

/// 1 when built against Open MPI, 0 otherwise.
int nqft_mpi_compiled(void);

/// MPI_Init_thread (MPI_THREAD_SERIALIZED: one thread at a time calls MPI) and
/// the caller's rank and the number of ranks.
int nqft_mpi_init(int32_t *rank, int32_t *size);

/// MPI_Finalize, once, if initialised.
void nqft_mpi_finalize(void);

/// MPI_Abort on the world: ends every rank of the job with `code`.
void nqft_mpi_abort(int32_t code);

/// Every rank's `count` (allgather of one int64 per rank).
int nqft_mpi_allgather_count(int64_t count, int64_t *counts);

/// Concatenates every rank's `send` (`counts[rank]` words) into `receive`, in
/// rank order, on every rank.
int nqft_mpi_allgatherv_words(const uint64_t *send, const int64_t *counts, uint64_t *receive);

/// The logical OR of every rank's `flag`, on every rank.
int nqft_mpi_any(int32_t flag, int32_t *result);

/// Elementwise sums of every rank's `count` int64 values, in place, on every rank.
int nqft_mpi_sum_int64(int64_t *values, int64_t count);

/// Elementwise maxima of every rank's `count` int64 values, in place, on every rank.
int nqft_mpi_max_int64(int64_t *values, int64_t count);

/// Rank `root`'s `count` words into `buffer` on every rank.
int nqft_mpi_broadcast_words(uint64_t *buffer, int64_t count, int32_t root);

#endif
