import Foundation

/// Losses on the class scores z of the readout (spike counts, or mean potentials).
public enum STBPLoss: String, Sendable, CaseIterable {
    /// Cross-entropy of softmax(z) against the label.
    case crossEntropy = "ce"
    /// STBP's mean squared error on output firing rates, ½ Σₖ (cₖ/N − yₖ)² (spike-count readout;
    /// N steps, y one-hot).
    case rateMSE = "mse"
}

extension STBPNetwork {
    /// Class scores of a forward pass: spike counts, or mean potentials above rest.
    public func scores(_ a: STBPActivity) -> [Double] {
        let size = layerSizes[layerCount - 1]
        switch readout {
        case .spikeCount: return a.outputCounts(size: size)
        case .potential:
            let v = a.potentials[a.potentials.count - 1]
            var z = [Double](repeating: 0, count: size)
            for n in 0..<a.steps { for k in 0..<size { z[k] += (v[n * size + k] - neuron.vRest) / Double(a.steps) } }
            return z
        }
    }

    /// Loss of one sample and its gradient with respect to the scores.
    public func loss(_ z: [Double], label: Int, _ loss: STBPLoss, steps: Int) -> (Double, [Double]) {
        switch loss {
        case .crossEntropy:
            let top = z.max() ?? 0
            let e = z.map { exp($0 - top) }
            let total = e.reduce(0, +)
            var g = e.map { $0 / total }
            let l = -log(max(g[label], .leastNonzeroMagnitude))
            g[label] -= 1
            return (l, g)
        case .rateMSE:
            let n = Double(steps)
            var l = 0.0
            var g = [Double](repeating: 0, count: z.count)
            for k in z.indices {
                let d = z[k] / n - (k == label ? 1 : 0)
                l += 0.5 * d * d
                g[k] = d / n
            }
            return (l, g)
        }
    }
}
