internal import COpenBLAS

/// Keeps OpenBLAS on the calling thread. Its own idle threads spin and would
/// steal the cores from the workers of `Parallelism`, which split the work
/// instead (by samples and chains); so nqft calls this once at start.
public func useSingleThreadedBLAS() {
    openblas_set_num_threads(1)
}
