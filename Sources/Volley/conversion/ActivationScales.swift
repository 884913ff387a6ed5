import Foundation

/// Per-layer activation scales λₗ for data-based weight normalisation of a ReLU network before
/// conversion: the largest activation of each layer on training data (Diehl et al., *Fast-classifying,
/// high-accuracy spiking deep networks through weight and threshold balancing*, IJCNN 2015), or a
/// high percentile of its positive activations, which ignores rare outliers (Rueckauer et al. 2017:
/// the 99.9th). The normalised network has weights
///
///     Ŵ⁽ˡ⁾ = W⁽ˡ⁾ · λₗ₋₁ / λₗ,     λ₀ = 1 (inputs in [0, 1])
///
/// so its activations are the original ones divided by λₗ, mostly in [0, 1]: a spike rate per step
/// of an IF neuron with threshold 1, or a spike time in a layer window. A pooling layer keeps the
/// scale of its input (its fixed weights average; they are not rescaled).
public struct ActivationScales: Sendable, Equatable {
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        case maximum
        /// The p-th percentile (0 < p ≤ 100) of the positive activations of each layer.
        case percentile(Double)

        public var description: String {
            switch self {
            case .maximum: return "max"
            case let .percentile(p): return p == p.rounded() && abs(p) < 1e6 ? "p\(Int(p))" : "p\(p)"
            }
        }
    }

    /// λₗ for every layer, inputs first (λ₀ = 1).
    public let scales: [Double]
    public let method: Method

    public init(scales: [Double], method: Method) {
        self.scales = scales
        self.method = method
    }

    /// Measures the scales of `network` on `count` samples made by `sample(i)` (training data).
    public static func measure(
        _ network: ReLUNetwork, method: Method, count: Int, sample: @Sendable (Int) -> [Double]
    ) throws(VolleyError) -> ActivationScales {
        guard count >= 1 else { throw VolleyError.invalidParameter(name: "count", value: "\(count)", reason: "need ≥ 1 sample") }
        if case let .percentile(p) = method, !(p > 0 && p <= 100) {
            throw VolleyError.invalidParameter(name: "percentile", value: "\(p)", reason: "must be in (0, 100]")
        }
        let layers = network.layerCount
        // Per chunk and layer: the maximum, and (percentile) the positive activations as Float.
        let chunks = 8
        let parts = parallelMap(chunks) { c -> ([Double], [[Float]]) in
            var top = [Double](repeating: 0, count: layers)
            var values = [[Float]](repeating: [], count: layers)
            var i = c
            while i < count {
                let a = network.activations(sample(i))
                for l in 1..<layers {
                    for v in a[l] where v > 0 {
                        top[l] = max(top[l], v)
                        if case .percentile = method { values[l].append(Float(v)) }
                    }
                }
                i += chunks
            }
            return (top, values)
        }
        var scales = [Double](repeating: 1, count: layers)
        for l in 1..<layers {
            if !network.connections[l - 1].isLearned {
                scales[l] = scales[l - 1]
                continue
            }
            var lambda = parts.map { $0.0[l] }.max() ?? 0
            if case let .percentile(p) = method {
                var all = parts.flatMap { $0.1[l] }
                if !all.isEmpty {
                    all.sort()
                    let rank = min(all.count - 1, max(0, Int((p / 100 * Double(all.count)).rounded(.up)) - 1))
                    lambda = Double(all[rank])
                }
            }
            // A layer that never activates keeps the scale of its input (nothing to normalise).
            scales[l] = lambda > 0 ? lambda : scales[l - 1]
        }
        return ActivationScales(scales: scales, method: method)
    }

    /// The network with normalised weights Ŵ⁽ˡ⁾ = W⁽ˡ⁾·λₗ₋₁/λₗ.
    public func normalized(_ network: ReLUNetwork) -> ReLUNetwork {
        var out = network
        for l in 1..<network.layerCount where network.connections[l - 1].isLearned {
            let factor = scales[l - 1] / scales[l]
            out.weights[l - 1] = network.weights[l - 1].map { $0 * factor }
        }
        return out
    }
}
