import Foundation
import Volley

/// Training augmentation of the MNIST examples: elastic distortion (Simard, Steinkraus & Platt
/// 2003, *Best practices for convolutional neural networks applied to visual document analysis*,
/// ICDAR). Two fields of independent displacements uniform in [−1, 1] pixels are smoothed by a
/// Gaussian of standard deviation σ (pixels; `smooth`) and scaled by α; pixel (x, y) of the result
/// is the image read at (x + Δx, y + Δy) by bilinear interpolation (`warp`), black outside the
/// frame. Drawn from the stream (seed, epoch, index), so it depends on the sample alone, not on
/// the thread that draws it.
public struct ElasticDistortion: Sendable {
    public static let side = 28
    /// Scale α of the smoothed displacement (pixels).
    public let alpha: Double
    /// Standard deviation σ of the smoothing Gaussian (pixels).
    public let sigma: Double
    public let seed: UInt64
    /// The normalised 1-D Gaussian, taps −r…r with r = ⌈3σ⌉.
    let kernel: [Double]

    /// α ≥ 0 and σ > 0 (pixels); α = 0 leaves images unchanged.
    public init(alpha: Double, sigma: Double, seed: UInt64) throws {
        guard alpha.isFinite, alpha >= 0 else {
            throw VolleyError.invalidParameter(name: "alpha", value: "\(alpha)", reason: "must be a finite number ≥ 0 (pixels)")
        }
        guard sigma.isFinite, sigma > 0, sigma <= 28 else {
            throw VolleyError.invalidParameter(name: "sigma", value: "\(sigma)", reason: "must be in (0, 28] pixels")
        }
        self.alpha = alpha
        self.sigma = sigma
        self.seed = seed
        let r = Int((3 * sigma).rounded(.up))
        let taps = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let total = taps.reduce(0, +)
        kernel = taps.map { $0 / total }
    }

    /// The distorted image of sample `index` in epoch `epoch`.
    public func apply(_ image: [Double], epoch: UInt64, index: Int) -> [Double] {
        guard alpha > 0 else { return image }
        let n = Self.side * Self.side
        var rng = Xoshiro256(seed: seed, stream: 0xE1A5, epoch, UInt64(index))
        var dx = [Double](repeating: 0, count: n), dy = dx
        for k in 0..<n { dx[k] = rng.uniform(-1, 1); dy[k] = rng.uniform(-1, 1) }
        dx = smooth(dx)
        dy = smooth(dy)
        for k in 0..<n { dx[k] *= alpha; dy[k] *= alpha }
        return Self.warp(image, dx: dx, dy: dy)
    }

    /// The field convolved with the Gaussian along rows, then along columns (zero beyond the frame).
    public func smooth(_ field: [Double]) -> [Double] {
        let s = Self.side, r = kernel.count / 2
        var rows = [Double](repeating: 0, count: s * s), out = rows
        for y in 0..<s {
            for x in 0..<s {
                var sum = 0.0
                for t in max(-r, -x)...min(r, s - 1 - x) { sum += kernel[t + r] * field[y * s + x + t] }
                rows[y * s + x] = sum
            }
        }
        for y in 0..<s {
            for x in 0..<s {
                var sum = 0.0
                for t in max(-r, -y)...min(r, s - 1 - y) { sum += kernel[t + r] * rows[(y + t) * s + x] }
                out[y * s + x] = sum
            }
        }
        return out
    }

    /// Pixel (x, y) of the result is `image` at (x + dx, y + dy), bilinearly interpolated between
    /// its four neighbours, each neighbour outside the 28 × 28 frame black.
    public static func warp(_ image: [Double], dx: [Double], dy: [Double]) -> [Double] {
        let s = side
        func pixel(_ x: Int, _ y: Int) -> Double { x >= 0 && x < s && y >= 0 && y < s ? image[y * s + x] : 0 }
        var out = [Double](repeating: 0, count: s * s)
        for y in 0..<s {
            for x in 0..<s {
                let sx = Double(x) + dx[y * s + x], sy = Double(y) + dy[y * s + x]
                let x0 = sx.rounded(.down), y0 = sy.rounded(.down)
                let fx = sx - x0, fy = sy - y0
                guard x0 > -2, x0 < Double(s), y0 > -2, y0 < Double(s) else { continue }
                let ix = Int(x0), iy = Int(y0)
                let top = pixel(ix, iy) * (1 - fx) + pixel(ix + 1, iy) * fx
                let bottom = pixel(ix, iy + 1) * (1 - fx) + pixel(ix + 1, iy + 1) * fx
                out[y * s + x] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }
}
