import Foundation

/// Speed machinery for `STBPNetwork.backward`: the adjoint step of one layer for the default
/// dynamics — delta synapses, reset to a value, no adaptation, no learned leak, a spiking layer,
/// the rectangular surrogate — without the general loop's per-neuron branches. The same
/// equations (Wu et al. 2018, eqs. 5–6, through the reset rₙ = sₙ·vReset + (1 − sₙ)·aₙ), the same
/// operations in the same order, so the gradient is identical to the bit:
///
///     ∂L/∂rₙ = ∂L/∂aₙ₊₁·decay
///     ∂L/∂sₙ = (∂L/∂sₙ from above) + ∂L/∂rₙ·(vReset − aₙ)
///     ∂L/∂aₙ = ∂L/∂rₙ·(1 − sₙ) + ∂L/∂sₙ·σ′(aₙ − θ),   σ′(x) = 1/a for |x| < a/2, else 0
extension STBPNetwork {
    /// Whether layer `l`'s adjoint step can take `rectangularStep`.
    func takesRectangularStep(layer l: Int, surrogate: Surrogate, leakGradient: Bool) -> Bool {
        guard case .rectangular = surrogate, synapse == .delta, adaptation == nil, !leakGradient else { return false }
        let spiking = !(readout == .potential && l == layerCount - 1)
        return spiking && model(ofLayer: l).reset == .toValue
    }

    /// One step n of the sweep over `size` neurons: reads ∂L/∂aₙ₊₁ from `next` (zeros at the last
    /// step), the potentials `v` and spikes `s` of step n, and ∂L/∂sₙ from above in `spikeGradient`
    /// (nil: none); writes ∂L/∂aₙ into `next` and `da`.
    @inline(__always)
    static func rectangularStep(
        size: Int, last: Bool, decay: Double, vReset: Double, threshold: Double, width a: Double,
        spikeGradient: UnsafePointer<Double>?, v: UnsafePointer<Double>, s: UnsafePointer<Double>,
        next: UnsafeMutablePointer<Double>, da: UnsafeMutablePointer<Double>
    ) {
        let half = a / 2, inside = 1 / a
        for j in 0..<size {
            let dvNext = last ? 0 : next[j]
            let dr = dvNext * decay
            var ds = spikeGradient?[j] ?? 0
            ds += dr * (vReset - v[j]) + 0  // + ∂L/∂âₙ = 0, as the general loop adds it
            let slope = abs(v[j] - threshold) < half ? inside : 0
            let dv = 0 + dr * (1 - s[j]) + ds * slope  // the direct readout term is 0 here
            next[j] = dv
            da[j] = dv
        }
    }
}
