import VolleyPrefetch

/// The deliveries due at one time step for one target population, as one thread applies them:
/// keys of `DeliveryEvent` sorted in the documented order (emitting neuron, projection, delay
/// group), and of every group only the synapses onto the thread's block of targets
/// (`TargetPartition`). Plastic groups are applied with the weights their plasticity rule left
/// at this arrival (`snapshotOffsets[i] ≥ 0`: the group's weights copied into `snapshot`), so
/// that the rule can run before the threads start and the sums stay those of one thread.
@frozen @usableFromInline
struct DueDeliveries {
    @usableFromInline let keys: UnsafeBufferPointer<UInt64>
    /// Per key: where its group's weights start in `snapshot`, or −1 (the projection's own
    /// store); nil when the network has no plastic projection.
    @usableFromInline let snapshotOffsets: UnsafePointer<Int>?
    @usableFromInline let snapshot: UnsafePointer<Double>
    /// The projections (`SpikeRouting.views`) and their split tables (`TargetPartition.splits`),
    /// as raw storage: threads reading them touch no reference count.
    @usableFromInline let views: UnsafeMutableBufferPointer<ProjectionView>
    @usableFromInline let splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    @usableFromInline let parts: Int
    /// The thread's block (0 ..< `parts`).
    @usableFromInline let part: Int

    /// Decodes each due delivery at `time` (in order) and hands the thread's part of its group to
    /// `body`, loading the groups `lookahead` keys ahead meanwhile: every thread reads every due
    /// group's split row and targets, which a large network's caches do not hold — one thread
    /// waiting for them in turn costs as much as the whole delivery.
    @inlinable @inline(__always)
    func forEach(at time: Double, _ body: (DeliveryGroup) -> Void) {
        for i in 0..<Swift.min(Self.lookahead, keys.count) { prefetch(i) }
        for i in 0..<keys.count {
            if i &+ Self.lookahead < keys.count { prefetch(i &+ Self.lookahead) }
            let event = DeliveryEvent(time: time, key: keys[i])
            let projection = event.projection
            let view = views[projection]
            let (g, first, n) = view.locate(source: event.source, group: event.group)
            let offset = snapshotOffsets?[i] ?? -1
            let weights = offset < 0 ? view.weights.from(first) : WeightRun(snapshot + offset)
            if parts == 1 {
                body(DeliveryGroup(targets: view.targets + first, weights: weights, count: n, receptor: view.receptor))
            } else {
                let split = splits[projection] + (g &* (parts &+ 1) &+ part)
                let lo = Int(split[0]), hi = Int(split[1])
                body(DeliveryGroup(
                    targets: view.targets + (first &+ lo), weights: weights.from(lo), count: hi &- lo, receptor: view.receptor))
            }
        }
    }

    /// How many keys ahead `forEach` starts loading a group's split row and targets.
    @usableFromInline static var lookahead: Int { 4 }

    /// Starts loading what key i's group will read: its split row and its target indices.
    @usableFromInline @inline(__always)
    func prefetch(_ i: Int) {
        let event = DeliveryEvent(time: 0, key: keys[i])
        let view = views[event.projection]
        let (g, first, n) = view.locate(source: event.source, group: event.group)
        if parts > 1 { volley_prefetch_read(splits[event.projection] + g &* (parts &+ 1)) }
        view.prefetchTargets(first..<(first &+ n))
    }
}
