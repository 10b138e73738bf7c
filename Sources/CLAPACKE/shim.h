#ifndef NEURALQFT_CLAPACKE_SHIM_H
#define NEURALQFT_CLAPACKE_SHIM_H
// Complex LAPACK types as plain structs: Swift cannot import C99 _Complex, and
// this project only calls the real (double) routines.
#define LAPACK_COMPLEX_STRUCTURE
#include <lapacke.h>
#endif
