import Foundation

/// Runs samples through one `EventPropNetwork` in one event-driven simulator, reused from
/// sample to sample (reset, new input trains), with the backward pass's workspace.
public final class EventPropRunner {
    public let network: EventPropNetwork
    let simulator: EventDrivenSimulator
    let ids: [PopulationID]
    var workspace: EventPropWorkspace

    public init(_ network: EventPropNetwork) throws {
        try network.validate()
        self.network = network
        let (net, ids) = try network.makeNetwork(inputs: [[Double]](repeating: [], count: network.inputSize))
        simulator = try EventDrivenSimulator(network: net)
        self.ids = ids
        workspace = EventPropWorkspace(network)
    }

    /// One sample, its gradient per projection and synapse (with `gradient`); `spikeTimeCost`:
    /// per LIF neuron (all layers, in order) the coefficient cⱼ of a regularisation Σₖ cⱼ·tⱼₖ
    /// (`EventPropRegulariser`), or empty.
    public func run(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, spikeTimeCost: [Double] = [], gradient: Bool = true
    ) throws -> EventPropResult {
        guard spikeTimeCost.isEmpty || spikeTimeCost.count == workspace.neuronCount else {
            throw VolleyError.invalidParameter(name: "spikeTimeCost", value: "\(spikeTimeCost.count) coefficients", reason: "the network has \(workspace.neuronCount) LIF neurons")
        }
        guard gradient else { return try forward(inputs: inputs, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: nil, gd: nil) }
        let total = workspace.weights.count
        var gw = [Double](repeating: 0, count: total), gd = gw
        var result = try gw.withUnsafeMutableBufferPointer { w in
            try gd.withUnsafeMutableBufferPointer { d in
                try forward(inputs: inputs, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: w.baseAddress, gd: d.baseAddress)
            }
        }
        let base = workspace.synapseBase
        result.weightGradients = network.projections.indices.map { Array(gw[base[$0]..<base[$0 + 1]]) }
        result.delayGradients = network.projections.indices.map { Array(gd[base[$0]..<base[$0 + 1]]) }
        return result
    }

    /// One sample; its gradient is added into `gw`, `gd` (flat over the projections' synapses,
    /// in order) when given.
    func forward(
        inputs: [[Double]], label: Int, duration: Double, loss: EventPropLoss, spikeTimeCost: [Double] = [],
        gw: UnsafeMutablePointer<Double>?, gd: UnsafeMutablePointer<Double>?
    ) throws -> EventPropResult {
        try network.checkSample(label: label, duration: duration, loss: loss)
        guard inputs.count == network.inputSize else {
            throw VolleyError.invalidParameter(name: "inputs", value: "\(inputs.count) trains", reason: "the network has \(network.inputSize) inputs")
        }
        simulator.reset()
        try simulator.setSpikeTrains(inputs, for: ids[0])
        try simulator.run(until: duration)
        let spikes = try ids.dropFirst().map { try simulator.spikes(of: $0) }
        return workspace.sample(inputs: inputs, layerSpikes: spikes, label: label, duration: duration, loss: loss, spikeTimeCost: spikeTimeCost, gw: gw, gd: gd)
    }
}

extension EventPropRunner {
    /// Spikes of each LIF neuron (all layers, in order) in the last sample run.
    func addSpikeCounts(to counts: inout [Double]) {
        let start = workspace.spikeStart
        for n in 0..<workspace.neuronCount { counts[n] += Double(start[n + 1] - start[n]) }
    }
}
