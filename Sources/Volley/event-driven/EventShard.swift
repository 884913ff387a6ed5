import Foundation
import VolleyPrefetch

/// A spike one thread's neurons fired: population, local index within the
/// population, and time (ms).
struct FiredSpike {
    var time: Double
    var population: Int32
    var local: UInt32
}

/// A growable list of `FiredSpike`s in raw storage, written by its owning thread and read by the
/// others while it grows (so no reference count is shared). When it grows, the old storage is
/// kept until `clear()`: another thread may still be reading it.
struct FiredList {
    var spikes: UnsafeMutablePointer<FiredSpike>
    var count = 0
    var capacity: Int
    private var retired: [UnsafeMutablePointer<FiredSpike>] = []

    init(capacity: Int = 256) {
        self.capacity = capacity
        spikes = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func append(_ spike: FiredSpike) {
        if count == capacity {
            let larger = UnsafeMutablePointer<FiredSpike>.allocate(capacity: 2 * capacity)
            larger.initialize(from: spikes, count: count)
            retired.append(spikes)
            spikes = larger
            capacity *= 2
        }
        (spikes + count).initialize(to: spike)
        count &+= 1
    }

    /// Empties the list and frees the storage it has outgrown (no thread may be reading it).
    mutating func clear() {
        count = 0
        for old in retired { old.deallocate() }
        retired.removeAll()
    }

    mutating func free() {
        clear()
        spikes.deallocate()
    }
}

/// One thread's share of the event-driven engine on several threads: the kernels of its blocks of
/// every model population (`TargetPartition.blocks`), the source populations it owns, its own
/// delivery queue (only the delivery groups with synapses onto its blocks, each applied to those
/// synapses only) and population queue, and its operation counts. It processes its events in the
/// engine's total order restricted to its neurons (docs/event-ordering.md); shards are kept in raw
/// memory, `EventShard.spacing` bytes apart, so no two threads write one cache line.
struct EventShard {
    let index: Int
    let threads: Int
    /// The thread's kernel closures per population (nil: no neurons of it here, or a source).
    let deliver: [((DeliveryGroup, Double, inout EngineCounters) -> Double)?]
    let nextEvent: [((Double, inout EngineCounters) -> (fired: Int, next: Double))?]
    let schedule: [((Double) -> Double)?]
    /// Model population p's first neuron held here (its block's lower bound; 0 for sources,
    /// which are owned whole).
    let firstNeuron: [Int]
    /// The source populations this thread emits (nil: another thread's, or a model population).
    let sources: [SourcePopulation?]
    let populations: PopulationQueue
    var deliveries = DeliveryQueue()
    var counters = EngineCounters()
    var lastEventTime = -Double.infinity
    /// How many of thread m's listed spikes this thread has queued, in the current segment.
    var seen: [Int]
    let views: UnsafeMutableBufferPointer<ProjectionView>
    let splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    let offsets: [Int]
    /// Shared by every thread: held unretained and used without retaining it (a reference count
    /// touched by two threads per spike would bounce its cache line between the cores).
    let routing: Unmanaged<SpikeRouting>
    /// The runtimes of plastic projections (nil: static) and, per population, the plastic
    /// projections onto it: this thread applies their rule to its own synapses and neurons, in
    /// its lane (`PlasticProjection.useLanes`).
    let plastic: [Unmanaged<PlasticProjection>?]
    let plasticByTarget: [[Int]]
    let hasPlasticity: Bool
    /// Whether the thread queues its own spikes' deliveries in batches (`runSegment`): in a
    /// network of at least `eventPrefetchMinimumPopulation` neurons, whose rows and split rows
    /// are not in cache when a neuron fires, so that loading them ahead pays; in a smaller one
    /// each spike is queued as it fires.
    var batchesOwnSpikes: Bool

    /// Bytes between shards in memory: several cache lines.
    static let spacing = (MemoryLayout<EventShard>.stride + 127) / 128 * 128

    init(
        index: Int, threads: Int, kernels: [EventKernel?], firstNeuron: [Int], sources: [SourcePopulation?],
        routing: SpikeRouting, partition: TargetPartition, offsets: [Int]
    ) {
        self.index = index
        self.threads = threads
        deliver = kernels.map { $0?.deliver }
        nextEvent = kernels.map { $0?.nextEvent }
        schedule = kernels.map { $0?.schedule }
        self.firstNeuron = firstNeuron
        self.sources = sources
        populations = PopulationQueue(count: kernels.count)
        views = routing.views
        splits = partition.splits
        self.offsets = offsets
        self.routing = Unmanaged.passUnretained(routing)
        plastic = routing.plastic.map { $0.map { Unmanaged.passUnretained($0) } }
        plasticByTarget = routing.plasticByTarget
        hasPlasticity = routing.plastic.contains { $0 != nil }
        batchesOwnSpikes = partition.blocks.reduce(0) { $0 + ($1.last?.upperBound ?? 0) } >= eventPrefetchMinimumPopulation
        deliveries.reserveCapacity(groups: 1024, rows: 256)
        seen = [Int](repeating: 0, count: threads)
    }

    /// Empties the queues and queues every held neuron's first prediction and every owned
    /// source's first spike from `time`.
    mutating func start(at time: Double) {
        deliveries.removeAll()
        populations.removeAll()
        lastEventTime = -.infinity
        for p in schedule.indices {
            if let schedule = schedule[p] {
                populations.update(p, time: schedule(time))
            } else if let source = sources[p] {
                populations.update(p, time: source.nextEventTime)
            }
        }
    }

    /// The earliest of the thread's events: its time, its kind (0 delivery, 1 neuron event) and,
    /// for a neuron event, its population.
    @inline(__always)
    func earliest() -> (time: Double, kind: Int, population: Int) {
        let d = deliveries.minTime
        let n = populations.minTime
        return d <= n ? (d, 0, 0) : (n, 1, populations.minPopulation)
    }

    /// Queues the deliveries of a spike of neuron `local` of population p at `time` that have
    /// synapses onto this thread's blocks, after prefetching those synapses' targets.
    mutating func schedule(spikeOf p: Int, local: Int, at time: Double) {
        var queue = DeliveryQueue()
        swap(&queue, &deliveries)
        schedule(spikeOf: p, local: local, at: time, into: &queue, counters: &counters)
        swap(&queue, &deliveries)
    }

    /// `schedule(spikeOf:local:at:)` into a queue moved out of the shard.
    @inline(__always)
    func schedule(spikeOf p: Int, local: Int, at time: Double, into deliveries: inout DeliveryQueue, counters: inout EngineCounters) {
        let global = offsets[p] &+ local
        let k = index
        let stride = threads &+ 1
        var pushes: UInt64 = 0
        _ = routing._withUnsafeGuaranteedRef { $0.forEachRow(ofSpikeFrom: p, local: local, prefetching: false) { projection, g0, groups in
            // The row's groups with synapses here: the first is queued, the others follow it.
            var first = -1, held = 0
            for g in g0..<(g0 &+ groups) {
                let row = splits[projection] + g &* stride
                if row[k] < row[k &+ 1] {
                    if first < 0 { first = g }
                    held &+= 1
                }
            }
            guard first >= 0 else { return }
            Self.prefetchShare(views[projection], splits[projection], group: first, thread: k, stride: stride)
            pushes &+= UInt64(held)
            deliveries.push(
                spikeTime: time, delay: views[projection].groupDelay[first], source: global, projection: projection,
                group: first &- g0, rowGroups: held)
        } }
        counters.deliveryPushes &+= pushes
    }

    /// Queues the spikes `range` of another thread's list (`schedule(spikeOf:…)` each), loading
    /// their rows' group ranges eight spikes ahead and their first groups' split rows four ahead:
    /// in a large network neither is in cache, and every thread reads both for every spike.
    @inline(__always)
    func schedule(
        listed spikes: UnsafePointer<FiredSpike>, _ range: Range<Int>, into deliveries: inout DeliveryQueue, counters: inout EngineCounters
    ) {
        let (routing, splits, stride, k) = (self.routing, self.splits, threads &+ 1, index)
        func loadRows(_ s: Int) {
            routing._withUnsafeGuaranteedRef { $0.prefetchRows(ofSpikeFrom: Int(spikes[s].population), local: Int(spikes[s].local)) }
        }
        func loadSplitRows(_ s: Int) {
            _ = routing._withUnsafeGuaranteedRef {
                $0.forEachRow(ofSpikeFrom: Int(spikes[s].population), local: Int(spikes[s].local), prefetching: false) { projection, g0, _ in
                    volley_prefetch_read(splits[projection] + (g0 &* stride &+ k))
                }
            }
        }
        for s in range.prefix(8) { loadRows(s) }
        for s in range.prefix(4) { loadSplitRows(s) }
        for s in range {
            if s &+ 8 < range.upperBound { loadRows(s &+ 8) }
            if s &+ 4 < range.upperBound { loadSplitRows(s &+ 4) }
            schedule(spikeOf: Int(spikes[s].population), local: Int(spikes[s].local), at: spikes[s].time, into: &deliveries, counters: &counters)
        }
    }

    /// Queues thread m's listed spikes this thread has not seen (at a segment's end).
    mutating func scheduleUnseen(of m: Int, _ list: FiredList) {
        guard list.count > seen[m] else { return }
        var queue = DeliveryQueue()
        swap(&queue, &deliveries)
        schedule(listed: list.spikes, seen[m]..<list.count, into: &queue, counters: &counters)
        swap(&queue, &deliveries)
        seen[m] = list.count
    }

    /// Starts loading the targets of this thread's share of group `g`.
    @inline(__always)
    static func prefetchShare(_ view: ProjectionView, _ split: UnsafeMutablePointer<UInt32>, group g: Int, thread k: Int, stride: Int) {
        let row = split + g &* stride
        let first = Int(view.groupStart[g])
        view.prefetchTargets((first &+ Int(row[k]))..<(first &+ Int(row[k &+ 1])))
    }

    /// The next group after `event`'s in its row with synapses onto thread `k`'s blocks (its
    /// index within the row and its delay), its share prefetched; nil when there is none.
    @inline(__always)
    static func nextHeldGroup(
        after event: DeliveryEvent, views: UnsafeMutableBufferPointer<ProjectionView>, splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>,
        thread k: Int, stride: Int
    ) -> (group: Int, delay: Double)? {
        let view = views[event.projection], split = splits[event.projection]
        let r = event.source &- view.sourceOffset
        let g0 = Int(view.rowGroups[r]), end = Int(view.rowGroups[r &+ 1])
        var g = g0 &+ event.group &+ 1
        while g < end {
            let row = split + g &* stride
            if row[k] < row[k &+ 1] {
                prefetchShare(view, split, group: g, thread: k, stride: stride)
                return (g &- g0, view.groupDelay[g])
            }
            g &+= 1
        }
        return nil
    }

    /// Applies the earliest delivery to this thread's synapses of its group (after its plasticity
    /// rule, if any, has seen the arrival at those synapses).
    mutating func deliverNext() {
        var queue = DeliveryQueue()
        swap(&queue, &deliveries)
        lastEventTime = deliverNext(from: &queue, deliver: deliver, counters: &counters)
        swap(&queue, &deliveries)
    }

    /// `deliverNext()` from a queue moved out of the shard, with the kernels' `deliver` closures
    /// passed by the caller; returns the delivery's time.
    @inline(__always)
    func deliverNext(
        from deliveries: inout DeliveryQueue, deliver: [((DeliveryGroup, Double, inout EngineCounters) -> Double)?],
        counters: inout EngineCounters
    ) -> Double {
        let (views, splits, k, stride) = (self.views, self.splits, index, threads &+ 1)
        let event = deliveries.popMin { Self.nextHeldGroup(after: $0, views: views, splits: splits, thread: k, stride: stride) }
        let t = event.time
        counters.deliveryPops &+= 1
        let projection = event.projection
        let view = views[projection]
        let (g, first, _) = view.locate(source: event.source, group: event.group)
        let row = splits[projection] + g &* stride
        let lo = first &+ Int(row[k])
        let count = Int(row[k &+ 1]) &- Int(row[k])
        if hasPlasticity, let rule = plastic[projection] {
            rule._withUnsafeGuaranteedRef { $0.preArrival(group: g, first: lo, count: count, time: t, lane: k) }
        }
        let group = DeliveryGroup(targets: view.targets + lo, weights: view.weights.from(lo), count: count, receptor: view.receptor)
        let target = view.targetPopulation
        populations.update(target, time: deliver[target].unsafelyUnwrapped(group, t, &counters))
        return t
    }

    /// Handles the earliest neuron event (of population p, at `time`); returns the local index
    /// within the population of the neuron that fired, or −1.
    mutating func neuronEventNext(population p: Int, at time: Double) -> Int {
        lastEventTime = time
        return neuronEventNext(population: p, at: time, nextEvent: nextEvent, counters: &counters)
    }

    /// `neuronEventNext(population:at:)` with the kernels' `nextEvent` closures held by the caller.
    @inline(__always)
    func neuronEventNext(
        population p: Int, at time: Double, nextEvent: [((Double, inout EngineCounters) -> (fired: Int, next: Double))?],
        counters: inout EngineCounters
    ) -> Int {
        counters.neuronEvents &+= 1
        let (local, next) =
            if let handle = nextEvent[p] { handle(time, &counters) } else { sources[p].unsafelyUnwrapped.emitNext(&counters) }
        populations.update(p, time: next)
        guard local >= 0 else { return -1 }
        counters.spikes &+= 1
        let neuron = firstNeuron[p] &+ local
        if hasPlasticity {
            for q in plasticByTarget[p] {
                plastic[q].unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.postSpike(neuron, time: time, lane: index) }
            }
        }
        return neuron
    }

    /// One segment of a run on all threads, from `start` (no thread has an earlier event):
    /// processes this thread's events before `bound` in the engine's total order restricted to
    /// its neurons, as far as the others' clocks allow (`ShardBoard`: an event is safe before
    /// every other thread's clock + d_min), listing its spikes in `fired` and queuing the
    /// others' listed spikes whenever it reads their clocks. Its own spikes are queued as they
    /// fire or, with `batchesOwnSpikes`, in batches: before anything they could deliver to is
    /// processed (at their first's time + d_min) and before the thread stops. The others'
    /// spikes not yet seen when the segment ends are queued by the caller (`seen`).
    mutating func runSegment(from start: Double, bound: Double, minimumDelay: Double, board: ShardBoard, fired: inout FiredList, spin: SpinWait) {
        // The loop works on locals: the queue, counts and cursors moved out of the shard (no
        // writes through the shard's pointer per event) and the kernels' closure arrays.
        var queue = DeliveryQueue()
        swap(&queue, &deliveries)
        var seen: [Int] = []
        swap(&seen, &self.seen)
        var count = counters
        let deliver = self.deliver
        let nextEvent = self.nextEvent
        let k = index
        var last = lastEventTime
        // Every clock starts at `start` (`ShardBoard.reset`).
        var horizon = Swift.min(bound, start + minimumDelay)
        var waitStart: UInt64 = 0
        var polls = 0
        // With `batchesOwnSpikes`, this thread's spikes whose deliveries are not queued yet:
        // fired[unqueued...]. None can arrive before the first one's time + d_min (`due`), so
        // they are queued together — their rows and split rows loaded ahead, as for the others'
        // spikes — before any event at or after `due` and before the thread stops for the
        // horizon. Without, each spike is queued as it fires.
        var unqueued = fired.count
        var due = Double.infinity
        while true {
            let d = queue.minTime
            let n = populations.minTime
            let t = Swift.min(d, n)
            if unqueued < fired.count && (t >= due || t >= horizon) {
                schedule(listed: fired.spikes, unqueued..<fired.count, into: &queue, counters: &count)
                unqueued = fired.count
                due = .infinity
                continue
            }
            if t < horizon {
                last = t
                if d <= n {
                    _ = deliverNext(from: &queue, deliver: deliver, counters: &count)
                } else {
                    let p = populations.minPopulation
                    let local = neuronEventNext(population: p, at: t, nextEvent: nextEvent, counters: &count)
                    if local >= 0 {
                        fired.append(FiredSpike(time: t, population: Int32(truncatingIfNeeded: p), local: UInt32(truncatingIfNeeded: local)))
                        board.publishList(k, fired)
                        if batchesOwnSpikes {
                            if due == .infinity { due = t + minimumDelay }
                        } else {
                            schedule(spikeOf: p, local: local, at: t, into: &queue, counters: &count)
                            unqueued = fired.count
                        }
                    }
                }
                board.publishClock(k, t)
                continue
            }
            // Nothing safe left: this thread lists nothing more before min(t, horizon).
            board.publishClock(k, Swift.min(t, horizon))
            if t >= bound && horizon >= bound { break }
            var progressed = false
            var earliestClock = Double.infinity
            for m in 0..<threads where m != k {
                let (clock, spikes, listed) = board.read(m)
                if listed > seen[m] {
                    schedule(listed: spikes, seen[m]..<listed, into: &queue, counters: &count)
                    seen[m] = listed
                    progressed = true
                }
                earliestClock = Swift.min(earliestClock, clock)
            }
            let newHorizon = Swift.min(bound, earliestClock + minimumDelay)
            if newHorizon > horizon {
                horizon = newHorizon
                progressed = true
            }
            if progressed {
                if waitStart != 0 {
                    board.addWait(k, nanoseconds: DispatchTime.now().uptimeNanoseconds &- waitStart)
                    waitStart = 0
                }
                polls = 0
            } else {
                if waitStart == 0 { waitStart = DispatchTime.now().uptimeNanoseconds }
                polls &+= 1
                spin.pause(poll: polls)
            }
        }
        if waitStart != 0 { board.addWait(k, nanoseconds: DispatchTime.now().uptimeNanoseconds &- waitStart) }
        swap(&queue, &deliveries)
        swap(&seen, &self.seen)
        counters = count
        lastEventTime = last
    }

    var memoryBytes: Int { deliveries.capacityBytes + populations.capacityBytes }
}

extension FiredList {
    /// `FiredList`s of different threads sit this many entries apart (two cache lines).
    static let spacing = (128 + MemoryLayout<FiredList>.stride - 1) / MemoryLayout<FiredList>.stride
}
