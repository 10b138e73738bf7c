#ifndef NEURALQFT_CFFTW_SHIM_H
#define NEURALQFT_CFFTW_SHIM_H
#include <fftw3.h>
#endif
