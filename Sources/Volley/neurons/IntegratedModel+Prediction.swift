/// The event-driven engine's prediction for an `IntegratedModel`: integrate ahead from the
/// current state (Dormand–Prince, the model's tolerance) until y[0] reaches the spike level — an
/// exact crossing, located on the dense output to ≤ 1e-12 ms — or for `predictionHorizon` ms
/// without reaching it — a wake-up at the horizon, where the engine predicts again. "Exact" means
/// here: the spike time of the integrated solution, whose error the tolerance controls (measured
/// in docs/models.md), not a closed form.
extension IntegratedModel {
    /// How far (ms) one prediction integrates before settling for a wake-up: 5 ms, or the
    /// neuron's mean input interval when that is shorter (≥ 0.25 ms) — an input will most likely
    /// replace the prediction before then.
    @inlinable
    public func predictionHorizon(_ state: State) -> Double {
        Swift.min(5, Swift.max(0.25, state.inputInterval))
    }

    public func nextCrossing(of state: State, at time: Double) -> ThresholdCrossing {
        if state.crossed { return .at(time) }  // an advance reached the level: fire now
        var s = state
        var start = time
        if s.refractory > 0 {
            start = time + s.refractory
            integrate(&s, over: s.refractory, clamped: true)
            s.refractory = 0
        }
        if spikeMargin(s.y) >= 0 { return .at(start) }
        let horizon = predictionHorizon(state)
        guard case .adaptive(let tolerance) = integration else { return .notBefore(start + horizon) }
        let outcome = DormandPrince.integrate(
            &s.y, duration: horizon, step: &s.step, tolerance: tolerance, until: { spikeMargin($0) }
        ) { derivative($0, clamped: false) }
        switch outcome {
        case .reached(let offset): return .at(start + offset)
        case .completed, .stepLimit: return .notBefore(start + horizon)
        }
    }
    // No input is assumed to only delay the spike: with adaptation coupled to V (AdEx's a,
    // Izhikevich's b) an inhibitory input can advance a later spike (rebound).
}
