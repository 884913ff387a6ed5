import Foundation

/// What one sample's forward pass leaves for the backward pass: per non-input layer, the
/// potentials before reset and the spikes of every step.
public struct STBPActivity: Sendable {
    /// potentials[l − 1][n·size + j]: aₙ of neuron j of layer l (mV).
    public var potentials: [[Double]]
    /// spikes[l − 1][n·size + j]: sₙ (0 or 1; σ(β(a − θ)) in the smooth forward pass).
    public var spikes: [[Double]]
    /// fired[l − 1][n]: the neurons of layer l that spiked at step n, ascending (hard pass only).
    public var fired: [[[Int32]]]
    /// currents[l − 1][n·size + j]: cₙ after the step's input (exponential synapses; else empty).
    public var currents: [[Double]] = []
    /// thresholds[l − 1][n·size + j]: θₙ (adaptive neurons; else empty).
    public var thresholds: [[Double]] = []
    /// The dropout mask the pass ran with (training only; `STBPDropout`), or nil.
    public var dropout: STBPDropout? = nil
    public let steps: Int
    /// Floating-point operations the pass performed (adds of the synaptic input, the neurons'
    /// updates; counted per call by formula, for the GFLOP/s of training).
    public var flops: Double = 0

    /// Spikes of each output neuron over all steps (class scores of the spike-count readout).
    public func outputCounts(size: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: size)
        let s = spikes[spikes.count - 1]
        for n in 0..<steps { for j in 0..<size { counts[j] += s[n * size + j] } }
        return counts
    }

    /// The step of each output neuron's first spike (+∞ if it never fired).
    public func outputFirstSpikes(size: Int) -> [Double] {
        var first = [Double](repeating: .infinity, count: size)
        let s = spikes[spikes.count - 1]
        for n in (0..<steps).reversed() { for j in 0..<size where s[n * size + j] != 0 { first[j] = Double(n) } }
        return first
    }

    /// Spikes of all non-input neurons.
    public var spikeCount: Double { spikes.reduce(0) { $0 + $1.reduce(0, +) } }
}

extension STBPNetwork {
    /// Runs `steps` steps on `input` (see the type's equations). `smoothSlope` β replaces the
    /// Heaviside spike by σ(β(a − θ)) and the reset by its convex combination (for gradient
    /// checks only: such a network is not what the engines run). `dropout` masks what hidden layers
    /// transmit (training only; `STBPDropout`, validated by the caller).
    public func forward(_ input: STBPInput, steps: Int, smoothSlope: Double? = nil, dropout: STBPDropout? = nil) -> STBPActivity {
        let layers = layerCount - 1
        let zeros = { (l: Int) in [Double](repeating: 0, count: steps * self.layerSizes[l]) }
        var activity = STBPActivity(
            potentials: (1...layers).map(zeros), spikes: (1...layers).map(zeros),
            fired: (1...layers).map { _ in [[Int32]](repeating: [], count: steps) }, steps: steps)
        let withCurrent = synapse != .delta
        if withCurrent { activity.currents = (1...layers).map(zeros) }
        if adaptation != nil { activity.thresholds = (1...layers).map(zeros) }
        activity.dropout = dropout
        let vInf = neuron.vRest + neuron.bias
        let models = (1...layers).map { model(ofLayer: $0) }
        let constants = (1...layers).map { self.constants(ofLayer: $0) }
        var state = (1...layers).map { [Double](repeating: neuron.vRest, count: layerSizes[$0]) }
        var dynamics = (1...layers).map { STBPLayerState(size: layerSizes[$0], current: withCurrent, adaptive: adaptation != nil) }
        var synapticInput = (1...layers).map { [Double](repeating: 0, count: layerSizes[$0]) }
        for n in 0..<steps {
            for l in 1...layers {
                let size = layerSizes[l], m = models[l - 1], offset = n * size
                let spiking = !(readout == .potential && l == layers)
                // Iₙ from the previous layer's spikes at n − 1, summed in ascending source order.
                let sources: [Int32] = n == 0 ? [] : l == 1 ? (n - 1 < input.spikes.count ? input.spikes[n - 1] : []) : activity.fired[l - 2][n - 1]
                let smooth: [Double]? = n > 0 && l > 1 && smoothSlope != nil ? activity.spikes[l - 2] : nil
                let mask = l > 1 ? activity.dropoutFactors(ofLayer: l - 1) : nil
                if withCurrent {
                    // The neurons advance and fire; then the step's input adds to the decayed
                    // currents (LIFExp's lanes: one synapse after the other onto the current;
                    // AdaptiveLIF: the summed input onto it).
                    let fired = STBPNetwork.update(
                        &state[l - 1], &dynamics[l - 1], potentials: &activity.potentials[l - 1], spikes: &activity.spikes[l - 1],
                        thresholds: &activity.thresholds, layer: l - 1, offset: offset, n: n, vInf: vInf, constants: constants[l - 1],
                        model: m, spiking: spiking, smoothSlope: smoothSlope)
                    activity.fired[l - 1][n] = fired
                    if n > 0 {
                        if adaptation == nil {
                            activity.flops += accumulate(into: l, sources: sources, smooth: smooth, mask: mask, step: n - 1, &dynamics[l - 1].current)
                        } else {
                            synapticInput[l - 1].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                            activity.flops += accumulate(into: l, sources: sources, smooth: smooth, mask: mask, step: n - 1, &synapticInput[l - 1])
                            synapticInput[l - 1].withUnsafeBufferPointer { input in
                                dynamics[l - 1].current.withUnsafeMutableBufferPointer { c in for j in 0..<size { c[j] += input[j] } }
                            }
                        }
                    }
                    dynamics[l - 1].current.withUnsafeBufferPointer { c in
                        activity.currents[l - 1].withUnsafeMutableBufferPointer { out in for j in 0..<size { out[offset + j] = c[j] } }
                    }
                    activity.flops += Double(size * (n > 0 ? (adaptation == nil ? 7 : 10) : 1))
                    continue
                }
                synapticInput[l - 1].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                if n > 0 { activity.flops += accumulate(into: l, sources: sources, smooth: smooth, mask: mask, step: n - 1, &synapticInput[l - 1]) }
                let fired = STBPNetwork.update(
                    &state[l - 1], input: synapticInput[l - 1], potentials: &activity.potentials[l - 1], spikes: &activity.spikes[l - 1],
                    offset: offset, n: n, vInf: vInf, decay: constants[l - 1].membrane, model: m, spiking: spiking, smoothSlope: smoothSlope)
                activity.fired[l - 1][n] = fired
                activity.flops += Double(size * (n > 0 ? 4 : 1))
            }
        }
        return activity
    }

    /// One step of one layer's neurons (the type's equations); returns who fired, ascending.
    static func update(
        _ state: inout [Double], input: [Double], potentials: inout [Double], spikes: inout [Double], offset: Int, n: Int,
        vInf: Double, decay: Double, model m: LIFDelta, spiking: Bool, smoothSlope: Double?
    ) -> [Int32] {
        var fired: [Int32] = []
        state.withUnsafeMutableBufferPointer { state in
            input.withUnsafeBufferPointer { input in
                potentials.withUnsafeMutableBufferPointer { potentials in
                    spikes.withUnsafeMutableBufferPointer { spikes in
                        if smoothSlope == nil {
                            // The hard pass without the smooth branch: the same operations.
                            let threshold = m.vThreshold
                            let toValue = m.reset == .toValue, vReset = m.vReset, jump = m.vThreshold - m.vReset
                            for j in 0..<state.count {
                                var v = state[j]
                                if n > 0 { v = vInf + (v - vInf) * decay }
                                v += input[j]
                                potentials[offset + j] = v
                                if spiking && v >= threshold {
                                    spikes[offset + j] = 1
                                    fired.append(Int32(j))
                                    state[j] = toValue ? vReset : v - jump  // LIFDelta.fire
                                } else {
                                    state[j] = v
                                }
                            }
                            return
                        }
                        for j in 0..<state.count {
                            var v = state[j]
                            if n > 0 { v = vInf + (v - vInf) * decay }
                            v += input[j]
                            potentials[offset + j] = v
                            if let beta = smoothSlope, spiking {
                                let s = 1 / (1 + exp(-beta * (v - m.vThreshold)))
                                spikes[offset + j] = s
                                state[j] = m.smoothReset(v, spike: s)
                            } else if spiking && v >= m.vThreshold {
                                spikes[offset + j] = 1
                                fired.append(Int32(j))
                                var after = LIFDelta.State(v: v)
                                m.fire(&after, at: 0)
                                state[j] = after.v
                            } else {
                                state[j] = v
                            }
                        }
                    }
                }
            }
        }
        return fired
    }

    /// Adds Iₙ of layer l to `acc`: the weights from each source that spiked (listed ascending), or
    /// with `smooth` the weights times every source's smooth spike of that step; with a dropout
    /// `mask`, each source's weights times its factor (none from a dropped source). Returns the
    /// floating-point operations done.
    @discardableResult
    func accumulate(into l: Int, sources: [Int32], smooth: [Double]?, mask: [Double]? = nil, step: Int, _ acc: inout [Double]) -> Double {
        if let mask { return maskedAccumulate(into: l, sources: sources, smooth: smooth, mask: mask, step: step, &acc) }
        let size = layerSizes[l], pre = layerSizes[l - 1]
        let values = weightValues(into: l)
        var flops = 0
        if smooth != nil {
            flops = 2 * synapseCount(l - 1)
        } else {
            for i in sources { flops += outDegree(layer: l - 1, neuron: Int(i)) }
        }
        values.withUnsafeBufferPointer { w in
            acc.withUnsafeMutableBufferPointer { acc in
                if let table = tables[l - 1] {
                    table.targets.withUnsafeBufferPointer { target in
                        table.weightIndex.withUnsafeBufferPointer { entry in
                            if let s = smooth {
                                for i in 0..<pre {
                                    let si = s[step * pre + i]
                                    for k in table.row(i) { acc[Int(target[k])] += si * w[Int(entry[k])] }
                                }
                            } else {
                                for i in sources {
                                    for k in table.row(Int(i)) { acc[Int(target[k])] += w[Int(entry[k])] }
                                }
                            }
                        }
                    }
                } else if let s = smooth {
                    for i in 0..<pre { axpy(size, s[step * pre + i], w.baseAddress! + i * size, acc.baseAddress!) }
                } else {
                    for i in sources { add(size, w.baseAddress! + Int(i) * size, acc.baseAddress!) }
                }
            }
        }
        return Double(flops)
    }

    /// `accumulate` with the dropout factors mᵢ of the sources (`STBPDropout`; dense connections only).
    private func maskedAccumulate(into l: Int, sources: [Int32], smooth: [Double]?, mask m: [Double], step: Int, _ acc: inout [Double]) -> Double {
        let size = layerSizes[l], pre = layerSizes[l - 1]
        var flops = 0
        weights[l - 1].withUnsafeBufferPointer { w in
            acc.withUnsafeMutableBufferPointer { acc in
                if let s = smooth {
                    for i in 0..<pre where m[i] != 0 { axpy(size, s[step * pre + i] * m[i], w.baseAddress! + i * size, acc.baseAddress!) }
                    flops = 2 * synapseCount(l - 1)
                } else {
                    for i in sources where m[Int(i)] != 0 {
                        axpy(size, m[Int(i)], w.baseAddress! + Int(i) * size, acc.baseAddress!)
                        flops += 2 * size
                    }
                }
            }
        }
        return Double(flops)
    }
}
