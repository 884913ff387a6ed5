import Foundation

/// Spike Response Model (SRM₀; Gerstner & Kistler 2002) with the alpha PSP kernel of SpikeProp
/// (Bohte, Kok & La Poutré 2002) and an exponential refractory kernel (Booij & Nguyen 2005).
///
///     u(t) = Σᵢ wᵢ·ε(t − tᵢ) + Σ_f η(t − t_f)            (potential relative to rest, mV)
///     ε(s) = (s/τ)·e^(1 − s/τ)  for s > 0  (peak 1 at s = τ, so w is the PSP peak in mV)
///     η(s) = −refractoryAmplitude·e^(−s/τr)  for s > 0
///     u ≥ vThreshold and not within tRef of the last spike  ⇒  spike
///
/// Delayed and multi-terminal connections (SpikeProp's k sub-synapses with delays dᵏ) are
/// synapses of the projection: each input time tᵢ already includes its delay.
///
/// State (x, y, r): x = Σ wᵢ ε, y its companion with ẏ = −y/τ, ẋ = −x/τ + y/τ (an input adds
/// w·e to y), r = Σ η. Exact propagator over h: x ← (x + y·h/τ)·e^(−h/τ), y ← y·e^(−h/τ),
/// r ← r·e^(−h/τr). Crossing time: u(s) − θ = (x + (y/τ)·s)·e^(−s/τ) + r·e^(−s/τr) − θ is an
/// `ExponentialSum`; its first root is bracketed to ≤ 1e-14 ms (4 ulps of s where wider).
public struct SRM: NeuronModel {
    /// PSP time constant τ (ms); the PSP peaks τ ms after the (delayed) input.
    public var tau: Double
    /// Firing threshold θ (mV above rest).
    public var vThreshold: Double
    /// Amplitude of the refractory kernel η (mV, ≥ 0).
    public var refractoryAmplitude: Double
    /// Time constant of the refractory kernel τr (ms).
    public var tauRefractory: Double
    /// Absolute refractory period (ms) during which no spike is emitted.
    public var tRef: Double

    public init(
        tau: Double = 7, vThreshold: Double = 1, refractoryAmplitude: Double? = nil,
        tauRefractory: Double = 20, tRef: Double = 0
    ) {
        self.tau = tau
        self.vThreshold = vThreshold
        self.refractoryAmplitude = refractoryAmplitude ?? 2 * vThreshold
        self.tauRefractory = tauRefractory
        self.tRef = tRef
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// Σ wᵢ·ε(t − tᵢ): the summed PSPs (mV).
        public var x: Double
        /// Companion variable of the alpha kernel (mV).
        public var y: Double
        /// Σ η(t − t_f): the summed refractory kernels (mV, ≤ 0).
        public var r: Double
        /// Remaining absolute refractory time (ms).
        public var refractory: Double

        @inlinable
        public init(x: Double = 0, y: Double = 0, r: Double = 0, refractory: Double = 0) {
            self.x = x
            self.y = y
            self.r = r
            self.refractory = refractory
        }
    }

    @frozen
    public struct Propagator: Sendable {
        public var h: Double
        public var psp: Double
        public var refractory: Double

        @inlinable
        public init(h: Double, psp: Double, refractory: Double) {
            self.h = h
            self.psp = psp
            self.refractory = refractory
        }
    }

    /// Euler's number: an input of weight w adds w·e to y so that its PSP peaks at exactly w.
    public static let e = exp(1.0)
    public static let modelName = "srm"
    public var receptorCount: Int { 1 }


    public func validate() throws {
        try VolleyError.require("tau", tau, "PSP time constant must be > 0 ms") { $0 > 0 }
        try VolleyError.require("vThreshold", vThreshold, "threshold must be > 0 mV above rest") {
            $0 > 0
        }
        try VolleyError.require("refractoryAmplitude", refractoryAmplitude, "must be ≥ 0 mV") {
            $0 >= 0
        }
        try VolleyError.require("tauRefractory", tauRefractory, "must be > 0 ms") { $0 > 0 }
        try VolleyError.require("tRef", tRef, "refractory period must be ≥ 0 ms") { $0 >= 0 }
    }

    @inlinable
    public func initialState(potential: Double?) -> State {
        // A prescribed initial potential is represented as a decaying offset in r.
        State(r: potential ?? 0)
    }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.x + state.r }

    @inlinable
    public func propagator(over h: Double) -> Propagator {
        Propagator(h: h, psp: exp(-h / tau), refractory: exp(-h / tauRefractory))
    }

    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Propagator) {
        state.x = (state.x + state.y * (h / tau)) * p.psp
        state.y *= p.psp
        state.r *= p.refractory
        if state.refractory > 0 {
            state.refractory = Refractory.remaining(state.refractory, after: h)
        }
    }

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        state.y += weight * SRM.e
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.x + state.r >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.r -= refractoryAmplitude
        state.refractory = tRef
    }
}

/// The SRM's next threshold crossing, for the event-driven engine: u(s) − θ is an
/// `ExponentialSum` with an alpha term, searched by safe stepping.
extension SRM: ExactlyPredictable {
    /// The exact search runs only when the lower bound on the crossing is within this (ms).
    public static let wakeUpHorizon = 1.0

    /// u(s) − vThreshold for the given state, as an exponential sum in s (ms).
    @inlinable
    public func distanceToThreshold(of state: State) -> ExponentialSum {
        var f = ExponentialSum(constant: -vThreshold)
        f.add(a: state.x, b: state.y / tau, rate: 1 / tau)
        f.add(a: state.r, rate: 1 / tauRefractory)
        return f
    }

    @inlinable
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        var s = state
        var start = time
        if s.refractory > 0 {
            start = time + s.refractory
            advance(&s, by: s.refractory)
        }
        if s.x + s.r >= vThreshold { return .at(start) }
        return WakeUpPolicy(searchWithin: SRM.wakeUpHorizon).prediction(of: distanceToThreshold(of: s), from: start)
    }
}
