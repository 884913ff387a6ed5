import Foundation

/// The Yin-Yang data set (Kriener, Göltz & Petrovici, *The Yin-Yang dataset*, NICE 2022), generated
/// as their reference code does, sample for sample: NumPy's `RandomState(seed)` (`MersenneTwister`);
/// per sample a goal class drawn uniformly from {yin, yang, dot}, then points (x, y) uniform in
/// [0, 2·r_big)² drawn until one inside the big circle has the goal class (rejection sampling keeps
/// the classes balanced). Features (x, y, 1 − x, 1 − y). The published splits: train 5 000
/// (seed 42), validation 1 000 (seed 41), test 1 000 (seed 40).
public struct YinYangDataset: Sendable {
    public static let classNames = ["yin", "yang", "dot"]
    public var features: [[Double]]
    public var labels: [Int]

    public init(size: Int, seed: UInt32, rSmall: Double = 0.1, rBig: Double = 0.5) {
        var rng = MersenneTwister(seed: seed)
        features = []
        labels = []
        features.reserveCapacity(size)
        for _ in 0..<size {
            let goal = rng.legacyIndex(below: 3)
            while true {
                let x = rng.randomSample() * 2 * rBig, y = rng.randomSample() * 2 * rBig
                if ((x - rBig) * (x - rBig) + (y - rBig) * (y - rBig)).squareRoot() > rBig { continue }
                let c = Self.classOf(x: x, y: y, rSmall: rSmall, rBig: rBig)
                guard c == goal else { continue }
                features.append([x, y, 1 - x, 1 - y])
                labels.append(c)
                break
            }
        }
    }

    /// The class of a point inside the big circle: 2 (dot) within r_small of either dot's centre,
    /// else 1 where any of the reference code's three criteria holds (its `is_yin`, which it
    /// returns as `int(is_yin)`), 0 elsewhere.
    public static func classOf(x: Double, y: Double, rSmall: Double = 0.1, rBig: Double = 0.5) -> Int {
        let dRight = ((x - 1.5 * rBig) * (x - 1.5 * rBig) + (y - rBig) * (y - rBig)).squareRoot()
        let dLeft = ((x - 0.5 * rBig) * (x - 0.5 * rBig) + (y - rBig) * (y - rBig)).squareRoot()
        if dRight < rSmall || dLeft < rSmall { return 2 }
        let criteria = dRight <= rSmall || (dLeft > rSmall && dLeft <= 0.5 * rBig) || (y > rBig && dRight > 0.5 * rBig)
        return criteria ? 1 : 0
    }

    public static func training() -> YinYangDataset { YinYangDataset(size: 5000, seed: 42) }
    public static func validation() -> YinYangDataset { YinYangDataset(size: 1000, seed: 41) }
    public static func test() -> YinYangDataset { YinYangDataset(size: 1000, seed: 40) }

    /// Spike-time (latency) code: feature v ∈ [0, 1] fires once at tMin + v·(tMax − tMin) ms, and a
    /// fifth input fires a bias spike at `tBias` ms.
    public static func encode(_ v: [Double], tMin: Double, tMax: Double, tBias: Double) -> [[Double]] {
        v.map { [tMin + $0 * (tMax - tMin)] } + [[tBias]]
    }
}
