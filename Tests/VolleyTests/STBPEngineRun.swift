@testable import Volley

/// One sample through an `STBPNetwork`'s training forward pass and through `TimeSteppedSimulator`
/// running its `engineNetwork()`: the spikes of every non-input layer from both, as "step neuron"
/// strings in the order each records them (shared by STBPTests and STBPDynamicsTests).
struct STBPEngineRun {
    let activity: STBPActivity
    let simulator: TimeSteppedSimulator
    let layers: [PopulationID]
    /// engineSpikes[l − 1], trainingSpikes[l − 1]: the spikes of layer l.
    let engineSpikes: [[String]]
    let trainingSpikes: [[String]]

    init(_ net: STBPNetwork, input: STBPInput, steps: Int) throws {
        activity = net.forward(input, steps: steps)
        let (engineNet, layers) = try net.engineNetwork()
        simulator = try TimeSteppedSimulator(network: engineNet, dt: net.dt)
        try simulator.setSpikeTrains(input.spikeTrains(size: net.layerSizes[0], dt: net.dt), for: layers[0])
        try simulator.run(until: Double(steps - 1) * net.dt)
        self.layers = layers
        var engine: [[String]] = []
        for l in 1..<net.layerCount {
            let (cells, times) = try simulator.spikes(of: layers[l])
            engine.append(zip(times, cells).map { "\(Int(($0 / net.dt).rounded())) \($1)" })
        }
        engineSpikes = engine
        trainingSpikes = activity.fired.map { $0.enumerated().flatMap { n, js in js.map { "\(n) \($0)" } } }
    }
}
