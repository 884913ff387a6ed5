/// Explicit spike times (ms) for each neuron of a source population, stored flat.
public struct SpikeTrains: Sendable, Equatable {
    /// Train i is `times[starts[i] ..< starts[i+1]]`, sorted ascending.
    public private(set) var starts: [Int]
    public private(set) var times: [Double]

    /// Validates (finite, ≥ 0) and sorts each train. Duplicate times are kept: two spikes at the
    /// same instant deliver twice.
    public init(_ trains: [[Double]], context: String = "spike trains") throws {
        starts = [0]
        starts.reserveCapacity(trains.count + 1)
        times = []
        times.reserveCapacity(trains.reduce(0) { $0 + $1.count })
        for (i, train) in trains.enumerated() {
            for t in train where !(t.isFinite && t >= 0) {
                throw VolleyError.invalidSpikeTime(value: t, context: "\(context), neuron \(i)")
            }
            times.append(contentsOf: train.sorted())
            starts.append(times.count)
        }
    }

    /// `count` neurons that never fire.
    public init(silent count: Int) {
        starts = [Int](repeating: 0, count: count + 1)
        times = []
    }

    public var count: Int { starts.count - 1 }
    public var spikeCount: Int { times.count }
    public func train(_ i: Int) -> ArraySlice<Double> { times[starts[i]..<starts[i + 1]] }
}

/// Where a source population's spikes come from.
public enum SourceKind: Sendable {
    /// Explicit spike times per neuron (replaceable between runs).
    case spikeTrains(SpikeTrains)
    /// Independent homogeneous Poisson processes, rates in Hz (changeable during a run); neuron i
    /// draws from stream (seed, population index, i), identically in both engines.
    case poisson(rates: [Double], seed: UInt64)
}
