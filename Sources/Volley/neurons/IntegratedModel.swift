/// How an `IntegratedModel` is advanced between events.
public enum ODEIntegration: Sendable, Equatable {
    /// Dormand–Prince 5(4) with step-size control under `ODETolerance`; the spike is located on
    /// the dense output (≤ 1e-12 ms bracket). Both engines; the event-driven engine requires it.
    case adaptive(ODETolerance)
    /// One forward-Euler step per time step, y ← y + dt·f(y) (Brian2's default for nonlinear
    /// models; NEST's `izhikevich`). Time-stepped engine only.
    case forwardEuler
}

/// The state of a neuron whose equations are integrated numerically: up to four variables (the
/// membrane potential first), the remaining refractory time, and the integrator's next step size
/// (so consecutive intervals continue with the step the error control chose).
@frozen
public struct IntegratedState: Sendable, Equatable {
    /// The model's variables; y[0] is the membrane potential (mV).
    public var y: ODEState
    /// Remaining refractory time (ms); 0 when not refractory.
    public var refractory: Double
    /// The integrator's next step size (ms); 0 before the first step.
    public var step: Double
    /// Whether the potential reached the spike level inside the last advance (whose reset was
    /// then applied at the crossing); the engine fires the neuron at the end of that interval.
    public var crossed: Bool
    /// Whether an integration gave up (`DormandPrince.Outcome.stepLimit`: the solution stopped
    /// being finite before reaching the spike level, or took `DormandPrince.maxSteps` steps). The
    /// state is then meaningless; the simulator's `run` reports the neuron (`VolleyError.diverged`).
    public var stalled = false
    /// Time (ms) of the last input, and a running mean of the intervals between inputs (ms; +∞
    /// until two inputs arrived): how far ahead a prediction is worth integrating.
    public var lastInput: Double
    public var inputInterval: Double

    @inlinable
    public init(y: ODEState, refractory: Double = 0, step: Double = 0, crossed: Bool = false) {
        self.y = y
        self.refractory = refractory
        self.step = step
        self.crossed = crossed
        lastInput = -.infinity
        inputInterval = .infinity
    }
}

/// A neuron model with no closed-form solution (AdEx, Izhikevich): it states its equations as a
/// vector field over `IntegratedState.y` and the level of y[0] that is a spike; this extension
/// integrates them (`ODEIntegration`), including the refractory clamp (`derivative(_:clamped:)`
/// with `clamped` true while refractory). Its propagator is the interval itself.
public protocol IntegratedModel: NeuronModel where State == IntegratedState, Propagator == Double {
    /// dy/dt at y; `clamped`: while refractory (the potential held, its derivative 0).
    func derivative(_ y: ODEState, clamped: Bool) -> ODEState
    /// The model's reset after a spike (potential, adaptation, refractory period). The engines
    /// call `fire`, which applies it unless the advance already did at the crossing.
    func reset(_ state: inout State)
    /// The model's response to one input of `weight` on `receptor` (a jump of a variable). The
    /// engines call `receive`, which also keeps the input statistics of the state.
    func deliver(_ state: inout State, weight: Double, receptor: Int)
    /// The potential (mV) at which a spike is emitted (V_peak; for a moving threshold, its
    /// baseline).
    var spikeLevel: Double { get }
    /// How far y is above the spike condition (mV): a spike when ≥ 0. Default y[0] − spikeLevel;
    /// a model with an adaptive threshold θ in its state subtracts it.
    func spikeMargin(_ y: ODEState) -> Double
    /// The absolute refractory period (ms).
    var refractoryPeriod: Double { get }
    var integration: ODEIntegration { get }
}

extension IntegratedModel {
    @inlinable
    public func propagator(over h: Double) -> Double { h }

    @inlinable
    public func potential(of state: State, at time: Double) -> Double { state.y[0] }

    @inlinable
    public func spikeMargin(_ y: ODEState) -> Double { y[0] - spikeLevel }

    @inlinable
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.crossed || (state.refractory <= 0 && spikeMargin(state.y) >= 0)
    }

    /// Applies `deliver` and updates the running mean of the input intervals (weight 0.2 for the
    /// newest).
    @inlinable
    public func receive(_ state: inout State, weight: Double, receptor: Int, at time: Double) {
        let gap = time - state.lastInput
        if gap > 0 && gap.isFinite {
            state.inputInterval = state.inputInterval.isFinite ? 0.8 * state.inputInterval + 0.2 * gap : gap
        }
        state.lastInput = time
        deliver(&state, weight: weight, receptor: receptor)
    }

    /// Applies `reset`, unless the last advance crossed the spike level and reset there already.
    @inlinable
    public func fire(_ state: inout State, at time: Double) {
        if state.crossed {
            state.crossed = false
        } else {
            reset(&state)
        }
    }

    /// Free evolution over h. Adaptively, a crossing of the spike level inside the interval is
    /// reset where it happens and the integration continues from there (as NEST's aeif models do
    /// within a step); the engine then fires the neuron at the end of the interval (`crossed`) —
    /// one spike per interval, a second crossing in it only resets. Integrating on through
    /// AdEx's exponential instead would send V, and with it w, to absurd values. With forward
    /// Euler, one step over h (the refractory part clamped).
    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Double) {
        var t = 0.0
        while t < h {
            if state.refractory > 0 {
                let clamped = Swift.min(state.refractory, h - t)
                integrate(&state, over: clamped, clamped: true)
                state.refractory = Refractory.remaining(state.refractory, after: clamped)
                t += clamped
                if h - t <= Refractory.epsilon { return }
                continue
            }
            let offset = integrate(&state, over: h - t, clamped: false)
            guard let offset else { return }
            // Reached the spike level `offset` ms on: reset there and go on.
            t += offset
            reset(&state)
            state.crossed = true
            if offset <= 0 && state.refractory <= 0 { return }  // no progress: leave it to the engine
        }
    }

    /// Integrates over `duration`; returns the offset at which a free adaptive integration
    /// reached the spike level (and stopped there), else nil.
    @inlinable
    @discardableResult
    func integrate(_ state: inout State, over duration: Double, clamped: Bool) -> Double? {
        switch integration {
        case .forwardEuler:
            state.y += duration * derivative(state.y, clamped: clamped)
            return nil
        case .adaptive(let tolerance):
            let outcome = DormandPrince.integrate(
                &state.y, duration: duration, step: &state.step, tolerance: tolerance,
                until: { clamped ? -.infinity : spikeMargin($0) }
            ) { derivative($0, clamped: clamped) }
            if case .reached(let offset) = outcome { return offset }
            if case .stepLimit = outcome { state.stalled = true }
            return nil
        }
    }
}
