/// Address events of an event camera (a DVS or ATIS sensor's change-detection events): pixel
/// (x, y), polarity (1 = ON, the log intensity rose by the contrast threshold; 0 = OFF, it fell),
/// and a timestamp in µs. Struct of arrays, in time order.
///
/// As network input every (polarity, y, x) is one source neuron,
/// `neuron = polarity · width · height + y · width + x` (OFF channel first), and every event one
/// spike at `timestamp / 1000` ms: the event-driven engine receives the sensor's times without
/// binning; `frames(binMs:)` bins them for grid-based training.
public struct EventRecording: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var x: [UInt16]
    public private(set) var y: [UInt16]
    /// 1 = ON, 0 = OFF.
    public private(set) var polarity: [UInt8]
    /// µs, non-decreasing.
    public private(set) var timestamps: [UInt64]

    /// Validates the events: equal lengths, x < width, y < height, polarity 0 or 1, timestamps
    /// non-decreasing. `source` names the data in errors.
    public init(
        width: Int, height: Int, x: [UInt16], y: [UInt16], polarity: [UInt8], timestamps: [UInt64],
        source: String = "event recording"
    ) throws {
        guard width > 0, height > 0, width <= Int(UInt16.max) + 1, height <= Int(UInt16.max) + 1 else {
            throw VolleyError.invalidParameter(name: "width × height", value: "\(width) × \(height)", reason: "must be 1…65536 pixels each")
        }
        guard y.count == x.count, polarity.count == x.count, timestamps.count == x.count else {
            throw VolleyError.malformedData(
                source: source, reason: "x, y, polarity and timestamps have \(x.count), \(y.count), \(polarity.count), \(timestamps.count) entries")
        }
        for i in x.indices {
            guard Int(x[i]) < width, Int(y[i]) < height else {
                throw VolleyError.malformedData(source: source, reason: "event \(i) at (x \(x[i]), y \(y[i])) is outside the \(width) × \(height) sensor")
            }
            guard polarity[i] <= 1 else {
                throw VolleyError.malformedData(source: source, reason: "event \(i) has polarity \(polarity[i]) (expected 0 = OFF or 1 = ON)")
            }
            if i > 0, timestamps[i] < timestamps[i - 1] {
                throw VolleyError.malformedData(
                    source: source, reason: "event \(i) at \(timestamps[i]) µs precedes event \(i - 1) at \(timestamps[i - 1]) µs (events must be in time order)")
            }
        }
        self.width = width
        self.height = height
        self.x = x
        self.y = y
        self.polarity = polarity
        self.timestamps = timestamps
    }

    public var count: Int { x.count }
    public var onCount: Int { polarity.reduce(0) { $0 + Int($1) } }
    public var offCount: Int { count - onCount }
    /// First and last timestamp (µs); nil without events.
    public var timeRange: ClosedRange<UInt64>? { timestamps.first.map { $0...timestamps[count - 1] } }

    /// Source neurons needed to present the recording: two channels of width × height.
    public var neuronCount: Int { 2 * width * height }

    /// The source neuron of event `i`.
    @inlinable
    public func neuron(ofEvent i: Int) -> Int {
        Int(polarity[i]) * width * height + Int(y[i]) * width + Int(x[i])
    }

    /// One spike train per source neuron (ms): event i is a spike of `neuron(ofEvent: i)` at
    /// `timestamps[i] / 1000 + offsetMs`.
    public func spikeTrains(offsetMs: Double = 0) -> [[Double]] {
        var trains = [[Double]](repeating: [], count: neuronCount)
        for i in 0..<count {
            trains[neuron(ofEvent: i)].append(Double(timestamps[i]) / 1000 + offsetMs)
        }
        return trains
    }

    /// Event counts binned in time: `frames[k][neuron]` counts the events of `neuron` with
    /// timestamp in [k·binMs, (k+1)·binMs) ms; `binCount` bins (default: up to the last event).
    public func frames(binMs: Double, binCount: Int? = nil) throws -> [[Float]] {
        guard binMs.isFinite, binMs > 0 else {
            throw VolleyError.invalidParameter(name: "binMs", value: "\(binMs)", reason: "must be a finite time > 0 ms")
        }
        let lastMs = Double(timestamps.last ?? 0) / 1000
        let bins = binCount ?? (count == 0 ? 0 : Int((lastMs / binMs).rounded(.down)) + 1)
        guard bins >= 0, bins <= 1_000_000 else {
            throw VolleyError.invalidParameter(name: "binCount", value: "\(bins)", reason: "must be in 0…1 000 000")
        }
        var frames = [[Float]](repeating: [Float](repeating: 0, count: neuronCount), count: bins)
        for i in 0..<count {
            let k = Int((Double(timestamps[i]) / 1000 / binMs).rounded(.down))
            if k < bins { frames[k][neuron(ofEvent: i)] += 1 }
        }
        return frames
    }

    /// The events with timestamps in [fromMs, toMs) ms.
    public func events(fromMs: Double, toMs: Double) -> EventRecording {
        let lo = timestamps.partitionPoint { Double($0) / 1000 < fromMs }
        let hi = max(lo, timestamps.partitionPoint { Double($0) / 1000 < toMs })
        var part = self
        part.x = Array(x[lo..<hi])
        part.y = Array(y[lo..<hi])
        part.polarity = Array(polarity[lo..<hi])
        part.timestamps = Array(timestamps[lo..<hi])
        return part
    }
}

extension Array {
    /// The first index whose element does not satisfy `belongsBefore` (the array is partitioned:
    /// every element satisfying it comes first).
    @inlinable
    func partitionPoint(_ belongsBefore: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongsBefore(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
