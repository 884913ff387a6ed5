/// The event-driven engine on several threads: conservative parallel discrete-event simulation
/// in windows no longer than the network's shortest delay d_min.
///
/// Every population is split into one contiguous block per thread (`TargetPartition`), each
/// thread an `EventShard`. A spike at t ≥ T delivers at t + d ≥ T + d_min, so within a window
/// [T, T + d_min) no thread's events depend on another thread's events of the same window: each
/// thread processes its own in the engine's total order restricted to its neurons. At the
/// window's end the threads meet; at the start of the next, each queues the deliveries of all
/// threads' new spikes that reach its blocks (only its synapses of each group, which are one
/// contiguous run because groups are sorted by target), and the calling thread records the
/// spikes merged in (time, global id) order. Every neuron thus sees the same inputs in the same
/// order as with one thread, and its arithmetic does not depend on the partition
/// (`EpochClock`): spike trains are bit-identical for any number of threads.
///
/// Windows start at the earliest pending event, so idle stretches cost nothing. Runs with a stop
/// condition or state recording go through the shards one event at a time on the calling thread
/// (`advanceSerially`), in the total order across all shards.
final class EventThreads {
    let threads: Int
    let minimumDelay: Double
    let partition: TargetPartition
    /// The shards, `EventShard.spacing` bytes apart.
    private let shardMemory: UnsafeMutableRawPointer
    /// Fired lists: thread m's list of window parity q at `lists + (q·threads + m)·FiredList.spacing`.
    private let lists: UnsafeMutablePointer<FiredList>
    /// The current window's bound and parity, and the thread that records the previous window's
    /// spikes (−1: none), written by the calling thread before the team runs.
    private let window: UnsafeMutablePointer<(bound: Double, parity: Int, recorder: Int)>
    /// Global id of each population's first neuron.
    private let offsets: [Int]
    /// `merge`'s position in each thread's list (used by one recorder at a time: the windows'
    /// meetings order the recorders).
    private let mergeCursor: UnsafeMutablePointer<Int>
    /// Seconds each thread spent waiting for the others.
    private(set) var waitSeconds: [Double]

    init(
        threads: Int, minimumDelay: Double, partition: TargetPartition, kernels: [[EventKernel?]],
        sources: [SourcePopulation?], routing: SpikeRouting, offsets: [Int]
    ) {
        self.threads = threads
        self.minimumDelay = minimumDelay
        self.partition = partition
        for rule in routing.plastic { rule?.useLanes(threads) }
        shardMemory = .allocate(byteCount: threads * EventShard.spacing, alignment: 128)
        for k in 0..<threads {
            // Source populations are owned round-robin.
            var sourceIndex = 0
            let owned: [SourcePopulation?] = sources.map { source in
                guard let source else { return nil }
                defer { sourceIndex += 1 }
                return sourceIndex % threads == k ? source : nil
            }
            (shardMemory + k * EventShard.spacing).bindMemory(to: EventShard.self, capacity: 1).initialize(
                to: EventShard(
                    index: k, threads: threads, kernels: kernels[k],
                    firstNeuron: partition.blocks.indices.map { sources[$0] == nil ? partition.blocks[$0][k].lowerBound : 0 },
                    sources: owned, routing: routing, partition: partition, offsets: offsets))
        }
        lists = .allocate(capacity: 2 * threads * FiredList.spacing)
        for q in 0..<2 {
            for m in 0..<threads { (lists + (q * threads + m) * FiredList.spacing).initialize(to: FiredList()) }
        }
        window = .allocate(capacity: 1)
        window.initialize(to: (0, 0, -1))
        mergeCursor = .allocate(capacity: threads)
        mergeCursor.initialize(repeating: 0, count: threads)
        self.offsets = offsets
        waitSeconds = [Double](repeating: 0, count: threads)
    }

    deinit {
        for k in 0..<threads { shard(k).deinitialize(count: 1) }
        shardMemory.deallocate()
        for q in 0..<2 {
            for m in 0..<threads {
                (lists + (q * threads + m) * FiredList.spacing).pointee.free()
                (lists + (q * threads + m) * FiredList.spacing).deinitialize(count: 1)
            }
        }
        lists.deallocate()
        window.deallocate()
        mergeCursor.deallocate()
    }

    @inline(__always)
    func shard(_ k: Int) -> UnsafeMutablePointer<EventShard> {
        (shardMemory + k * EventShard.spacing).assumingMemoryBound(to: EventShard.self)
    }

    @inline(__always)
    private func list(parity q: Int, thread m: Int) -> UnsafeMutablePointer<FiredList> {
        lists + (q * threads + m) * FiredList.spacing
    }

    /// Every shard's queues from scratch at `time`; no waiting counted yet.
    func start(at time: Double) {
        waitSeconds = [Double](repeating: 0, count: threads)
        for k in 0..<threads { shard(k).pointee.start(at: time) }
        for q in 0..<2 {
            for m in 0..<threads { list(parity: q, thread: m).pointee.count = 0 }
        }
    }

    /// New spike trains or rates of source population p: its owner re-queues it.
    func sourcesChanged(_ p: Int, _ source: SourcePopulation) {
        for k in 0..<threads where shard(k).pointee.sources[p] != nil {
            shard(k).pointee.populations.update(p, time: source.nextEventTime)
        }
    }

    /// The counts of every thread since the last call (then cleared).
    func takeCounters() -> EngineCounters {
        var total = EngineCounters()
        for k in 0..<threads {
            total.add(shard(k).pointee.counters)
            shard(k).pointee.counters = EngineCounters()
        }
        return total
    }

    var lastEventTime: Double { (0..<threads).map { shard($0).pointee.lastEventTime }.max() ?? -.infinity }

    var memoryBytes: Int {
        partition.memoryBytes + (0..<threads).reduce(0) { $0 + shard($1).pointee.memoryBytes }
            + (0..<2 * threads).reduce(0) { $0 + lists[$1 * FiredList.spacing].capacity * MemoryLayout<FiredSpike>.stride }
    }

    // MARK: Windows

    /// Processes every event with time ≤ `end` in windows on all threads; `record` is called for
    /// each spike in (time, global id) order, during the next window by one of the threads in
    /// turn (one at a time, after the previous window's; the meetings order their memory).
    func advanceInWindows(until end: Double, record: @escaping (Int, Int, Double) -> Void) {
        let team = ThreadTeam(size: threads) { [self] k in
            let (bound, q, recorder) = window.pointee
            shard(k).pointee.runWindow(
                bound: bound, previous: UnsafePointer(list(parity: 1 - q, thread: 0)), fired: &list(parity: q, thread: k).pointee)
            if k == recorder { merge(parity: 1 - q, record: record) }
        }
        defer {
            team.finish()
            for k in 0..<threads { waitSeconds[k] += team.waitSeconds(k) }
        }
        var start = (0..<threads).map { shard($0).pointee.earliest().time }.min() ?? .infinity
        var q = window.pointee.parity
        var windows = 0
        while start <= end && start < .infinity {
            let limit = start + minimumDelay
            window.pointee = (limit > end ? end.nextUp : limit, q, windows == 0 ? -1 : windows % threads)
            team.run()
            start = .infinity
            for k in 0..<threads {
                start = Swift.min(start, shard(k).pointee.nextEventTime, shard(k).pointee.earliestSpike + minimumDelay)
            }
            q = 1 - q
            windows += 1
        }
        if windows > 0 { merge(parity: 1 - q, record: record) }
        window.pointee.parity = q
        // The last window's spikes are queued now (they deliver after `end`), so the next run
        // starts from complete queues.
        for k in 0..<threads {
            for m in 0..<threads {
                let l = list(parity: 1 - q, thread: m).pointee
                for s in 0..<l.count {
                    shard(k).pointee.schedule(spikeOf: Int(l.spikes[s].population), local: Int(l.spikes[s].local), at: l.spikes[s].time)
                }
            }
        }
        for m in 0..<threads { list(parity: 1 - q, thread: m).pointee.count = 0 }
    }

    /// Calls `record` for the spikes of all threads' lists of parity q in (time, global id) order.
    private func merge(parity q: Int, record: (Int, Int, Double) -> Void) {
        let next = mergeCursor
        next.update(repeating: 0, count: threads)
        while true {
            var best = -1
            var bestTime = Double.infinity
            var bestID = Int.max
            for m in 0..<threads {
                let l = list(parity: q, thread: m).pointee
                guard next[m] < l.count else { continue }
                let s = l.spikes[next[m]]
                let id = offsets[Int(s.population)] + Int(s.local)
                if s.time < bestTime || (s.time == bestTime && id < bestID) {
                    (best, bestTime, bestID) = (m, s.time, id)
                }
            }
            guard best >= 0 else { return }
            let s = list(parity: q, thread: best).pointee.spikes[next[best]]
            next[best] += 1
            record(Int(s.population), Int(s.local), s.time)
        }
    }

    // MARK: One event at a time

    /// The earliest event across all shards in the engine's total order: (time, kind,
    /// population), ties by the lower thread (whose blocks hold the lower ids).
    func earliestShard() -> (shard: Int, time: Double, kind: Int, population: Int) {
        var best = (shard: 0, time: Double.infinity, kind: 2, population: Int.max)
        for k in 0..<threads {
            let e = shard(k).pointee.earliest()
            if e.time < best.time || (e.time == best.time && (e.kind < best.kind || (e.kind == best.kind && e.kind == 1 && e.population < best.population))) {
                best = (k, e.time, e.kind, e.population)
            }
        }
        return best
    }

    /// Queues a spike's deliveries in every shard.
    func scheduleEverywhere(spikeOf p: Int, local: Int, at time: Double) {
        for k in 0..<threads { shard(k).pointee.schedule(spikeOf: p, local: local, at: time) }
    }
}
