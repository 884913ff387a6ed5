/// A model whose states can be held as struct-of-arrays ("lanes") in the time-stepped engine,
/// so that one step of a population reads every state variable as a contiguous array and a
/// vectorised kernel updates `LaneVector.scalarCount` neurons per operation.
///
/// Layout: state variable k of neuron i is `lanes[k·stride + i]` (stride ≥ population size).
/// A lane model promises that `receive(w, r)` is exactly `lane[inputLane(r)] += w` and that
/// neither `isAboveThreshold` nor `fire` reads or writes an input lane — inputs act on the
/// threshold only through later free evolution (synaptic currents). The engine then runs
/// advance, threshold and fire in one pass (`stepLanes`) and adds the step's deliveries straight
/// into the input lanes afterwards, which is the contract's order with the same arithmetic.
public protocol LaneStorable: InputSumming {
    /// Number of `Double` state variables per neuron.
    static var laneCount: Int { get }

    /// The lane that an input on `receptor` adds to.
    func inputLane(receptor: Int) -> Int

    /// Neuron i's state read from lane storage.
    func state(inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int) -> State

    /// Writes `state` as neuron i of lane storage.
    func store(_ state: State, inLanes lanes: UnsafeMutablePointer<Double>, stride: Int, at i: Int)

    /// One time step of neurons `0..<count` in lane storage, before the step's deliveries:
    /// advance by h (unless nil), then fire every neuron at threshold, appending its index to
    /// `fired` in ascending order — the same operations and rounding as `advance`,
    /// `isAboveThreshold`, `fire` neuron by neuron (models vectorise it; the default runs them
    /// per neuron). `scratch` is the population's, kept between steps (see `LaneScratch`).
    func stepLanes(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, count: Int, advancingBy h: Double?,
        using p: Propagator, at time: Double, scratch: inout LaneScratch<State>,
        fired: inout ContiguousArray<UInt32>)
}

extension LaneStorable {
    @inlinable
    public func stepLanes(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, count: Int, advancingBy h: Double?,
        using p: Propagator, at time: Double, scratch: inout LaneScratch<State>,
        fired: inout ContiguousArray<UInt32>
    ) {
        stepLanesPerNeuron(
            lanes, stride: stride, range: 0..<count, advancingBy: h, using: p, at: time,
            fired: &fired)
    }

    /// `stepLanes` for the neurons in `range`, one at a time through `advance`,
    /// `isAboveThreshold` and `fire` (the reference the vectorised passes reproduce).
    @inlinable
    public func stepLanesPerNeuron(
        _ lanes: UnsafeMutablePointer<Double>, stride: Int, range: Range<Int>,
        advancingBy h: Double?, using p: Propagator, at time: Double,
        fired: inout ContiguousArray<UInt32>
    ) {
        for i in range {
            var s = state(inLanes: lanes, stride: stride, at: i)
            if let h { advance(&s, by: h, using: p) }
            if isAboveThreshold(s, at: time) {
                fire(&s, at: time)
                fired.append(UInt32(truncatingIfNeeded: i))
            }
            store(s, inLanes: lanes, stride: stride, at: i)
        }
    }
}

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
/// moment (rate × tRef: ≈ 3 % of CUBA's neurons), so a kernel can evolve every group freely, with
/// no per-neuron refractory test or select, and then correct the listed neurons; see
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
