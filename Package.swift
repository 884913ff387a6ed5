// swift-tools-version:6.0
// Volley — an event-driven spiking neural network simulator. No package dependencies:
// the Swift toolchain only (stdlib, Foundation, Dispatch, Swift Testing).
import PackageDescription

/// Every example is one executable target in `examples/<name>/`, run with
/// `swift run -c release <name> --help`.
let examples = ["cuba", "xor-spikeprop", "iris-spikeprop", "wbcd-spikeprop", "mnist-ttfs", "stdp-window", "mnist-stdp"]

let package = Package(
    name: "Volley",
    products: [
        .library(name: "Volley", targets: ["Volley"]),
    ],
    targets: [
        .target(
            name: "Volley",
            path: "Sources/Volley",
            swiftSettings: [
                // Heap invariant checks, as swift-collections does behind COLLECTIONS_INTERNAL_CHECKS.
                // Enabled in debug builds (and therefore in `swift test`), compiled out in release.
                .define("VOLLEY_INTERNAL_CHECKS", .when(configuration: .debug)),
            ]
        ),
        .testTarget(
            name: "VolleyTests",
            dependencies: ["Volley"],
            path: "Tests/VolleyTests",
            resources: [.copy("Fixtures")]
        ),
    ] + examples.map { name in
        .executableTarget(name: name, dependencies: ["Volley"], path: "examples/\(name)")
    },
    swiftLanguageModes: [.v6]
)
