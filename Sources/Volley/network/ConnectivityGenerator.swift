import Foundation

/// Draws weights and delays for generated synapses from a row's random stream.
struct SynapseValueDrawer {
    let weight: WeightSpec
    let delay: DelaySpec
    let context: String
    var index = 0

    mutating func draw(_ rng: inout Xoshiro256, terminal: Int) throws -> (Double, Double) {
        defer { index += 1 }
        let w: Double
        switch weight {
        case let .constant(v): w = v
        case let .uniform(lo, hi): w = rng.uniform(lo, hi)
        case let .normal(mean, sd): w = rng.normal(mean: mean, standardDeviation: sd)
        case let .values(vs):
            guard index < vs.count else {
                throw VolleyError.invalidParameter(
                    name: "weight", value: "values(\(vs.count))",
                    reason: "\(context) generates more synapses than weights given")
            }
            w = vs[index]
        }
        let d: Double
        switch delay {
        case let .constant(v): d = v
        case let .uniform(lo, hi): d = rng.uniform(lo, hi)
        case let .values(vs):
            guard index < vs.count else {
                throw VolleyError.invalidParameter(
                    name: "delay", value: "values(\(vs.count))",
                    reason: "\(context) generates more synapses than delays given")
            }
            d = vs[index]
        case let .terminals(ds): d = ds[terminal]
        }
        return (w, d)
    }

    /// Checks that `.values` lists were consumed exactly.
    func finish() throws {
        if case let .values(vs) = weight, vs.count != index {
            throw VolleyError.invalidParameter(
                name: "weight", value: "values(\(vs.count))",
                reason: "\(context) generates \(index) synapses")
        }
        if case let .values(vs) = delay, vs.count != index {
            throw VolleyError.invalidParameter(
                name: "delay", value: "values(\(vs.count))",
                reason: "\(context) generates \(index) synapses")
        }
    }
}

/// Generates synapses for a `ConnectionPattern` (see `Network.connect`).
enum ConnectivityGenerator {
    static func generate(
        pattern: ConnectionPattern, weight: WeightSpec, delay: DelaySpec, sourceCount: Int,
        targetCount: Int, samePopulation: Bool, seed: UInt64, context: String
    ) throws -> (SynapseStructure, WeightStore) {
        try validate(weight: weight, delay: delay, context: context)
        var builder = SynapseListBuilder(sourceCount: sourceCount, targetCount: targetCount, context: context)
        var drawer = SynapseValueDrawer(weight: weight, delay: delay, context: context)
        let terminals = delay.terminalCount
        var rowTargets: [Int] = []

        func emitRow(_ i: Int, _ targets: [Int], _ rng: inout Xoshiro256) throws {
            for j in targets {
                for t in 0..<terminals {
                    let (w, d) = try drawer.draw(&rng, terminal: t)
                    try builder.append(source: i, target: j, weight: w, delay: d)
                }
            }
        }

        switch pattern {
        case let .allToAll(allowAutapses):
            builder.reserve(sourceCount * targetCount * terminals)
            for i in 0..<sourceCount {
                var rng = Xoshiro256(seed: seed, stream: UInt64(i))
                rowTargets.removeAll(keepingCapacity: true)
                for j in 0..<targetCount where allowAutapses || !samePopulation || i != j {
                    rowTargets.append(j)
                }
                try emitRow(i, rowTargets, &rng)
            }
        case .oneToOne:
            guard sourceCount == targetCount else {
                throw VolleyError.invalidParameter(
                    name: "pattern", value: "oneToOne",
                    reason: "\(context) connects \(sourceCount) sources to \(targetCount) targets")
            }
            for i in 0..<sourceCount {
                var rng = Xoshiro256(seed: seed, stream: UInt64(i))
                try emitRow(i, [i], &rng)
            }
        case let .fixedProbability(p, allowAutapses):
            guard p.isFinite && p >= 0 && p <= 1 else {
                throw VolleyError.invalidParameter(
                    name: "p", value: "\(p)", reason: "connection probability must be in [0, 1]")
            }
            builder.reserve(Int(Double(sourceCount * targetCount) * p * 1.05) * terminals + 16)
            let logQ = log1p(-p)
            for i in 0..<sourceCount {
                var rng = Xoshiro256(seed: seed, stream: UInt64(i))
                rowTargets.removeAll(keepingCapacity: true)
                if p > 0 {
                    var j = -1
                    while true {
                        // Gap to the next connected target ~ Geometric(p): floor(ln U / ln(1 − p)).
                        let skip = p == 1 ? 0 : log(rng.uniformPositive()) / logQ
                        if skip >= Double(targetCount) { break }
                        j += 1 + Int(skip)
                        if j >= targetCount { break }
                        if allowAutapses || !samePopulation || i != j { rowTargets.append(j) }
                    }
                }
                try emitRow(i, rowTargets, &rng)
            }
        case let .fixedOutDegree(k, allowAutapses, allowMultapses):
            let excludeSelf = samePopulation && !allowAutapses
            try checkDegree(k, candidates: targetCount - (excludeSelf ? 1 : 0), multapses: allowMultapses, context: context)
            builder.reserve(sourceCount * k * terminals)
            for i in 0..<sourceCount {
                var rng = Xoshiro256(seed: seed, stream: UInt64(i))
                sample(k, from: targetCount, excluding: excludeSelf ? i : nil, multapses: allowMultapses, rng: &rng, into: &rowTargets)
                try emitRow(i, rowTargets, &rng)
            }
        case let .fixedInDegree(k, allowAutapses, allowMultapses):
            let excludeSelf = samePopulation && !allowAutapses
            try checkDegree(k, candidates: sourceCount - (excludeSelf ? 1 : 0), multapses: allowMultapses, context: context)
            builder.reserve(targetCount * k * terminals)
            var column: [Int] = []
            for j in 0..<targetCount {
                var rng = Xoshiro256(seed: seed, stream: UInt64(j))
                sample(k, from: sourceCount, excluding: excludeSelf ? j : nil, multapses: allowMultapses, rng: &rng, into: &column)
                for i in column {
                    for t in 0..<terminals {
                        let (w, d) = try drawer.draw(&rng, terminal: t)
                        try builder.append(source: i, target: j, weight: w, delay: d)
                    }
                }
            }
        case let .explicit(pairs):
            var rng = Xoshiro256(seed: seed, stream: 0xE)
            builder.reserve(pairs.count * terminals)
            for pair in pairs {
                for t in 0..<terminals {
                    let (w, d) = try drawer.draw(&rng, terminal: t)
                    try builder.append(source: pair.source, target: pair.target, weight: w, delay: d)
                }
            }
        }
        try drawer.finish()
        return try builder.build()
    }

    static func validate(weight: WeightSpec, delay: DelaySpec, context: String) throws {
        switch weight {
        case let .constant(w):
            guard w.isFinite else { throw VolleyError.invalidWeight(value: w, context: context) }
        case let .uniform(lo, hi):
            guard lo.isFinite && hi.isFinite && lo <= hi else {
                throw VolleyError.invalidParameter(
                    name: "weight", value: "uniform(\(lo), \(hi))",
                    reason: "\(context): bounds must be finite with low ≤ high")
            }
        case let .normal(mean, sd):
            guard mean.isFinite && sd.isFinite && sd >= 0 else {
                throw VolleyError.invalidParameter(
                    name: "weight", value: "normal(\(mean), \(sd))",
                    reason: "\(context): mean must be finite and standard deviation ≥ 0")
            }
        case .values: break
        }
        switch delay {
        case let .constant(d):
            guard d.isFinite && d > 0 else {
                throw VolleyError.invalidDelay(value: d, context: "\(context); delays must be > 0 ms")
            }
        case let .uniform(lo, hi):
            guard lo.isFinite && hi.isFinite && lo > 0 && lo <= hi else {
                throw VolleyError.invalidDelay(
                    value: lo, context: "\(context): uniform(\(lo), \(hi)) needs 0 < low ≤ high")
            }
        case let .terminals(ds):
            guard !ds.isEmpty else {
                throw VolleyError.invalidParameter(
                    name: "delay", value: "terminals([])", reason: "\(context): no terminal delays")
            }
            for d in ds where !(d.isFinite && d > 0) {
                throw VolleyError.invalidDelay(value: d, context: "terminal of \(context); delays must be > 0 ms")
            }
            guard Set(ds).count == ds.count else {
                throw VolleyError.invalidParameter(
                    name: "delay", value: "terminals(\(ds))",
                    reason: "\(context): terminal delays must be distinct")
            }
        case .values: break
        }
    }

    static func checkDegree(_ k: Int, candidates: Int, multapses: Bool, context: String) throws {
        guard k >= 0 else {
            throw VolleyError.invalidParameter(name: "degree", value: "\(k)", reason: "\(context): must be ≥ 0")
        }
        guard multapses ? (k == 0 || candidates > 0) : k <= candidates else {
            throw VolleyError.invalidParameter(
                name: "degree", value: "\(k)",
                reason: "\(context): only \(candidates) distinct partners are available")
        }
    }

    /// k indices from 0..<n (skipping `excluding`), sorted ascending: distinct ones by Floyd's
    /// algorithm (O(k²) worst case, k ≪ n), or k independent draws with multapses.
    static func sample(
        _ k: Int, from n: Int, excluding: Int?, multapses: Bool, rng: inout Xoshiro256,
        into out: inout [Int]
    ) {
        out.removeAll(keepingCapacity: true)
        let m = n - (excluding == nil ? 0 : 1)
        func map(_ c: Int) -> Int {
            if let x = excluding, c >= x { return c + 1 }
            return c
        }
        if multapses {
            for _ in 0..<k { out.append(map(rng.index(below: m))) }
            out.sort()
            return
        }
        for j in (m - k)..<m {
            let t = rng.index(below: j + 1)
            let candidate = insertionPoint(of: t, in: out)
            if candidate < out.count && out[candidate] == t {
                out.insert(j, at: insertionPoint(of: j, in: out))
            } else {
                out.insert(t, at: candidate)
            }
        }
        for idx in out.indices { out[idx] = map(out[idx]) }
    }

    static func insertionPoint(of value: Int, in sorted: [Int]) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
