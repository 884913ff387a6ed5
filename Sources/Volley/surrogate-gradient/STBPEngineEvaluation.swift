import Foundation

/// A trained `STBPNetwork` run sample by sample as an ordinary `Network` in one of the engines:
/// accuracy (class of the highest output spike count, ties undecided) and synaptic events per
/// sample, counted by the engine. Parallel over eight fixed chunks of the samples, one simulator
/// per chunk, so the result does not depend on the thread count.
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
        guard network.readout == .spikeCount else {
            throw VolleyError.invalidParameter(name: "readout", value: network.readout.rawValue, reason: "the engines report spikes: needs the spike-count readout")
        }
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
                var hits = 0
                var events: UInt64 = 0
                var i = c
                while i < count {
                    sim.reset()
                    try sim.setSpikeTrains(trains(i), for: layers[0])
                    try sim.run(until: end)
                    if STBPNetwork.decision(try sim.spikeCounts(of: layers[layers.count - 1]).map(Double.init)) == labels[i] { hits += 1 }
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
}
