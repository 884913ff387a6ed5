import Foundation

/// The evidence-accumulation task of Bellec et al. 2020 (Fig. 3; after the mouse experiments of
/// Morcos & Harvey, Nat. Neurosci. 19:1672, 2016), generated here as their published tutorial
/// does: 40 inputs in four groups of 10 — left cues, right cues, recall cue, background. Seven
/// cues of 100 ms, one every 150 ms from 50 ms, each on the left or the right (per trial one side
/// draws cues with probability 0.7, the other 0.3); the cue's group fires as Poisson at 40 Hz.
/// After a delay the recall group fires at 40 Hz for the last 150 ms, in which the readout must
/// report the side with more cues. The background group fires at 10 Hz throughout. A trial lasts
/// 7·150 + 1200 = 2250 ms.
public struct EvidenceAccumulationTask: Sendable {
    public var cues = 7
    /// Cue length and spacing (ms).
    public var cueDuration = 100.0
    public var cueSpacing = 150.0
    /// From the last cue slot to the end (ms); the recall cue is its last `recallDuration` ms.
    public var delay = 1200.0
    public var recallDuration = 150.0
    /// Probability of a cue on the trial's minority side.
    public var minorityProbability = 0.3
    /// Poisson rates (Hz) of the cue and recall groups, and of the background group.
    public var cueRate = 40.0
    public var backgroundRate = 10.0
    /// Neurons per group.
    public var groupSize = 10
    public var dt = 1.0

    public init() {}

    public var inputs: Int { 4 * groupSize }
    public let outputs = 2
    public var steps: Int { Int((Double(cues) * cueSpacing + delay) / dt) }

    /// Trial `index` of the stream `seed` (a pure function of both).
    public func trial(seed: UInt64, index: Int) -> RecurrentTrial {
        var rng = Xoshiro256(seed: seed, stream: 0xEA, UInt64(index))
        let rightLikely = rng.uniform() < 0.5
        let pRight = rightLikely ? 1 - minorityProbability : minorityProbability
        let sides = (0..<cues).map { _ in rng.uniform() < pRight ? 1 : 0 }
        let T = steps, recallStart = T - Int(recallDuration / dt)
        let silence = cueSpacing - cueDuration
        var spikes = [[Int32]](repeating: [], count: T)
        let pCue = cueRate * dt / 1000, pBackground = backgroundRate * dt / 1000
        for n in 0..<T {
            let t = Double(n) * dt
            var group: Int? = nil
            let slot = Int(((t - silence) / cueSpacing).rounded(.down))
            if t >= silence, slot < cues, t - silence - Double(slot) * cueSpacing < cueDuration { group = sides[slot] }
            if n >= recallStart { group = 2 }
            for g in 0..<4 {
                let p = g == 3 ? pBackground : g == group ? pCue : 0
                for i in 0..<groupSize where rng.uniform() < p { spikes[n].append(Int32(g * groupSize + i)) }
            }
        }
        let label = sides.reduce(0, +) * 2 > cues ? 1 : 0
        return RecurrentTrial(
            input: STBPInput(spikes: spikes), windows: [.init(steps: recallStart..<T, label: label)], steps: T)
    }
}
