import Foundation

/// How e-prop sends the readout's error to recurrent neuron j: through the readout weights
/// themselves (symmetric e-prop, B = W_out) or through a fixed random matrix (random e-prop,
/// Bellec et al. 2020, after Lillicrap et al.'s feedback alignment).
public enum EPropFeedback: Sendable, Equatable {
    case symmetric
    /// B[j·outputs + k], fixed for the whole training.
    case random([Double])

    /// B ~ N(0, 1), seeded, for `network`.
    public static func random(for network: RecurrentSNN, seed: UInt64) -> EPropFeedback {
        var rng = Xoshiro256(seed: seed, stream: 0xB0_FEED)
        return .random((0..<(network.size * network.outputs)).map { _ in rng.normal() })
    }
}

extension RecurrentSNN {
    /// The e-prop gradient (Bellec et al., *A solution to the learning dilemma for recurrent
    /// networks of spiking neurons*, Nat. Commun. 11:3625, 2020) of a trial, computed forward in
    /// time: every quantity at step n uses only steps ≤ n. For synapse i → j (i an input or a
    /// recurrent neuron, pᵢ,ₙ its spike that reaches cⱼ at step n), the eligibility vector
    /// (εᶜ, εᵛ, εᵃ) = ∂(cⱼ, vⱼ, ãⱼ)/∂Wᵢⱼ along neuron j's own dynamics (reset not differentiated):
    ///
    ///     εᶜᵢ,ₙ = pₛ·εᶜᵢ,ₙ₋₁ + pᵢ,ₙ,   εᵛᵢ,ₙ = pₘ·εᵛᵢ,ₙ₋₁ + κ·εᶜᵢ,ₙ₋₁     (shared by all j)
    ///     eⱼᵢ,ₙ = ψⱼ,ₙ·(εᵛᵢ,ₙ − β·εᵃⱼᵢ,ₙ),   εᵃⱼᵢ,ₙ₊₁ = ρ·(εᵃⱼᵢ,ₙ + eⱼᵢ,ₙ)      (the eligibility trace)
    ///
    /// The learning signal Lⱼ,ₙ = Σₖ Bⱼₖ·∂ℓₙ/∂yₖ,ₙ meets the trace filtered by the readout's
    /// leak, ēⱼᵢ,ₙ = pₒ·ēⱼᵢ,ₙ₋₁ + eⱼᵢ,ₙ₋₁: ΔWᵢⱼ ∝ Σₙ Lⱼ,ₙ·ēⱼᵢ,ₙ, plus the rate regulariser's
    /// ∂E/∂zⱼ·Σₙ eⱼᵢ,ₙ. The readout weights get their exact gradient Σₙ ∂ℓₙ/∂yₖ,ₙ·ζⱼ,ₙ,
    /// ζⱼ,ₙ = pₒ·ζⱼ,ₙ₋₁ + zⱼ,ₙ₋₁. With symmetric feedback and no recurrent weights this equals
    /// backpropagation through time (tested).
    ///
    /// The trial is simulated step by step and each step's traces, learning signal and gradient
    /// are computed as it comes: nothing of the trial is stored but the per-synapse traces. The
    /// per-synapse traces ē, εᵃ of a neuron only decay while its ψ and L are 0, so each row is
    /// brought up to date (one multiplication by pₒᵐ, ρᵐ) only at the steps that use it.
    func eprop(
        _ trial: RecurrentTrial, loss: RecurrentLoss, pseudoDerivative psi: PseudoDerivative, feedback: EPropFeedback,
        into g: inout RecurrentGradient
    ) -> RecurrentTrainer.Outcome {
        let n = size, K = outputs, k = constants, T = trial.steps, P = inputs + n, theta0 = parameters.vThreshold
        var epsC = [Double](repeating: 0, count: P), epsV = epsC
        var eBar = [Double](repeating: 0, count: n * P), eSum = eBar, grad = eBar
        var epsA = [Double](repeating: 0, count: adaptive * P)
        var rowStep = [Int](repeating: 0, count: n)
        var zeta = [Double](repeating: 0, count: n), counts = zeta
        var learning = [Double](repeating: 0, count: n)
        var readoutPower = [Double](repeating: 1, count: T + 1), adaptPower = readoutPower
        for m in stride(from: 1, through: T, by: 1) {
            readoutPower[m] = readoutPower[m - 1] * k.readout
            adaptPower[m] = adaptPower[m - 1] * k.adaptation
        }
        let b: [Double]
        switch feedback {
        case .symmetric: b = outputWeights
        case let .random(matrix): b = matrix
        }
        let windowOf = trial.windowOfStep, total = Double(trial.windowSteps)
        var windowMeans = [[Double]](repeating: [Double](repeating: 0, count: K), count: trial.windows.count)
        var taskLoss = 0.0
        var error = [Double](repeating: 0, count: K)
        var stepper = RecurrentStepper(self, smoothSlope: nil)
        eBar.withUnsafeMutableBufferPointer { eBar in
        eSum.withUnsafeMutableBufferPointer { eSum in
        grad.withUnsafeMutableBufferPointer { grad in
        epsA.withUnsafeMutableBufferPointer { epsA in
        epsV.withUnsafeMutableBufferPointer { epsV in
            for step in 0..<T {
                let arriving = trial.input.arriving(atStep: step)
                stepper.advance(inputs: arriving)
                if step > 0 {
                    // Presynaptic traces to step n, then the spikes that reached the currents.
                    for i in 0..<P {
                        epsV[i] = k.membrane * epsV[i] + k.currentToV * epsC[i]
                        epsC[i] *= k.current
                    }
                    for i in arriving { epsC[Int(i)] += 1 }
                    for i in 0..<n { epsC[inputs + i] += stepper.previousSpikes[i] }
                    for j in 0..<n { zeta[j] = k.readout * zeta[j] + stepper.previousSpikes[j] }
                }
                for j in 0..<n { counts[j] += stepper.spikes[j] }
                // The loss at step n, its learning signal and the readout's gradient.
                var hasError = false
                for j in 0..<n { learning[j] = 0 }
                if windowOf[step] >= 0 {
                    let w = windowOf[step], y = stepper.readout
                    taskLoss -= RecurrentLoss.crossEntropy(y, label: trial.windows[w].label, total: total, gradient: &error)
                    for q in 0..<K { windowMeans[w][q] += y[q] }
                    for q in 0..<K {
                        let e = error[q]
                        guard e != 0 else { continue }
                        hasError = true
                        for j in 0..<n {
                            learning[j] += b[j * K + q] * e
                            g.output[j * K + q] += e * zeta[j]
                        }
                    }
                }
                for j in 0..<n {
                    let p = psi(stepper.potentials[j] - (theta0 + beta(j) * stepper.adaptations[j])), l = learning[j]
                    guard p != 0 || (hasError && l != 0) else { continue }
                    let row = j * P, lag = step - rowStep[j]
                    let isAdaptive = j >= regular, arow = (j - regular) * P, bj = beta(j)
                    if lag > 0 {
                        let f = readoutPower[lag]
                        for i in 0..<P { eBar[row + i] *= f }
                        if isAdaptive {
                            let r = adaptPower[lag]
                            for i in 0..<P { epsA[arow + i] *= r }
                        }
                    }
                    rowStep[j] = step
                    if l != 0 { for i in 0..<P { grad[row + i] += l * eBar[row + i] } }
                    guard p != 0 else { continue }
                    if isAdaptive {
                        for i in 0..<P {
                            let e = p * (epsV[i] - bj * epsA[arow + i])
                            eSum[row + i] += e
                            eBar[row + i] = k.readout * eBar[row + i] + e
                            epsA[arow + i] = k.adaptation * (epsA[arow + i] + e)
                        }
                    } else {
                        for i in 0..<P {
                            let e = p * epsV[i]
                            eSum[row + i] += e
                            eBar[row + i] = k.readout * eBar[row + i] + e
                        }
                    }
                    rowStep[j] = step + 1
                }
            }
        }
        }
        }
        }
        }
        // The regulariser needs the trial's rates: its term joins at the end. The result in the
        // weights' layout (no autapses).
        let (rateLoss, spikeGradient) = loss.rateTerms(counts: counts, duration: Double(T) * parameters.dt)
        for j in 0..<n {
            let r = spikeGradient[j], row = j * P
            for i in 0..<inputs { g.input[i * n + j] += grad[row + i] + r * eSum[row + i] }
            for i in 0..<n where i != j { g.recurrent[i * n + j] += grad[row + inputs + i] + r * eSum[row + inputs + i] }
        }
        let correct = zip(trial.windows, windowMeans).filter { STBPNetwork.decision($1) == $0.label }.count
        return RecurrentTrainer.Outcome(
            loss: taskLoss, rateLoss: rateLoss, correct: correct, windows: trial.windows.count,
            spikes: counts.reduce(0, +), synapticEvents: stepper.synapticEvents, steps: T)
    }
}
