import Foundation

/// Which spike pairs a pair-based STDP rule counts (Morrison, Diesmann & Gerstner 2008, fig. 7;
/// the NEST names in parentheses).
public enum STDPPairing: String, Sendable, CaseIterable {
    /// Every pre spike with every post spike (`stdp_synapse`): traces add up, x ← x + 1.
    case allToAll = "all_to_all"
    /// Each spike with the nearest spike of the other side on either side (`stdp_nn_symm_synapse`):
    /// traces reset, x ← 1.
    case nearestSymmetric = "nearest_symmetric"
    /// Each pre spike is potentiated by the first post spike after it and depressed by the last post
    /// spike before it (`stdp_nn_pre_centered_synapse`).
    case nearestPreCentred = "nearest_pre_centred"
    /// Only adjacent pre–post and post–pre pairs (`stdp_nn_restr_synapse`).
    case nearestRestricted = "nearest_restricted"
}

/// How the size of a weight change depends on the weight (w in [wMin, wMax], w̃ = normalised).
public enum STDPWeightDependence: Sendable, Equatable {
    /// Δw₊ = A₊·x, Δw₋ = −A₋·y (van Rossum et al. 2000 "additive"), with hard bounds.
    case additive
    /// Δw₊ = A₊·(1 − w̃)^μ₊·x, Δw₋ = −A₋·w̃^μ₋·y with w̃ = (w − wMin)/(wMax − wMin): μ = 1 is the
    /// multiplicative (soft-bound) rule, 0 < μ < 1 Gütig et al. (2003); NEST's `mu_plus`, `mu_minus`.
    case multiplicative(muPlus: Double = 1, muMinus: Double = 1)
    /// Power-law potentiation (Morrison, Aertsen & Diesmann 2007): Δw₊ = A₊·w₀^(1−μ)·w^μ·x,
    /// multiplicative depression Δw₋ = −A₋·w·y (A₋ plays the role of α·λ).
    case powerLaw(mu: Double, w0: Double)
}

/// Pair-based spike-timing-dependent plasticity.
///
///     pre before post (Δt = t_post − t_pre ≥ 0):  Δw = +A₊ · f₊(w) · exp(−Δt/τ₊)
///     post before pre (Δt < 0):                    Δw = −A₋ · f₋(w) · exp(Δt/τ₋)
///
/// implemented with a presynaptic trace per synapse and a postsynaptic trace per neuron, both
/// decayed exactly and lazily at spike times (NEST `stdp_synapse`): potentiation is applied at
/// post spikes, depression at pre arrivals. The pre spike time is its arrival at the synapse
/// (emission + delay). Weights are clipped to [wMin, wMax] after every change.
///
/// Equal times: a pre spike arriving at the same instant as a post spike is pre-before-post
/// (Δt = 0 ⇒ Δw = +A₊·f₊(w)), because deliveries at t are applied before spikes at t
/// (docs/event-ordering.md). The arriving spike is delivered with its synapse's weight after
/// that spike's own depression (NEST's order).
public struct STDPRule: Sendable, Equatable {
    public var tauPlus: Double
    public var tauMinus: Double
    public var aPlus: Double
    public var aMinus: Double
    public var pairing: STDPPairing
    public var dependence: STDPWeightDependence
    public var wMin: Double
    public var wMax: Double

    public init(
        tauPlus: Double = 20, tauMinus: Double = 20, aPlus: Double = 0.01, aMinus: Double = 0.0105,
        pairing: STDPPairing = .allToAll, dependence: STDPWeightDependence = .additive,
        wMin: Double = 0, wMax: Double = 1
    ) {
        self.tauPlus = tauPlus
        self.tauMinus = tauMinus
        self.aPlus = aPlus
        self.aMinus = aMinus
        self.pairing = pairing
        self.dependence = dependence
        self.wMin = wMin
        self.wMax = wMax
    }

    public func validate() throws {
        try VolleyError.require("tauPlus", tauPlus, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tauMinus", tauMinus, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("aPlus", aPlus, "must be ≥ 0") { $0 >= 0 }
        try VolleyError.require("aMinus", aMinus, "must be ≥ 0") { $0 >= 0 }
        try VolleyError.require("wMin", wMin, "must be finite") { _ in true }
        try VolleyError.require("wMax", wMax, "must exceed wMin (\(wMin))") { $0 > wMin }
        switch dependence {
        case .additive: break
        case let .multiplicative(mp, mm):
            try VolleyError.require("muPlus", mp, "must be ≥ 0") { $0 >= 0 }
            try VolleyError.require("muMinus", mm, "must be ≥ 0") { $0 >= 0 }
        case let .powerLaw(mu, w0):
            try VolleyError.require("mu", mu, "must be in [0, 1]") { $0 >= 0 && $0 <= 1 }
            try VolleyError.require("w0", w0, "must be > 0") { $0 > 0 }
        }
    }

    /// Potentiation for presynaptic trace value x at the post spike.
    @inlinable
    public func potentiated(_ w: Double, trace x: Double) -> Double {
        let dw: Double
        switch dependence {
        case .additive: dw = aPlus * x
        case let .multiplicative(mp, _):
            let room = Swift.max(0, (wMax - w) / (wMax - wMin))
            dw = aPlus * (mp == 1 ? room : pow(room, mp)) * x
        case let .powerLaw(mu, w0): dw = aPlus * pow(w0, 1 - mu) * pow(Swift.max(w, 0), mu) * x
        }
        return Swift.min(Swift.max(w + dw, wMin), wMax)
    }

    /// Depression for postsynaptic trace value y at the pre arrival.
    @inlinable
    public func depressed(_ w: Double, trace y: Double) -> Double {
        let dw: Double
        switch dependence {
        case .additive: dw = aMinus * y
        case let .multiplicative(_, mm):
            let above = Swift.max(0, (w - wMin) / (wMax - wMin))
            dw = aMinus * (mm == 1 ? above : pow(above, mm)) * y
        case .powerLaw: dw = aMinus * w * y
        }
        return Swift.min(Swift.max(w - dw, wMin), wMax)
    }

    /// The analytic window: Δw of one isolated pair at weight w (Δt = t_post − t_pre).
    public func window(_ dt: Double, weight w: Double) -> Double {
        dt >= 0 ? potentiated(w, trace: exp(-dt / tauPlus)) - w : depressed(w, trace: exp(dt / tauMinus)) - w
    }
}

/// The learning rule of Diehl & Cook (2015), Front. Comput. Neurosci. 9:99, eq. 4 and their code:
///
///     at a post spike:   Δw = η_post · (x_pre − x_tar) · (wMax − w)^μ · g
///     at a pre arrival:  Δw = −η_pre · x_post                         (their code's nu_ee_pre term)
///
/// with a presynaptic trace x_pre (τ_pre, reset to 1 at each pre spike, as in their code) and a
/// postsynaptic trace x_post (τ_post, reset to 1 at each post spike). Weights stay in [0, wMax].
/// The gate g is 1 (the paper's eq. 4) unless `tauPost2` is set: then g is a second postsynaptic
/// trace read *before* the spike resets it, g = exp(−(t − t_prev)/τ_post2) for the neuron's
/// previous spike at t_prev (0 for its first spike) — their published code's `post2before`
/// (τ_post2 = 40 ms, x_tar = 0, μ = 0), a triplet term (Pfister & Gerstner 2006) that potentiates
/// only neurons that fire repeatedly.
public struct DiehlCookRule: Sendable, Equatable {
    public var tauPre: Double
    public var tauPost: Double
    public var etaPost: Double
    public var etaPre: Double
    public var xTar: Double
    public var mu: Double
    public var wMax: Double
    /// Time constant (ms) of the triplet gate on potentiation; nil: no gate (eq. 4).
    public var tauPost2: Double?

    public init(tauPre: Double = 20, tauPost: Double = 20, etaPost: Double = 0.01, etaPre: Double = 0.0001, xTar: Double = 0.4, mu: Double = 0.2, wMax: Double = 1, tauPost2: Double? = nil) {
        self.tauPre = tauPre
        self.tauPost = tauPost
        self.etaPost = etaPost
        self.etaPre = etaPre
        self.xTar = xTar
        self.mu = mu
        self.wMax = wMax
        self.tauPost2 = tauPost2
    }

    public func validate() throws {
        try VolleyError.require("tauPre", tauPre, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tauPost", tauPost, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("etaPost", etaPost, "must be ≥ 0") { $0 >= 0 }
        try VolleyError.require("etaPre", etaPre, "must be ≥ 0") { $0 >= 0 }
        try VolleyError.require("mu", mu, "must be ≥ 0") { $0 >= 0 }
        try VolleyError.require("wMax", wMax, "must be > 0") { $0 > 0 }
        if let tauPost2 { try VolleyError.require("tauPost2", tauPost2, "must be > 0 ms") { $0 > 0 } }
    }
}

/// A learning rule attached to a projection.
public enum Plasticity: Sendable, Equatable {
    case stdp(STDPRule)
    case diehlCook(DiehlCookRule)

    public func validate() throws {
        switch self {
        case let .stdp(r): try r.validate()
        case let .diehlCook(r): try r.validate()
        }
    }

    /// The interval the rule keeps weights in: [wMin, wMax] for STDP, [0, wMax] for Diehl & Cook.
    public var weightBounds: ClosedRange<Double> {
        switch self {
        case let .stdp(r): return r.wMin...r.wMax
        case let .diehlCook(r): return 0...r.wMax
        }
    }

    /// Throws `invalidWeight` for the first weight outside `weightBounds`: the rule would clip it
    /// at its first update, silently changing the experiment.
    func checkBounds(_ weights: [Double], _ label: String) throws {
        let bounds = weightBounds
        guard let bad = weights.firstIndex(where: { !bounds.contains($0) }) else { return }
        throw VolleyError.invalidWeight(
            value: weights[bad],
            context: "synapse \(bad) of plastic projection '\(label)': outside the rule's weight bounds [\(bounds.lowerBound), \(bounds.upperBound)]")
    }
}
