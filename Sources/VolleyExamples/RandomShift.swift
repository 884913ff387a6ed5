import Volley

/// Training augmentation of the MNIST examples: a 28×28 image translated by a random
/// (dx, dy) ∈ [−pixels, pixels]², vacated pixels black, drawn from the stream (seed, epoch, index)
/// so that it depends on the sample alone, not on the thread that draws it.
public struct RandomShift: Sendable {
    public let pixels: Int
    public let seed: UInt64

    public init(pixels: Int, seed: UInt64) {
        self.pixels = pixels
        self.seed = seed
    }

    public func apply(_ image: [Double], epoch: UInt64, index: Int) -> [Double] {
        guard pixels > 0 else { return image }
        var rng = Xoshiro256(seed: seed, stream: 0x5417, epoch, UInt64(index))
        let dx = rng.index(below: 2 * pixels + 1) - pixels, dy = rng.index(below: 2 * pixels + 1) - pixels
        var out = [Double](repeating: 0, count: 784)
        for y in 0..<28 where (0..<28).contains(y - dy) {
            for x in 0..<28 where (0..<28).contains(x - dx) { out[y * 28 + x] = image[(y - dy) * 28 + (x - dx)] }
        }
        return out
    }
}
