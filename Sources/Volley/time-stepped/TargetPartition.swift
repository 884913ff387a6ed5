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
