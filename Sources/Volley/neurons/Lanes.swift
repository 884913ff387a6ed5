/// Struct-of-arrays ("lane") storage of neuron states for the time-stepped engine, and the
/// arithmetic that lets one formula serve a single neuron (`Double`) and a SIMD group of neurons
/// (`LaneVector`) with the same operations in the same order — hence bit-identical results.
///
/// Layout: a model with `laneCount` = L stores state variable k of neuron i at
/// `lanes[k·stride + i]` (stride ≥ population size), so that one step of the population reads
/// every variable as a contiguous array and updates `LaneVector.scalarCount` neurons per operation.

/// The SIMD group the lane kernels use: 4 doubles (one AVX register, or two SSE2 registers).
public typealias LaneVector = SIMD4<Double>

/// `+`, `−`, `×` on one neuron's value or on a group of neurons' values. Formulas written over
/// `LaneArithmetic` are evaluated without fused multiply-add (Swift does not contract), so the
/// scalar and the vector evaluation round identically.
public protocol LaneArithmetic {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
}

extension Double: LaneArithmetic {}
extension SIMD4: LaneArithmetic where Scalar == Double {}

extension UnsafeMutablePointer where Pointee == Double {
    /// The `LaneVector` starting at element i (no alignment requirement).
    @inlinable @inline(__always)
    func loadLanes(_ i: Int) -> LaneVector {
        UnsafeRawPointer(self + i).loadUnaligned(as: LaneVector.self)
    }

    @inlinable @inline(__always)
    func storeLanes(_ value: LaneVector, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: LaneVector.self)
    }
}

/// What a lane kernel carries from one step to the next (one per population, owned by it): the
/// neurons of the vectorised part that may be refractory. A refractory period is rare at any
/// moment (rate × tRef: ≈ 3 % of CUBA's neurons), so the kernel evolves every group freely, with
/// no per-neuron refractory test or select, and then corrects the listed neurons; see
/// `LIFExp.stepLanes`. The list is rebuilt from the lanes whenever they were written by anything
/// but the kernel's vector pass (`invalidate()`: reset, new lanes, a step without advance).
public struct LaneScratch<State> {
    /// Neurons (ascending only after a rebuild) whose refractory lane may be > 0; a superset.
    public var refractory = ContiguousArray<UInt32>()
    /// Whether `refractory` is known to hold every refractory neuron of the vectorised part.
    public var isValid = false
    /// Per step: exact states of neurons whose refractory period ends inside the step.
    public var exactStates = ContiguousArray<(index: Int, state: State)>()
    /// Per step: the blocks that may hold a neuron at threshold, ascending (a block may repeat).
    public var candidateBlocks = ContiguousArray<Int>()

    public init() {}

    /// The lanes changed outside the kernel: rebuild the list before the next vectorised step.
    public mutating func invalidate() { isValid = false }
}
