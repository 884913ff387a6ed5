/// Validation and stream layout of Poisson inputs.
public enum PoissonProcesses {
    /// The highest rate accepted (Hz): one spike per 10 µs. Faster inputs are not neuronal and
    /// would only flood the queues.
    public static let maxRate = 1e5

    static func validate(_ rates: [Double], context: String) throws {
        if let bad = rates.firstIndex(where: { !($0.isFinite && $0 >= 0 && $0 <= maxRate) }) {
            throw VolleyError.invalidParameter(
                name: "rates[\(bad)]", value: "\(rates[bad])",
                reason: "\(context): rates must be in [0, \(maxRate)] Hz")
        }
    }

    /// The random stream of neuron `neuron` of population `population`.
    static func stream(seed: UInt64, population: Int, neuron: Int) -> Xoshiro256 {
        Xoshiro256(seed: seed, stream: 0x9015_5011, UInt64(population), UInt64(neuron))
    }
}

/// Runtime of a source population (explicit spike trains or Poisson processes): for each neuron,
/// the time of its next spike, queued by (time, local index). Both engines read the same times;
/// the time-stepped engine rounds them to its grid.
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
    /// Every neuron's next spike time (+∞: none).
    let queue: IndexedMinTree
    /// Time-stepped engine: the neurons due at the current step (kept to avoid an allocation per step).
    private var due = ContiguousArray<Int>()

    init(layout: PopulationLayout, kind: SourceKind) {
        self.layout = layout
        self.initialKind = kind
        queue = IndexedMinTree(capacity: layout.count)
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
        requeue()
    }

    /// Queues every neuron at its next spike time.
    func requeue() {
        for i in 0..<layout.count { queue.update(i, time: nextTime(i)) }
    }

    /// The time of the population's next spike (+∞: none).
    var nextEventTime: Double { queue.handle.minTime }

    /// Event-driven engine: the neuron whose spike is next (earliest time, then lowest index)
    /// emits it. Returns its local index and the population's next spike time.
    func emitNext(_ counters: inout EngineCounters) -> (fired: Int, next: Double) {
        let i = Int(queue.handle.min.unsafelyUnwrapped.id)
        consume(i, at: nextTime(i))
        queue.update(i, time: nextTime(i))
        counters.neuronQueueUpdates &+= 1
        return (i, nextEventTime)
    }

    /// Time-stepped engine: every spike due at grid step `step` (spike times rounded by
    /// `gridStep`), appended to `fired` in ascending neuron index, a neuron's spikes in a row
    /// (several spikes on one step each deliver).
    func emitDue(step: Int, gridStep: (Double) -> Int, into fired: inout ContiguousArray<UInt32>, _ counters: inout EngineCounters) {
        due.removeAll(keepingCapacity: true)
        while let top = queue.min, gridStep(top.time) <= step {
            due.append(Int(top.id))
            queue.remove(Int(top.id))
        }
        guard !due.isEmpty else { return }
        due.sort()
        for i in due {
            while gridStep(nextTime(i)) <= step {
                consume(i, at: nextTime(i))
                fired.append(UInt32(truncatingIfNeeded: i))
            }
            queue.update(i, time: nextTime(i))
            counters.neuronQueueUpdates &+= 1
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
        requeue()
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
        requeue()
    }

    /// Bytes of per-neuron state (times, cursors or streams, and the queue).
    var memoryBytes: Int {
        trains.times.count * 8 + trains.starts.count * 8 + cursor.count * 8 + rates.count * 8
            + streams.count * MemoryLayout<Xoshiro256>.stride + next.count * 8 + queue.capacityBytes
    }
}
