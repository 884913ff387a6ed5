/// Dense vector loops over raw pointers, written so that the compiler vectorises them: pointer
/// offsets cannot overflow-trap and the bounds are known, so each loop becomes packed SIMD adds.
/// Every element is updated on its own, in the same order of operations as the scalar loop, so
/// results are bit-identical to it.

/// y[0..<n] += a·x[0..<n].
@inline(__always)
func axpy(_ n: Int, _ a: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
    for p in 0..<n { y[p] += a * x[p] }
}

/// y[0..<n] += x[0..<n].
@inline(__always)
func add(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
    for p in 0..<n { y[p] += x[p] }
}
