internal import COpenBLAS

/// OpenBLAS runs on the calling thread, always. Its own idle threads spin and
/// would steal the cores from the workers of `Parallelism`, which split the work
/// instead (by samples and chains); and every number must reproduce to the last
/// bit, which a threaded BLAS need not (an exact-diagonalisation energy once
/// differed in its 15th digit between two runs in one test process while
/// OpenBLAS was left threaded). Every BLAS and LAPACK entry point of this module
/// goes through it first; Swift runs the initialiser once.
let singleThreadedBLAS: Void = openblas_set_num_threads(1)
