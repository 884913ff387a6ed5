import Foundation

/// SpikeProp's gradient (Bohte, Kok & La Poutré 2002): Bohte's linearisation of the membrane
/// potential around each first-spike time, the equations in `SpikePropNetwork`'s comment.
extension SpikePropNetwork {
    /// ε(s) = (s/τ)·e^(1−s/τ) for s > 0.
    @inlinable
    func epsilon(_ s: Double) -> Double { s > 0 ? (s / neuron.tau) * exp(1 - s / neuron.tau) : 0 }

    /// ε′(s) = (1/τ)·e^(1−s/τ)·(1 − s/τ) for s > 0.
    @inlinable
    func epsilonSlope(_ s: Double) -> Double {
        s > 0 ? exp(1 - s / neuron.tau) * (1 - s / neuron.tau) / neuron.tau : 0
    }

    /// Loss ½Σ(tⱼ − t̂ⱼ)² and its gradient for one sample. Silent outputs count as firing at
    /// `options.silentTime` in the loss; their gradient is the revival rule (see
    /// `SpikePropOptions`). `gradient` is accumulated into (same shapes as `weights`).
    public func lossAndGradient(
        _ activity: SpikePropActivity, targets: [Double], options: SpikePropOptions,
        gradient: inout [[Double]]
    ) -> Double {
        let L = layerCount - 1
        let K = terminals
        var loss = 0.0
        // dE/dt of the current layer's neurons.
        var g = [Double](repeating: 0, count: layerSizes[L])
        if let temperature = options.crossEntropyTemperature {
            // ∂L/∂tⱼ = (δⱼc − pⱼ)/T with p = softmax(−t/T).
            let times = activity.times[L].map { $0.isFinite ? $0 : options.silentTime }
            let c = targets.indices.min { targets[$0] < targets[$1] }!
            let m = times.min()!
            let e = times.map { exp(-($0 - m) / temperature) }
            let z = e.reduce(0, +)
            loss += -log(e[c] / z)
            for j in times.indices where activity.times[L][j].isFinite {
                g[j] = ((j == c ? 1 : 0) - e[j] / z) / temperature
            }
        }
        for j in 0..<layerSizes[L] where options.crossEntropyTemperature == nil {
            let t = activity.times[L][j]
            let target = targets[j]
            if t.isFinite {
                var e = t - target
                if options.relaxLateTargets && target >= options.lateTarget && e > 0 { e = 0 }
                g[j] = e
                loss += 0.5 * e * e
            } else {
                let e = options.silentTime - target
                if !(options.relaxLateTargets && target >= options.lateTarget) { loss += 0.5 * e * e }
            }
        }
        if options.weightDecay > 0 {
            for l in weights.indices {
                for (i, w) in weights[l].enumerated() {
                    gradient[l][i] += options.weightDecay * w
                    loss += 0.5 * options.weightDecay * w * w
                }
            }
        }
        let tau = neuron.tau
        var arrivalExp = [Double](repeating: 0, count: 0)
        for l in stride(from: L, to: 0, by: -1) {
            let pre = activity.times[l - 1]
            let n = layerSizes[l - 1]
            // e^(1 − (tⱼ − a)/τ) = e^(1 − tⱼ/τ) · e^(a/τ) for every arrival a = tᵢ + dᵏ: one
            // exponential per arrival, shared by all neurons of layer l.
            arrivalExp.removeAll(keepingCapacity: true)
            for i in 0..<n {
                for k in 0..<K { arrivalExp.append(pre[i].isFinite ? exp((pre[i] + delays[k]) / tau) : 0) }
            }
            var gPre = [Double](repeating: 0, count: n)
            for j in 0..<layerSizes[l] {
                let tj = activity.times[l][j]
                let base = j * n * K
                if !tj.isFinite {
                    // Revival: a silent output that should fire, or a silent hidden neuron, gets
                    // its weights raised in proportion to their contribution at a reference time.
                    let isOutput = l == L
                    let shouldFire = !isOutput || !(options.relaxLateTargets && targets[j] >= options.lateTarget)
                    guard options.revival > 0 && shouldFire else { continue }
                    let reference = isOutput ? targets[j] : options.hiddenReferenceTime
                    for i in 0..<n where pre[i].isFinite {
                        for k in 0..<K {
                            gradient[l - 1][base + i * K + k] -= options.revival * epsilon(reference - pre[i] - delays[k])
                        }
                    }
                    continue
                }
                let gj = g[j]
                guard gj != 0 else { continue }
                let fj = exp(1 - tj / tau)
                // Dⱼ = Σ w·ε′(s) with ε′(s) = e^(1−s/τ)(1 − s/τ)/τ over causal terminals (s > 0).
                var slope = 0.0
                for i in 0..<n where pre[i].isFinite {
                    for k in 0..<K {
                        let s = tj - pre[i] - delays[k]
                        if s <= 0 { continue }
                        let idx = i * K + k
                        slope += weights[l - 1][base + idx] * fj * arrivalExp[idx] * (1 - s / tau) / tau
                    }
                }
                let d = Swift.max(slope, options.minimumSlope)
                for i in 0..<n where pre[i].isFinite {
                    var dtdti = 0.0
                    for k in 0..<K {
                        let s = tj - pre[i] - delays[k]
                        if s <= 0 { continue }
                        let idx = i * K + k
                        let e = fj * arrivalExp[idx]
                        gradient[l - 1][base + idx] -= gj * (s / tau) * e / d
                        dtdti += weights[l - 1][base + idx] * e * (1 - s / tau) / tau
                    }
                    gPre[i] += gj * dtdti / d
                }
            }
            g = gPre
        }
        return loss
    }

    /// Index of the earliest-firing output neuron (ties: lowest index), or nil if all are silent.
    public static func earliest(_ outputs: [Double]) -> Int? {
        var best: Int? = nil
        for (j, t) in outputs.enumerated() where t.isFinite && (best == nil || t < outputs[best!]) { best = j }
        return best
    }
}
