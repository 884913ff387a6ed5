/// Dropout of the spikes hidden layers send on, for training (Srivastava et al., *Dropout: A
/// Simple Way to Prevent Neural Networks from Overfitting*, JMLR 15:1929, 2014), with one mask per
/// sample held over all its time steps, as Lee et al. do for spiking networks (*Enabling
/// Spike-Based Backpropagation for Training Deep Neural Network Architectures*, Front. Neurosci.
/// 14:119, 2020, Algorithm 1). Every neuron of a hidden layer that feeds a dense connection is
/// silenced for the whole sample with probability p; the spikes of the others carry 1/(1 − p)
/// ("inverted" dropout), so the trained weights run as they are, without dropout, in the engines:
///
///     Iₙ[j] = Σᵢ W[i, j]·mᵢ·sₙ₋₁[i],      mᵢ = 0 with probability p, else 1/(1 − p),
///     ∂L/∂sₙ[i] = mᵢ·Σₖ W[i, k]·∂L/∂aₙ₊₁[k],   ∂L/∂W[i, j] = Σₙ mᵢ·sₙ₋₁[i]·∂L/∂aₙ[j].
///
/// The neuron itself still integrates and fires (its own reset and adjoint are unchanged); only
/// what it transmits is masked. Convolutions and pooling keep every spike.
public struct STBPDropout: Sendable, Equatable {
    /// For every non-input layer l (index l − 1): the factor mᵢ of each neuron's outgoing spikes,
    /// or empty when that layer's spikes pass unchanged.
    public var factors: [[Double]]

    public init(factors: [[Double]]) { self.factors = factors }

    /// The hidden layers dropout applies to: those whose outgoing connection is dense.
    public static func maskedLayers(of network: STBPNetwork) -> [Int] {
        (1..<max(network.layerCount - 1, 1)).filter { network.connections[$0].kind == .dense }
    }

    /// Draws a mask for `network` at rate p ∈ [0, 1) from `rng` (layer by layer, neuron by neuron);
    /// nil at p = 0.
    public static func draw(for network: STBPNetwork, rate p: Double, rng: inout Xoshiro256) -> STBPDropout? {
        guard p > 0 else { return nil }
        let kept = 1 / (1 - p)
        var factors = [[Double]](repeating: [], count: network.layerCount - 1)
        for l in maskedLayers(of: network) {
            factors[l - 1] = (0..<network.layerSizes[l]).map { _ in rng.uniform() < p ? 0 : kept }
        }
        return STBPDropout(factors: factors)
    }

    /// Throws unless p ∈ [0, 1).
    public static func validate(rate p: Double) throws(VolleyError) {
        guard p.isFinite, p >= 0, p < 1 else {
            throw VolleyError.invalidParameter(name: "dropout", value: "\(p)", reason: "must be in [0, 1)")
        }
    }

    /// Throws unless the mask has one factor per neuron of each layer it masks.
    public func validate(for network: STBPNetwork) throws(VolleyError) {
        guard factors.count == network.layerCount - 1 else {
            throw VolleyError.invalidParameter(name: "dropout", value: "\(factors.count) layers", reason: "need one entry per non-input layer (\(network.layerCount - 1))")
        }
        let masked = Self.maskedLayers(of: network)
        for (k, f) in factors.enumerated() where !f.isEmpty {
            guard masked.contains(k + 1) else {
                throw VolleyError.invalidParameter(name: "dropout", value: "factors for layer \(k + 1)", reason: "only hidden layers that feed a dense connection are masked (\(masked))")
            }
            guard f.count == network.layerSizes[k + 1], f.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw VolleyError.invalidParameter(name: "dropout", value: "\(f.count) factors for layer \(k + 1)", reason: "need one finite factor ≥ 0 per neuron (\(network.layerSizes[k + 1]))")
            }
        }
    }
}

extension STBPActivity {
    /// The dropout factors of layer l's outgoing spikes (l ≥ 1), or nil when they pass unchanged.
    func dropoutFactors(ofLayer l: Int) -> [Double]? {
        guard let f = dropout?.factors[l - 1], !f.isEmpty else { return nil }
        return f
    }
}
