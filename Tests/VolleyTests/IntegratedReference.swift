@testable import Volley

/// Spike times of one `IntegratedModel` neuron computed directly with `DormandPrince` at a tight
/// tolerance (default 1e-13), inputs applied at their times: the reference the engines are
/// checked against (shared by AdExTests and IzhikevichTests).
func integratedReferenceSpikes<M: IntegratedModel>(
    _ model: M, until end: Double, inputs: [(time: Double, weight: Double, receptor: Int)] = [],
    tolerance: Double = 1e-12
) -> [Double] {
    let tight = ODETolerance(absolute: ODEState(repeating: tolerance), relative: tolerance)
    var state = model.initialState(potential: nil)
    var t = 0.0
    var spikes: [Double] = []
    var pending = inputs.sorted { $0.time < $1.time }[...]
    while t < end {
        let stop = min(pending.first?.time ?? end, end)
        if state.refractory > 0 {
            let r = min(state.refractory, stop - t)
            _ = DormandPrince.integrate(&state.y, duration: r, step: &state.step, tolerance: tight) { model.derivative($0, clamped: true) }
            state.refractory = Refractory.remaining(state.refractory, after: r)
            t += r
            continue
        }
        let outcome = DormandPrince.integrate(&state.y, duration: stop - t, step: &state.step, tolerance: tight, stopWhen: 0, reaches: model.spikeLevel) {
            model.derivative($0, clamped: false)
        }
        switch outcome {
        case .reached(let offset):
            t += offset
            spikes.append(t)
            model.fire(&state, at: t)
        case .completed:
            t = stop
            while let next = pending.first, next.time <= t {
                model.receive(&state, weight: next.weight, receptor: next.receptor, at: t)
                pending.removeFirst()
            }
            if model.isAboveThreshold(state, at: t) {
                spikes.append(t)
                model.fire(&state, at: t)
            }
        case .stepLimit:
            return spikes
        }
    }
    return spikes
}
