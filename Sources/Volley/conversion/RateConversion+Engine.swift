import Foundation

/// The converted rate network in the engines, sample by sample.
extension RateConversion {
    /// Runs sample `index` (pixels `x`) in one engine and returns the class scores (count + V/θ
    /// of the output neurons) after each checkpoint step, and the non-input spikes by then.
    /// `base` is `network.engineNetwork()`. Poisson input enters as the input source's spike
    /// trains; the constant current as a one-neuron clock source firing at 0, dt, …, connected to
    /// every first-layer neuron with weight Σᵢ Ŵᵢⱼxᵢ and delay dt (so that network is per sample).
    public func engineScores(
        _ x: [Double], index: Int, checkpoints: [Int], engine: STBPEngineEvaluation.Engine,
        base: (Network, layers: [PopulationID])
    ) throws -> (scores: [[Double]], spikes: [Int]) {
        let sorted = checkpoints.sorted()
        guard let last = sorted.last, sorted.first! >= 0 else {
            throw VolleyError.invalidParameter(name: "checkpoints", value: "\(checkpoints)", reason: "need steps ≥ 0")
        }
        var (net, layers) = base
        let dt = network.dt
        switch input {
        case .current:
            let clock = try net.addSpikeSource("clock", trains: [(0..<last).map { Double($0) * dt }])
            let drive = firstLayerCurrent(x)
            try net.connect(clock, to: layers[1], synapses: drive.indices.map { Synapse(source: 0, target: $0, weight: drive[$0], delay: dt) })
        case .poisson:
            break
        }
        let sim: Simulator
        switch engine {
        case .eventDriven: sim = try EventDrivenSimulator(network: net, recording: .none, threads: 1)
        case let .timeStepped(stepDt): sim = try TimeSteppedSimulator(network: net, dt: stepDt, recording: .none, threads: 1)
        }
        if input == .poisson { try sim.setSpikeTrains(poissonInput(x, steps: last, index: index).spikeTrains(size: network.layerSizes[0], dt: dt), for: layers[0]) }
        let output = layers[layers.count - 1]
        let classes = network.layerSizes[network.layerCount - 1]
        let theta = network.neuron.vThreshold
        var scores: [[Double]] = []
        var spikes: [Int] = []
        for c in sorted {
            try sim.run(until: Double(c) * dt)
            let counts = try sim.spikeCounts(of: output)
            scores.append(try (0..<classes).map { Double(counts[$0]) + (try sim.potential(of: output, neuron: $0)) / theta })
            spikes.append(try layers.dropFirst().reduce(0) { $0 + (try sim.spikeCount(of: $1)) })
        }
        return (scores, spikes)
    }
}
