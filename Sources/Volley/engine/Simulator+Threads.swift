import Foundation

extension Simulator {
    /// The most threads an engine accepts.
    public static let maxThreads = 256

    /// The thread count engines use when none is given: the `VOLLEY_THREADS` environment
    /// variable if set (a whole number from 1 to `maxThreads`), else 1.
    public static func defaultThreads() throws -> Int {
        guard let text = ProcessInfo.processInfo.environment["VOLLEY_THREADS"] else { return 1 }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw VolleyError.invalidParameter(
                name: "VOLLEY_THREADS", value: text, reason: "must be a whole number of threads from 1 to \(maxThreads)")
        }
        return try checkThreads(n, name: "VOLLEY_THREADS")
    }

    /// `n` if it is a valid thread count, else a typed error naming `name`.
    public static func checkThreads(_ n: Int, name: String = "threads") throws -> Int {
        guard (1...maxThreads).contains(n) else {
            throw VolleyError.invalidParameter(name: name, value: "\(n)", reason: "must be from 1 to \(maxThreads)")
        }
        return n
    }

    /// The number of cores of this machine (active processors): the most threads `--threads auto` uses.
    public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
