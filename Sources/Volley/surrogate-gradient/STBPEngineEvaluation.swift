import Foundation

/// A trained `STBPNetwork` run sample by sample as an ordinary `Network` in one of the engines:
/// accuracy and synaptic events per sample, counted by the engine. The class is the unique highest
/// score (ties undecided, or decided by the first output spike: `STBPNetwork.tieBreak`): the
/// output spike counts, or with the `.potential` readout the mean of the output layer's potential
/// above rest sampled every network dt from 0 to `end` — after the inputs at each sample time, as
/// the training pass's aₙ — by the engine's state recording.
/// Parallel over eight fixed chunks of the samples, one simulator per chunk, so the result does
/// not depend on the thread count.
public struct STBPEngineEvaluation: Sendable {
    public enum Engine: Sendable, Equatable {
        /// The exact event-driven engine.
        case eventDriven
        /// The time-stepped engine with this dt (ms).
        case timeStepped(dt: Double)
    }

    public let engine: Engine
    public let samples: Int
    public let accuracy: Double
    public let synapticEventsPerSample: Double
    public let wallSeconds: Double

    /// Runs the first `count` samples: sample i is the input spike trains `trains(i)` (ms, one per
    /// input neuron), simulated until `end` ms.
    public static func run(
        _ network: STBPNetwork, engine: Engine, count: Int, labels: [Int], until end: Double,
        trains: @Sendable (Int) -> [[Double]]
    ) throws -> STBPEngineEvaluation {
        guard count >= 1, labels.count >= count else {
            throw VolleyError.invalidParameter(name: "count", value: "\(count)", reason: "need 1…\(labels.count) labelled samples")
        }
        let t0 = Date()
        let (net, layers) = try network.engineNetwork()
        let chunks = 8
        let parts = try parallelMap(chunks) { c in
            Result { () throws -> (Int, UInt64) in
                let output = layers[layers.count - 1]
                // The first-spike tie-break needs the output layer's spike times.
                let timed = network.readout == .spikeCount && network.tieBreak == .firstSpike
                let recording: SpikeRecording = timed ? .only([output]) : .none
                let sim: Simulator
                switch engine {
                case .eventDriven: sim = try EventDrivenSimulator(network: net, recording: recording)
                case let .timeStepped(dt): sim = try TimeSteppedSimulator(network: net, dt: dt, recording: recording)
                }
                let outputSize = network.layerSizes[network.layerCount - 1]
                if network.readout == .potential {
                    try sim.recordPotentials(of: output, neurons: Array(0..<outputSize), every: network.dt)
                }
                var hits = 0
                var events: UInt64 = 0
                var i = c
                while i < count {
                    sim.reset()
                    try sim.setSpikeTrains(trains(i), for: layers[0])
                    try sim.run(until: end)
                    let z = try scores(network, sim, output: output)
                    let d = timed ? STBPNetwork.decision(z, firstSpikes: try firstSpikes(sim, output: output, size: outputSize)) : STBPNetwork.decision(z)
                    if d == labels[i] { hits += 1 }
                    events += sim.counters.synapticEvents
                    i += chunks
                }
                return (hits, events)
            }
        }.map { try $0.get() }
        return STBPEngineEvaluation(
            engine: engine, samples: count, accuracy: Double(parts.reduce(0) { $0 + $1.0 }) / Double(count),
            synapticEventsPerSample: Double(parts.reduce(0) { $0 + $1.1 }) / Double(count), wallSeconds: Date().timeIntervalSince(t0))
    }

    /// The time (ms) of each output neuron's first spike in the run `sim` just finished (+∞ if
    /// it never fired); `sim` must record the output layer's spikes.
    static func firstSpikes(_ sim: Simulator, output: PopulationID, size: Int) throws -> [Double] {
        var first = [Double](repeating: .infinity, count: size)
        let (neurons, times) = try sim.spikes(of: output)
        for (k, t) in zip(neurons, times) where t < first[Int(k)] { first[Int(k)] = t }
        return first
    }

    /// Class scores of the run `sim` just finished (see the type's comment); with the `.potential`
    /// readout, `sim`'s first state recording must be the whole output layer's, every network dt.
    static func scores(_ network: STBPNetwork, _ sim: Simulator, output: PopulationID) throws -> [Double] {
        switch network.readout {
        case .spikeCount: return try sim.spikeCounts(of: output).map(Double.init)
        case .potential:
            // Summed as `STBPNetwork.scores` sums the training pass's potentials.
            return sim.stateRecordings[0].potentials.map { v in
                v.reduce(0) { $0 + ($1 - network.neuron.vRest) / Double(v.count) }
            }
        }
    }
}
