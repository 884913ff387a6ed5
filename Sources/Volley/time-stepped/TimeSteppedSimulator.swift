/// Clock-driven simulation of the same `Network` on a fixed grid tₙ = n·dt.
///
/// Step n−1 → n, in this fixed order (docs/architecture.md):
/// 1. the deliveries due at step n are gathered, in (emitting neuron, projection, delay group)
///    order, and handed to their target populations; plastic projections apply their rule to
///    each arrival in that order (`PlasticProjection.preArrival`);
/// 2. population by population, in index order: every model neuron advances by dt with the
///    model's propagator (precomputed once), receives its deliveries, and fires at tₙ if at or
///    above threshold (`SteppedKernel.step`);
/// 3. every model neuron that fired schedules its deliveries (their keys are sorted when due, so
///    the order of scheduling is immaterial); then population by population, in index order, the
///    model neurons that fired, in ascending order, and every source neuron whose next spike
///    rounds to step n emit their spikes at tₙ: each is recorded and potentiates plastic synapses
///    onto it (a source's spike also schedules its deliveries here);
/// 4. state recordings due at tₙ are sampled.
/// Step 0 runs the same at t = 0 without the advance. Since every delay is at least one step,
/// nothing emitted at step n acts on step n, and this order gives the same spikes as emitting
/// each population's spikes right after its own update.
///
/// **Threads** (`threads` > 1): each population is split into contiguous blocks, one per thread
/// (`TargetPartition`), and step 2 runs on all threads at once, each advancing and firing its
/// own block and applying the part of every delivery group that targets it — in the same order
/// as one thread, so every sum, every spike and every recorded value is bit-identical whatever
/// the number of threads — and scheduling its fired neurons' deliveries into its own ring.
/// Steps 1, the rest of 3, and 4 run on the calling thread; the threads meet once per step
/// (`ThreadTeam`). Without plasticity, stop condition or due state sample the threads run
/// stretches of steps on their own, exchanging spikes through their postings (`advanceFreely`).
///
/// Grid rules: a delay d becomes round(d/dt) steps (ties away from zero) and must be ≥ 1 step,
/// otherwise construction fails; a source spike at time s is emitted at step round(s/dt). Spikes
/// are recorded at grid times. Within one step a source may emit several spikes (each delivers).
public final class TimeSteppedSimulator: Simulator {
    /// The time step (ms).
    public let dt: Double
    /// Current step index n (time = n·dt).
    public internal(set) var step = 0
    private var started = false
    /// The kernel of each model population (nil for sources).
    let kernels: [SteppedKernel?]
    /// Number of threads that run step 2.
    public let threads: Int
    /// The threads' blocks of neurons and parts of the delivery groups.
    private let partition: TargetPartition
    /// Each thread's part (thread k's at `shares + k·StepShare.spacing`).
    private let shares: UnsafeMutablePointer<StepShare>
    /// The current step's input to the threads, written by the calling thread before they start.
    let input: UnsafeMutablePointer<StepInput>
    /// What `StepLayout` points to: blockOf[p·threads + k] is thread k's block of population p;
    /// the global id of each population's first neuron; the delay of group g of projection j in
    /// steps, `delaySteps[delayStepStart[j] + g]`.
    private let blockOf: UnsafeMutablePointer<Range<Int>>
    private let offsets: UnsafeMutablePointer<Int>
    private let delaySteps: UnsafeMutablePointer<Int32>
    private let delayStepCount: Int
    private let delayStepStart: UnsafeMutablePointer<Int>
    let hasPlasticity: Bool
    var team: ThreadTeam?
    /// The threads' mailboxes for free-running steps (`advanceFreely`).
    let board: StepBoard
    /// Seconds each thread spent waiting for the others (a step's join, barrier or posts) since
    /// construction or `reset()`.
    public internal(set) var barrierWaitSeconds: [Double]
    /// Steps run freely on the threads (`advanceFreely`) since construction, and how many of them
    /// pipelined (`StepShare.runPipelined`).
    var freeSteps = 0
    var pipelinedSteps = 0
    // The step loop's buffers. Unchecked exclusivity: only the engine's own thread touches them,
    // many times per step.
    /// Ring buffer of due delivery keys, indexed by step modulo its length.
    @exclusivity(unchecked) var ring: [ContiguousArray<UInt64>]
    /// The due keys of the current step, grouped by target population: population p's are
    /// `dueKeys[dueStart[p] ..< dueStart[p + 1]]`.
    @exclusivity(unchecked) private var dueKeys = ContiguousArray<UInt64>()
    @exclusivity(unchecked) private var dueStart: [Int]
    @exclusivity(unchecked) private var dueCursor: [Int]
    @exclusivity(unchecked) private var fired = ContiguousArray<UInt32>()
    /// The sources' spikes of a free-running step (thread 0's; `freeSerialPart`).
    @exclusivity(unchecked) var sourceFired = ContiguousArray<UInt32>()
    /// Per due key: where the weights of its plastic group start in `snapshot`, or −1 (filled only
    /// when the network has plastic projections).
    @exclusivity(unchecked) private var snapshotOffsets = ContiguousArray<Int>()
    @exclusivity(unchecked) private var snapshot = ContiguousArray<Double>()

    public override var engineName: String { "stepped" }
    public override var timeStep: Double? { dt }
    public override var threadCount: Int { threads }
    public override var threadWaitSeconds: [Double] { threads > 1 ? barrierWaitSeconds : [] }

    /// The longest delay in steps of dt (one ring slot per step; 2²⁴ slots are 128 MB of empty
    /// buckets).
    public static let maxDelaySteps = 1 << 24

    /// `threads`: how many threads advance the neurons (default `Simulator.defaultThreads`: the
    /// `VOLLEY_THREADS` environment variable, else 1); the spikes are the same for every count.
    public init(network: Network, dt: Double, recording: SpikeRecording = .all, threads: Int? = nil) throws {
        guard dt.isFinite && dt > 0 else { throw VolleyError.invalidTimeStep(value: dt) }
        let threads = try threads.map { try Simulator.checkThreads($0) } ?? Simulator.defaultThreads()
        self.dt = dt
        self.threads = threads
        var steps: [Int32] = []
        var starts: [Int] = []
        var maxSteps = 1
        for proj in network.projections {
            let s = proj.structure
            starts.append(steps.count)
            for g in 0..<s.groupCount {
                let d = s.delay(ofGroup: g)
                let n = (d / dt).rounded(.toNearestOrAwayFromZero)
                guard n >= 1 else {
                    throw VolleyError.invalidDelay(
                        value: d,
                        context: "projection '\(proj.name)': rounds to 0 steps of dt = \(dt) ms; "
                            + "delays must be ≥ dt/2 in the time-stepped engine")
                }
                guard n <= Double(Self.maxDelaySteps) else {
                    throw VolleyError.invalidDelay(
                        value: d, context: "projection '\(proj.name)': \(n) steps of dt = \(dt) ms; the time-stepped engine's delay ring holds at most \(Self.maxDelaySteps) steps")
                }
                steps.append(Int32(n))
                maxSteps = Swift.max(maxSteps, Int(n))
            }
        }
        // d_max + 1 slots pending or due, and two more that free-running threads may still read
        // (`StepShare.runPipelined`).
        ring = Array(repeating: [], count: maxSteps + 3)
        dueStart = [Int](repeating: 0, count: network.populations.count + 1)
        dueCursor = dueStart
        let kernels = network.populations.map { p in p.kernels.map { $0.timeStepped(p.size, dt, threads) } }
        self.kernels = kernels
        hasPlasticity = network.projections.contains { $0.plasticity != nil }
        partition = TargetPartition(network: network, parts: threads)
        blockOf = .allocate(capacity: Swift.max(network.populations.count * threads, 1))
        for p in network.populations.indices {
            for k in 0..<threads { (blockOf + p * threads + k).initialize(to: partition.blocks[p][k]) }
        }
        offsets = .allocate(capacity: network.populations.count)
        offsets.initialize(from: network.populations.map(\.offset), count: network.populations.count)
        delaySteps = .allocate(capacity: Swift.max(steps.count, 1))
        delaySteps.initialize(from: steps, count: steps.count)
        delayStepCount = steps.count
        delayStepStart = .allocate(capacity: Swift.max(starts.count, 1))
        delayStepStart.initialize(from: starts, count: starts.count)
        shares = .allocate(capacity: threads * StepShare.spacing)
        input = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(MemoryLayout<StepInput>.stride, 128), alignment: 128)
            .bindMemory(to: StepInput.self, capacity: 1)
        input.initialize(to: StepInput())
        barrierWaitSeconds = [Double](repeating: 0, count: threads)
        board = StepBoard(threads: threads)
        try super.init(network: network, recording: recording, runtimes: kernels.map { $0?.runtime })
        for k in 0..<threads {
            let layout = StepLayout(
                threads: threads, populationCount: network.populations.count, ringLength: maxSteps + 3, blockOf: blockOf,
                views: routing.views, splits: partition.splits, offsets: offsets, delaySteps: delaySteps,
                delayStepStart: delayStepStart, routing: Unmanaged.passUnretained(routing))
            (shares + k * StepShare.spacing).initialize(
                to: StepShare(layout: layout, steps: kernels.map { $0?.makeStep() }, splitSteps: kernels.map { $0?.makeSplitStep?() }))
        }
    }

    deinit {
        for k in 0..<threads { (shares + k * StepShare.spacing).deinitialize(count: 1) }
        shares.deallocate()
        input.deinitialize(count: 1)
        UnsafeMutableRawPointer(input).deallocate()
        blockOf.deallocate()
        offsets.deallocate()
        delaySteps.deallocate()
        delayStepStart.deallocate()
    }

    /// Thread k's part.
    @inline(__always)
    func share(_ k: Int) -> UnsafeMutablePointer<StepShare> { shares + k &* StepShare.spacing }

    override func resetEngine() {
        step = 0
        started = false
        for k in barrierWaitSeconds.indices { barrierWaitSeconds[k] = 0 }
        for i in ring.indices { ring[i].removeAll(keepingCapacity: true) }
        for k in 0..<threads {
            for i in ring.indices { share(k).pointee.ring[i].removeAll(keepingCapacity: true) }
        }
    }

    override var engineMemoryBytes: Int {
        (0..<threads).reduce(ring.reduce(0) { $0 + $1.capacity * 8 }) { total, k in total + share(k).pointee.ring.reduce(0) { $0 + $1.capacity * 8 } }
            + dueKeys.capacity * 8 + delayStepCount * 4
            + snapshotOffsets.capacity * 8 + snapshot.capacity * 8 + partition.memoryBytes
    }

    /// The step at which a source spike at `t` is emitted.
    @inline(__always)
    func gridStep(_ t: Double) -> Int {
        let steps = (t / dt).rounded(.toNearestOrAwayFromZero)
        return steps < Self.maxSteps ? Int(steps) : Int.max  // beyond any run: never emitted
    }

    /// Runs end before 2⁵³ steps (exact step numbers in Double).
    static let maxSteps = 9_007_199_254_740_992.0

    override func advance(until end: Double, stop: StopCondition) throws -> RunOutcome {
        var count = counters
        defer { counters = count }
        let endStep = (end / dt + 1e-9).rounded(.down)
        guard end == .infinity || endStep < Self.maxSteps else {
            throw VolleyError.invalidParameter(
                name: "end", value: "\(end)", reason: "more than 2⁵³ steps of dt = \(dt) ms; give a finite end time the grid can count to, or .infinity")
        }
        let lastStep = end == .infinity ? Int.max : Int(endStep)
        let (shares, input, board, dt) = (self.shares, self.input, self.board, self.dt)
        let serialPart: (FreeSerialWork, Int, inout StepShare) -> Void = { [unowned(unsafe) self] work, n, share in
            freeSerialPart(work, step: n, share: &share)
        }
        team = threads > 1
            ? ThreadTeam(size: threads) { k in
                let share = shares + k &* StepShare.spacing
                let free = input.pointee.free
                if free.isEmpty {
                    share.pointee.step(input.pointee, thread: k)
                } else if share.pointee.splitSteps.isEmpty {
                    share.pointee.runFreely(steps: free.lowerBound, through: free.upperBound - 1, dt: dt, thread: k, board: board, serialPart: k == 0 ? serialPart : nil)
                } else {
                    share.pointee.runPipelined(steps: free.lowerBound, through: free.upperBound - 1, dt: dt, thread: k, board: board, serialPart: k == 0 ? serialPart : nil)
                }
            } : nil
        defer {
            if let team {
                team.finish()
                for k in 0..<threads { barrierWaitSeconds[k] += team.waitSeconds(k) }
            }
            team = nil
        }
        return try advanceSteps(to: lastStep, end: end, stop: stop, &count)
    }

    private func advanceSteps(to lastStep: Int, end: Double, stop: StopCondition, _ count: inout EngineCounters) throws -> RunOutcome {
        defer {
            for k in 0..<threads {
                count.add(share(k).pointee.counters)
                share(k).pointee.counters = EngineCounters()
            }
        }
        if !started {
            started = true
            if processStep(advancing: false, stop: stop, &count) { return .stopped(at: time) }
        }
        while step < lastStep {
            // Quiescent: no pending delivery and no pending source spike (only for `run(until:
            // .infinity)`; model neurons may still be driven to threshold by a bias, which stepping
            // to infinity cannot end).
            if end == .infinity && sources.allSatisfy({ $0?.queue.isEmpty ?? true }) && ring.allSatisfy({ $0.isEmpty })
                && (0..<threads).allSatisfy({ k in share(k).pointee.ring.allSatisfy { $0.isEmpty } }) {
                return .queueEmpty(time)
            }
            if let through = freeRunEnd(lastStep: lastStep, end: end, stop: stop) {
                advanceFreely(through: through)
                continue
            }
            step += 1
            time = Double(step) * dt
            if processStep(advancing: true, stop: stop, &count) { return .stopped(at: time) }
        }
        return .reachedTime(time)
    }

    /// One grid step at `time` (see the type's comment). Returns true when `stop` holds.
    private func processStep(advancing: Bool, stop: StopCondition, _ count: inout EngineCounters) -> Bool {
        let t = time
        gatherDueDeliveries(&count)
        applyPlasticity(at: t)
        dueKeys.withUnsafeBufferPointer { keys in
            snapshotOffsets.withUnsafeBufferPointer { offsets in
                snapshot.withUnsafeBufferPointer { weights in
                    dueStart.withUnsafeBufferPointer { starts in
                        input.pointee = StepInput(
                            time: t, step: step, advancing: advancing, keys: keys, snapshotOffsets: hasPlasticity ? offsets.baseAddress : nil,
                            snapshot: weights.baseAddress, dueStart: starts.baseAddress)
                        if let team { team.run() } else { share(0).pointee.step(input.pointee, thread: 0) }
                        input.pointee.keys = UnsafeBufferPointer(start: nil, count: 0)
                    }
                }
            }
        }
        var stopNow = false
        for p in network.populations.indices {
            if kernels[p] != nil {
                for k in 0..<threads {
                    let part = share(k)
                    let start = p == 0 ? 0 : part.pointee.firedEnd[p - 1]
                    let end = part.pointee.firedEnd[p]
                    count.spikes &+= UInt64(end - start)
                    let noted = part.pointee.fired.withUnsafeBufferPointer { fired in
                        noteSpikes(population: p, locals: UnsafeBufferPointer(rebasing: fired[start..<end]), time: t, stop: stop)
                    }
                    if noted { stopNow = true }
                }
            } else {
                fired.removeAll(keepingCapacity: true)
                sources[p].unsafelyUnwrapped.emitDue(step: step, gridStep: gridStep, into: &fired, &count)
                for k in fired.indices where emit(p, Int(fired[k]), stop, &count) { stopNow = true }
            }
        }
        sampleStates(upTo: t + 1e-9 * dt)
        return stopNow
    }

    /// Step 1's plasticity: each due arrival on a plastic projection, in delivery order, updates
    /// the projection's traces and weights; the weights it leaves are copied for the delivery.
    private func applyPlasticity(at t: Double) {
        snapshotOffsets.removeAll(keepingCapacity: true)
        snapshot.removeAll(keepingCapacity: true)
        guard hasPlasticity else { return }
        for key in dueKeys {
            let event = DeliveryEvent(time: t, key: key)
            guard let plastic = routing.plastic[event.projection] else {
                snapshotOffsets.append(-1)
                continue
            }
            let (g, first, n) = routing.locate(source: event.source, projection: event.projection, group: event.group)
            plastic.preArrival(group: g, first: first, count: n, time: t)
            snapshotOffsets.append(snapshot.count)
            snapshot.append(contentsOf: plastic.weights[first..<(first + n)])
        }
    }

    /// Moves the keys due at the current step out of the ring, sorted in delivery order and
    /// grouped by target population (a stable counting sort).
    private func gatherDueDeliveries(_ count: inout EngineCounters) {
        let slot = step % ring.count
        let populations = network.populations.count
        for k in 0..<threads where !share(k).pointee.ring[slot].isEmpty {
            ring[slot].append(contentsOf: share(k).pointee.ring[slot])
            share(k).pointee.ring[slot].removeAll(keepingCapacity: true)
        }
        ring[slot].sort()
        ring[slot].withUnsafeBufferPointer { keys in
            StepShare.group(keys, views: routing.views, populations: populations, into: &dueKeys, start: &dueStart, cursor: &dueCursor)
        }
        count.deliveryPops &+= UInt64(ring[slot].count)
        ring[slot].removeAll(keepingCapacity: true)
    }

    /// Records a source's spike at the current step and schedules its deliveries.
    private func emit(_ p: Int, _ local: Int, _ stop: StopCondition, _ count: inout EngineCounters) -> Bool {
        count.spikes &+= 1
        count.deliveryPushes &+= UInt64(share(0).pointee.layout.schedule(p, local, at: step, into: &ring))
        return noteSpike(population: p, local: local, time: time, stop: stop)
    }
}
