import Foundation

/// Loss gradients of a `RecurrentSNN`, laid out as its weights.
public struct RecurrentGradient: Sendable {
    public var input: [Double]
    public var recurrent: [Double]
    public var output: [Double]

    init(_ net: RecurrentSNN) {
        input = [Double](repeating: 0, count: net.inputWeights.count)
        recurrent = [Double](repeating: 0, count: net.recurrentWeights.count)
        output = [Double](repeating: 0, count: net.outputWeights.count)
    }

    var arrays: [[Double]] { [input, recurrent, output] }

    mutating func add(_ other: RecurrentGradient) {
        for k in input.indices { input[k] += other.input[k] }
        for k in recurrent.indices { recurrent[k] += other.recurrent[k] }
        for k in output.indices { output[k] += other.output[k] }
    }
}

/// The pseudo-derivative of a recurrent network's spikes: ψ = γ·σ′(v − θ) (Bellec et al. 2020
/// use the triangle of half-width θ₀ with dampening γ = 0.3).
public struct PseudoDerivative: Sendable, Equatable {
    public var surrogate: Surrogate
    /// Dampening factor γ.
    public var dampening: Double

    public init(surrogate: Surrogate, dampening: Double = 0.3) {
        self.surrogate = surrogate
        self.dampening = dampening
    }

    @inline(__always) func callAsFunction(_ x: Double) -> Double { dampening * surrogate.derivative(x) }
}

extension RecurrentSNN {
    /// ψ of every neuron and step of a forward pass.
    func pseudoDerivatives(_ a: RecurrentActivity, _ psi: PseudoDerivative) -> [Double] {
        let n = size, theta0 = parameters.vThreshold
        var out = [Double](repeating: 0, count: a.steps * n)
        for step in 0..<a.steps {
            for j in 0..<n {
                let x = step * n + j
                out[x] = psi(a.potentials[x] - (theta0 + beta(j) * a.adaptations[x]))
            }
        }
        return out
    }

    /// Backpropagation through time of `evaluation`'s loss over the trial's forward pass `a`, with
    /// the pseudo-derivative ψ in place of the spike's derivative. Adjoints, for n = T−1 … 0
    /// (barred quantities are ∂E/∂·, zero beyond T − 1):
    ///
    ///     ȳₙ = ∂ℓₙ/∂yₙ + pₒ·ȳₙ₊₁
    ///     z̄ⱼ,ₙ = Σₖ W_out[j, k]·ȳₖ,ₙ₊₁ + Σₖ W_rec[j, k]·c̄ₖ,ₙ₊₁ + ρ·āⱼ,ₙ₊₁ + ∂E_reg/∂zⱼ
    ///            − (θ₀ − vReset)·pₘ·v̄ⱼ,ₙ₊₁   (only with `resetGradient`)
    ///     c̄ₙ = pₛ·c̄ₙ₊₁ + κ·v̄ₙ₊₁,   v̄ₙ = pₘ·v̄ₙ₊₁ + ψₙ·z̄ₙ,   āₙ = ρ·āₙ₊₁ − β·ψₙ·z̄ₙ
    ///
    /// and ∂E/∂W_in[i, j] = Σₙ c̄ⱼ,ₙ·xᵢ,ₙ₋₁, ∂E/∂W_rec[i, j] = Σₙ c̄ⱼ,ₙ·zᵢ,ₙ₋₁,
    /// ∂E/∂W_out[j, k] = Σₙ ȳₖ,ₙ·zⱼ,ₙ₋₁. Bellec et al. stop the gradient through the reset
    /// (`resetGradient` false), as e-prop does; the diagonal of W_rec gets no gradient.
    func backpropagate(
        _ a: RecurrentActivity, input: STBPInput, readoutGradient: [Double], spikeGradient: [Double],
        pseudoDerivative: PseudoDerivative, resetGradient: Bool, into g: inout RecurrentGradient
    ) {
        let n = size, K = outputs, k = constants, T = a.steps
        let psi = pseudoDerivatives(a, pseudoDerivative)
        var yBar = [Double](repeating: 0, count: K), yBarNext = yBar
        var vBar = [Double](repeating: 0, count: n), cBar = vBar, aBar = vBar, zBar = vBar
        let smooth = a.smooth
        recurrentWeights.withUnsafeBufferPointer { wRec in
        outputWeights.withUnsafeBufferPointer { wOut in
        cBar.withUnsafeMutableBufferPointer { cBarBuffer in
            for step in stride(from: T - 1, through: 0, by: -1) {
                // ȳₙ₊₁ → ȳₙ (yBarNext keeps ȳₙ₊₁ for z̄ₙ).
                for q in 0..<K {
                    yBarNext[q] = yBar[q]
                    yBar[q] = readoutGradient[step * K + q] + k.readout * yBar[q]
                }
                for j in 0..<n {
                    var z = spikeGradient[j] + k.adaptation * aBar[j]
                    for q in 0..<K { z += wOut[j * K + q] * yBarNext[q] }
                    z += RecurrentSNN.dot(wRec.baseAddress! + j * n, cBarBuffer.baseAddress!, n)
                    if resetGradient { z -= k.resetStep * k.membrane * vBar[j] }
                    zBar[j] = z
                }
                for j in 0..<n {
                    let p = psi[step * n + j]
                    cBarBuffer[j] = k.current * cBarBuffer[j] + k.currentToV * vBar[j]
                    vBar[j] = k.membrane * vBar[j] + p * zBar[j]
                    aBar[j] = k.adaptation * aBar[j] - beta(j) * p * zBar[j]
                }
                guard step > 0 else { continue }
                // Gradients from what arrived at this step: spikes of step − 1.
                if step - 1 < input.spikes.count {
                    for i in input.spikes[step - 1] {
                        let row = Int(i) * n
                        for j in 0..<n { g.input[row + j] += cBarBuffer[j] }
                    }
                }
                if smooth {
                    for i in 0..<n {
                        let zi = a.spikes[(step - 1) * n + i]
                        for j in 0..<n where j != i { g.recurrent[i * n + j] += zi * cBarBuffer[j] }
                        for q in 0..<K { g.output[i * K + q] += zi * yBar[q] }
                    }
                } else {
                    for i in a.fired[step - 1] {
                        let row = Int(i) * n
                        for j in 0..<n where j != Int(i) { g.recurrent[row + j] += cBarBuffer[j] }
                        for q in 0..<K { g.output[Int(i) * K + q] += yBar[q] }
                    }
                }
            }
        }
        }
        }
    }

    /// Σ a[q]·b[q] over q < count, in four interleaved partial sums (SIMD lanes; a fixed order, so
    /// the result does not depend on the machine).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var acc = SIMD4<Double>(repeating: 0)
        var q = 0
        while q + 4 <= count {
            acc += SIMD4(a[q], a[q + 1], a[q + 2], a[q + 3]) * SIMD4(b[q], b[q + 1], b[q + 2], b[q + 3])
            q += 4
        }
        var sum = (acc[0] + acc[1]) + (acc[2] + acc[3])
        while q < count {
            sum += a[q] * b[q]
            q += 1
        }
        return sum
    }
}
