@testable import Volley

/// Finite-difference checks of STBP gradients on the smooth network, whose spikes are σ(β(a − θ)),
/// so that the sigmoid surrogate is the exact derivative (shared by STBPTests and ConvolutionTests).
struct STBPGradientCheck {
    let input: STBPInput
    let steps: Int
    let label: Int
    let loss: STBPLoss
    let beta: Double
    /// The dropout mask every pass runs with (`STBPDropout`), or none.
    var dropout: STBPDropout? = nil

    /// The loss of the smooth forward pass of `net`.
    func lossValue(_ net: STBPNetwork) -> Double {
        let a = net.forward(input, steps: steps, smoothSlope: beta, dropout: dropout)
        return net.loss(net.scores(a), label: label, loss, steps: steps).0
    }

    /// Weight gradients by backpropagation through the smooth pass (`backward` without the leak).
    func weightGradient(_ net: STBPNetwork) -> [[Double]] {
        let a = net.forward(input, steps: steps, smoothSlope: beta, dropout: dropout)
        var gradient = net.weights.map { [Double](repeating: 0, count: $0.count) }
        net.backward(a, input: input, scoreGradient: net.loss(net.scores(a), label: label, loss, steps: steps).1,
                     surrogate: .sigmoid(slope: beta), gradient: &gradient)
        return gradient
    }

    /// Weight and leak gradients by backpropagation through the smooth pass.
    func backpropagated(_ net: STBPNetwork) -> (weights: [[Double]], leak: [Double]) {
        let a = net.forward(input, steps: steps, smoothSlope: beta, dropout: dropout)
        let (_, dz) = net.loss(net.scores(a), label: label, loss, steps: steps)
        var gradient = net.weights.map { [Double](repeating: 0, count: $0.count) }
        var leak = [Double](repeating: 0, count: net.layerCount - 1)
        leak.withUnsafeMutableBufferPointer {
            _ = net.backward(a, input: input, scoreGradient: dz, surrogate: .sigmoid(slope: beta), gradient: &gradient, leakGradient: $0)
        }
        return (gradient, leak)
    }

    /// The central difference of the loss in layer l's membrane time constant τm (step `h` ms).
    func leakDifference(_ net: STBPNetwork, layer l: Int, step h: Double) -> Double {
        var net = net
        let tau = net.membraneTimeConstants[l]
        net.membraneTimeConstants[l] = tau + h
        let up = lossValue(net)
        net.membraneTimeConstants[l] = tau - h
        let down = lossValue(net)
        return (up - down) / (2 * h)
    }

    /// Worst relative error of `gradient` against central differences (step 10⁻⁶) over every
    /// weight, and how many weights have a non-zero numeric gradient.
    func compareWeights(_ net: STBPNetwork, _ gradient: [[Double]]) -> (worst: Double, checked: Int) {
        var net = net
        var worst = 0.0, checked = 0
        for l in net.weights.indices {
            for k in net.weights[l].indices {
                let w = net.weights[l][k], h = 1e-6
                net.weights[l][k] = w + h
                let up = lossValue(net)
                net.weights[l][k] = w - h
                let down = lossValue(net)
                net.weights[l][k] = w
                let numeric = (up - down) / (2 * h)
                worst = max(worst, abs(numeric - gradient[l][k]) / max(abs(numeric), abs(gradient[l][k]), 1e-4))
                if abs(numeric) > 1e-6 { checked += 1 }
            }
        }
        return (worst, checked)
    }
}
