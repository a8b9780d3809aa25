// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "RiccatiKit",
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "AtomicFiles", targets: ["AtomicFiles"]),
        .library(name: "NumPyFormat", targets: ["NumPyFormat"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "Riccati", targets: ["Riccati"]),
        .library(name: "Monotonicity", targets: ["Monotonicity"]),
        .library(name: "SGD", targets: ["SGD"]),
        .library(name: "ScalingLaws", targets: ["ScalingLaws"]),
        .library(name: "Figures", targets: ["Figures"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "SweepPlans", targets: ["SweepPlans"]),
        .library(name: "ChildProcesses", targets: ["ChildProcesses"]),
        .executable(name: "riccati", targets: ["RiccatiCommand"]),
        .library(name: "SVGPlot", targets: ["SVGPlot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // CBLAS (OpenBLAS) and LAPACKE. Debian's OpenBLAS ships without LAPACKE,
        // hence the separate `lapacke` link in the module map.
        .systemLibrary(
            name: "CLapack",
            path: "Sources/CLapack",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "LinearAlgebra", dependencies: ["CLapack"]),
        // Atomic file replacement (temporary file, fsync, rename, fsync of the directory): the one
        // implementation behind the .npy writer, the reports and the example programs.
        .target(name: "AtomicFiles"),
        .target(name: "NumPyFormat", dependencies: ["AtomicFiles"]),
        .target(name: "Sampling"),
        .target(name: "SVGPlot"),
        .target(name: "Riccati", dependencies: ["LinearAlgebra", "Sampling"]),
        .target(name: "Monotonicity", dependencies: ["Riccati", "LinearAlgebra", "Sampling"]),
        .target(name: "SGD", dependencies: ["Riccati", "LinearAlgebra", "Sampling"]),
        .target(name: "ScalingLaws", dependencies: ["Riccati", "SGD", "LinearAlgebra"]),
        // Sweeps run as independent tasks (Slurm job arrays): plan, work directory, batch scripts, Slurm's client commands.
        .target(name: "SweepPlans", dependencies: ["AtomicFiles", "ChildProcesses"]),
        // Child processes started with posix_spawn, in place of Foundation's Process (whose run()
        // crashes now and then on Linux with Swift 6.3): Slurm's clients, and the tests' runs of the tool.
        .target(name: "CSpawnSupport"),
        .target(name: "ChildProcesses", dependencies: ["CSpawnSupport"]),
        .target(name: "Figures", dependencies: ["Riccati", "Monotonicity", "SGD", "ScalingLaws", "SVGPlot", "AtomicFiles",
                                                .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The JSON, CSV, table and .npy outputs and the figures of every command, built from the
        // library's results: a Swift program gets exactly what `riccati … --format json` prints.
        .target(name: "Reports", dependencies: ["Riccati", "Monotonicity", "SGD", "ScalingLaws", "Figures", "LinearAlgebra",
                                                "NumPyFormat", "SVGPlot", "AtomicFiles"]),
        .executableTarget(
            name: "RiccatiCommand",
            dependencies: [
                "Riccati", "Monotonicity", "SGD", "ScalingLaws", "Figures", "Reports", "LinearAlgebra", "NumPyFormat", "SVGPlot",
                "AtomicFiles", "SweepPlans",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "Figure3Monotonicity", dependencies: ["Figures", "Monotonicity", "Riccati", "LinearAlgebra", "SVGPlot"],
                          path: "examples/Figure3Monotonicity"),
        .executableTarget(name: "Figure2RiskCurves", dependencies: ["Figures", "Riccati", "ScalingLaws", "SVGPlot"],
                          path: "examples/Figure2RiskCurves"),
        .executableTarget(name: "Figure1bComputeFrontier", dependencies: ["Figures", "Riccati", "SGD", "ScalingLaws", "SVGPlot"],
                          path: "examples/Figure1bComputeFrontier"),
        .executableTarget(name: "SGDMatchesODE", dependencies: ["Figures", "Riccati", "SGD", "SVGPlot"], path: "examples/SGDMatchesODE"),
        .executableTarget(name: "SGDAwareDynamics", dependencies: ["Figures", "Riccati", "SGD", "SVGPlot"], path: "examples/SGDAwareDynamics"),
        .executableTarget(name: "Figure4ReLU", dependencies: ["Figures", "Riccati", "ScalingLaws", "LinearAlgebra", "SVGPlot"], path: "examples/Figure4ReLU"),
        // Bare GEMM throughput on the SGD step's shapes, for bench/run.py.
        .executableTarget(name: "GEMMBaseline", dependencies: ["LinearAlgebra"], path: "bench/GEMMBaseline"),
        .target(name: "TestSupport", dependencies: ["LinearAlgebra"], path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport"]),
        .testTarget(name: "AtomicFilesTests", dependencies: ["AtomicFiles", "TestSupport", "ChildProcesses"]),
        .testTarget(name: "NumPyFormatTests", dependencies: ["NumPyFormat", "ChildProcesses"]),
        .testTarget(name: "ChildProcessesTests", dependencies: ["ChildProcesses"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling"]),
        .testTarget(name: "SweepPlansTests", dependencies: ["SweepPlans", "ChildProcesses"]),
        .testTarget(name: "SVGPlotTests", dependencies: ["SVGPlot"]),
        .testTarget(name: "SGDTests", dependencies: ["SGD", "Riccati", "LinearAlgebra", "Sampling", "TestSupport"]),
        .testTarget(name: "ScalingLawsTests", dependencies: ["ScalingLaws", "Riccati", "SGD", "TestSupport"]),
        .testTarget(name: "MonotonicityTests", dependencies: ["Monotonicity", "Riccati", "LinearAlgebra", "TestSupport"]),
        .testTarget(name: "ReadmeTests", dependencies: ["Riccati", "Monotonicity", "SGD", "LinearAlgebra"]),
        // Library unit tests of the Riccati module: no command-line tool, no example programs.
        .testTarget(name: "RiccatiTests", dependencies: ["Riccati", "LinearAlgebra", "TestSupport"]),
        // End-to-end tests of the `riccati` tool and the example programs (run as processes), and
        // of the Reports module against the tool's output.
        .testTarget(name: "RiccatiCommandTests", dependencies: ["Reports", "Riccati", "SGD", "LinearAlgebra", "NumPyFormat", "TestSupport", "SweepPlans", "ChildProcesses",
                                                                "RiccatiCommand", "Figure3Monotonicity", "Figure2RiskCurves",
                                                                "Figure1bComputeFrontier", "SGDMatchesODE", "SGDAwareDynamics", "Figure4ReLU"]),
    ]
)
