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

    /// The number of cores of this machine (active processors): the examples' default `--threads`.
    public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

extension TimeSteppedSimulator {
    /// Model neurons per thread below which another thread costs more than it saves: a thread
    /// team meets once per step (≈ 1.3 µs on the 2-core development machine), while a step of a
    /// LIF population costs ≈ 1 ns per neuron (docs/benchmarks.md, "Threads").
    public static let neuronsPerThread = 10_000

    /// All cores, but at most one thread per `neuronsPerThread` model neurons (at least one).
    public static func automaticThreads(for network: Network) -> Int {
        let neurons = network.populations.filter { !$0.isSource }.reduce(0) { $0 + $1.size }
        return Swift.max(1, Swift.min(Simulator.coreCount, Simulator.maxThreads, neurons / neuronsPerThread))
    }
}
