// swift-tools-version:6.0
// Volley — an event-driven spiking neural network simulator. No package dependencies:
// the Swift toolchain only (stdlib, Foundation, Dispatch, Swift Testing; one C header built by its Clang).
import Foundation
import PackageDescription

/// `VOLLEY_NATIVE=1 swift build -c release …` compiles for this machine's CPU (`-target-cpu
/// native`: AVX2 on x86-64, which the time-stepped engine's 4-wide lane kernels use), as Brian2's
/// cpp_standalone does with -march=native. Off by default: the default build runs on any CPU of
/// the architecture. Spike trains are bit-identical either way (no fused multiply-add).
let nativeFlags: [SwiftSetting] = ProcessInfo.processInfo.environment["VOLLEY_NATIVE"] == "1"
    ? [.unsafeFlags(["-target-cpu", "native"])] : []

/// Every example is one executable target in `examples/<name>/`, run with
/// `swift run -c release <name> --help`.
let examples = ["cuba", "convert-ann", "xor-spikeprop", "iris-spikeprop", "wbcd-spikeprop", "mnist-ttfs", "stdp-window", "mnist-stdp", "mnist-stbp", "nmnist-stbp", "adaptive-neurons", "coba", "eprop", "eventprop"]

let package = Package(
    name: "Volley",
    products: [
        .library(name: "Volley", targets: ["Volley"]),
        // `swift run -c release volley run NETWORK.json`: experiments as files (docs/network-files.md).
        .executable(name: "volley", targets: ["VolleyCLI"]),
    ],
    targets: [
        // One header-only function (a cache prefetch hint) that Swift cannot express.
        .target(name: "VolleyPrefetch", path: "Sources/VolleyPrefetch"),
        .target(
            name: "Volley",
            dependencies: ["VolleyPrefetch"],
            path: "Sources/Volley",
            swiftSettings: [
                // Queue invariant checks, as swift-collections does behind COLLECTIONS_INTERNAL_CHECKS.
                // Enabled in debug builds (and therefore in `swift test`), compiled out in release.
                .define("VOLLEY_INTERNAL_CHECKS", .when(configuration: .debug)),
            ] + nativeFlags
        ),
        // What only the example executables use: command-line options, the example runner, the
        // one-line JSON result, the SpikeProp classification experiment. Not part of `import Volley`.
        .target(
            name: "VolleyExamples",
            dependencies: ["Volley"],
            path: "Sources/VolleyExamples",
            swiftSettings: nativeFlags
        ),
        .executableTarget(
            name: "VolleyCLI", dependencies: ["Volley", "VolleyExamples"], path: "Sources/VolleyCLI",
            swiftSettings: nativeFlags),
        .testTarget(
            name: "VolleyTests",
            dependencies: ["Volley", "VolleyExamples"],
            path: "Tests/VolleyTests",
            resources: [.copy("Fixtures")]
        ),
    ] + examples.map { name in
        .executableTarget(
            name: name, dependencies: ["Volley", "VolleyExamples"], path: "examples/\(name)",
            // `ci-args`: the arguments `.ci/run` smoke-runs the example with (not a source file).
            exclude: FileManager.default.fileExists(
                atPath: Context.packageDirectory + "/examples/\(name)/ci-args") ? ["ci-args"] : [],
            swiftSettings: nativeFlags)
    },
    swiftLanguageModes: [.v6]
)
