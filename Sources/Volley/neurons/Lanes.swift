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
