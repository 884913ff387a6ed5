/// How a spike-count readout decides between classes whose spike counts tie at the top.
///
/// With a few output spikes per sample, equal counts are common enough to matter (≈ 0.2 % of
/// MNIST test images for the 784-800-10 MLP). A rule that picks the lowest index (PyTorch's
/// `max(1)`, used by the STBP authors' code) decides them arbitrarily; `.firstSpike` decides by
/// timing, which the spike trains carry and a count discards: among the tied classes, the one
/// whose output neuron fired first — the time-to-first-spike code (Thorpe et al. 2001), used
/// here only where the rate code is silent on the answer.
public enum STBPTieBreak: String, Sendable, CaseIterable {
    /// Tied counts stay undecided, and count as errors.
    case none
    /// Among the classes tied at the highest count, the one with the earliest first spike; a tie
    /// in that too (or a silent output layer) stays undecided.
    case firstSpike = "first-spike"
}

extension STBPNetwork {
    /// The predicted class: the unique highest score, or nil on a tie (an all-silent output
    /// decides nothing, rather than defaulting to class 0).
    public static func decision(_ z: [Double]) -> Int? {
        guard let top = z.max() else { return nil }
        let winners = z.indices.filter { z[$0] == top }
        return winners.count == 1 ? winners[0] : nil
    }

    /// The unique highest score; if several classes share it, the one among them with the
    /// earliest first spike (`firstSpikes[k]`: the time, in ms or steps, of class k's first
    /// output spike; +∞ if it never fired); nil if that ties too or no tied class fired.
    public static func decision(_ z: [Double], firstSpikes: [Double]) -> Int? {
        guard let top = z.max() else { return nil }
        let winners = z.indices.filter { z[$0] == top }
        if winners.count == 1 { return winners[0] }
        guard firstSpikes.count == z.count, let earliest = winners.map({ firstSpikes[$0] }).min(), earliest < .infinity else { return nil }
        let first = winners.filter { firstSpikes[$0] == earliest }
        return first.count == 1 ? first[0] : nil
    }

    /// This network's decision for a forward pass: its scores, and for the spike-count readout
    /// with `tieBreak` `.firstSpike` the output layer's first spikes on a tie.
    public func decision(_ a: STBPActivity) -> Int? {
        let z = scores(a)
        guard readout == .spikeCount, tieBreak == .firstSpike else { return Self.decision(z) }
        return Self.decision(z, firstSpikes: a.outputFirstSpikes(size: layerSizes[layerCount - 1]))
    }
}
