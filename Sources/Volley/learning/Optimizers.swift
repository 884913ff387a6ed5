import Foundation

/// Gradient-descent update rules for parameters stored as one array per layer.
public enum OptimizerKind: Sendable, Equatable {
    /// w ← w − η·g + μ·(previous step).
    case sgd(learningRate: Double, momentum: Double = 0)
    /// iRprop− (Igel & Hüsken 2000): per-weight step sizes grown ×1.2 while the gradient keeps
    /// its sign and shrunk ×0.5 when it flips; only the sign of the gradient is used, which
    /// makes it insensitive to SpikeProp's badly scaled gradients (McKennoch et al. 2006).
    case rprop(initialStep: Double = 0.001, minStep: Double = 1e-7, maxStep: Double = 0.05)
    /// Adam (Kingma & Ba 2015); with `weightDecay` λ > 0, AdamW's decoupled decay (Loshchilov &
    /// Hutter 2019): w ← w − η·(m̂/(√v̂ + ε) + λ·w), the decay outside the moment estimates.
    case adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0)

    public var name: String {
        switch self {
        case .sgd(_, let m): return m == 0 ? "sgd" : "momentum"
        case .rprop: return "rprop"
        case .adam: return "adam"
        }
    }
}

/// Optimizer state for a list of parameter arrays (one per layer).
public struct Optimizer: Sendable {
    public var kind: OptimizerKind
    /// Momentum buffer (SGD), previous gradient (RProp) or first moment (Adam).
    var first: [[Double]]
    /// Step sizes (RProp) or second moment (Adam).
    var second: [[Double]]
    var steps = 0

    public init(_ kind: OptimizerKind, shapes: [Int]) {
        self.kind = kind
        first = shapes.map { [Double](repeating: 0, count: $0) }
        switch kind {
        case let .rprop(initialStep, _, _):
            second = shapes.map { [Double](repeating: initialStep, count: $0) }
        default:
            second = shapes.map { [Double](repeating: 0, count: $0) }
        }
    }

    /// Scales the learning rate (SGD, Adam) for schedules; RProp is unaffected.
    public mutating func setLearningRate(_ rate: Double) {
        switch kind {
        case let .sgd(_, m): kind = .sgd(learningRate: rate, momentum: m)
        case let .adam(_, b1, b2, e, d): kind = .adam(learningRate: rate, beta1: b1, beta2: b2, epsilon: e, weightDecay: d)
        case .rprop: break
        }
    }

    /// Applies one update to `parameters` given the loss gradient `gradients` (same shapes).
    public mutating func step(_ parameters: inout [[Double]], _ gradients: [[Double]]) {
        steps += 1
        let kind = self.kind
        let steps = self.steps
        for l in parameters.indices {
            parameters[l].withUnsafeMutableBufferPointer { w in
                gradients[l].withUnsafeBufferPointer { g in
                    first[l].withUnsafeMutableBufferPointer { m in
                        second[l].withUnsafeMutableBufferPointer { v in
                            Optimizer.update(kind, steps, w, g, m, v)
                        }
                    }
                }
            }
        }
    }

    private static func update(
        _ kind: OptimizerKind, _ steps: Int, _ w: UnsafeMutableBufferPointer<Double>, _ g: UnsafeBufferPointer<Double>,
        _ m: UnsafeMutableBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>
    ) {
        switch kind {
        case let .sgd(rate, momentum):
            for i in 0..<w.count {
                let delta = momentum * m[i] - rate * g[i]
                m[i] = delta
                w[i] += delta
            }
        case let .rprop(_, minStep, maxStep):
            for i in 0..<w.count {
                let product = m[i] * g[i]
                var gi = g[i]
                if product > 0 {
                    v[i] = Swift.min(v[i] * 1.2, maxStep)
                } else if product < 0 {
                    v[i] = Swift.max(v[i] * 0.5, minStep)
                    gi = 0
                }
                if gi > 0 { w[i] -= v[i] } else if gi < 0 { w[i] += v[i] }
                m[i] = gi
            }
        case let .adam(rate, b1, b2, eps, decay):
            let c1 = 1 - pow(b1, Double(steps))
            let c2 = 1 - pow(b2, Double(steps))
            let shrink = rate * decay
            for i in 0..<w.count {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                if decay != 0 { w[i] -= shrink * w[i] }
                w[i] -= rate * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
            }
        }
    }
}

/// The mean gradient of a minibatch from the gradients its fixed chunks summed (one array per
/// layer each): added in chunk order, then scaled by 1/samples, so the result does not depend on
/// which thread computed which chunk.
func chunkMean(_ chunks: [[[Double]]], samples: Int) -> [[Double]] {
    var gradient = chunks[0]
    let scale = 1 / Double(samples)
    for l in gradient.indices {
        gradient[l].withUnsafeMutableBufferPointer { g in
            for p in chunks.dropFirst() {
                p[l].withUnsafeBufferPointer { q in for k in 0..<g.count { g[k] += q[k] } }
            }
            for k in 0..<g.count { g[k] *= scale }
        }
    }
    return gradient
}
