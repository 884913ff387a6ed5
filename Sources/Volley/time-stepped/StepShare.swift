/// What the calling thread publishes for each step before the threads start (kept in memory of
/// its own, so that writing it does not disturb the lines the threads read).
struct StepInput {
    var time: Double = 0
    var step = 0
    var advancing = false
    var keys = UnsafeBufferPointer<UInt64>(start: nil, count: 0)
    /// Per due key, where its plastic group's weights start in `snapshot`; nil without plasticity.
    var snapshotOffsets: UnsafePointer<Int>?
    var snapshot: UnsafePointer<Double>?
    /// Population p's due keys are `keys[dueStart[p] ..< dueStart[p + 1]]`.
    var dueStart: UnsafePointer<Int>?
    /// Steps the threads run freely, each gathering its own due keys (`runFreely`); empty: one
    /// step, the above.
    var free: Range<Int> = 0..<0
}

/// What every thread reads and nobody writes during a run, as raw storage (each thread holds its
/// own copy, so reading it touches no line another thread writes, and no reference count).
struct StepLayout {
    let threads: Int
    let populationCount: Int
    let ringLength: Int
    /// blockOf[p·threads + k]: thread k's neurons of population p.
    let blockOf: UnsafeMutablePointer<Range<Int>>
    let views: UnsafeMutableBufferPointer<ProjectionView>
    let splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    /// Global id of each population's first neuron.
    let offsets: UnsafePointer<Int>
    /// The delay of group g of projection j in steps: `delaySteps[delayStepStart[j] + g]`.
    let delaySteps: UnsafePointer<Int32>
    let delayStepStart: UnsafePointer<Int>
    /// Held unretained and used without retaining it (a reference count touched by every thread
    /// per spike would bounce its cache line between the cores).
    let routing: Unmanaged<SpikeRouting>

    /// Puts the delivery keys of neuron `local` of population p's spike at `step` into `ring`,
    /// each its group's delay in steps ahead; returns the number of keys.
    @inline(__always)
    func schedule(_ p: Int, _ local: Int, at step: Int, into ring: inout [ContiguousArray<UInt64>]) -> Int {
        let global = offsets[p] &+ local
        return routing._withUnsafeGuaranteedRef {
            $0.forEachGroup(ofSpikeFrom: p, local: local) { projection, g, groupInRow in
                let slot = (step &+ Int(delaySteps[delayStepStart[projection] &+ g])) % ringLength
                ring[slot].append(DeliveryEvent(time: 0, source: global, projection: projection, group: groupInRow).key)
            }
        }
    }
}

/// One thread's part of the time-stepped engine: its own step closures, what it produces in a
/// step — the local indices of the neurons it fired (population p's are
/// `fired[firedEnd[p − 1] ..< firedEnd[p]]`) and the delivery keys they scheduled, by ring slot
/// (merged by the calling thread when due) — and its operation counts. Shares are spaced two
/// cache lines apart (`spacing`).
struct StepShare {
    let layout: StepLayout
    /// The thread's own step closure of each model population (nil for sources).
    let steps: [SteppedKernel.Step?]
    /// The same steps in two halves where every model population's kernel has them
    /// (`SteppedKernel.SplitStep`), else empty: free-running steps then pipeline (`runPipelined`).
    let splitSteps: [SteppedKernel.SplitStep?]
    let modelPopulations: ContiguousArray<Int>
    var fired = ContiguousArray<UInt32>()
    var firedEnd: [Int]
    var ring: [ContiguousArray<UInt64>]
    var counters = EngineCounters()
    // Free-running steps only (`runFreely`, `runPipelined`): the fired neurons of the last four
    // steps (step n's at n mod 4, read by thread 0 during a later step), the keys of all threads'
    // postings, and the step's due keys grouped by target population
    // (`dueKeys[dueStart[p] ..< dueStart[p + 1]]`).
    var firedHistory: [ContiguousArray<UInt32>] = Array(repeating: [], count: 4)
    var firedEndHistory: [[Int]]
    var merged = ContiguousArray<UInt64>()
    var dueKeys = ContiguousArray<UInt64>()
    var dueStart: [Int]
    var dueCursor: [Int]
    /// Stands in for the plastic weights' snapshot, which free-running steps never have.
    let noSnapshot = ContiguousArray<Double>(repeating: 0, count: 1)

    init(layout: StepLayout, steps: [SteppedKernel.Step?], splitSteps: [SteppedKernel.SplitStep?]) {
        self.layout = layout
        self.steps = steps
        modelPopulations = ContiguousArray(steps.indices.filter { steps[$0] != nil })
        self.splitSteps = modelPopulations.allSatisfy { splitSteps[$0] != nil } ? splitSteps : []
        firedEnd = [Int](repeating: 0, count: layout.populationCount)
        firedEndHistory = Array(repeating: firedEnd, count: 4)
        dueStart = [Int](repeating: 0, count: layout.populationCount + 1)
        dueCursor = dueStart
        ring = Array(repeating: [], count: layout.ringLength)
    }

    /// Elements of an array of shares between two consecutive threads' shares (≥ 128 bytes).
    static var spacing: Int { (128 + MemoryLayout<StepShare>.stride - 1) / MemoryLayout<StepShare>.stride + 1 }

    /// The engine's step 2 for thread k — its block of every model population, in population
    /// order — and the scheduling of its fired neurons' deliveries.
    mutating func step(_ input: StepInput, thread k: Int) {
        let keys = input.keys, dueStart = input.dueStart.unsafelyUnwrapped
        let offsets = input.snapshotOffsets, weights = input.snapshot.unsafelyUnwrapped
        let threads = layout.threads
        firePopulations(step: input.step) { p, share in
            let due = DueDeliveries(
                keys: UnsafeBufferPointer(rebasing: keys[dueStart[p]..<dueStart[p + 1]]),
                snapshotOffsets: offsets.map { $0 + dueStart[p] }, snapshot: weights, views: share.layout.views,
                splits: share.layout.splits, parts: threads, part: k)
            share.steps[p].unsafelyUnwrapped(input.time, input.advancing, due, share.layout.blockOf[p &* threads &+ k], &share.fired, &share.counters)
        }
    }

    /// Runs `fire(p)` for every model population p in order — it appends the population's fired
    /// neurons to `fired` — and keeps `firedEnd` (source populations in between fire nothing
    /// here); schedules each fired neuron's deliveries from `step`.
    @inline(__always)
    mutating func firePopulations(step n: Int, _ fire: (Int, inout StepShare) -> Void) {
        fired.removeAll(keepingCapacity: true)
        var populationEnd = 0
        for p in modelPopulations {
            while populationEnd < p {
                firedEnd[populationEnd] = fired.count
                populationEnd += 1
            }
            let firstFired = fired.count
            fire(p, &self)
            for j in firstFired..<fired.count {
                counters.deliveryPushes &+= UInt64(layout.schedule(p, Int(fired[j]), at: n, into: &ring))
            }
            firedEnd[p] = fired.count
            populationEnd = p + 1
        }
        while populationEnd < layout.populationCount {
            firedEnd[populationEnd] = fired.count
            populationEnd += 1
        }
    }
}
