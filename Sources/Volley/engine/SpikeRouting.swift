import VolleyPrefetch

/// A CSR projection as raw pointers, so the engines' loops touch no reference counts.
@usableFromInline
struct ProjectionView {
    @usableFromInline let sourcePopulation: Int
    @usableFromInline let targetPopulation: Int
    @usableFromInline let sourceOffset: Int
    @usableFromInline let receptor: Int
    @usableFromInline let rowGroups: UnsafePointer<UInt32>
    @usableFromInline let groupStart: UnsafePointer<UInt32>
    @usableFromInline let groupDelay: UnsafePointer<Double>
    @usableFromInline let targets: UnsafePointer<UInt32>
    @usableFromInline let weights: WeightRun

    /// The projection-wide index of delivery group `group` of global neuron `source`'s row, its
    /// first synapse and its synapse count.
    @inlinable @inline(__always)
    func locate(source: Int, group: Int) -> (group: Int, first: Int, count: Int) {
        let g = Int(rowGroups[source &- sourceOffset]) &+ group
        let first = Int(groupStart[g])
        return (g, first, Int(groupStart[g &+ 1]) &- first)
    }

    /// Starts loading the target indices of delivery group `g` (every 64-byte line of 16
    /// indices). Both engines call it when a spike is emitted: the indices are read when the
    /// spike arrives, a delay later, and a large network's CSR rows are not in cache.
    @inline(__always)
    func prefetchTargets(ofGroup g: Int) {
        prefetchTargets(Int(groupStart[g])..<Int(groupStart[g + 1]))
    }

    /// Starts loading the target indices of `synapses` (a thread's share of a group).
    @usableFromInline @inline(__always)
    func prefetchTargets(_ synapses: Range<Int>) {
        let first = synapses.lowerBound
        let last = synapses.upperBound - 1
        var line = first
        while line < last {
            volley_prefetch_read(targets + line)
            line &+= 16
        }
        if last >= first { volley_prefetch_read(targets + last) }
    }
}

/// One delivery group as its target population applies it: `count` targets (local indices) and
/// their weights, all onto `receptor`.
@frozen @usableFromInline
struct DeliveryGroup {
    @usableFromInline let targets: UnsafePointer<UInt32>
    @usableFromInline let weights: WeightRun
    @usableFromInline let count: Int
    @usableFromInline let receptor: Int

    @inlinable
    init(targets: UnsafePointer<UInt32>, weights: WeightRun, count: Int, receptor: Int) {
        self.targets = targets
        self.weights = weights
        self.count = count
        self.receptor = receptor
    }
}

/// How a spike travels, shared by both engines: the projections as raw CSR views, the
/// projections leaving each population, and the runtimes of plastic projections.
///
/// * Fan-out: a spike of neuron i is queued once per delay group of row i of every outgoing
///   projection — not once per synapse: all groups at once in the time-stepped engine
///   (`forEachGroup`), one row entry whose groups follow one another (`forEachRow`, `nextGroup`)
///   in the event-driven engine's `DeliveryQueue`.
/// * Arrival (`arrive`): a queued (source, projection, group) is decoded into its targets and
///   weights, after the projection's plasticity rule (if any) has seen the arrival.
@usableFromInline
final class SpikeRouting {
    @usableFromInline let views: UnsafeMutableBufferPointer<ProjectionView>
    /// outgoing[p] = projections whose source is population p.
    let outgoing: [[Int]]
    /// The same as flat raw storage (no reference counting when engine threads read it):
    /// population p's are `outgoingList[outgoingStart[p] ..< outgoingStart[p + 1]]`.
    private let outgoingStart: UnsafeMutablePointer<Int>
    private let outgoingList: UnsafeMutablePointer<Int>
    /// Runtime of every plastic projection (nil for static ones).
    let plastic: [PlasticProjection?]
    /// plasticByTarget[p] = plastic projections whose target is population p.
    let plasticByTarget: [[Int]]

    init(network: Network) {
        let plastic = network.projections.map { proj in
            proj.plasticity.map { PlasticProjection(rule: $0, structure: proj.structure, weights: proj.weights) }
        }
        self.plastic = plastic
        plasticByTarget = network.populations.map { p in
            network.projections.filter { $0.target == p.id && $0.plasticity != nil }.map { $0.id.index }
        }
        outgoing = network.populations.map { p in
            network.projections.filter { $0.source == p.id }.map { $0.id.index }
        }
        outgoingStart = .allocate(capacity: outgoing.count + 1)
        outgoingList = .allocate(capacity: Swift.max(network.projections.count, 1))
        var n = 0
        for (p, list) in outgoing.enumerated() {
            outgoingStart[p] = n
            for j in list { outgoingList[n] = j; n += 1 }
        }
        outgoingStart[outgoing.count] = n
        views = .allocate(capacity: Swift.max(network.projections.count, 1))
        for proj in network.projections {
            let s = proj.structure
            views.baseAddress!.advanced(by: proj.id.index).initialize(
                to: ProjectionView(
                    sourcePopulation: proj.source.index, targetPopulation: proj.target.index,
                    sourceOffset: network.populations[proj.source.index].offset, receptor: proj.receptor,
                    rowGroups: UnsafePointer(s.rowGroups.baseAddress!), groupStart: UnsafePointer(s.groupStart.baseAddress!),
                    groupDelay: UnsafePointer(s.groupDelay.baseAddress!), targets: UnsafePointer(s.targetIndex.baseAddress!),
                    weights: plastic[proj.id.index].map { WeightRun(UnsafePointer($0.weights.baseAddress!)) } ?? proj.weights.run))
        }
    }

    deinit {
        views.deallocate()
        outgoingStart.deallocate()
        outgoingList.deallocate()
    }

    /// Calls `body(projection, g, g − g0)` for every delay group g of row `local` of every
    /// projection leaving population `p` (g0: the row's first group), after prefetching the
    /// group's targets; returns the number of groups.
    @inline(__always)
    func forEachGroup(ofSpikeFrom p: Int, local: Int, _ body: (Int, Int, Int) -> Void) -> Int {
        var groups = 0
        for k in outgoingStart[p]..<outgoingStart[p + 1] {
            let projection = outgoingList[k]
            let view = views[projection]
            let g0 = Int(view.rowGroups[local])
            let g1 = Int(view.rowGroups[local + 1])
            for g in g0..<g1 {
                view.prefetchTargets(ofGroup: g)
                body(projection, g, g - g0)
            }
            groups &+= g1 - g0
        }
        return groups
    }

    /// Starts loading the group ranges of row `local` of every projection leaving population p
    /// (what scheduling the neuron's spike reads first).
    @inline(__always)
    func prefetchRows(ofSpikeFrom p: Int, local: Int) {
        for k in outgoingStart[p]..<outgoingStart[p + 1] { volley_prefetch_read(views[outgoingList[k]].rowGroups + local) }
    }

    /// Calls `body(projection, g0, groups)` for row `local` of every projection leaving population
    /// `p` that has delay groups (g0: its first group, `groups` of them), after prefetching the
    /// first group's targets unless `prefetching` is false; returns the number of groups.
    @inline(__always)
    func forEachRow(ofSpikeFrom p: Int, local: Int, prefetching: Bool = true, _ body: (Int, Int, Int) -> Void) -> Int {
        var groups = 0
        for k in outgoingStart[p]..<outgoingStart[p + 1] {
            let projection = outgoingList[k]
            let view = views[projection]
            let g0 = Int(view.rowGroups[local])
            let n = Int(view.rowGroups[local + 1]) &- g0
            guard n > 0 else { continue }
            if prefetching { view.prefetchTargets(ofGroup: g0) }
            body(projection, g0, n)
            groups &+= n
        }
        return groups
    }

    /// The group after `event`'s within its row (its index within the row and its delay), its
    /// targets prefetched; nil when `event`'s group is the row's last.
    @inline(__always)
    func nextGroup(after event: DeliveryEvent) -> (group: Int, delay: Double)? {
        let view = views[event.projection]
        let row = event.source &- view.sourceOffset
        let g = Int(view.rowGroups[row]) &+ event.group &+ 1
        guard g < Int(view.rowGroups[row &+ 1]) else { return nil }
        view.prefetchTargets(ofGroup: g)
        return (event.group &+ 1, view.groupDelay[g])
    }

    /// The delivery group `group` (within the source's row) of `projection`, for a spike of
    /// global neuron `source` arriving at `time`; a plastic projection updates its traces and
    /// weights first, so the spike is delivered with the new weights.
    @usableFromInline
    func arrive(source: Int, projection: Int, group: Int, at time: Double) -> DeliveryGroup {
        let (g, first, n) = locate(source: source, projection: projection, group: group)
        plastic[projection]?.preArrival(group: g, first: first, count: n, time: time)
        let view = views[projection]
        return DeliveryGroup(targets: view.targets + first, weights: view.weights.from(first), count: n, receptor: view.receptor)
    }

    /// The projection-wide index of delivery group `group` of global neuron `source`'s row, its
    /// first synapse and its synapse count.
    @inlinable @inline(__always)
    func locate(source: Int, projection: Int, group: Int) -> (group: Int, first: Int, count: Int) {
        views[projection].locate(source: source, group: group)
    }

    /// The target population of `projection`.
    @inline(__always)
    func target(ofProjection projection: Int) -> Int { views[projection].targetPopulation }

    /// Potentiation in the plastic projections onto population `p` for its neuron `local`'s
    /// spike at `time`.
    @inline(__always)
    func postSpike(population p: Int, local: Int, at time: Double) {
        for q in plasticByTarget[p] { plastic[q].unsafelyUnwrapped.postSpike(local, time: time) }
    }
}
