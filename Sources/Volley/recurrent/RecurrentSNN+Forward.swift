import Foundation

/// What one trial's forward pass of a `RecurrentSNN` leaves for learning: per step n and
/// recurrent neuron j (index n·size + j) the potential before the reset, the adaptation and the
/// spike; the readout; who fired.
public struct RecurrentActivity: Sendable {
    public let steps: Int
    /// vₙ (mV), before the reset.
    public var potentials: [Double]
    /// ãₙ (spikes, decayed), before the step's spike.
    public var adaptations: [Double]
    /// zₙ: 0 or 1 (σ(s·(vₙ − θₙ)) in the smooth forward pass).
    public var spikes: [Double]
    /// fired[n]: the recurrent neurons that spiked at step n, ascending (hard pass only).
    public var fired: [[Int32]]
    /// yₙ[k] at index n·outputs + k (mV).
    public var readout: [Double]
    /// Synaptic events delivered (a spike times its targets), the engines' count.
    public var synapticEvents: Double = 0
    /// Whether the spikes are the smooth σ(s·(v − θ)) of a gradient check.
    public var smooth = false

    /// Spikes of all recurrent neurons.
    public var spikeCount: Double { spikes.reduce(0, +) }
}

extension RecurrentSNN {
    /// Runs `input` for `steps` steps (the type's equations). `smoothSlope` s replaces the
    /// Heaviside spike by σ(s·(v − θ)) everywhere (reset, adaptation, synapses, readout): for
    /// gradient checks only, as such a network is not what the engines run.
    public func forward(_ input: STBPInput, steps: Int, smoothSlope: Double? = nil) -> RecurrentActivity {
        let n = size, K = outputs, k = constants, theta0 = parameters.vThreshold
        var act = RecurrentActivity(
            steps: steps, potentials: [Double](repeating: 0, count: steps * n), adaptations: [Double](repeating: 0, count: steps * n),
            spikes: [Double](repeating: 0, count: steps * n), fired: [[Int32]](repeating: [], count: steps),
            readout: [Double](repeating: 0, count: steps * K))
        var v = [Double](repeating: 0, count: n), c = v, a = v, summed = v
        var y = [Double](repeating: 0, count: K), ySummed = y
        let vInf = 0.0
        var events = 0.0
        inputWeights.withUnsafeBufferPointer { wIn in
        recurrentWeights.withUnsafeBufferPointer { wRec in
        outputWeights.withUnsafeBufferPointer { wOut in
            for step in 0..<steps {
                // The neurons advance and fire (`AdaptiveLIF`: `LIFExp.freeVoltage` with no
                // inhibitory current, the adaptation's decay; θ = θ₀ + β·ã; subtraction).
                var fired: [Int32] = []
                for j in 0..<n {
                    var vj = v[j], cj = c[j], aj = a[j]
                    if step > 0 {
                        vj = vInf + (vj - vInf) * k.membrane + cj * k.currentToV
                        cj = cj * k.current
                        aj = aj * k.adaptation
                    }
                    let theta = theta0 + beta(j) * aj
                    act.potentials[step * n + j] = vj
                    act.adaptations[step * n + j] = aj
                    if let s = smoothSlope {
                        let z = 1 / (1 + exp(-s * (vj - theta)))
                        act.spikes[step * n + j] = z
                        vj -= z * k.resetStep
                        aj += z
                    } else if vj >= theta {
                        act.spikes[step * n + j] = 1
                        fired.append(Int32(j))
                        vj = vj - (theta0 - 0)
                        aj += 1
                    }
                    v[j] = vj
                    c[j] = cj
                    a[j] = aj
                }
                act.fired[step] = fired
                // The readout advances (`LIFDelta`).
                for q in 0..<K { y[q] = vInf + (y[q] - vInf) * k.readout }
                // Spikes of step − 1 arrive: inputs, then the recurrent neurons, in ascending
                // order, summed per target and added to the currents and the readout.
                if step > 0 {
                    for j in 0..<n { summed[j] = 0 }
                    for q in 0..<K { ySummed[q] = 0 }
                    if step - 1 < input.spikes.count {
                        for i in input.spikes[step - 1] {
                            let row = Int(i) * n
                            for j in 0..<n { summed[j] += wIn[row + j] }
                            events += Double(n)
                        }
                    }
                    if smoothSlope != nil {
                        for i in 0..<n {
                            let zi = act.spikes[(step - 1) * n + i], row = i * n
                            for j in 0..<n { summed[j] += zi * wRec[row + j] }
                            for q in 0..<K { ySummed[q] += zi * wOut[i * K + q] }
                        }
                    } else {
                        for i in act.fired[step - 1] {
                            let row = Int(i) * n
                            for j in 0..<n where j != Int(i) { summed[j] += wRec[row + j] }
                            for q in 0..<K { ySummed[q] += wOut[Int(i) * K + q] }
                            events += Double(n - 1 + K)
                        }
                    }
                    for j in 0..<n { c[j] += summed[j] }
                    for q in 0..<K { y[q] += ySummed[q] }
                }
                for q in 0..<K { act.readout[step * K + q] = y[q] }
            }
        }
        }
        }
        act.synapticEvents = events
        act.smooth = smoothSlope != nil
        return act
    }
}
