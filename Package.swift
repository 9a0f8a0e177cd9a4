// swift-tools-version:6.1
import PackageDescription

// Dependencies point inward: sosplan (CLI) -> SosplanReact -> SosplanApply -> SosplanDrivers -> SosplanCore.
// Only the system libyaml parses YAML (no second YAML parser is linked).
// gRPC (the kubelet's pod-resources API) lives in SosplanKubernetes and the
// `sosplan-kube` helper only, so the `sosplan` binary links no NIO or gRPC.
// The CLI and the hello-world it is measured against: relative relocations
// packed (DT_RELR, glibc 2.36+, lld): the loader reads 9 KB of them at exec
// instead of 1.1 MB of RELA entries.
let startupLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"], .when(platforms: [.linux])),
    .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "sosplan",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sosplan", targets: ["sosplan"]),
        .executable(name: "sosplan-sim", targets: ["sosplan-sim"]),
        .executable(name: "sosplan-kube", targets: ["sosplan-kube"]),
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        // Opening a C library on first use (dlopen), for the two below.
        .target(name: "CDynamicLibrary", linkerSettings: [.linkedLibrary("dl")]),
        // libnuma, opened on first use like libsystemd below: only the live
        // probe's cross-check calls it. The header comes from libnuma-dev.
        .target(name: "CNuma", dependencies: ["CDynamicLibrary"]),
        // sd-bus and sd-daemon, with libsystemd opened on first use (dlopen), not
        // linked: commands that never talk to systemd do not load it and its six
        // libraries at exec. The headers come from libsystemd-dev.
        .target(name: "CSystemd", dependencies: ["CDynamicLibrary"]),

        // Pure values and logic: no file, process or network I/O.
        .target(name: "SosplanCore", dependencies: ["CYAML"]),
        // Effects behind small protocols: probes, systemd, enclaves, journal files, lock.
        .target(name: "SosplanDrivers", dependencies: ["SosplanCore", "CNuma", "CSystemd"]),
        // The apply engine: steps -> driver calls, journal, lock, rollback, recovery.
        .target(name: "SosplanApply", dependencies: ["SosplanCore", "SosplanDrivers"]),
        // Reacting: one reconcile pass, the watch loop (uevents, layout edits), status.
        .target(name: "SosplanReact", dependencies: ["SosplanCore", "SosplanDrivers", "SosplanApply"]),
        // The command line as data (commands, arguments, options): parsed, and
        // rendered as help, shell completions and the manual page. Hand-written:
        // swift-argument-parser's reflection was 37% of `sosplan --version`.
        .target(name: "SosplanCommandLine", dependencies: ["SosplanCore"]),
        // The command line: thin subcommands and renderers.
        .executableTarget(
            name: "sosplan",
            dependencies: ["SosplanCore", "SosplanDrivers", "SosplanApply", "SosplanReact", "SosplanCommandLine"],
            linkerSettings: startupLinkerSettings),
        // The kubelet's pod-resources API over gRPC (messages read by hand, as Protos/ declares them).
        .target(
            name: "SosplanKubernetes",
            dependencies: [
                "SosplanCore",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ]),
        // The helper `sosplan --pod-resources` runs: prints the pod-resources JSON.
        .executableTarget(
            name: "sosplan-kube",
            dependencies: [
                "SosplanKubernetes", "SosplanCore", "SosplanCommandLine",
            ]),
        // Stateful simulators of ihkconfig/ihkosctl, the Pisces tools and lwkctl.
        .executableTarget(name: "sosplan-sim", dependencies: ["SosplanCore", "SosplanDrivers"]),
        // The start-up floor sosplan-bench compares `sosplan --version` with (a static hello-world).
        .executableTarget(name: "sosplan-hello", linkerSettings: startupLinkerSettings),
        // Release-build benchmarks (speed and memory targets).
        .executableTarget(name: "sosplan-bench", dependencies: ["SosplanCore", "SosplanDrivers", "SosplanTestSupport"]),

        // Test helpers: the sandbox and lab, goldens, fixtures, and an in-memory systemd for the engine's tests.
        .target(name: "SosplanTestSupport", dependencies: ["SosplanCore", "SosplanDrivers"]),
        .testTarget(
            name: "SosplanCoreTests",
            dependencies: ["SosplanCore", "SosplanTestSupport"],
            // Read from the source tree by the tests, not bundled.
            exclude: ["Layout/Invalid"]),
        .testTarget(
            name: "SosplanDriversTests",
            // sosplan-sim: the enclave driver tests run against the built simulators.
            dependencies: ["SosplanDrivers", "SosplanCore", "SosplanTestSupport", "sosplan-sim"]),
        .testTarget(
            name: "SosplanCommandLineTests",
            dependencies: ["SosplanCommandLine", "SosplanTestSupport"]),
        .testTarget(
            name: "SosplanCLITests",
            // sosplan-bench: the benchmark's smoke run (CI runs it, the timings are not checked).
            dependencies: [
                "SosplanApply", "SosplanCore", "SosplanDrivers", "SosplanTestSupport", "sosplan", "sosplan-sim", "sosplan-bench",
                "sosplan-hello",
            ]),
        .testTarget(
            name: "SosplanApplyTests",
            dependencies: ["SosplanApply", "SosplanCore", "SosplanDrivers", "SosplanTestSupport"]),
        .testTarget(
            name: "SosplanKubernetesTests",
            // sosplan and sosplan-kube: the pod-resources path end to end against a real gRPC server.
            dependencies: ["SosplanKubernetes", "SosplanCore", "SosplanTestSupport", "sosplan", "sosplan-kube"]),
        .testTarget(
            name: "SosplanReactTests",
            dependencies: ["SosplanReact", "SosplanApply", "SosplanCore", "SosplanDrivers", "SosplanTestSupport"]),
    ]
)
