import Foundation

/// The simple model of Izhikevich (IEEE Trans. Neural Netw. 14:1569, 2003; NEST `izhikevich`,
/// same parameter names; v in mV, t in ms, u and I in the model's mV/ms units).
///
///     dv/dt = 0.04·v² + 5·v + 140 − u + I_e,     du/dt = a·(b·v − u)
///     input of weight w (mV):   v ← v + w
///     v ≥ V_th  ⇒  spike;  v ← c,  u ← u + d
///
/// Integrated numerically (`IntegratedModel`): y = (v, u). With `.forwardEuler` one step of dt
/// updates both from the old values (NEST's `consistent_integration`; Brian2's `euler`).
public struct Izhikevich: IntegratedModel, ExactlyPredictable {
    /// Time scale of the recovery variable a (1/ms).
    public var a: Double
    /// Sensitivity of u to v, b (1/ms in the model's units).
    public var b: Double
    /// Reset value of v after a spike, c (mV).
    public var c: Double
    /// Reset increment of u after a spike, d.
    public var d: Double
    /// Spike cut-off V_th (mV; Izhikevich's 30 mV).
    public var vTh: Double
    /// Constant input I_e.
    public var iE: Double
    public var integration: ODEIntegration

    /// NEST's defaults: regular spiking (a 0.02, b 0.2, c −65 mV, d 8).
    public init(
        a: Double = 0.02, b: Double = 0.2, c: Double = -65, d: Double = 8, vTh: Double = 30, iE: Double = 0,
        integration: ODEIntegration = .adaptive(Izhikevich.defaultTolerance)
    ) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.vTh = vTh
        self.iE = iE
        self.integration = integration
    }

    /// Default tolerances: 1e-11 relative, 1e-11 absolute.
    public static let defaultTolerance = ODETolerance(absolute: ODEState(repeating: 1e-11), relative: 1e-11)

    public static let modelName = "izhikevich"
    public var receptorCount: Int { 1 }
    public var spikeLevel: Double { vTh }
    public var refractoryPeriod: Double { 0 }

    public func validate() throws {
        for (name, value) in [("a", a), ("b", b), ("c", c), ("d", d), ("iE", iE)] {
            try VolleyError.require(name, value, "must be finite") { _ in true }
        }
        try VolleyError.require("vTh", vTh, "must be above c (\(c) mV)") { $0 > c }
        if case .adaptive(let tolerance) = integration { try tolerance.validate() }
    }

    /// v at rest with u = b·v (Izhikevich's initial condition); `potential` sets v, with u = b·v.
    @inlinable
    public func initialState(potential: Double?) -> State {
        let v = potential ?? c
        return State(y: ODEState(v, b * v, 0, 0))
    }

    @inlinable
    public func derivative(_ y: ODEState, clamped: Bool) -> ODEState {
        let v = y[0], u = y[1]
        return ODEState(0.04 * v * v + 5 * v + 140 - u + iE, a * (b * v - u), 0, 0)
    }

    @inlinable
    public func deliver(_ state: inout State, weight: Double, receptor: Int) {
        state.y[0] += weight
    }

    @inlinable
    public func reset(_ state: inout State) {
        state.y[0] = c
        state.y[1] += d
    }
}
