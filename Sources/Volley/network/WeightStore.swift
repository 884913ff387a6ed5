/// How a projection stores per-synapse weights.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// One `Double` per synapse (8 bytes), the default.
    case double
    /// One `Float` per synapse (4 bytes): each weight is rounded to single precision once, when
    /// stored, and the engines then use exactly the stored value (all arithmetic stays `Double`).
    case single
}

/// The weights of one projection in CSR order (mV, see NeuronModel), in one of four layouts:
/// `Double` or `Float` per synapse (`WeightPrecision`); one shared `Double` — chosen
/// automatically whenever every weight has the same bit pattern, e.g. `.constant(w)` (NEST's
/// `static_synapse_hom_w`; Brian2's `on_pre='v += we'`); or a table of shared values with one
/// 32-bit table index per synapse (a convolution's kernel: every synapse of kernel entry k reads
/// the same stored value, see `Network.connect(_:to:convolution:kernel:delay:)`). The values read
/// back are the same in every layout; only the bytes differ. Read-only once shared by a network; an engine that
/// learns keeps its own `Double` copy.
public final class WeightStore: @unchecked Sendable {
    @usableFromInline let layout: WeightRun.Layout
    @usableFromInline let storage: UnsafeMutableRawPointer
    /// The shared values of the `.shared` layout (nil otherwise); `storage` then holds the indices.
    @usableFromInline let table: UnsafeMutablePointer<Double>?
    /// Number of shared values (0 unless the layout is shared).
    public let tableCount: Int
    public let count: Int
    /// The precision asked for (a uniform store keeps it for later `setWeights`).
    public let precision: WeightPrecision

    public init(_ weights: [Double], precision: WeightPrecision = .double) {
        count = weights.count
        self.precision = precision
        table = nil
        tableCount = 0
        if let first = weights.first, weights.allSatisfy({ $0.bitPattern == first.bitPattern }) {
            layout = .uniform
            storage = .allocate(byteCount: 8, alignment: 8)
            storage.initializeMemory(as: Double.self, to: first)
        } else if precision == .single {
            layout = .single
            let values = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
            for (k, w) in weights.enumerated() { (values + k).initialize(to: Float(w)) }
            storage = UnsafeMutableRawPointer(values)
        } else {
            layout = .double
            let values = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(count, 1))
            if count > 0 { values.initialize(from: weights, count: count) }
            storage = UnsafeMutableRawPointer(values)
        }
    }

    /// Shared values: synapse i has weight `values[indices[i]]`. Every index must lie in
    /// `values.indices` (checked by the caller, which names the projection).
    init(shared values: [Double], indices: [UInt32]) {
        precondition(indices.allSatisfy { Int($0) < values.count }, "shared weight index out of range")
        count = indices.count
        precision = .double
        layout = .shared
        tableCount = values.count
        let t = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(values.count, 1))
        if !values.isEmpty { t.initialize(from: values, count: values.count) }
        table = t
        let idx = UnsafeMutablePointer<UInt32>.allocate(capacity: Swift.max(indices.count, 1))
        if !indices.isEmpty { idx.initialize(from: indices, count: indices.count) }
        storage = UnsafeMutableRawPointer(idx)
    }

    deinit {
        storage.deallocate()
        table?.deallocate()
    }

    /// The shared values of a `.shared` store (a convolution's kernel), nil for the other layouts.
    public var sharedValues: [Double]? {
        table.map { Array(UnsafeBufferPointer(start: $0, count: tableCount)) }
    }

    /// The table index of every synapse of a `.shared` store, nil for the other layouts.
    public var sharedIndices: [Int]? {
        guard layout == .shared else { return nil }
        let idx = storage.assumingMemoryBound(to: UInt32.self)
        return (0..<count).map { Int(idx[$0]) }
    }

    /// Weight of synapse i, as the engines use it.
    @inlinable public subscript(i: Int) -> Double {
        switch layout {
        case .double: return storage.assumingMemoryBound(to: Double.self)[i]
        case .single: return Double(storage.assumingMemoryBound(to: Float.self)[i])
        case .uniform: return storage.assumingMemoryBound(to: Double.self)[0]
        case .shared: return table.unsafelyUnwrapped[Int(storage.assumingMemoryBound(to: UInt32.self)[i])]
        }
    }

    public var array: [Double] { (0..<count).map { self[$0] } }

    /// "double", "single", "uniform" or "shared".
    public var layoutName: String { layout.rawValue }

    /// Bytes held by the weights.
    public var memoryBytes: Int {
        switch layout {
        case .double: return count * 8
        case .single: return count * 4
        case .uniform: return 8
        case .shared: return tableCount * 8 + count * 4
        }
    }

    /// Overwrites every weight in place, synapse i (in this store's order) taking
    /// `values[order[i]]`, where the layout holds one double per synapse (`.double`; false
    /// otherwise, nothing changed). Every `Network` and simulator sharing this store sees the
    /// change: only for a store its owner built for itself (EventProp's runner, which updates its
    /// private network's weights after every training step instead of rebuilding it).
    func overwrite(from values: UnsafeBufferPointer<Double>, order: [Int32]) -> Bool {
        guard layout == .double, order.count == count else { return false }
        let w = storage.assumingMemoryBound(to: Double.self)
        for i in 0..<count { w[i] = values[Int(order[i])] }
        return true
    }

    /// The weights as the engines read them.
    @usableFromInline var run: WeightRun {
        WeightRun(base: UnsafeRawPointer(storage), layout: layout, table: table.map { UnsafePointer($0) })
    }
}

/// A projection's weights as the engines' loops see them: a raw base and its layout. The loops
/// switch on the layout once per delivery group and run a loop specialized for it
/// (`WeightReader`), so a uniform weight is one register and `Float` weights are widened on load;
/// a shared run reads its 32-bit indices from `base` and the values from `table`.
@frozen
@usableFromInline
struct WeightRun {
    @usableFromInline enum Layout: String { case double, single, uniform, shared }
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let layout: Layout
    @usableFromInline let table: UnsafePointer<Double>?

    @inlinable
    init(base: UnsafeRawPointer, layout: Layout, table: UnsafePointer<Double>? = nil) {
        self.base = base
        self.layout = layout
        self.table = table
    }

    /// Per-synapse `Double` weights (plastic projections' private copies).
    @inlinable
    init(_ weights: UnsafePointer<Double>) {
        self.init(base: UnsafeRawPointer(weights), layout: .double)
    }

    /// The run starting at synapse `first`.
    @inlinable
    func from(_ first: Int) -> WeightRun {
        switch layout {
        case .double: return WeightRun(base: base + first &* 8, layout: layout)
        case .single: return WeightRun(base: base + first &* 4, layout: layout)
        case .shared: return WeightRun(base: base + first &* 4, layout: layout, table: table)
        case .uniform: return self
        }
    }
}

/// Reads the k-th weight of a run in one layout (see `WeightRun`).
@usableFromInline
protocol WeightReader {
    func weight(_ k: Int) -> Double
}

@frozen @usableFromInline
struct DoubleWeights: WeightReader {
    @usableFromInline let values: UnsafePointer<Double>
    @inlinable init(_ run: WeightRun) { values = run.base.assumingMemoryBound(to: Double.self) }
    @inlinable @inline(__always) func weight(_ k: Int) -> Double { values[k] }
}

@frozen @usableFromInline
struct SingleWeights: WeightReader {
    @usableFromInline let values: UnsafePointer<Float>
    @inlinable init(_ run: WeightRun) { values = run.base.assumingMemoryBound(to: Float.self) }
    @inlinable @inline(__always) func weight(_ k: Int) -> Double { Double(values[k]) }
}

@frozen @usableFromInline
struct UniformWeight: WeightReader {
    @usableFromInline let value: Double
    @inlinable init(_ run: WeightRun) { value = run.base.assumingMemoryBound(to: Double.self).pointee }
    @inlinable @inline(__always) func weight(_ k: Int) -> Double { value }
}

@frozen @usableFromInline
struct SharedWeights: WeightReader {
    @usableFromInline let indices: UnsafePointer<UInt32>
    @usableFromInline let values: UnsafePointer<Double>
    @inlinable init(_ run: WeightRun) {
        indices = run.base.assumingMemoryBound(to: UInt32.self)
        values = run.table.unsafelyUnwrapped
    }
    @inlinable @inline(__always) func weight(_ k: Int) -> Double { values[Int(indices[k])] }
}
