import Foundation

/// Latency (time-to-first-spike) coding of real values: larger values fire earlier.
///
///     x ≤ silentAtOrBelow:   no spike
///     otherwise:             t = tMin + (tMax − tMin) · (1 − (clamp(x) − minimum) / (maximum − minimum))
///
/// so x = maximum fires at tMin and values just above `silentAtOrBelow` fire near tMax.
public struct LatencyEncoder: Sendable {
    public var minimum: Double
    public var maximum: Double
    /// Earliest and latest spike times (ms).
    public var tMin: Double
    public var tMax: Double
    /// Values at or below this do not fire (e.g. black MNIST pixels); nil: every value fires.
    public var silentAtOrBelow: Double?

    public init(minimum: Double = 0, maximum: Double = 1, tMin: Double = 0, tMax: Double, silentAtOrBelow: Double? = 0) throws {
        guard minimum.isFinite, maximum.isFinite, minimum < maximum else {
            throw VolleyError.invalidParameter(name: "maximum", value: "\(maximum)", reason: "must exceed minimum \(minimum)")
        }
        guard tMin.isFinite, tMax.isFinite, tMin >= 0, tMin <= tMax else {
            throw VolleyError.invalidParameter(name: "tMax", value: "\(tMax)", reason: "need 0 ≤ tMin (\(tMin)) ≤ tMax")
        }
        self.minimum = minimum
        self.maximum = maximum
        self.tMin = tMin
        self.tMax = tMax
        self.silentAtOrBelow = silentAtOrBelow
    }

    /// Spike time (ms) of one value, or nil if it does not fire.
    public func time(for value: Double) -> Double? {
        guard value.isFinite else { return nil }
        if let s = silentAtOrBelow, value <= s { return nil }
        let x = Swift.min(Swift.max(value, minimum), maximum)
        return tMin + (tMax - tMin) * (1 - (x - minimum) / (maximum - minimum))
    }

    /// One spike train per value (empty or one spike).
    public func encode(_ values: [Double]) -> [[Double]] {
        values.map { v in time(for: v).map { [$0] } ?? [] }
    }
}

/// Population coding of real-valued features by Gaussian receptive fields (Bohte, Kok &
/// La Poutré 2002, section 4).
///
/// Each feature with range [minimum, maximum] is covered by m ≥ 3 fields with centres
///     μᵢ = minimum + (2i − 3)/2 · (maximum − minimum)/(m − 2),   i = 1 … m
/// and common width σ = (1/β) · (maximum − minimum)/(m − 2) (β = 1.5 in the paper). A value x
/// excites field i with r = exp(−(x − μᵢ)² / (2σ²)) ∈ (0, 1]; the field fires at
///     t = tMax · (1 − r)          (r = 1 fires at 0, weak responses late),
/// rounded to `resolution` ms when given, and not at all when r < minimumResponse (equivalently
/// t > tMax·(1 − minimumResponse)). Encoded neurons are ordered feature-major: feature f, field i
/// is neuron f·m + i.
public struct GaussianReceptiveFieldEncoder: Sendable {
    public let fieldsPerFeature: Int
    public let minimum: [Double]
    public let maximum: [Double]
    public var beta: Double
    /// Coding interval (ms): the latest possible spike time.
    public var tMax: Double
    /// Responses below this do not fire.
    public var minimumResponse: Double
    /// Spike times are rounded to multiples of this (ms), or kept exact when nil.
    public var resolution: Double?

    public init(
        fieldsPerFeature: Int, minimum: [Double], maximum: [Double], beta: Double = 1.5,
        tMax: Double = 10, minimumResponse: Double = 0.1, resolution: Double? = nil
    ) throws {
        guard fieldsPerFeature >= 3 else {
            throw VolleyError.invalidParameter(name: "fieldsPerFeature", value: "\(fieldsPerFeature)", reason: "need at least 3 fields")
        }
        guard minimum.count == maximum.count, !minimum.isEmpty else {
            throw VolleyError.invalidParameter(name: "minimum", value: "\(minimum.count) values", reason: "need one minimum and maximum per feature (\(maximum.count) maxima)")
        }
        for f in minimum.indices where !(minimum[f].isFinite && maximum[f].isFinite && minimum[f] < maximum[f]) {
            throw VolleyError.invalidParameter(name: "range of feature \(f)", value: "[\(minimum[f]), \(maximum[f])]", reason: "need a finite range with minimum < maximum")
        }
        try VolleyError.require("beta", beta, "must be > 0") { $0 > 0 }
        try VolleyError.require("tMax", tMax, "coding interval must be > 0 ms") { $0 > 0 }
        try VolleyError.require("minimumResponse", minimumResponse, "must be in [0, 1)") { $0 >= 0 && $0 < 1 }
        if let r = resolution { try VolleyError.require("resolution", r, "must be > 0 ms") { $0 > 0 } }
        self.fieldsPerFeature = fieldsPerFeature
        self.minimum = minimum
        self.maximum = maximum
        self.beta = beta
        self.tMax = tMax
        self.minimumResponse = minimumResponse
        self.resolution = resolution
    }

    /// Builds the ranges from data: per feature, the `clipFraction` and 1 − `clipFraction`
    /// quantiles of the rows (0: minimum and maximum). Clipping keeps a few extreme values of a
    /// skewed feature from spreading the fields over a range where almost no samples lie; values
    /// outside the range excite the edge fields.
    public init(fieldsPerFeature: Int, fittedTo rows: [[Double]], clipFraction: Double = 0, beta: Double = 1.5, tMax: Double = 10, minimumResponse: Double = 0.1, resolution: Double? = nil) throws {
        guard let first = rows.first else {
            throw VolleyError.invalidParameter(name: "rows", value: "0", reason: "cannot fit receptive fields to no data")
        }
        guard clipFraction >= 0 && clipFraction < 0.5 else {
            throw VolleyError.invalidParameter(name: "clipFraction", value: "\(clipFraction)", reason: "must be in [0, 0.5)")
        }
        for r in rows where r.count != first.count {
            throw VolleyError.invalidParameter(name: "rows", value: "\(r.count) features", reason: "expected \(first.count)")
        }
        var lo = first, hi = first
        for f in first.indices {
            let column = rows.map { $0[f] }.sorted()
            let k = Int((clipFraction * Double(column.count - 1)).rounded())
            lo[f] = column[k]
            hi[f] = column[column.count - 1 - k]
        }
        for f in lo.indices where lo[f] == hi[f] { hi[f] = lo[f] + 1 }
        try self.init(fieldsPerFeature: fieldsPerFeature, minimum: lo, maximum: hi, beta: beta, tMax: tMax, minimumResponse: minimumResponse, resolution: resolution)
    }

    public var featureCount: Int { minimum.count }
    /// Number of encoding neurons (features × fields).
    public var neuronCount: Int { featureCount * fieldsPerFeature }

    /// Centre μᵢ of field i (0-based) of feature f.
    public func centre(feature f: Int, field i: Int) -> Double {
        let span = maximum[f] - minimum[f]
        return minimum[f] + (2 * Double(i + 1) - 3) / 2 * span / Double(fieldsPerFeature - 2)
    }

    /// Common width σ of the fields of feature f.
    public func width(feature f: Int) -> Double {
        (maximum[f] - minimum[f]) / Double(fieldsPerFeature - 2) / beta
    }

    /// Spike time (ms) of every field for one sample, nil where the field does not fire.
    public func times(for sample: [Double]) throws -> [Double?] {
        guard sample.count == featureCount else {
            throw VolleyError.invalidParameter(name: "sample", value: "\(sample.count) features", reason: "encoder expects \(featureCount)")
        }
        var out: [Double?] = []
        out.reserveCapacity(neuronCount)
        for f in 0..<featureCount {
            let x = sample[f]
            guard x.isFinite else {
                throw VolleyError.invalidParameter(name: "feature \(f)", value: "\(x)", reason: "must be finite")
            }
            let s = width(feature: f)
            for i in 0..<fieldsPerFeature {
                let d = x - centre(feature: f, field: i)
                let r = exp(-d * d / (2 * s * s))
                if r < minimumResponse {
                    out.append(nil)
                    continue
                }
                var t = tMax * (1 - r)
                if let res = resolution { t = (t / res).rounded() * res }
                out.append(t)
            }
        }
        return out
    }

    /// One spike train per encoding neuron.
    public func encode(_ sample: [Double]) throws -> [[Double]] {
        try times(for: sample).map { $0.map { [$0] } ?? [] }
    }
}


/// Maps each feature to [0, 1] through the empirical distribution function of training values:
/// x ↦ (#{v < x} + #{v ≤ x}) / (2n). Fitted on training data only, applied to test data as is.
public struct QuantileTransform: Sendable {
    /// Sorted training values of each feature.
    public let sortedColumns: [[Double]]

    public init(fittedTo rows: [[Double]]) {
        let features = rows.first?.count ?? 0
        sortedColumns = (0..<features).map { f in rows.map { $0[f] }.sorted() }
    }

    public func apply(_ row: [Double]) -> [Double] {
        zip(row, sortedColumns).map { x, column in
            let below = QuantileTransform.count(column) { $0 < x }
            let atOrBelow = QuantileTransform.count(column) { $0 <= x }
            return Double(below + atOrBelow) / Double(2 * column.count)
        }
    }

    /// Number of leading elements of a sorted array satisfying a monotone predicate.
    static func count(_ sorted: [Double], _ predicate: (Double) -> Bool) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if predicate(sorted[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
