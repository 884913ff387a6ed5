import Foundation

/// Inputs for running one network file on many samples (`volley run NETWORK.json --samples
/// SAMPLES.json`): per sample, the spike trains (ms) of one source population and an optional
/// class label. Each sample runs from the network's initial state for `duration_ms`; the class
/// is the readout neuron with the most spikes (docs/network-files.md, "Samples").
public struct SampleSet: Codable, Sendable {
    public static let currentFormat = "volley-samples-1"

    public var format: String
    /// The source population whose trains each sample sets.
    public var population: String
    /// The population whose spike counts decide the class (nil: give it on the command line).
    public var readout: String?
    /// Simulated time per sample (nil: the network file's run.duration_ms).
    public var durationMs: Double?
    public var samples: [Sample]

    public struct Sample: Codable, Sendable {
        public var label: Int?
        /// One list of spike times (ms) per neuron of `population`.
        public var trainsMs: [[Double]]

        enum CodingKeys: String, CodingKey { case label, trainsMs = "trains_ms" }

        public init(label: Int?, trainsMs: [[Double]]) {
            self.label = label
            self.trainsMs = trainsMs
        }
    }

    public init(format: String = SampleSet.currentFormat, population: String, readout: String?, durationMs: Double?, samples: [Sample]) {
        self.format = format
        self.population = population
        self.readout = readout
        self.durationMs = durationMs
        self.samples = samples
    }

    enum CodingKeys: String, CodingKey {
        case format, population, readout, samples, durationMs = "duration_ms"
    }

    /// The file at `path`; typed errors name the path and the JSON path.
    public static func read(from path: String) throws -> SampleSet {
        let set = try JSONFile.decodeFormat(
            SampleSet.self, from: try FileProblem.read(path), source: path, what: "a samples file", format: currentFormat,
            formatOf: \.format)
        guard !set.samples.isEmpty else { throw VolleyError.malformedData(source: path, reason: "no samples") }
        if let d = set.durationMs, !(d.isFinite && d > 0) {
            throw VolleyError.malformedData(source: path, reason: "duration_ms = \(d): must be > 0 ms")
        }
        return set
    }
}

/// How a sample's class is read from the readout population.
public enum SampleDecision: Sendable, Equatable {
    /// The neuron with the most spikes (the lowest index on ties); a silent readout is undecided.
    case spikeCount
    /// The neuron with the highest membrane potential at the end of the run (exact in the
    /// event-driven engine); ties are undecided. For a non-spiking readout — NIR's `LI`/`CubaLI`,
    /// a threshold of `Double.greatestFiniteMagnitude` — this is the usual leaky-integrator readout.
    case finalPotential
    /// The neuron with the highest membrane potential sampled every `interval` ms from 0 to the
    /// run's end (the grid stated, not the continuous maximum); ties are undecided.
    case maxPotential(every: Double)

    /// Its name on the command line and in reports.
    public var name: String {
        switch self {
        case .spikeCount: "spike-count"
        case .finalPotential: "final-potential"
        case .maxPotential: "max-potential"
        }
    }
}

/// What running a network on a `SampleSet` gave.
public struct SampleRunResult: Sendable {
    /// Per sample: the readout neuron the decision chose, nil if undecided (a silent readout, a
    /// tie of potentials).
    public var predictions: [Int?]
    public var labels: [Int?]
    /// Spikes of every population, summed over samples.
    public var spikes: Int
    public var synapticEvents: UInt64
    public var wallSeconds: Double

    /// Fraction of labelled samples whose prediction equals the label (silent readouts count as wrong).
    public var accuracy: Double? {
        let labelled = zip(predictions, labels).filter { $0.1 != nil }
        guard !labelled.isEmpty else { return nil }
        return Double(labelled.filter { $0.0 == $0.1 }.count) / Double(labelled.count)
    }

    public var undecided: Double { Double(predictions.filter { $0 == nil }.count) / Double(max(predictions.count, 1)) }
}

extension Simulator {
    /// Runs every sample of `set` from the initial state: sets the trains of `input`, runs for
    /// `duration` ms, and classifies by `decision` on `readout` (`.maxPotential` adds a state
    /// recording of the readout to the simulator). `progress` is called after each sample with
    /// its index.
    public func run(
        samples set: SampleSet, input: PopulationID, readout: PopulationID, duration: Double,
        decision: SampleDecision = .spikeCount, progress: (Int) -> Void = { _ in }
    ) throws -> SampleRunResult {
        let inputSize = try network.population(input).size
        let readoutSize = try network.population(readout).size
        var recording: Int?
        switch decision {
        case .spikeCount: break
        case .finalPotential:
            let population = try network.population(readout)
            guard !population.isSource else {
                throw VolleyError.invalidParameter(name: "readout", value: population.name, reason: "a source population has no potential")
            }
        case let .maxPotential(every):
            try VolleyError.require("potential sampling interval", every, "must be > 0 ms and finite") { $0 > 0 && $0.isFinite }
            reset()
            recording = try recordPotentials(of: readout, neurons: Array(0..<readoutSize), every: every)
        }
        var result = SampleRunResult(predictions: [], labels: [], spikes: 0, synapticEvents: 0, wallSeconds: 0)
        for (k, sample) in set.samples.enumerated() {
            guard sample.trainsMs.count == inputSize else {
                throw VolleyError.invalidParameter(
                    name: "samples[\(k)].trains_ms", value: "\(sample.trainsMs.count) trains",
                    reason: "population '\(set.population)' has \(inputSize) neurons")
            }
            reset()
            try setSpikeTrains(sample.trainsMs, for: input)
            try run(until: duration)
            switch decision {
            case .spikeCount:
                let counts = try spikeCounts(of: readout)
                let best = counts.max() ?? 0
                result.predictions.append(best > 0 ? counts.firstIndex(of: best) : nil)
            case .finalPotential:
                result.predictions.append(Self.uniqueMaximum(try (0..<readoutSize).map { try potential(of: readout, neuron: $0) }))
            case .maxPotential:
                let traces = stateRecordings[recording.unsafelyUnwrapped].potentials
                result.predictions.append(Self.uniqueMaximum(traces.map { $0.max() ?? -.infinity }))
            }
            result.labels.append(sample.label)
            result.spikes += Int(counters.spikes)
            result.synapticEvents += counters.synapticEvents
            result.wallSeconds += wallSeconds
            progress(k)
        }
        return result
    }
}

extension Simulator {
    /// The index of the largest value if exactly one neuron has it, else nil.
    static func uniqueMaximum(_ values: [Double]) -> Int? {
        guard let best = values.max(), values.filter({ $0 == best }).count == 1 else { return nil }
        return values.firstIndex(of: best)
    }
}
