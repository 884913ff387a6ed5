import Foundation

/// The nominal double-precision peak of this machine, for reporting achieved GFLOP/s against it:
/// cores × clock × FLOPs per cycle, where a core with FMA issues two vector fused multiply-adds per
/// cycle (AVX-512: 2 × 8 × 2 = 32, AVX2: 2 × 4 × 2 = 16 double FLOPs) and one without issues a
/// 2-wide SSE2 multiply and add (4). Read from /proc/cpuinfo (Linux); nil where it is unavailable.
public struct MachinePeak: Sendable {
    public let cores: Int
    public let gigahertz: Double
    public let flopsPerCycle: Int
    /// The widest vector extension found ("avx512f", "avx2", "sse2").
    public let vectorExtension: String

    public var gflops: Double { Double(cores) * gigahertz * Double(flopsPerCycle) }

    public static func current() -> MachinePeak? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        var mhz: Double?
        var flags: Set<Substring> = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "cpu MHz", mhz == nil { mhz = Double(parts[1]) }
            if parts[0] == "flags", flags.isEmpty { flags = Set(parts[1].split(separator: " ")) }
        }
        guard let mhz, mhz > 0 else { return nil }
        let fma = flags.contains("fma")
        let (name, perCycle) =
            flags.contains("avx512f") && fma ? ("avx512f", 32) : flags.contains("avx2") && fma ? ("avx2", 16) : ("sse2", 4)
        return MachinePeak(cores: ProcessInfo.processInfo.activeProcessorCount, gigahertz: mhz / 1000, flopsPerCycle: perCycle, vectorExtension: name)
    }
}
