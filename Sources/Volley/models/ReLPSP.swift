/// Non-leaky integrate-and-fire neuron with the rectified linear PSP kernel K(t) = t for t > 0
/// (ReL-PSP; Zhang, Wang, Wu, Chua, Li & Belatreche, IEEE TNNLS 2021).
///
///     V(t) = Σᵢ wᵢ · K(t − tᵢ) = W·t − S,   W = Σᵢ wᵢ,  S = Σᵢ wᵢ·tᵢ  (sums over inputs with tᵢ ≤ t)
///     V ≥ vThreshold  ⇒  spike at t* = (vThreshold + S) / W     (closed form, when W > 0)
///
/// Weights are slopes (mV/ms). The state is kept in this absolute-time form (W, S) rather than
/// (V, dV/dt), so that the event-driven spike time is the *same floating-point expression*
/// (θ + Σwᵢtᵢ)/Σwᵢ as the layer-wise closed form used for training: both give bit-identical times
/// when the inputs are summed in the same order. `advance` therefore has nothing to do.
///
/// Used in time-to-first-spike networks, where each neuron fires at most once (make its
/// population `firstSpikeOnly`). If it may fire again, the reset sets V(t*) = vReset and keeps
/// the slope W.
public struct ReLPSP: NeuronModel {
    /// Firing threshold θ (mV).
    public var vThreshold: Double
    /// Potential right after a spike (mV), relevant only when the neuron may fire again.
    public var vReset: Double

    public init(vThreshold: Double = 1, vReset: Double = 0) {
        self.vThreshold = vThreshold
        self.vReset = vReset
    }

    @frozen
    public struct State: Sendable, Equatable {
        /// W = Σ wᵢ over received inputs: the slope dV/dt (mV/ms).
        public var slope: Double
        /// S = Σ wᵢ·tᵢ (mV); V(t) = slope·t − weightedTimes.
        public var weightedTimes: Double

        @inlinable public init(slope: Double = 0, weightedTimes: Double = 0) {
            self.slope = slope
            self.weightedTimes = weightedTimes
        }
    }

    @frozen public struct Propagator: Sendable {
        @inlinable public init() {}
    }

    public static let modelName = "relpsp"
    public var receptorCount: Int { 1 }

    public func validate() throws {
        try VolleyError.require("vThreshold", vThreshold, "must be finite") { _ in true }
        try VolleyError.require("vReset", vReset, "must be below vThreshold (\(vThreshold) mV)") {
            $0 < vThreshold
        }
    }

    @inlinable
    public func initialState(potential: Double?) -> State {
        State(slope: 0, weightedTimes: -(potential ?? 0))
    }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double {
        state.slope * time - state.weightedTimes
    }

    @inlinable public func propagator(over h: Double) -> Propagator { Propagator() }

    @inlinable public func advance(_ state: inout State, by h: Double, using p: Propagator) {}

    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        state.slope += weight
        state.weightedTimes += weight * time
    }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        potential(of: state, at: time) >= vThreshold
    }

    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        state.weightedTimes = state.slope * time - vReset
    }
}

/// The closed-form crossing t* = (θ + S)/W, for the event-driven engine.
extension ReLPSP: ExactlyPredictable {
    @inlinable
    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        if potential(of: state, at: time) >= vThreshold { return .at(time) }
        guard state.slope > 0 else { return .never }
        return .at(Swift.max(time, (vThreshold + state.weightedTimes) / state.slope))
    }
}
