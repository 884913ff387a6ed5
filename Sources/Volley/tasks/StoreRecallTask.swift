import Foundation

/// A store-recall task (the working-memory task of Bellec et al. 2018 and 2020): 40 inputs in
/// four groups of 10 — value 0, value 1, store, recall — firing as Poisson at 50 Hz when active.
/// A trial is `periods` periods of 200 ms. Every period that is not a recall shows a random bit
/// (its value group fires); store and recall commands alternate, the next one coming in each
/// period with probability 1/(1 + `expectedDelay`) (a trial holds at least one store and one
/// recall). During a recall period the readout must report the bit shown with the latest store.
public struct StoreRecallTask: Sendable {
    public var periods = 12
    /// Period length (ms).
    public var periodDuration = 200.0
    /// Expected periods between a command and the next.
    public var expectedDelay = 4.0
    public var rate = 50.0
    public var groupSize = 10
    public var dt = 1.0

    public init() {}

    public var inputs: Int { 4 * groupSize }
    public let outputs = 2
    public var steps: Int { periods * stepsPerPeriod }
    var stepsPerPeriod: Int { Int(periodDuration / dt) }

    /// Trial `index` of the stream `seed` (a pure function of both).
    public func trial(seed: UInt64, index: Int) -> RecurrentTrial {
        var rng = Xoshiro256(seed: seed, stream: 0x5E, UInt64(index))
        let p = 1 / (1 + expectedDelay)
        // 0: none, 1: store, 2: recall; redrawn until a store is recalled.
        var commands = [Int](repeating: 0, count: periods)
        var bits = [Int](repeating: 0, count: periods)
        repeat {
            var awaitingStore = true
            for k in 0..<periods {
                bits[k] = rng.uniform() < 0.5 ? 1 : 0
                commands[k] = 0
                if rng.uniform() < p {
                    commands[k] = awaitingStore ? 1 : 2
                    awaitingStore.toggle()
                }
            }
        } while !commands.contains(2)
        let S = stepsPerPeriod
        var spikes = [[Int32]](repeating: [], count: steps)
        var windows: [RecurrentTrial.Window] = []
        var stored = 0
        let pSpike = rate * dt / 1000
        for k in 0..<periods {
            var groups: [Int] = []
            if commands[k] == 2 {
                groups = [3]
                windows.append(.init(steps: (k * S)..<((k + 1) * S), label: stored))
            } else {
                groups = [bits[k]]
                if commands[k] == 1 {
                    groups.append(2)
                    stored = bits[k]
                }
            }
            for n in (k * S)..<((k + 1) * S) {
                for g in groups {
                    for i in 0..<groupSize where rng.uniform() < pSpike { spikes[n].append(Int32(g * groupSize + i)) }
                }
            }
        }
        return RecurrentTrial(input: STBPInput(spikes: spikes), windows: windows, steps: steps)
    }
}
