#include "mpi_shim.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef NQFT_MPI
#include <mpi.h>

int nqft_mpi_compiled(void) { return 1; }

int nqft_mpi_init(int32_t *rank, int32_t *size) {
    int provided = 0, r = 0, n = 1;
    int error = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (error != MPI_SUCCESS) return error;
    // Errors come back as codes (the caller reports the rank and aborts the job)
    // instead of Open MPI's default of aborting inside the call.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    *rank = r;
    *size = n;
    return 0;
}

void nqft_mpi_finalize(void) {
    int initialised = 0, finalised = 0;
    MPI_Initialized(&initialised);
    MPI_Finalized(&finalised);
    if (initialised && !finalised) MPI_Finalize();
}

void nqft_mpi_abort(int32_t code) { MPI_Abort(MPI_COMM_WORLD, code); }

int nqft_mpi_allgather_count(int64_t count, int64_t *counts) {
    return MPI_Allgather(&count, 1, MPI_INT64_T, counts, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

int nqft_mpi_allgatherv_words(const uint64_t *send, const int64_t *counts, uint64_t *receive) {
    int n = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    int *sizes = malloc(sizeof(int) * (size_t)n), *offsets = malloc(sizeof(int) * (size_t)n);
    if (!sizes || !offsets) {
        free(sizes);
        free(offsets);
        return MPI_ERR_NO_MEM;
    }
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int64_t offset = 0;
    int error = MPI_SUCCESS;
    for (int k = 0; k < n; k++) {
        // MPI counts and displacements are int: a gather beyond 2^31 words (16 GiB) is refused.
        if (counts[k] > INT_MAX || offset > INT_MAX) error = MPI_ERR_COUNT;
        sizes[k] = (int)counts[k];
        offsets[k] = (int)offset;
        offset += counts[k];
    }
    if (error == MPI_SUCCESS)
        error = MPI_Allgatherv(send, sizes[rank], MPI_UINT64_T, receive, sizes, offsets, MPI_UINT64_T, MPI_COMM_WORLD);
    free(sizes);
    free(offsets);
    return error;
}

int nqft_mpi_any(int32_t flag, int32_t *result) {
    int mine = flag != 0, any = 0;
    int error = MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    *result = any;
    return error;
}

int nqft_mpi_sum_int64(int64_t *values, int64_t count) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
}

int nqft_mpi_max_int64(int64_t *values, int64_t count) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
}

int nqft_mpi_broadcast_words(uint64_t *buffer, int64_t count, int32_t root) {
    if (count > INT_MAX) return MPI_ERR_COUNT;
    return MPI_Bcast(buffer, (int)count, MPI_UINT64_T, root, MPI_COMM_WORLD);
}

#else

int nqft_mpi_compiled(void) { return 0; }

int nqft_mpi_init(int32_t *rank, int32_t *size) {
    *rank = 0;
    *size = 1;
    return 0;
}

void nqft_mpi_finalize(void) {}

void nqft_mpi_abort(int32_t code) { exit(code); }

int nqft_mpi_allgather_count(int64_t count, int64_t *counts) {
    counts[0] = count;
    return 0;
}

int nqft_mpi_allgatherv_words(const uint64_t *send, const int64_t *counts, uint64_t *receive) {
    if (counts[0] > 0) memcpy(receive, send, sizeof(uint64_t) * (size_t)counts[0]);
    return 0;
}

int nqft_mpi_any(int32_t flag, int32_t *result) {
    *result = flag != 0;
    return 0;
}

int nqft_mpi_sum_int64(int64_t *values, int64_t count) {
    (void)values;
    (void)count;
    return 0;
}

int nqft_mpi_max_int64(int64_t *values, int64_t count) {
    (void)values;
    (void)count;
    return 0;
}

int nqft_mpi_broadcast_words(uint64_t *buffer, int64_t count, int32_t root) {
    (void)buffer;
    (void)count;
    (void)root;
    return 0;
}

#endif
