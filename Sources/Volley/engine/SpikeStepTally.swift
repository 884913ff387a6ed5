/// The spike memory of `SNNEvaluation`: the most spikes of model neurons in one time step
/// (event-driven: one bin of `width` ms), counted spike by spike in time order, and their total.
/// A spike at t falls in step round(t/width) on the time-stepped grid (`onGrid`, where spike
/// times are grid times) and in bin ⌊t/width⌋ otherwise.
struct SpikeStepTally {
    /// The step being counted, and its spikes so far.
    var step = Int64.min
    var inStep = 0
    /// Spikes counted since the last reset (`StopCondition.modelSpikeCount`).
    var total = 0
    /// The most spikes in one step.
    var peak = 0

    @inline(__always)
    mutating func add(_ n: Int, at t: Double, width: Double, onGrid: Bool) {
        let x = t / width
        let k = Int64(onGrid ? x.rounded() : x.rounded(.down))
        if k != step { step = k; inStep = 0 }
        inStep += n
        total += n
        peak = Swift.max(peak, inStep)
    }
}
