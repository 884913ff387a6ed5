import Foundation

/// Synthetic event-camera recordings of static images, made the way N-MNIST was recorded
/// (Orchard et al. 2015): the image is moved in three saccades along a triangle in front of a
/// change-detecting sensor. A pixel emits an ON (OFF) event each time its log intensity
/// log(I + ε) has risen (fallen) by its contrast threshold C since its last event (the DVS pixel
/// model, Lichtsteiner et al. 2008). **Synthetic**: no sensor noise, no refractory period, no
/// bandwidth limit — for exercising event-based training without the real data set.
///
/// Between simulation steps of `stepMs` the image moves linearly, and each crossing's time is
/// interpolated linearly within the step, then rounded to whole µs as real recordings are.
public struct SaccadeEvents: Sendable, Equatable {
    /// Sensor width and height (px): 34, as N-MNIST.
    public var sensorSize = 34
    /// Contrast threshold C (natural-log units).
    public var contrastThreshold = 0.15
    /// Per-pixel spread of C (standard deviation / C), drawn once per recording from the seed.
    public var thresholdSpread = 0.05
    /// ε of log(I + ε), intensities in [0, 1].
    public var intensityFloor = 0.1
    /// Duration of each of the three saccades (ms).
    public var saccadeMs = 100.0
    /// The triangle's corners (px), relative to the centred image; the image moves corner 0 → 1 →
    /// 2 → 0.
    public var corners: [SIMD2<Double>] = [SIMD2(0, -2), SIMD2(2, 2), SIMD2(-2, 2)]
    /// Simulation step (ms).
    public var stepMs = 0.1

    public init() {}

    /// Total duration of a recording (ms).
    public var durationMs: Double { saccadeMs * Double(corners.count) }

    func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ reason: String) throws {
            if !ok { throw VolleyError.invalidParameter(name: name, value: "\(value)", reason: reason) }
        }
        try check(sensorSize >= 1 && sensorSize <= 255, "sensorSize", sensorSize, "must be 1…255 px")
        try check(contrastThreshold.isFinite && contrastThreshold >= 0.01 && contrastThreshold <= 10, "contrastThreshold", contrastThreshold, "must be in [0.01, 10]")
        try check(thresholdSpread.isFinite && thresholdSpread >= 0 && thresholdSpread <= 1, "thresholdSpread", thresholdSpread, "must be in [0, 1]")
        try check(intensityFloor.isFinite && intensityFloor > 0 && intensityFloor <= 10, "intensityFloor", intensityFloor, "must be in (0, 10]")
        try check(saccadeMs.isFinite && saccadeMs > 0 && saccadeMs <= 2000, "saccadeMs", saccadeMs, "must be in (0, 2000] ms (timestamps hold 2²³ µs)")
        try check(stepMs.isFinite && stepMs >= 0.001 && stepMs <= saccadeMs, "stepMs", stepMs, "must be in [0.001 ms, saccadeMs]")
        try check(corners.count >= 2 && corners.allSatisfy { $0.x.isFinite && $0.y.isFinite && abs($0.x) <= 100 && abs($0.y) <= 100 },
                  "corners", corners.count, "need ≥ 2 finite corners within ±100 px")
    }

    /// Image position (offset of its top-left pixel from the centred position, px) at `t` ms.
    func displacement(at t: Double) -> SIMD2<Double> {
        let leg = min(Int(t / saccadeMs), corners.count - 1)
        let f = min(1, (t - Double(leg) * saccadeMs) / saccadeMs)
        let a = corners[leg], b = corners[(leg + 1) % corners.count]
        return a + (b - a) * f
    }

    /// The events of `image` (`rows × columns` intensities in [0, 1], row-major), centred on the
    /// sensor; `seed` draws the per-pixel thresholds.
    public func events(image: [Double], rows: Int, columns: Int, seed: UInt64) throws -> EventRecording {
        try validate()
        guard rows >= 1, columns >= 1, rows <= sensorSize, columns <= sensorSize, image.count == rows * columns else {
            throw VolleyError.invalidParameter(
                name: "image", value: "\(image.count) values as \(rows) × \(columns)",
                reason: "need rows × columns values with rows, columns in 1…\(sensorSize) (the sensor)")
        }
        if let bad = image.firstIndex(where: { !($0.isFinite && $0 >= 0 && $0 <= 1) }) {
            throw VolleyError.invalidParameter(name: "image[\(bad)]", value: "\(image[bad])", reason: "intensities must be in [0, 1]")
        }
        let n = sensorSize
        let centre = SIMD2(Double(n - columns) / 2, Double(n - rows) / 2)
        func logIntensities(at t: Double, into out: inout [Double]) {
            let origin = centre + displacement(at: t)
            for cy in 0..<n {
                for cx in 0..<n {
                    // Bilinear sample of the image at the sensor pixel, 0 outside the image.
                    let u = Double(cx) - origin.x, v = Double(cy) - origin.y
                    let u0 = u.rounded(.down), v0 = v.rounded(.down)
                    let fu = u - u0, fv = v - v0
                    func pixel(_ r: Double, _ c: Double) -> Double {
                        guard r >= 0, c >= 0, r < Double(rows), c < Double(columns) else { return 0 }
                        return image[Int(r) * columns + Int(c)]
                    }
                    let i = (1 - fv) * ((1 - fu) * pixel(v0, u0) + fu * pixel(v0, u0 + 1))
                        + fv * ((1 - fu) * pixel(v0 + 1, u0) + fu * pixel(v0 + 1, u0 + 1))
                    out[cy * n + cx] = Foundation.log(i + intensityFloor)
                }
            }
        }
        var rng = Xoshiro256(seed: seed, stream: 0xD75)
        let thresholds = (0..<(n * n)).map { _ in contrastThreshold * max(0.1, 1 + thresholdSpread * rng.normal()) }
        var previous = [Double](repeating: 0, count: n * n)
        logIntensities(at: 0, into: &previous)
        var reference = previous
        var current = previous
        var x = [UInt16](), y = [UInt16](), polarity = [UInt8](), timestamps = [UInt64]()
        var step: [(t: UInt64, pixel: Int, on: UInt8)] = []
        let steps = Int((durationMs / stepMs).rounded(.up))
        for k in 1...steps {
            let t0 = Double(k - 1) * stepMs, t1 = min(Double(k) * stepMs, durationMs)
            logIntensities(at: t1, into: &current)
            step.removeAll(keepingCapacity: true)
            for p in 0..<(n * n) {
                let a = previous[p], b = current[p], c = thresholds[p]
                // Each crossing of reference ± C between a and b, at its interpolated time.
                while b - reference[p] >= c || reference[p] - b >= c {
                    let on = b > reference[p]
                    let level = reference[p] + (on ? c : -c)
                    let f = b == a ? 1 : min(1, max(0, (level - a) / (b - a)))
                    step.append((UInt64(((t0 + f * (t1 - t0)) * 1000).rounded()), p, on ? 1 : 0))
                    reference[p] = level
                }
            }
            step.sort { ($0.t, $0.pixel, $0.on) < ($1.t, $1.pixel, $1.on) }
            for e in step {
                x.append(UInt16(e.pixel % n))
                y.append(UInt16(e.pixel / n))
                polarity.append(e.on)
                timestamps.append(e.t)
            }
            swap(&previous, &current)
        }
        return try EventRecording(
            width: n, height: n, x: x, y: y, polarity: polarity, timestamps: timestamps, source: "synthetic saccade events")
    }
}
