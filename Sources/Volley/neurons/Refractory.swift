/// Refractory bookkeeping shared by the LIF family: the remaining refractory time is counted down
/// by every `advance`; remainders below `epsilon` are treated as elapsed, so that tRef = 2 ms ends
/// after exactly 20 steps of 0.1 ms despite binary rounding.
public enum Refractory {
    public static let epsilon = 1e-9

    /// The refractory time left after a clamped step of h ms from r: r − h, or 0 below `epsilon`.
    @inlinable @inline(__always)
    public static func remaining(_ r: Double, after h: Double) -> Double {
        let left = r - h
        return left < epsilon ? 0 : left
    }
}
