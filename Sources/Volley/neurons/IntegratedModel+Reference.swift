/// A reference solution for one neuron of an `IntegratedModel`, independent of the engines:
/// Dormand–Prince at a tight tolerance straight from spike to spike (the spike located on the
/// dense output), inputs applied at their times. The engines' spike times are measured against
/// it (docs/models.md, "Integrated models").
extension IntegratedModel {
    /// Spike times (ms) of one neuron from its initial state until `end` ms, with `inputs`
    /// (time ms, weight, receptor) and the tolerance `tolerance` (absolute and relative).
    public func referenceSpikeTimes(
        until end: Double, inputs: [(time: Double, weight: Double, receptor: Int)] = [], tolerance: Double = 1e-12
    ) -> [Double] {
        let tight = ODETolerance(absolute: ODEState(repeating: tolerance), relative: tolerance)
        var state = initialState(potential: nil)
        var t = 0.0
        var spikes: [Double] = []
        var pending = inputs.sorted { $0.time < $1.time }[...]
        while t < end {
            let stop = Swift.min(pending.first?.time ?? end, end)
            if state.refractory > 0 {
                let r = Swift.min(state.refractory, stop - t)
                _ = DormandPrince.integrate(&state.y, duration: r, step: &state.step, tolerance: tight) { derivative($0, clamped: true) }
                state.refractory = Refractory.remaining(state.refractory, after: r)
                t += r
                if t < stop { continue }
                while let next = pending.first, next.time <= t {
                    receive(&state, weight: next.weight, receptor: next.receptor, at: t)
                    pending.removeFirst()
                }
                continue
            }
            let outcome = DormandPrince.integrate(
                &state.y, duration: stop - t, step: &state.step, tolerance: tight, until: { spikeMargin($0) }
            ) { derivative($0, clamped: false) }
            switch outcome {
            case .reached(let offset):
                t += offset
                spikes.append(t)
                fire(&state, at: t)
            case .completed:
                t = stop
                while let next = pending.first, next.time <= t {
                    receive(&state, weight: next.weight, receptor: next.receptor, at: t)
                    pending.removeFirst()
                }
                if isAboveThreshold(state, at: t) {
                    spikes.append(t)
                    fire(&state, at: t)
                }
            case .stepLimit:
                return spikes
            }
        }
        return spikes
    }
}
