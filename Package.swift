// swift-tools-version:6.1
import PackageDescription

// NeuralQFT: lattice scalar field theory ground states with neural-network
// wavefunctions. The dependency graph runs one way:
// C libraries -> Swift wrappers -> physics blocks -> drivers -> config/output -> CLI.

let package = Package(
    name: "NeuralQFT",
    products: [
        .executable(name: "nqft", targets: ["nqft"]),
        .library(name: "NeuralQFT", targets: ["Simulation", "SimulationCLI"]),
    ],
    // `swift build --traits MPI` (scripts/setup.sh --mpi): ranks talk through Open
    // MPI. Without it the same code runs as one process; nothing else changes.
    traits: [.trait(name: "MPI", description: "Distribute runs over Open MPI ranks (needs libopenmpi-dev)")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: System libraries (Debian packages, found through pkg-config)
        .systemLibrary(
            name: "CFFTW", pkgConfig: "fftw3",
            providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CLAPACKE", pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]),

        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev"])]),
        // The one C file that includes mpi.h (Open MPI's handles are macros Swift
        // cannot import); without the MPI trait it is a one-rank stand-in.
        .target(
            name: "CMPIShim", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
            cSettings: [.define("NQFT_MPI", .when(traits: ["MPI"]))]),

        // MARK: Numerical wrappers (the only importers of the C modules)
        .target(name: "FourierTransform", dependencies: ["CFFTW"]),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "CLAPACKE", "Parallelism", "Float64Coding"]),

        // MARK: Execution: threads, stop requests and deadlines; the one run loop
        .target(name: "Parallelism", dependencies: ["CMPIShim", "CKernels"]),
        // Large arrays of doubles in JSON (checkpoints): base64 of their bits, spliced in fast.
        .target(name: "Float64Coding", dependencies: ["CKernels"]),
        .target(name: "Execution"),
        .target(name: "RunEngine", dependencies: ["Execution", "Parallelism"]),

        // MARK: Physics building blocks
        .target(name: "Lattice", dependencies: ["LinearAlgebra", "FourierTransform", "CKernels"]),
        .target(name: "Statistics", dependencies: ["Parallelism", "Execution", "Float64Coding", "FourierTransform"]),
        .target(name: "CKernels"),
        .target(name: "CActivations", dependencies: ["CKernels"]),
        .target(
            name: "NeuralAnsatz",
            dependencies: [
                "Lattice", "FourierTransform", "LinearAlgebra", "Parallelism", "Sampling", "Statistics", "CActivations", "CKernels",
            ]),
        .target(name: "Sampling", dependencies: ["Execution", "Parallelism", "Lattice", "LinearAlgebra", "Statistics", "FourierTransform"]),
        // Gradient-descent optimisers of any loss (Adam) and their schedules.
        .target(name: "Optimizers"),
        // Normalizing flows of field configurations, trained on the reverse KL divergence.
        .target(
            name: "NormalizingFlows",
            dependencies: ["Lattice", "FourierTransform", "LinearAlgebra", "Parallelism", "Sampling", "Statistics", "CActivations"]),
        .target(name: "Measurements", dependencies: ["Lattice", "Statistics", "Output"]),
        .target(name: "Correlators", dependencies: ["Lattice", "FourierTransform", "Statistics", "Measurements", "Output"]),
        .target(name: "ExactDiagonalization", dependencies: ["Execution", "Lattice", "LinearAlgebra"]),
        .target(
            name: "NetworkFieldTheory",
            dependencies: ["Execution", "Parallelism", "Lattice", "LinearAlgebra", "FourierTransform", "Statistics", "CActivations"]),

        // MARK: Drivers
        .target(
            name: "VMC",
            dependencies: ["Execution", "Parallelism", "Lattice", "Statistics", "NeuralAnsatz", "Sampling", "LinearAlgebra", "Optimizers"]),

        // MARK: Configuration, orchestration, output, command line
        .target(
            name: "SimulationConfig",
            dependencies: ["Lattice", "Sampling", "NetworkFieldTheory", .product(name: "Yams", package: "Yams")]),
        .target(name: "Output"),
        .target(
            name: "Simulation",
            dependencies: [
                "Execution", "Parallelism", "RunEngine", "Measurements", "SimulationConfig", "Output", "Lattice", "Statistics", "NeuralAnsatz",
                "Sampling", "VMC", "Correlators", "ExactDiagonalization", "FourierTransform", "LinearAlgebra", "NetworkFieldTheory",
                "Optimizers", "NormalizingFlows", "Float64Coding",
            ]),
        .target(
            name: "SimulationCLI",
            dependencies: [
                "Execution", "Parallelism", "RunEngine", "Simulation", "SimulationConfig", "Output", "LinearAlgebra",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(name: "nqft", dependencies: ["SimulationCLI", "CKernels"]),

        // MARK: Tests
        .target(
            name: "TestSupport", dependencies: ["Lattice", "LinearAlgebra", "NeuralAnsatz", "FourierTransform", "Statistics"],
            path: "Tests/TestSupport"),
        .testTarget(name: "ParallelismTests", dependencies: ["Parallelism"]),
        .testTarget(name: "ExecutionTests", dependencies: ["Execution"]),
        .testTarget(name: "RunEngineTests", dependencies: ["RunEngine", "Execution"]),
        .testTarget(name: "MeasurementsTests", dependencies: ["Measurements", "Lattice", "Statistics"]),
        .testTarget(name: "FourierTransformTests", dependencies: ["FourierTransform", "TestSupport"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "LatticeTests", dependencies: ["Lattice", "LinearAlgebra", "TestSupport"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "TestSupport", "Execution", "Parallelism"]),
        .testTarget(
            name: "NeuralAnsatzTests",
            dependencies: ["NeuralAnsatz", "Lattice", "LinearAlgebra", "Parallelism", "Statistics", "TestSupport", "CActivations"]),
        .testTarget(name: "OptimizersTests", dependencies: ["Optimizers", "TestSupport"]),
        .testTarget(
            name: "NormalizingFlowsTests",
            dependencies: ["NormalizingFlows", "Lattice", "LinearAlgebra", "Optimizers", "Parallelism", "Statistics", "TestSupport"]),
        .testTarget(
            name: "SamplingTests",
            dependencies: [
                "Sampling", "Execution", "Parallelism", "Lattice", "LinearAlgebra", "Statistics", "Correlators", "FourierTransform", "Measurements",
                "TestSupport",
            ]),
        .testTarget(
            name: "CorrelatorsTests",
            dependencies: ["Correlators", "Lattice", "Statistics", "TestSupport", "Measurements", "LinearAlgebra", "FourierTransform"]),
        .testTarget(
            name: "VMCTests",
            dependencies: [
                "VMC", "NeuralAnsatz", "Parallelism", "Sampling", "Lattice", "Statistics", "TestSupport", "Optimizers",
            ]),
        .testTarget(
            name: "NetworkFieldTheoryTests",
            dependencies: ["NetworkFieldTheory", "Execution", "Lattice", "LinearAlgebra", "Parallelism", "Statistics", "FourierTransform", "TestSupport"]),
        .testTarget(
            name: "ExactDiagonalizationTests",
            dependencies: ["ExactDiagonalization", "Lattice", "LinearAlgebra", "TestSupport"]),
        .testTarget(name: "SimulationConfigTests", dependencies: ["SimulationConfig", "Statistics", "TestSupport"]),
        .testTarget(name: "OutputTests", dependencies: ["Output"]),
        .testTarget(
            name: "SimulationTests", dependencies: ["Simulation", "SimulationConfig", "Lattice", "NeuralAnsatz", "FourierTransform", "LinearAlgebra", "VMC",
                "Statistics", "TestSupport", "RunEngine", "Parallelism",
            ]),
        .testTarget(
            name: "SimulationCLITests",
            dependencies: ["SimulationCLI", "Simulation", "Parallelism", "SimulationConfig", "Lattice", "NeuralAnsatz", "FourierTransform", "LinearAlgebra", "VMC",
                "Statistics", "TestSupport",
            ]),
    ]
)
