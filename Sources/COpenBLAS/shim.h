#ifndef NEURALQFT_COPENBLAS_SHIM_H
#define NEURALQFT_COPENBLAS_SHIM_H
// pkg-config's openblas include path selects OpenBLAS's own cblas.h, which also
// declares openblas_set_num_threads.
#include <cblas.h>
#endif
