import Testing
import Volley
import VolleyExamples

/// The MNIST examples' training augmentation: a translation by (dx, dy) ∈ [−P, P]² drawn from
/// (seed, epoch, index) alone.
@Suite struct RandomShiftTests {
    /// A 28×28 image with one lit pixel at (x, y).
    func dot(_ x: Int, _ y: Int) -> [Double] {
        var image = [Double](repeating: 0, count: 784)
        image[y * 28 + x] = 1
        return image
    }

    @Test func translatesWithinRangeAndRepeats() {
        let shift = RandomShift(pixels: 2, seed: 7)
        var offsets = Set<[Int]>()
        for index in 0..<200 {
            let out = shift.apply(dot(14, 10), epoch: 3, index: index)
            let lit = out.indices.filter { out[$0] != 0 }
            #expect(lit.count == 1)
            let dx = lit[0] % 28 - 14, dy = lit[0] / 28 - 10
            #expect(abs(dx) <= 2 && abs(dy) <= 2)
            offsets.insert([dx, dy])
            #expect(shift.apply(dot(14, 10), epoch: 3, index: index) == out)
        }
        // 200 draws from 25 equally likely offsets leave none out (chance of missing one < 10⁻³).
        #expect(offsets.count == 25)
    }

    @Test func redrawnEachEpochAndPixelsLeavingTheFrameAreDropped() {
        let shift = RandomShift(pixels: 1, seed: 1)
        let perEpoch = (0..<20).map { epoch in (0..<50).map { shift.apply(dot(5, 5), epoch: UInt64(epoch), index: $0) } }
        #expect(Set(perEpoch.map { $0.map { $0.firstIndex(of: 1) ?? -1 } }).count > 1)
        // A pixel on the left edge moved left vanishes; nothing else lights up.
        var dropped = 0
        for index in 0..<100 {
            let out = shift.apply(dot(0, 13), epoch: 0, index: index)
            let lit = out.filter { $0 != 0 }.count
            #expect(lit <= 1)
            dropped += 1 - lit
        }
        #expect(dropped > 10 && dropped < 60)
        #expect(RandomShift(pixels: 0, seed: 1).apply(dot(3, 4), epoch: 9, index: 9) == dot(3, 4))
    }
}
