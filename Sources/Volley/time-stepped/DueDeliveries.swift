/// The deliveries due at one time step for one target population, as one thread applies them:
/// keys of `DeliveryEvent` sorted in the documented order (emitting neuron, projection, delay
/// group), and of every group only the synapses onto the thread's block of targets
/// (`TargetPartition`). Plastic groups are applied with the weights their plasticity rule left
/// at this arrival (`snapshotOffsets[i] ≥ 0`: the group's weights copied into `snapshot`), so
/// that the rule can run before the threads start and the sums stay those of one thread.
@frozen @usableFromInline
struct DueDeliveries {
    @usableFromInline let keys: UnsafeBufferPointer<UInt64>
    /// Per key: where its group's weights start in `snapshot`, or −1 (the projection's own store).
    @usableFromInline let snapshotOffsets: UnsafePointer<Int>
    @usableFromInline let snapshot: UnsafePointer<Double>
    /// The projections (`SpikeRouting.views`) and their split tables (`TargetPartition.splits`),
    /// as raw storage: threads reading them touch no reference count.
    @usableFromInline let views: UnsafeMutableBufferPointer<ProjectionView>
    @usableFromInline let splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    @usableFromInline let parts: Int
    /// The thread's block (0 ..< `parts`).
    @usableFromInline let part: Int

    @inlinable
    init(
        keys: UnsafeBufferPointer<UInt64>, snapshotOffsets: UnsafePointer<Int>, snapshot: UnsafePointer<Double>,
        views: UnsafeMutableBufferPointer<ProjectionView>, splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>,
        parts: Int, part: Int
    ) {
        self.keys = keys
        self.snapshotOffsets = snapshotOffsets
        self.snapshot = snapshot
        self.views = views
        self.splits = splits
        self.parts = parts
        self.part = part
    }

    /// Decodes each due delivery at `time` (in order) and hands the thread's part of its group to
    /// `body`.
    @inlinable @inline(__always)
    func forEach(at time: Double, _ body: (DeliveryGroup) -> Void) {
        for i in 0..<keys.count {
            let event = DeliveryEvent(time: time, key: keys[i])
            let projection = event.projection
            let view = views[projection]
            let g = Int(view.rowGroups[event.source &- view.sourceOffset]) &+ event.group
            let first = Int(view.groupStart[g])
            let n = Int(view.groupStart[g &+ 1]) &- first
            let offset = snapshotOffsets[i]
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
}

/// The engine's threads' blocks of every population, and every projection's delivery groups split
/// by them: thread k owns neurons `blocks[p][k]` of population p, and applies of group g of
/// projection j the synapses `splits[j][g·(parts + 1) + k] ..< splits[j][g·(parts + 1) + k + 1]`
/// (offsets within the group). A group's synapses are sorted by target (`SynapseStructure`), so
/// each block's are one contiguous run, in the group's order — and every target receives its
/// inputs in the same order as with one thread, so its sums are bit-identical.
@usableFromInline
final class TargetPartition {
    @usableFromInline let parts: Int
    /// blocks[p][k]: population p's neurons stepped by thread k (contiguous, ascending in k).
    let blocks: [[Range<Int>]]
    @usableFromInline let splits: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>>
    private let projectionCount: Int
    /// Bytes of the split tables.
    let memoryBytes: Int

    /// Blocks are multiples of 64 neurons (the lane kernels' threshold blocks), the last one
    /// shorter; a population smaller than `parts` × 64 leaves the last threads without neurons.
    init(network: Network, parts: Int) {
        self.parts = parts
        blocks = network.populations.map { Self.blocks(count: $0.size, parts: parts) }
        projectionCount = network.projections.count
        splits = .allocate(capacity: Swift.max(projectionCount, 1))
        var entries = 0
        for proj in network.projections {
            let s = proj.structure
            let bounds = blocks[proj.target.index].map(\.lowerBound)
            let table = UnsafeMutablePointer<UInt32>.allocate(capacity: parts == 1 ? 1 : s.groupCount * (parts + 1))
            if parts > 1 {
                entries += s.groupCount * (parts + 1)
                for g in 0..<s.groupCount {
                    let synapses = s.synapses(ofGroup: g)
                    let row = table + g * (parts + 1)
                    var k = synapses.lowerBound
                    for part in 0..<parts {
                        while k < synapses.upperBound && s.target(ofSynapse: k) < bounds[part] { k += 1 }
                        row[part] = UInt32(k - synapses.lowerBound)
                    }
                    row[parts] = UInt32(synapses.count)
                }
            }
            (splits + proj.id.index).initialize(to: table)
        }
        memoryBytes = entries * 4
    }

    deinit {
        for j in 0..<projectionCount { splits[j].deallocate() }
        splits.deallocate()
    }

    /// `count` neurons split into `parts` contiguous blocks of whole multiples of 64 neurons.
    static func blocks(count: Int, parts: Int) -> [Range<Int>] {
        let size = ((count + parts - 1) / parts + 63) / 64 * 64
        return (0..<parts).map { k in Swift.min(k * size, count)..<Swift.min((k + 1) * size, count) }
    }
}
