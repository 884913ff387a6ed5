/// Whether a network is certain to fall silent once its inputs stop: the condition under which
/// `run(until: .infinity)` without a stop condition is guaranteed to end.
extension Network {
    /// Why the activity of this network may never end without input, or nil when it must end.
    /// Conservative: a population of neurons that can fire more than once (not `firstSpikeOnly`)
    /// keeps a run going if
    /// * its neurons fire without input — the resting state, left alone for 10⁶ ms, is at or
    ///   above threshold (a bias drive above threshold), or
    /// * it lies on a loop of projections through such populations (recurrent excitation can
    ///   sustain itself; a loop that would fall silent is refused too).
    /// Spike sources end with their last spike; Poisson sources are checked by the simulator.
    public var reasonActivityMayNotEnd: String? {
        let repeating = populations.map { !$0.isSource && !$0.firstSpikeOnly && $0.size > 0 }
        for p in populations.indices where repeating[p] {
            if let model = populations[p].model, Self.firesWithoutInput(model) {
                return "population '\(populations[p].name)' fires without input (its resting state is above threshold)"
            }
        }
        // Depth-first search for a cycle among the repeating populations.
        var next = [[Int]](repeating: [], count: populations.count)
        for q in projections where q.synapseCount > 0 && repeating[q.source.index] && repeating[q.target.index] {
            next[q.source.index].append(q.target.index)
        }
        enum Mark { case new, open, done }
        var mark = [Mark](repeating: .new, count: populations.count)
        var path: [Int] = []
        func loop(from p: Int) -> [Int]? {
            mark[p] = .open
            path.append(p)
            for t in next[p] {
                if mark[t] == .open { return Array(path[path.firstIndex(of: t)!...]) + [t] }
                if mark[t] == .new, let found = loop(from: t) { return found }
            }
            path.removeLast()
            mark[p] = .done
            return nil
        }
        for p in populations.indices where mark[p] == .new {
            if let cycle = loop(from: p) {
                let names = cycle.map { "'\(populations[$0].name)'" }.joined(separator: " → ")
                return "populations \(names) form a loop that can keep itself firing"
            }
        }
        return nil
    }

    static func firesWithoutInput<M: NeuronModel>(_ model: M) -> Bool {
        var state = model.initialState(potential: nil)
        if model.isAboveThreshold(state, at: 0) { return true }
        let horizon = 1e6
        model.advance(&state, by: horizon)
        return model.isAboveThreshold(state, at: horizon)
    }
}
