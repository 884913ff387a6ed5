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
