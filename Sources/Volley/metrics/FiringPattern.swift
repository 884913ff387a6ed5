/// The response of a neuron to a current step, classified from its spike times with the
/// descriptors of Naud et al. (*Firing patterns in the adaptive exponential integrate-and-fire
/// model*, Biol. Cybern. 99:335, 2008) and Izhikevich (IEEE Trans. Neural Netw. 15:1063, 2004).
///
/// Features of the spike train t₁ < … < tₙ in a step of `duration` ms starting at 0, ISIs
/// dₖ = tₖ₊₁ − tₖ:
/// - initial burst: the leading ISIs shorter than ⅓ of the median of the others, ending
///   abruptly (the next ISI > 3× the last of them);
/// - adaptation index A = mean over k of (dₖ₊₁ − dₖ)/(dₖ₊₁ + dₖ) (Naud et al.'s), over the ISIs
///   after an initial burst;
/// - bursts: an ISI is *long* when it exceeds 3× the shortest ISI and half the longest; a burst
///   is a run of ≥ 2 spikes between long ISIs.
///
/// Rules, in order: no spike → silent; the last spike before half the step → transient; ≥ 2 long
/// ISIs, no two of them adjacent, and ≥ 2 spikes per long ISI → regular bursting when the long ISIs vary by < 20 %
/// (coefficient of variation), irregular otherwise; an initial burst followed by ≥ 3 ISIs →
/// initial burst; a first spike later than 2× the median ISI → delayed (accelerating when
/// A < −0.005); otherwise A > 0.005 → adapting, A < −0.005 → accelerating, else tonic. The
/// thresholds are Volley's choice (the papers classify by eye); `features` reports the numbers
/// so a reader can judge.
public enum FiringPattern: String, Sendable, CaseIterable, Codable {
    case silent
    case transient
    case tonic
    case adapting
    case accelerating
    case initialBurst = "initial_burst"
    case regularBursting = "regular_bursting"
    case delayedAccelerating = "delayed_accelerating"
    case delayedTonic = "delayed_tonic"
    case irregular

    /// The features the classification rests on.
    public struct Features: Sendable, Equatable, Codable {
        public var spikes: Int
        public var firstSpikeMs: Double?
        public var adaptationIndex: Double?
        public var longIntervals: Int
        public var longIntervalCV: Double?
    }

    public static func features(of times: [Double]) -> Features {
        let isi = zip(times.dropFirst(), times).map { $0 - $1 }
        var features = Features(spikes: times.count, firstSpikeMs: times.first, adaptationIndex: nil, longIntervals: 0, longIntervalCV: nil)
        guard let shortest = isi.min(), let longest = isi.max() else { return features }
        let long = isi.filter { $0 > 3 * shortest && $0 > 0.5 * longest }
        features.longIntervals = long.count
        if long.count >= 2 {
            let mean = long.reduce(0, +) / Double(long.count)
            let variance = long.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(long.count)
            features.longIntervalCV = variance.squareRoot() / mean
        }
        let skip = initialBurstLength(isi)
        let tail = Array(isi.dropFirst(skip))
        if tail.count >= 2 {
            let terms = zip(tail.dropFirst(), tail).map { ($0 - $1) / ($0 + $1) }
            features.adaptationIndex = terms.reduce(0, +) / Double(terms.count)
        }
        return features
    }

    /// ISIs of an initial burst: the leading ISIs shorter than ⅓ of the median of the others,
    /// ending abruptly (the next ISI > 3× the last of them); 0 if there is none.
    static func initialBurstLength(_ isi: [Double]) -> Int {
        guard isi.count >= 4 else { return 0 }
        let rest = isi.dropFirst().sorted()
        let median = rest[rest.count / 2]
        var k = 0
        while k < isi.count - 3 && isi[k] < median / 3 { k += 1 }
        return k > 0 && isi[k] > 3 * isi[k - 1] ? k : 0
    }

    /// The pattern of `times` (ms) in a current step of `duration` ms.
    public static func classify(_ times: [Double], duration: Double) -> FiringPattern {
        guard let last = times.last else { return .silent }
        if last < duration / 2 { return .transient }
        let f = features(of: times)
        let isi = zip(times.dropFirst(), times).map { $0 - $1 }
        // Bursts: long ISIs separated by short ones (two adjacent long ISIs are slowing, not bursts).
        let shortest = isi.min() ?? 0, longest = isi.max() ?? 0
        let isLong = isi.map { $0 > 3 * shortest && $0 > 0.5 * longest }
        let adjacentLong = zip(isLong, isLong.dropFirst()).contains { $0 && $1 }
        if f.longIntervals >= 2, times.count >= 2 * f.longIntervals, !adjacentLong {
            return (f.longIntervalCV ?? 1) < 0.2 ? .regularBursting : .irregular
        }
        if initialBurstLength(isi) > 0 { return .initialBurst }
        let a = f.adaptationIndex ?? 0
        if isi.count >= 2, let first = times.first {
            let sorted = isi.sorted()
            if first > 2 * sorted[sorted.count / 2] { return a < -0.005 ? .delayedAccelerating : .delayedTonic }
        }
        if a > 0.005 { return .adapting }
        if a < -0.005 { return .accelerating }
        return .tonic
    }
}
