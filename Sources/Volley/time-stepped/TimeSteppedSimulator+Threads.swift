extension TimeSteppedSimulator {
    /// Model neurons per thread below which another thread costs more than it saves: a step of a
    /// LIF population costs ≈ 1 ns per neuron, and a team of threads exchanges spikes at every
    /// step (their postings; with plasticity, stop conditions or state samples a fork, the
    /// calling thread's serial part and a join) — at CUBA's 4000 neurons two threads are about as fast as one on the
    /// 2-core development machine, or slower (docs/benchmarks.md, "Threads").
    public static let neuronsPerThread = 10_000

    /// All cores, but at most one thread per `neuronsPerThread` model neurons (at least one).
    public static func automaticThreads(for network: Network) -> Int {
        let neurons = network.populations.filter { !$0.isSource }.reduce(0) { $0 + $1.size }
        return Swift.max(1, Swift.min(Simulator.coreCount, Simulator.maxThreads, neurons / neuronsPerThread))
    }
}
