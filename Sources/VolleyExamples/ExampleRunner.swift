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
/// file is ever left behind). Directories are not created; check output paths with
/// `OutputPath.check` before the work starts.
public func writeTextFile(_ text: String, to path: String) throws {
    do {
        try text.write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
    } catch {
        throw VolleyError.fileError(path: path, reason: FileProblem.describe(path, writing: true, fallback: error))
    }
}

/// Runs `body`, which reads the file or directory `path` given by `--flag`, and turns any error
/// into a usage error naming the flag (and, for a missing data set, where to get it: the README's
/// "Data" section).
public func reading<T>(_ flag: String, _ path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as VolleyError {
        var message = "option '--\(flag)': \(error)"
        if !FileManager.default.fileExists(atPath: path) {
            message += " (the data sets are not part of the repository: see README.md, \"Data\")"
        }
        throw VolleyError.usage(message)
    }
}

/// Runs `body` (training), turning a `VolleyError.diverged` into a usage error that names the
/// options that set the step sizes and scales (`flags`), so the message says what to change.
public func blaming<T>(_ flags: [String], _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let VolleyError.diverged(message) {
        let names = flags.map { "'--\($0)'" }.joined(separator: ", ")
        throw VolleyError.usage("training diverged with these settings of \(names): \(message)")
    }
}

/// Runs `sim` to `duration` ms in `chunks` equal parts, printing a progress line (time, spikes,
/// mean rate, wall time) after each when there is more than one.
public func runWithProgress(_ sim: Simulator, until duration: Double, chunks: Int) throws {
    for k in 1...max(chunks, 1) {
        try sim.run(until: duration * Double(k) / Double(max(chunks, 1)))
        if chunks > 1 {
            let r = sim.report()
            print("  t = \(Format.fixed(sim.time, 1)) ms: \(r.modelSpikes) spikes, \(Format.fixed(r.meanRateHz, 2)) Hz, wall \(Format.fixed(sim.wallSeconds, 2)) s")
        }
    }
}
