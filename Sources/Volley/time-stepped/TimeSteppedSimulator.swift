/// Clock-driven simulation of the same `Network` on a fixed grid tₙ = n·dt.
///
/// Step n−1 → n, in this fixed order (docs/architecture.md):
/// 1. the deliveries due at step n are gathered, in (emitting neuron, projection, delay group)
///    order, and handed to their target populations;
/// 2. population by population, in index order: every model neuron advances by dt with the
///    model's propagator (precomputed once), receives its deliveries, and fires at tₙ if at or
///    above threshold (`SteppedKernel.step`); every source neuron whose next spike rounds to step
///    n fires at tₙ; each spike is recorded and its deliveries scheduled;
/// 3. state recordings due at tₙ are sampled.
/// Step 0 runs the same at t = 0 without the advance.
///
/// Grid rules: a delay d becomes round(d/dt) steps (ties away from zero) and must be ≥ 1 step,
/// otherwise construction fails; a source spike at time s is emitted at step round(s/dt). Spikes
/// are recorded at grid times. Within one step a source may emit several spikes (each delivers).
public final class TimeSteppedSimulator: Simulator {
    /// The time step (ms).
    public let dt: Double
    /// Current step index n (time = n·dt).
    public private(set) var step = 0
    private var started = false
    /// The kernel of each model population (nil for sources).
    private let kernels: [SteppedKernel?]
    /// The delay of group g of projection j in steps: `delaySteps[delayStepStart[j] + g]`.
    private let delaySteps: [Int32]
    private let delayStepStart: [Int]
    /// The global id of each population's first neuron.
    private let offsets: [Int]
    // The step loop's buffers. Unchecked exclusivity: only the engine's own thread touches them,
    // many times per step.
    /// Ring buffer of due delivery keys, indexed by step modulo its length.
    @exclusivity(unchecked) private var ring: [ContiguousArray<UInt64>]
    /// The due keys of the current step, grouped by target population: population p's are
    /// `dueKeys[dueStart[p] ..< dueStart[p + 1]]`.
    @exclusivity(unchecked) private var dueKeys = ContiguousArray<UInt64>()
    @exclusivity(unchecked) private var dueStart: [Int]
    @exclusivity(unchecked) private var dueCursor: [Int]
    @exclusivity(unchecked) private var fired = ContiguousArray<UInt32>()

    public override var engineName: String { "stepped" }
    public override var timeStep: Double? { dt }

    /// The longest delay in steps of dt (one ring slot per step; 2²⁴ slots are 128 MB of empty
    /// buckets).
    public static let maxDelaySteps = 1 << 24

    public init(network: Network, dt: Double, recording: SpikeRecording = .all) throws {
        guard dt.isFinite && dt > 0 else { throw VolleyError.invalidTimeStep(value: dt) }
        self.dt = dt
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
        delaySteps = steps
        delayStepStart = starts
        offsets = network.populations.map(\.offset)
        ring = Array(repeating: [], count: maxSteps + 1)
        dueStart = [Int](repeating: 0, count: network.populations.count + 1)
        dueCursor = dueStart
        let kernels = network.populations.map { p in p.kernels.map { $0.timeStepped(p.size, dt) } }
        self.kernels = kernels
        try super.init(network: network, recording: recording, runtimes: kernels.map { $0?.runtime })
    }

    override func resetEngine() {
        step = 0
        started = false
        for i in ring.indices { ring[i].removeAll(keepingCapacity: true) }
    }

    override var engineMemoryBytes: Int {
        ring.reduce(0) { $0 + $1.capacity * 8 } + dueKeys.capacity * 8 + delaySteps.count * 4
    }

    /// The step at which a source spike at `t` is emitted.
    @inline(__always)
    private func gridStep(_ t: Double) -> Int {
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
        if !started {
            started = true
            if processStep(advancing: false, stop: stop, &count) { return .stopped(at: time) }
        }
        while step < lastStep {
            // Quiescent: no pending delivery and no pending source spike (only for `run(until:
            // .infinity)`; model neurons may still be driven to threshold by a bias, which stepping
            // to infinity cannot end).
            if end == .infinity && sources.allSatisfy({ $0?.queue.isEmpty ?? true }) && ring.allSatisfy({ $0.isEmpty }) {
                return .queueEmpty(time)
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
        var stopNow = false
        dueKeys.withUnsafeBufferPointer { keys in
            for p in network.populations.indices {
                fired.removeAll(keepingCapacity: true)
                if let kernel = kernels[p] {
                    let due = DueDeliveries(
                        keys: UnsafeBufferPointer(rebasing: keys[dueStart[p]..<dueStart[p + 1]]), routing: routing)
                    kernel.step(t, advancing, due, &fired, &count)
                } else {
                    sources[p].unsafelyUnwrapped.emitDue(step: step, gridStep: gridStep, into: &fired, &count)
                }
                for k in fired.indices where emit(p, Int(fired[k]), stop, &count) { stopNow = true }
            }
        }
        sampleStates(upTo: t + 1e-9 * dt)
        return stopNow
    }

    /// Moves the keys due at the current step out of the ring, sorted in delivery order and
    /// grouped by target population (a stable counting sort).
    private func gatherDueDeliveries(_ count: inout EngineCounters) {
        let slot = step % ring.count
        let populations = network.populations.count
        for p in 0...populations { dueStart[p] = 0 }
        guard !ring[slot].isEmpty else {
            dueKeys.removeAll(keepingCapacity: true)
            return
        }
        ring[slot].sort()
        for key in ring[slot] {
            let target = routing.target(ofProjection: DeliveryEvent(time: 0, key: key).projection)
            dueStart[target + 1] += 1
        }
        for p in 0..<populations { dueStart[p + 1] += dueStart[p] }
        dueKeys.removeAll(keepingCapacity: true)
        dueKeys.append(contentsOf: repeatElement(0, count: ring[slot].count))
        for p in 0...populations { dueCursor[p] = dueStart[p] }
        for key in ring[slot] {
            let target = routing.target(ofProjection: DeliveryEvent(time: 0, key: key).projection)
            dueKeys[dueCursor[target]] = key
            dueCursor[target] += 1
        }
        count.deliveryPops &+= UInt64(ring[slot].count)
        ring[slot].removeAll(keepingCapacity: true)
    }

    /// Records a spike at the current step and schedules its deliveries.
    private func emit(_ p: Int, _ local: Int, _ stop: StopCondition, _ count: inout EngineCounters) -> Bool {
        count.spikes &+= 1
        let global = offsets[p] + local
        let step = step
        let ringLength = ring.count
        count.deliveryPushes &+= UInt64(
            routing.forEachGroup(ofSpikeFrom: p, local: local) { projection, g, groupInRow in
                let slot = (step + Int(delaySteps[delayStepStart[projection] + g])) % ringLength
                ring[slot].append(DeliveryEvent(time: 0, source: global, projection: projection, group: groupInRow).key)
            })
        return noteSpike(population: p, local: local, time: time, stop: stop)
    }
}
