import Foundation
import Volley

#if canImport(Glibc)
    @preconcurrency import SwiftGlibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// Runs an example's body: a `VolleyError` (or any error) is printed to stderr as
/// "<program>: error: …" and the process exits with status 1. Standard output is line-buffered so
/// that progress lines appear as they are printed even when redirected to a file or a pipe.
public func runExample(_ program: String, _ body: () throws -> Void) -> Never {
    setvbuf(stdout, nil, _IOLBF, 0)
    do {
        try body()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("\(program): error: \(error)\n".utf8))
        exit(1)
    }
}

/// Writes `text` to `path` atomically (a temporary file renamed into place, so no half-written
/// file is ever left behind), creating parent directories; errors name the path.
public func writeTextFile(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    } catch {
        throw VolleyError.fileError(path: path, reason: error.localizedDescription)
    }
}

/// Peak resident set size of this process so far (MB = 2^20 bytes), from `getrusage`
/// (`ru_maxrss`, kilobytes on Linux); 0 where unavailable.
public func peakResidentMegabytes() -> Double {
    #if os(Linux)
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    return Double(usage.ru_maxrss) / 1024
    #else
    return 0
    #endif
}
