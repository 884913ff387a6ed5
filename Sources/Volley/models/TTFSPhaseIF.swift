/// Non-leaky integrate-and-fire neuron with two phases, for the exact mapping of a ReLU network
/// onto time-to-first-spike coding (after Stanojevic, Woźniak, Bellec, Cherubini, Pantazi &
/// Gerstner, *High-performance deep spiking neural networks with 0.3 spikes per neuron*,
/// Nat. Commun. 15, 2024).
///
/// Input phase, t < inputEnd: an input of weight w (mV/ms) at tᵢ starts a ramp w·(t − tᵢ):
///
///     V(t) = Σᵢ wᵢ·(t − tᵢ)                                (sum over inputs with tᵢ ≤ t)
///
/// Firing phase, t ≥ inputEnd: inputs no longer act; V rises at the fixed slope α (mV/ms):
///
///     V(t) = V_end + α·(t − inputEnd),   V_end = Σᵢ wᵢ·(inputEnd − tᵢ)
///
/// The neuron fires once, the first time V ≥ vThreshold in [inputEnd, fireEnd), in closed form
///
///     t* = inputEnd + max(0, vThreshold − V_end)/α       (no spike if t* ≥ fireEnd)
///
/// so it never fires during the input phase. With inputs xᵢ ∈ [0, 1] encoded as spikes at
/// tᵢ = T − τ·xᵢ (none for xᵢ = 0), weights wᵢ = α·ŵᵢ, α = θ/τ, inputEnd = T + d (d the delay) and
/// fireEnd = inputEnd + τ, the spike at t* = fireEnd − τ·x encodes x = min(1, max(0, Σᵢ ŵᵢxᵢ)):
/// a clipped ReLU, exactly (`TTFSConversion`). Inputs after inputEnd are ignored; the state is
/// kept relative to inputEnd (W = Σwᵢ, V_end), so `advance` has nothing to do.
public struct TTFSPhaseIF: NeuronModel {
    /// Firing threshold θ (mV).
    public var vThreshold: Double
    /// Slope α of the firing phase (mV/ms, > 0).
    public var slope: Double
    /// End of the input phase (ms).
    public var inputEnd: Double
    /// End of the firing phase (ms; +∞ for no end).
    public var fireEnd: Double

    public init(vThreshold: Double = 1, slope: Double = 1, inputEnd: Double, fireEnd: Double) {
        self.vThreshold = vThreshold
        self.slope = slope
        self.inputEnd = inputEnd
        self.fireEnd = fireEnd
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// W = Σ wᵢ over received inputs (mV/ms): the slope of V during the input phase.
        public var inputSlope: Double
        /// V_end = Σ wᵢ·(inputEnd − tᵢ) (mV): the potential at inputEnd.
        public var endPotential: Double

        @inlinable public init(inputSlope: Double = 0, endPotential: Double = 0) {
            self.inputSlope = inputSlope
            self.endPotential = endPotential
        }
    }

    @frozen public struct Propagator: Sendable {
        @inlinable public init() {}
    }

    public static let modelName = "ttfs_phase_if"
    public var receptorCount: Int { 1 }

    public func validate() throws {
        try VolleyError.require("vThreshold", vThreshold, "must be > 0 mV") { $0 > 0 }
        try VolleyError.require("slope", slope, "the firing phase's slope α must be > 0 mV/ms") { $0 > 0 }
        try VolleyError.require("inputEnd", inputEnd, "must be finite") { _ in true }
        guard fireEnd > inputEnd else {
            throw VolleyError.invalidParameter(name: "fireEnd", value: "\(fireEnd)", reason: "must be after inputEnd (\(inputEnd) ms)")
        }
    }

    /// A neuron starts at V = 0 (the mapping needs it); `potential` is ignored.
    @inlinable
    public func initialState(potential: Double?) -> State { State() }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double {
        if time < inputEnd { return state.endPotential - state.inputSlope * (inputEnd - time) }
        return state.endPotential + slope * (time - inputEnd)
    }

    @inlinable public func propagator(over h: Double) -> Propagator { Propagator() }

    @inlinable public func advance(_ state: inout State, by h: Double, using p: Propagator) {}

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        guard time <= inputEnd else { return }
        state.inputSlope += weight
        state.endPotential += weight * (inputEnd - time)
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        time >= inputEnd && time < fireEnd && potential(of: state, at: time) >= vThreshold
    }

    /// The neuron fires once per run: afterwards it is silent (run it in a `firstSpikeOnly`
    /// population; this also moves its crossing past fireEnd).
    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.inputSlope = 0
        state.endPotential = -.infinity
    }

    /// The spike time t* of the type's comment for the potential V_end at inputEnd (nil: none).
    @inlinable
    public func spikeTime(endPotential: Double) -> Double? {
        guard endPotential.isFinite || endPotential == .infinity else { return nil }
        let t = endPotential >= vThreshold ? inputEnd : inputEnd + (vThreshold - endPotential) / slope
        return t < fireEnd ? t : nil
    }
}

/// The closed-form crossing, for the event-driven engine.
extension TTFSPhaseIF: ExactlyPredictable {
    /// A negative ramp lowers V_end and so postpones the crossing.
    @inlinable
    public func inputOnlyDelaysCrossing(weight: Double, receptor: Int) -> Bool { weight <= 0 }

    @inlinable
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        guard let t = spikeTime(endPotential: state.endPotential) else { return .never }
        let at = Swift.max(t, time)
        return at < fireEnd ? .at(at) : .never
    }
}
