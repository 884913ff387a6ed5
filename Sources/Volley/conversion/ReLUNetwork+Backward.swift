import Foundation

/// Backpropagation of the softmax cross-entropy through the ReLU network:
///
///     L = −log softmax(z⁽ᴸ⁾)_y,          ∂L/∂z⁽ᴸ⁾ = softmax(z⁽ᴸ⁾) − onehot(y)
///     ∂L/∂x⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀ ∂L/∂z⁽ˡ⁾,       ∂L/∂z⁽ˡ⁻¹⁾ = ∂L/∂x⁽ˡ⁻¹⁾ · H(z⁽ˡ⁻¹⁾)  (hidden learned layers)
///     ∂L/∂W⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ x⁽ˡ⁻¹⁾ᵀ          (a convolution: summed over the positions sharing an entry)
extension ReLUNetwork {
    /// The loss of logits `z` for class `label` and its gradient with respect to `z`.
    public static func crossEntropy(_ z: [Double], label: Int) -> (loss: Double, gradient: [Double]) {
        let top = z.max() ?? 0
        let e = z.map { exp($0 - top) }
        let total = e.reduce(0, +)
        var g = e.map { $0 / total }
        let loss = -log(max(g[label], .leastNormalMagnitude))
        g[label] -= 1
        return (loss, g)
    }

    /// Adds the cross-entropy gradient of one sample (its `activations`) to `gradient` (one array
    /// per layer, shaped as `weights`); returns the loss.
    @discardableResult
    public func accumulateGradient(_ activations: [[Double]], label: Int, into gradient: inout [[Double]]) -> Double {
        let (loss, top) = Self.crossEntropy(activations[layerCount - 1], label: label)
        var delta = top
        var scratch: [Double] = []
        for l in stride(from: layerCount - 1, through: 1, by: -1) {
            let c = connections[l - 1]
            let x = activations[l - 1]
            x.withUnsafeBufferPointer { x in
                delta.withUnsafeBufferPointer { d in
                    gradient[l - 1].withUnsafeMutableBufferPointer { g in
                        switch c.kind {
                        case .dense:
                            let n = d.count
                            for i in 0..<x.count where x[i] != 0 { axpy(n, x[i], d.baseAddress!, g.baseAddress! + i * n) }
                        case .convolution:
                            c.convolution!.accumulateKernelGradient(d.baseAddress!, x.baseAddress!, into: g)
                        case .averagePooling, .maxPooling:
                            break
                        }
                    }
                }
            }
            guard l > 1 else { break }
            var below = [Double](repeating: 0, count: layerSizes[l - 1])
            delta.withUnsafeBufferPointer { d in
                below.withUnsafeMutableBufferPointer { out in
                    switch c.kind {
                    case .dense:
                        let n = d.count
                        weights[l - 1].withUnsafeBufferPointer { w in
                            for i in 0..<out.count {
                                let row = w.baseAddress! + i * n
                                var s = 0.0
                                for j in 0..<n { s += row[j] * d[j] }
                                out[i] = s
                            }
                        }
                    case .convolution:
                        let g = c.convolution!
                        if scratch.count < g.outputHeight * g.outputWidth { scratch = [Double](repeating: 0, count: g.outputHeight * g.outputWidth) }
                        weights[l - 1].withUnsafeBufferPointer { k in
                            scratch.withUnsafeMutableBufferPointer { s in _ = g.transposed(kernel: k, d.baseAddress!, scratch: s, into: out) }
                        }
                    case .averagePooling, .maxPooling:
                        c.pooling!.averageTransposed(d.baseAddress!, into: out)
                    }
                }
            }
            if connections[l - 2].isLearned {
                let z = activations[l - 1]
                for i in below.indices where z[i] <= 0 { below[i] = 0 }
            }
            delta = below
        }
        return loss
    }
}
