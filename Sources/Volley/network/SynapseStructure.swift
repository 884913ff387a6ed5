/// Immutable compressed-sparse-row connectivity of one projection, grouped by delay.
///
/// Row `i` (a source neuron) owns the delay groups `rowGroups[i] ..< rowGroups[i+1]`; group `g`
/// owns the synapses `groupStart[g] ..< groupStart[g+1]`, all with delay `groupDelay[g]`, sorted by
/// target. Groups within a row are sorted by ascending delay. A spike is therefore queued once per
/// (source, delay group) and fanned out over a contiguous range of targets and weights.
/// Multi-terminal connections (SpikeProp's k delayed sub-synapses) are k synapses between the same
/// pair with different delays. Indices are 32-bit; memory: 4 bytes per synapse (target) plus
/// 12 bytes per delay group plus 4 per row; weights live in a separate `WeightStore`.
///
/// A `final class` because it owns raw buffers shared, read-only, by every engine that runs the
/// network; it is never mutated after construction, hence `@unchecked Sendable`.
public final class SynapseStructure: @unchecked Sendable {
    public let sourceCount: Int
    public let targetCount: Int
    public let synapseCount: Int
    public let groupCount: Int
    @usableFromInline let rowGroups: UnsafeMutableBufferPointer<UInt32>
    @usableFromInline let groupStart: UnsafeMutableBufferPointer<UInt32>
    @usableFromInline let groupDelay: UnsafeMutableBufferPointer<Double>
    @usableFromInline let targetIndex: UnsafeMutableBufferPointer<UInt32>

    init(
        sourceCount: Int, targetCount: Int, rowGroups: [UInt32], groupStart: [UInt32],
        groupDelay: [Double], targets: [UInt32]
    ) {
        self.sourceCount = sourceCount
        self.targetCount = targetCount
        self.synapseCount = targets.count
        self.groupCount = groupDelay.count
        self.rowGroups = .allocate(capacity: rowGroups.count)
        _ = self.rowGroups.initialize(from: rowGroups)
        self.groupStart = .allocate(capacity: groupStart.count)
        _ = self.groupStart.initialize(from: groupStart)
        self.groupDelay = .allocate(capacity: Swift.max(groupDelay.count, 1))
        _ = self.groupDelay.initialize(from: groupDelay)
        self.targetIndex = .allocate(capacity: Swift.max(targets.count, 1))
        _ = self.targetIndex.initialize(from: targets)
    }

    deinit {
        rowGroups.deallocate()
        groupStart.deallocate()
        groupDelay.deallocate()
        targetIndex.deallocate()
    }

    /// Bytes held by this structure.
    public var memoryBytes: Int {
        rowGroups.count * 4 + groupStart.count * 4 + groupDelay.count * 8 + synapseCount * 4
    }

    /// The synapse indices of source row `i` (all delay groups).
    @inlinable
    public func synapses(ofSource i: Int) -> Range<Int> {
        Int(groupStart[Int(rowGroups[i])])..<Int(groupStart[Int(rowGroups[i + 1])])
    }

    /// The delay groups of source row `i`.
    @inlinable
    public func groups(ofSource i: Int) -> Range<Int> { Int(rowGroups[i])..<Int(rowGroups[i + 1]) }

    /// The synapse indices of group `g`.
    @inlinable
    public func synapses(ofGroup g: Int) -> Range<Int> { Int(groupStart[g])..<Int(groupStart[g + 1]) }

    @inlinable public func delay(ofGroup g: Int) -> Double { groupDelay[g] }
    @inlinable public func target(ofSynapse s: Int) -> Int { Int(targetIndex[s]) }

    /// Target of every synapse, in CSR order.
    public var targets: [Int] { targetIndex.map { Int($0) } }

    /// Delay of every synapse, in CSR order.
    public var delays: [Double] {
        var out = [Double](repeating: 0, count: synapseCount)
        for g in 0..<groupCount {
            for s in synapses(ofGroup: g) { out[s] = groupDelay[g] }
        }
        return out
    }

    /// Source of every synapse, in CSR order.
    public var sources: [Int] {
        var out = [Int](repeating: 0, count: synapseCount)
        for i in 0..<sourceCount {
            for s in synapses(ofSource: i) { out[s] = i }
        }
        return out
    }

    /// Number of synapses each target receives.
    public var inDegrees: [Int] {
        var out = [Int](repeating: 0, count: targetCount)
        for s in 0..<synapseCount { out[Int(targetIndex[s])] += 1 }
        return out
    }

    /// Number of synapses each source sends.
    public var outDegrees: [Int] { (0..<sourceCount).map { synapses(ofSource: $0).count } }

    /// Checks every CSR invariant; returns a description of the first violation, or nil.
    public func invariantViolation() -> String? {
        if rowGroups[0] != 0 { return "rowGroups[0] = \(rowGroups[0]), expected 0" }
        if Int(rowGroups[sourceCount]) != groupCount { return "rowGroups does not end at groupCount" }
        if groupStart[0] != 0 { return "groupStart[0] = \(groupStart[0]), expected 0" }
        if Int(groupStart[groupCount]) != synapseCount { return "groupStart does not end at synapseCount" }
        for i in 0..<sourceCount {
            if rowGroups[i] > rowGroups[i + 1] { return "rowGroups decreases at row \(i)" }
            var previousDelay = -Double.infinity
            for g in groups(ofSource: i) {
                if groupStart[g] >= groupStart[g + 1] { return "empty or reversed group \(g)" }
                if !(groupDelay[g] > previousDelay) { return "delays not increasing in row \(i)" }
                previousDelay = groupDelay[g]
                var previousTarget = -1
                for s in synapses(ofGroup: g) {
                    let t = Int(targetIndex[s])
                    if t < 0 || t >= targetCount { return "target \(t) out of range at synapse \(s)" }
                    if t < previousTarget { return "targets not sorted in group \(g)" }
                    previousTarget = t
                }
            }
        }
        return nil
    }
}
