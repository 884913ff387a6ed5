import Foundation

#if canImport(Glibc)
    @preconcurrency import SwiftGlibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// The memory this process holds, for reports (MB = 2²⁰ bytes).
///
/// On Linux both figures come from `/proc/self/status`: `VmHWM` (the peak resident set) and
/// `VmRSS` (the current one). They belong to the running program image only: a process started by
/// `exec` (as `swift run` starts an example) begins with a fresh peak, whereas `getrusage`'s
/// `ru_maxrss` keeps the peak of the process that called `exec` — for `swift run` that is the
/// build tool's ≈ 100 MB, not the simulator's. Elsewhere the peak falls back to `ru_maxrss`.
public enum ProcessMemory {
    /// Peak resident set size of this program so far (MB); nil where it cannot be read.
    public static func peakResidentMegabytes() -> Double? {
        #if os(Linux)
            return statusField("VmHWM")
        #else
            var usage = rusage()
            guard getrusage(RUSAGE_SELF, &usage) == 0 else { return nil }
            return Double(usage.ru_maxrss) / 1_048_576  // bytes on Darwin
        #endif
    }

    /// Current resident set size (MB); nil where it cannot be read.
    public static func residentMegabytes() -> Double? {
        #if os(Linux)
            return statusField("VmRSS")
        #else
            return nil
        #endif
    }

    /// A "Name:   1234 kB" line of /proc/self/status, in MB.
    static func statusField(_ name: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 3, let kB = Double(parts[1]), parts[2] == "kB" else { return nil }
            return kB / 1024
        }
        return nil
    }
}
