import Foundation

/// The event-driven engine on several threads: conservative parallel discrete-event simulation
/// with the network's shortest delay d_min as lookahead.
///
/// Every population is split into one contiguous block per thread (`TargetPartition`), each
/// thread an `EventShard`. A spike at t delivers at t + d ≥ t + d_min, so a thread may process
/// any of its events earlier than every other thread's clock plus d_min (a thread's clock: it
/// will fire nothing earlier, `ShardBoard`): each thread processes its own events in the engine's
/// total order restricted to its neurons, lists the spikes they fire, and, whenever it has no
/// safe event left, reads the others' clocks and queues the deliveries of their newly listed
/// spikes that reach its blocks (only its synapses of each group, which are one contiguous run
/// because groups are sorted by target). No thread waits for all the others at fixed instants:
/// a thread ahead by less than d_min carries on. Every neuron thus sees the same inputs in the
/// same order as with one thread, and its arithmetic does not depend on the partition
/// (`EpochClock`): spike trains are bit-identical for any number of threads.
///
/// The threads run in segments of at most 1024 · d_min (shorter when they would list more than
/// `segmentSpikes` spikes), each from the earliest pending event (so idle stretches cost
/// nothing); after each, the calling thread records the segment's spikes merged in (time,
/// global id) order and clears the lists. Runs with a stop condition or state recording go
/// through the shards one event at a time on the calling thread (`advanceSerially`), in the
/// total order across all shards.
final class EventThreads {
    let threads: Int
    let minimumDelay: Double
    let partition: TargetPartition
    /// The shards, `EventShard.spacing` bytes apart.
    private let shardMemory: UnsafeMutableRawPointer
    /// Fired lists: thread m's list of the current segment at `lists + m·FiredList.spacing`.
    private let lists: UnsafeMutablePointer<FiredList>
    /// The threads' clocks and lists, as they publish them.
    private let board: ShardBoard
    /// The next segment's length (ms; see `segmentSpikes`).
    private(set) var segmentSpan: Double
    /// The current segment's start and bound (exclusive), written before the threads run it.
    private let segment: UnsafeMutablePointer<(start: Double, bound: Double)>
    /// Global id of each population's first neuron.
    private let offsets: [Int]
    /// `merge`'s position in each thread's list.
    private let mergeCursor: UnsafeMutablePointer<Int>
    /// Seconds each thread spent waiting for the others.
    private(set) var waitSeconds: [Double]
    /// The current segment's spikes of all threads in (time, global id) order (`merge`).
    private var merged = ContiguousArray<FiredSpike>()

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
        lists = .allocate(capacity: threads * FiredList.spacing)
        for m in 0..<threads { (lists + m * FiredList.spacing).initialize(to: FiredList()) }
        board = ShardBoard(threads: threads)
        segment = .allocate(capacity: 1)
        segment.initialize(to: (0, 0))
        segmentSpan = Self.segmentLength * minimumDelay
        mergeCursor = .allocate(capacity: threads)
        mergeCursor.initialize(repeating: 0, count: threads)
        self.offsets = offsets
        waitSeconds = [Double](repeating: 0, count: threads)
    }

    deinit {
        for k in 0..<threads { shard(k).deinitialize(count: 1) }
        shardMemory.deallocate()
        for m in 0..<threads {
            (lists + m * FiredList.spacing).pointee.free()
            (lists + m * FiredList.spacing).deinitialize(count: 1)
        }
        lists.deallocate()
        segment.deallocate()
        mergeCursor.deallocate()
    }

    @inline(__always)
    func shard(_ k: Int) -> UnsafeMutablePointer<EventShard> {
        (shardMemory + k * EventShard.spacing).assumingMemoryBound(to: EventShard.self)
    }

    @inline(__always)
    private func list(_ m: Int) -> UnsafeMutablePointer<FiredList> {
        lists + m * FiredList.spacing
    }

    /// Every shard's queues from scratch at `time`; no waiting counted yet.
    func start(at time: Double) {
        waitSeconds = [Double](repeating: 0, count: threads)
        for k in 0..<threads { shard(k).pointee.start(at: time) }
        segmentSpan = Self.segmentLength * minimumDelay
        for m in 0..<threads { list(m).pointee.clear() }
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
            + (0..<threads).reduce(0) { $0 + list($1).pointee.capacity * MemoryLayout<FiredSpike>.stride }
            + merged.capacity * MemoryLayout<FiredSpike>.stride
    }

    // MARK: Segments

    /// Processes every event with time ≤ `end` on all threads, in segments of at most
    /// `segmentLength` · d_min, shorter when busy (`segmentSpikes`: the spike lists stay short
    /// however long the run); after each,
    /// `record` is called with its spikes in (time, global id) order, on this thread, and every
    /// thread's queue receives the others' spikes it has not yet seen.
    func advanceInSegments(until end: Double, record: (UnsafeBufferPointer<FiredSpike>) -> Void) {
        let (board, spin) = (self.board, SpinWait(threads: threads))
        let segment = self.segment
        let team = ThreadTeam(size: threads) { [self] k in
            let (start, bound) = segment.pointee
            shard(k).pointee.runSegment(from: start, bound: bound, minimumDelay: minimumDelay, board: board, fired: &list(k).pointee, spin: spin)
        }
        defer {
            team.finish()
            for k in 0..<threads { waitSeconds[k] += team.waitSeconds(k) }
        }
        while true {
            let start = (0..<threads).map { shard($0).pointee.earliest().time }.min() ?? .infinity
            guard start <= end && start < .infinity else { break }
            segment.pointee = (start, Swift.min(start + segmentSpan, end.nextUp))
            board.reset(at: start) { list($0).pointee }
            for k in 0..<threads {
                for m in 0..<threads { shard(k).pointee.seen[m] = 0 }
            }
            team.run()
            for k in 0..<threads { waitSeconds[k] += board.waitSeconds(k) }
            merge()
            merged.withUnsafeBufferPointer { record($0) }
            for k in 0..<threads {
                for m in 0..<threads where m != k { shard(k).pointee.scheduleUnseen(of: m, list(m).pointee) }
            }
            let listed = (0..<threads).reduce(0) { $0 + list($1).pointee.count }
            if listed > segmentSpikes {
                segmentSpan = Swift.max(16 * minimumDelay, segmentSpan * Double(segmentSpikes) / Double(listed))
            } else if listed < segmentSpikes / 4 {
                segmentSpan = Swift.min(Self.segmentLength * minimumDelay, 2 * segmentSpan)
            }
            for m in 0..<threads { list(m).pointee.clear() }
        }
    }

    /// The longest segment, in units of d_min (see `advanceInSegments`).
    static let segmentLength = 1024.0

    /// Whether the threads queue their own spikes' deliveries in batches (`EventShard.
    /// batchesOwnSpikes`; chosen by the network's size, settable for tests).
    var batchesOwnSpikes: Bool {
        get { shard(0).pointee.batchesOwnSpikes }
        set { for k in 0..<threads { shard(k).pointee.batchesOwnSpikes = newValue } }
    }

    /// The spikes a segment should list at most (all threads): after a segment with more, the
    /// next is shorter in proportion (down to 16 · d_min); after one with fewer than a quarter,
    /// twice as long (up to `segmentLength` · d_min). The lists' memory thus stays near
    /// 16 bytes × this, whatever the run's length and rate. (A variable for tests.)
    var segmentSpikes = 1 << 16

    /// The spikes of all threads' lists in (time, global id) order, into `merged`.
    private func merge() {
        let next = mergeCursor
        next.update(repeating: 0, count: threads)
        // Each list's storage and length, read once (copying a `FiredList` per spike would
        // retain and release its array).
        let heads = (0..<threads).map { (spikes: list($0).pointee.spikes, count: list($0).pointee.count) }
        merged.removeAll(keepingCapacity: true)
        while true {
            var best = -1
            var bestTime = Double.infinity
            var bestID = Int.max
            for m in 0..<threads {
                guard next[m] < heads[m].count else { continue }
                let s = heads[m].spikes[next[m]]
                let id = offsets[Int(s.population)] &+ Int(s.local)
                if s.time < bestTime || (s.time == bestTime && id < bestID) {
                    (best, bestTime, bestID) = (m, s.time, id)
                }
            }
            guard best >= 0 else { return }
            merged.append(heads[best].spikes[next[best]])
            next[best] &+= 1
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
