/// Accumulates synapses in any order and builds the delay-grouped CSR structure.
struct SynapseListBuilder {
    let sourceCount: Int
    let targetCount: Int
    let context: String
    var sources: [UInt32] = []
    var targets: [UInt32] = []
    var weights: [Double] = []
    var delays: [Double] = []
    var inRowOrder = true

    init(sourceCount: Int, targetCount: Int, context: String) {
        self.sourceCount = sourceCount
        self.targetCount = targetCount
        self.context = context
    }

    mutating func reserve(_ n: Int) {
        sources.reserveCapacity(n)
        targets.reserveCapacity(n)
        weights.reserveCapacity(n)
        delays.reserveCapacity(n)
    }

    mutating func append(source: Int, target: Int, weight: Double, delay: Double) throws {
        let k = sources.count
        guard source >= 0 && source < sourceCount else {
            throw VolleyError.indexOutOfRange(
                index: source, count: sourceCount, context: "source of synapse \(k) in \(context)")
        }
        guard target >= 0 && target < targetCount else {
            throw VolleyError.indexOutOfRange(
                index: target, count: targetCount, context: "target of synapse \(k) in \(context)")
        }
        guard weight.isFinite else {
            throw VolleyError.invalidWeight(
                value: weight, context: "synapse \(k) (\(source) → \(target)) in \(context)")
        }
        guard delay.isFinite && delay > 0 else {
            throw VolleyError.invalidDelay(
                value: delay,
                context: "synapse \(k) (\(source) → \(target)) in \(context); delays must be > 0 ms")
        }
        if let last = sources.last, Int(last) > source { inRowOrder = false }
        sources.append(UInt32(source))
        targets.append(UInt32(target))
        weights.append(weight)
        delays.append(delay)
    }

    /// Sorts synapses by (source, delay, target, insertion order) and groups equal delays.
    consuming func build() throws -> (SynapseStructure, WeightStore) {
        let n = sources.count
        guard n < Int(UInt32.max) else {
            throw VolleyError.unsupported("\(context): \(n) synapses exceed the 32-bit index limit")
        }
        // Counting sort by source (stable), skipped when already in row order.
        var rowStart = [Int](repeating: 0, count: sourceCount + 1)
        for s in sources { rowStart[Int(s) + 1] += 1 }
        for i in 0..<sourceCount { rowStart[i + 1] += rowStart[i] }
        var order = [Int32](repeating: 0, count: n)
        if inRowOrder {
            for k in 0..<n { order[k] = Int32(truncatingIfNeeded: k) }
        } else {
            var cursor = rowStart
            for k in 0..<n {
                let r = Int(sources[k])
                order[cursor[r]] = Int32(truncatingIfNeeded: k)
                cursor[r] += 1
            }
        }
        // Within a row: ascending delay, then target, then insertion order (a total order).
        // Rows out of order are sorted as (delay, target, index) keys in one scratch array.
        let delays = self.delays
        let targets = self.targets
        var keys: [(delay: Double, target: UInt32, index: Int32)] = []
        delays.withUnsafeBufferPointer { delays in
            targets.withUnsafeBufferPointer { targets in
                order.withUnsafeMutableBufferPointer { order in
                    func precedes(_ a: Int32, _ b: Int32) -> Bool {
                        let (x, y) = (Int(a), Int(b))
                        if delays[x] != delays[y] { return delays[x] < delays[y] }
                        if targets[x] != targets[y] { return targets[x] < targets[y] }
                        return x < y
                    }
                    for i in 0..<sourceCount where rowStart[i + 1] - rowStart[i] > 1 {
                        let range = rowStart[i]..<rowStart[i + 1]
                        var sorted = true
                        for k in range.dropFirst() where !precedes(order[k - 1], order[k]) {
                            sorted = false
                            break
                        }
                        if sorted { continue }
                        keys.removeAll(keepingCapacity: true)
                        for k in range {
                            let e = Int(order[k])
                            keys.append((delays[e], targets[e], order[k]))
                        }
                        keys.sort { a, b in
                            a.delay != b.delay ? a.delay < b.delay : a.target != b.target ? a.target < b.target : a.index < b.index
                        }
                        for (k, key) in zip(range, keys) { order[k] = key.index }
                    }
                }
            }
        }
        // One pass: a new delay group starts at the beginning of each row and wherever the delay
        // changes within it.
        var rowGroups = [UInt32](repeating: 0, count: sourceCount + 1)
        var groupStart: [UInt32] = []
        var groupDelay: [Double] = []
        var outTargets = [UInt32](repeating: 0, count: n)
        var outWeights = [Double](repeating: 0, count: n)
        for i in 0..<sourceCount {
            for k in rowStart[i]..<rowStart[i + 1] {
                let e = Int(order[k])
                if k == rowStart[i] || delays[e] != groupDelay[groupDelay.count - 1] {
                    groupStart.append(UInt32(k))
                    groupDelay.append(delays[e])
                }
                outTargets[k] = targets[e]
                outWeights[k] = weights[e]
            }
            rowGroups[i + 1] = UInt32(groupDelay.count)
        }
        groupStart.append(UInt32(n))
        let structure = SynapseStructure(
            sourceCount: sourceCount, targetCount: targetCount, rowGroups: rowGroups,
            groupStart: groupStart, groupDelay: groupDelay, targets: outTargets)
        return (structure, WeightStore(outWeights))
    }
}
