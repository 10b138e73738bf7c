internal import CFFTW
import Synchronization

/// FFTW's planner is not thread-safe; every planner call (plan creation and
/// destruction) goes through this lock. Executing a plan is thread-safe.
private let plannerLock = Mutex(())

/// Plans cross into the planner lock's closure; FFTW plans are immutable once made.
private struct PlanPair: @unchecked Sendable {
    let forward: fftw_plan
    let backward: fftw_plan
}

/// A pair of FFTW plans for real fields on a periodic, row-major lattice, made once
/// and reused for every sample.
///
/// Convention (docs/CONVENTIONS.md §1): `forward` computes
/// `phitilde_k = sum_x exp(-i k.x) phi_x` (FFTW_FORWARD, unnormalised) for the
/// half spectrum described by `spectrum`; `backward` computes
/// `f_x = sum_k exp(+i k.x) ftilde_k` over the full spectrum from its half
/// (so `backward(forward(phi)) = V phi`).
///
/// Plans use FFTW_ESTIMATE, so the algorithm, and therefore the rounding, does not
/// depend on timing measurements: the same input always gives bit-identical
/// output. They are FFTW_UNALIGNED so one plan serves any offset into a batch.
public final class RealFFT: @unchecked Sendable {
    /// Lattice extents `L_1 ... L_d` of the real arrays.
    public let extent: [Int]
    /// Number of real values, `V = prod L_mu`.
    public let volume: Int
    /// The layout of the complex half spectrum.
    public let spectrum: HalfSpectrum

    private let forwardPlan: fftw_plan
    private let backwardPlan: fftw_plan

    public init(extent: [Int]) {
        precondition(!extent.isEmpty && extent.allSatisfy { $0 >= 1 }, "extents must be >= 1")
        self.extent = extent
        volume = extent.reduce(1, *)
        spectrum = HalfSpectrum(extent: extent)
        let rank = Int32(extent.count)
        let dims = extent.map { Int32($0) }
        let flags = UInt32(FFTW_ESTIMATE) | UInt32(FFTW_UNALIGNED)
        // FFTW_ESTIMATE does not touch the arrays; these scratch buffers only give
        // the planner valid pointers. c2r planning may overwrite its input, which
        // is why the plans are made before any data exists.
        let real = fftw_alloc_real(volume)!
        let complex = fftw_alloc_complex(spectrum.count)!
        let plans = plannerLock.withLock { _ in
            PlanPair(
                forward: fftw_plan_dft_r2c(rank, dims, real, complex, flags)!,
                backward: fftw_plan_dft_c2r(rank, dims, complex, real, flags | UInt32(FFTW_DESTROY_INPUT))!)
        }
        forwardPlan = plans.forward
        backwardPlan = plans.backward
        fftw_free(real)
        fftw_free(complex)
    }

    deinit {
        let plans = PlanPair(forward: forwardPlan, backward: backwardPlan)
        plannerLock.withLock { _ in
            fftw_destroy_plan(plans.forward)
            fftw_destroy_plan(plans.backward)
        }
    }

    /// `phitilde_k = sum_x exp(-i k.x) phi_x` for the half spectrum.
    ///
    /// - Parameters:
    ///   - input: `volume` real values (row-major).
    ///   - output: `2 * spectrum.count` doubles, interleaved (re, im).
    /// - Complexity: O(V log V).
    public func forward(_ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        output.withMemoryRebound(to: fftw_complex.self, capacity: spectrum.count) { out in
            // FFTW never writes to the input of an r2c transform without
            // FFTW_DESTROY_INPUT; its C signature is simply not const.
            fftw_execute_dft_r2c(forwardPlan, UnsafeMutablePointer(mutating: input), out)
        }
    }

    /// `f_x = sum_k exp(+i k.x) ftilde_k` over the full (Hermitian) spectrum,
    /// from its half. Unnormalised. Overwrites `input`.
    ///
    /// - Parameters:
    ///   - input: `2 * spectrum.count` doubles, interleaved (re, im); destroyed.
    ///   - output: `volume` real values (row-major).
    /// - Complexity: O(V log V).
    public func backward(destroying input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        input.withMemoryRebound(to: fftw_complex.self, capacity: spectrum.count) { inp in
            fftw_execute_dft_c2r(backwardPlan, inp, output)
        }
    }
}
