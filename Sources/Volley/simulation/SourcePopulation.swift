/// Validation and stream layout of Poisson inputs.
public enum PoissonProcesses {
    static func validate(_ rates: [Double], context: String) throws {
        if let bad = rates.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw VolleyError.invalidParameter(
                name: "rates[\(bad)]", value: "\(rates[bad])",
                reason: "\(context): rates must be finite and ≥ 0 Hz")
        }
    }

    /// The random stream of neuron `neuron` of population `population`.
    static func stream(seed: UInt64, population: Int, neuron: Int) -> Xoshiro256 {
        Xoshiro256(seed: seed, stream: 0x9015_5011, UInt64(population), UInt64(neuron))
    }
}

/// Runtime of a source population (explicit spike trains or Poisson processes): for each neuron,
/// the time of its next spike. Both engines read the same times; the time-stepped engine rounds
/// them to its grid.
final class SourcePopulation {
    let layout: PopulationLayout
    private(set) var trains: SpikeTrains
    private var cursor: [Int]
    private var rates: [Double]
    private let seed: UInt64
    private var streams: [Xoshiro256]
    private var next: [Double]
    let isPoisson: Bool
    private let initialKind: SourceKind

    init(layout: PopulationLayout, kind: SourceKind) {
        self.layout = layout
        self.initialKind = kind
        switch kind {
        case let .spikeTrains(t):
            trains = t
            rates = []
            seed = 0
            isPoisson = false
        case let .poisson(r, s):
            trains = SpikeTrains(silent: 0)
            rates = r
            seed = s
            isPoisson = true
        }
        cursor = [Int](repeating: 0, count: layout.count)
        streams = []
        next = []
        reset()
    }

    /// Back to the network's initial trains / rates and fresh random streams.
    func reset() {
        switch initialKind {
        case let .spikeTrains(t):
            trains = t
            for i in 0..<layout.count { cursor[i] = trains.starts[i] }
        case let .poisson(r, _):
            rates = r
            streams = (0..<layout.count).map {
                PoissonProcesses.stream(seed: seed, population: layout.index, neuron: $0)
            }
            next = [Double](repeating: .infinity, count: layout.count)
            for i in 0..<layout.count { drawNext(i, after: 0) }
        }
    }

    /// Time (ms) of neuron i's next spike, or +∞.
    func nextTime(_ i: Int) -> Double {
        if isPoisson { return next[i] }
        let c = cursor[i]
        return c < trains.starts[i + 1] ? trains.times[c] : .infinity
    }

    /// Consumes neuron i's current spike (emitted at `time`).
    func consume(_ i: Int, at time: Double) {
        if isPoisson {
            drawNext(i, after: next[i])
        } else {
            cursor[i] += 1
        }
    }

    private func drawNext(_ i: Int, after time: Double) {
        let r = rates[i]
        next[i] = r > 0 ? time + streams[i].exponential(mean: 1000 / r) : .infinity
    }

    /// Replaces the spike trains; spikes must not lie before `now`.
    func setTrains(_ newTrains: [[Double]], now: Double, name: String) throws {
        guard !isPoisson else {
            throw VolleyError.unsupported("population '\(name)' is a Poisson source: set its rates instead")
        }
        guard newTrains.count == layout.count else {
            throw VolleyError.invalidParameter(
                name: "trains", value: "\(newTrains.count) trains",
                reason: "population '\(name)' has \(layout.count) neurons")
        }
        let t = try SpikeTrains(newTrains, context: "spike source '\(name)'")
        if let early = t.times.first(where: { $0 < now }) {
            throw VolleyError.invalidSpikeTime(
                value: early, context: "spike source '\(name)': before the current time \(now) ms")
        }
        trains = t
        for i in 0..<layout.count { cursor[i] = trains.starts[i] }
    }

    /// Changes the Poisson rates (Hz) from `now` on: each neuron's next spike is redrawn from `now`
    /// (the process is memoryless, so this is exact).
    func setRates(_ newRates: [Double], now: Double, name: String) throws {
        guard isPoisson else {
            throw VolleyError.unsupported("population '\(name)' has explicit spike trains, not rates")
        }
        guard newRates.count == layout.count else {
            throw VolleyError.invalidParameter(
                name: "rates", value: "\(newRates.count) rates",
                reason: "population '\(name)' has \(layout.count) neurons")
        }
        try PoissonProcesses.validate(newRates, context: "Poisson source '\(name)'")
        rates = newRates
        for i in 0..<layout.count { drawNext(i, after: now) }
    }
}
