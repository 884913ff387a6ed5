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

    @inlinable
    public init(y: ODEState, refractory: Double = 0, step: Double = 0) {
        self.y = y
        self.refractory = refractory
        self.step = step
    }
}

/// A neuron model with no closed-form solution (AdEx, Izhikevich): it states its equations as a
/// vector field over `IntegratedState.y` and the level of y[0] that is a spike; this extension
/// integrates them (`ODEIntegration`), including the refractory clamp (`derivative(_:clamped:)`
/// with `clamped` true while refractory). Its propagator is the interval itself.
public protocol IntegratedModel: NeuronModel where State == IntegratedState, Propagator == Double {
    /// dy/dt at y; `clamped`: while refractory (the potential held, its derivative 0).
    func derivative(_ y: ODEState, clamped: Bool) -> ODEState
    /// The potential (mV) at which a spike is emitted (V_peak).
    var spikeLevel: Double { get }
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
    public func isAboveThreshold(_ state: State, at time: Double) -> Bool {
        state.refractory <= 0 && state.y[0] >= spikeLevel
    }

    /// Free evolution over h: the refractory part clamped, then free.
    @inlinable
    public func advance(_ state: inout State, by h: Double, using p: Double) {
        var left = h
        if state.refractory > 0 {
            let clamped = min(state.refractory, h)
            integrate(&state, over: clamped, clamped: true)
            state.refractory = Refractory.remaining(state.refractory, after: h)
            left = h - clamped
            if state.refractory > 0 || left <= Refractory.epsilon { return }
        }
        integrate(&state, over: left, clamped: false)
    }

    /// Integrates over `duration`. Adaptively, a free neuron stops at the spike level and is held
    /// there (V fixed, the other variables evolving) until the end of the interval, where the
    /// engine fires it — NEST's aeif models likewise stop at V_peak within a step; integrating
    /// on through AdEx's exponential would send V, and with it w, to absurd values.
    @inlinable
    func integrate(_ state: inout State, over duration: Double, clamped: Bool) {
        switch integration {
        case .forwardEuler:
            state.y += duration * derivative(state.y, clamped: clamped)
        case .adaptive(let tolerance):
            let outcome = DormandPrince.integrate(
                &state.y, duration: duration, step: &state.step, tolerance: tolerance, stopWhen: 0,
                reaches: clamped ? nil : spikeLevel
            ) { derivative($0, clamped: clamped) }
            if case .reached(let offset) = outcome, duration - offset > 0 {
                _ = DormandPrince.integrate(&state.y, duration: duration - offset, step: &state.step, tolerance: tolerance) {
                    var d = derivative($0, clamped: false)
                    d[0] = 0
                    return d
                }
            }
        }
    }
}
