/// How a projection stores per-synapse weights.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// One `Double` per synapse (8 bytes), the default.
    case double
    /// One `Float` per synapse (4 bytes): each weight is rounded to single precision once, when
    /// stored, and the engines then use exactly the stored value (all arithmetic stays `Double`).
    case single
}

/// The weights of one projection in CSR order (mV, see NeuronModel), in one of three layouts:
/// `Double` or `Float` per synapse (`WeightPrecision`), or — chosen automatically whenever every
/// weight has the same bit pattern, e.g. `.constant(w)` — one shared `Double` (NEST's
/// `static_synapse_hom_w`; Brian2's `on_pre='v += we'`). The values read back are the same in
/// every layout; only the bytes differ. Read-only once shared by a network; an engine that
/// learns keeps its own `Double` copy.
public final class WeightStore: @unchecked Sendable {
    @usableFromInline let layout: WeightRun.Layout
    @usableFromInline let storage: UnsafeMutableRawPointer
    public let count: Int
    /// The precision asked for (a uniform store keeps it for later `setWeights`).
    public let precision: WeightPrecision

    public init(_ weights: [Double], precision: WeightPrecision = .double) {
        count = weights.count
        self.precision = precision
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

    deinit { storage.deallocate() }

    /// Weight of synapse i, as the engines use it.
    @inlinable public subscript(i: Int) -> Double {
        switch layout {
        case .double: return storage.assumingMemoryBound(to: Double.self)[i]
        case .single: return Double(storage.assumingMemoryBound(to: Float.self)[i])
        case .uniform: return storage.assumingMemoryBound(to: Double.self)[0]
        }
    }

    public var array: [Double] { (0..<count).map { self[$0] } }

    /// "double", "single" or "uniform".
    public var layoutName: String { layout.rawValue }

    /// Bytes held by the weights.
    public var memoryBytes: Int {
        switch layout {
        case .double: return count * 8
        case .single: return count * 4
        case .uniform: return 8
        }
    }

    /// The weights as the engines read them.
    @usableFromInline var run: WeightRun { WeightRun(base: UnsafeRawPointer(storage), layout: layout) }
}

/// A projection's weights as the engines' loops see them: a raw base and its layout. The loops
/// switch on the layout once per delivery group and run a loop specialized for it
/// (`WeightReader`), so a uniform weight is one register and `Float` weights are widened on load.
@frozen
@usableFromInline
struct WeightRun {
    @usableFromInline enum Layout: String { case double, single, uniform }
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let layout: Layout

    @inlinable
    init(base: UnsafeRawPointer, layout: Layout) {
        self.base = base
        self.layout = layout
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
