import Foundation

/// A trained `STBPNetwork` run sample by sample as an ordinary `Network` in one of the engines:
/// accuracy and synaptic events per sample, counted by the engine. The class is the unique highest
/// score (ties undecided): the output spike counts, or with the `.potential` readout the mean of
/// the output layer's potential above rest sampled every network dt from 0 to `end` — after the
/// inputs at each sample time, as the training pass's aₙ — by the engine's state recording.
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
                let sim: Simulator
                switch engine {
                case .eventDriven: sim = try EventDrivenSimulator(network: net, recording: .none)
                case let .timeStepped(dt): sim = try TimeSteppedSimulator(network: net, dt: dt, recording: .none)
                }
                let output = layers[layers.count - 1]
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
                    if STBPNetwork.decision(try scores(network, sim, output: output)) == labels[i] { hits += 1 }
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
