/// Spikes recorded per population, in processing order: ascending time, equal times by
/// ascending global neuron id (both engines follow this order).
public struct SpikeRecord: Sendable {
    /// neurons[p][k] is the local index of the k-th spike of population p, at times[p][k] (ms).
    public internal(set) var neurons: [[UInt32]]
    public internal(set) var times: [[Double]]

    init(populationCount: Int) {
        neurons = Array(repeating: [], count: populationCount)
        times = Array(repeating: [], count: populationCount)
    }

    mutating func removeAll() {
        for p in neurons.indices {
            neurons[p].removeAll(keepingCapacity: true)
            times[p].removeAll(keepingCapacity: true)
        }
    }

    var memoryBytes: Int {
        zip(neurons, times).reduce(0) { $0 + $1.0.capacity * 4 + $1.1.capacity * 8 }
    }
}

/// Sampled membrane potentials of chosen neurons.
public struct StateRecording: Sendable {
    public let population: PopulationID
    public let neurons: [Int]
    public let interval: Double
    /// Sample times (ms): multiples of `interval`.
    public internal(set) var times: [Double] = []
    /// potentials[k][j]: potential (mV) of `neurons[k]` at `times[j]`.
    public internal(set) var potentials: [[Double]]
}
