import Foundation

extension EventPropNetwork {
    /// The readout's zₖ (potentials, first-spike times or time-weighted spike counts, as `loss`
    /// defines them) when the same `Network` runs in the time-stepped engine at `dt`: the maximum
    /// or mean of the potentials sampled every step, or the spikes' grid times. What exactness
    /// buys is the difference to the event-driven engine's classification (`run`).
    public func steppedLogits(inputs: [[Double]], duration: Double, loss: EventPropLoss, dt: Double) throws -> [Double] {
        let (net, ids) = try makeNetwork(inputs: inputs)
        let sim = try TimeSteppedSimulator(network: net, dt: dt)
        let readout = ids[ids.count - 1], n = layers[layers.count - 1].size
        let vRest = layers[layers.count - 1].model.vRest
        if !loss.readoutSpikes { _ = try sim.recordPotentials(of: readout, neurons: Array(0..<n), every: dt) }
        try sim.run(until: duration)
        switch loss {
        case .maxPotential:
            return sim.stateRecordings[0].potentials.map { ($0.max() ?? vRest) - vRest }
        case .meanPotential:
            return sim.stateRecordings[0].potentials.map { v in v.reduce(0) { $0 + ($1 - vRest) } / Double(max(v.count, 1)) }
        case .firstSpike:
            var first = [Double](repeating: duration, count: n)
            let (neurons, times) = try sim.spikes(of: readout)
            for (j, t) in zip(neurons, times) where t < first[Int(j)] { first[Int(j)] = t }
            return first
        case .spikeCount:
            var count = [Double](repeating: 0, count: n)
            let (neurons, times) = try sim.spikes(of: readout)
            for (j, t) in zip(neurons, times) where t < duration { count[Int(j)] += 1 - t / duration }
            return count
        }
    }

    /// The predicted class of `steppedLogits`.
    public func steppedPrediction(inputs: [[Double]], duration: Double, loss: EventPropLoss, dt: Double) throws -> Int {
        loss.prediction(try steppedLogits(inputs: inputs, duration: duration, loss: loss, dt: dt))
    }
}
