/// Dense-grid kernels of the convolutions, for the backward pass: where the forward pass scatters
/// the few spikes along the synapse table, the backward pass propagates ∂L/∂a, which is dense, and
/// runs faster as long contiguous loops that the compiler vectorises.
extension ConvolutionGeometry {
    /// out[c, y, x] = Σₒ Σᵢⱼ K[o, c, i, j]·g[o, u, v] over the outputs (o, u, v) that input
    /// (c, y, x) reaches (the transposed convolution); `g` holds one value per output neuron.
    /// Overwrites `out` (one value per input neuron). As a matrix product: for each kernel
    /// position (c, i, j), the plane Σₒ K[o, c, i, j]·g[o, ·, ·] (axpys over whole output planes),
    /// then added to the inputs it came from (col2im); `scratch` holds one output plane.
    ///
    /// ∂L/∂a is mostly zero (outside the surrogate's window and the leak's reach), so each plane
    /// of `g` takes part only over its non-zero span, and a plane without one not at all: the
    /// products left out are zeros, whose adds change nothing (the sums never hold −0), so the
    /// result is the full computation's to the bit. Returns the floating-point operations done.
    @discardableResult
    func transposed(
        kernel: UnsafeBufferPointer<Double>, _ g: UnsafePointer<Double>, scratch: UnsafeMutableBufferPointer<Double>,
        into out: UnsafeMutableBufferPointer<Double>
    ) -> Int {
        let oh = outputHeight, ow = outputWidth, plane = oh * ow, k = kernelSize, h = inputHeight, w = inputWidth
        precondition(scratch.count >= plane)
        out.update(repeating: 0)
        // The non-zero span [lo, hi) of each channel's plane of g, and their union.
        var spans: [(channel: Int, lo: Int, hi: Int)] = []
        var first = plane, end = 0
        for o in 0..<outputChannels {
            let p = g + o * plane
            var lo = 0, hi = plane
            while lo < plane && p[lo] == 0 { lo += 1 }
            guard lo < plane else { continue }
            while p[hi - 1] == 0 { hi -= 1 }
            spans.append((o, lo, hi))
            first = min(first, lo)
            end = max(end, hi)
        }
        guard !spans.isEmpty else { return 0 }
        var flops = 0
        let o0 = out.baseAddress!, row = scratch.baseAddress!, kernel = kernel.baseAddress!
        row.update(repeating: 0, count: plane)  // col2im reads whole rows of the plane
        for c in 0..<inputChannels {
            for i in 0..<k {
                for j in 0..<k {
                    (row + first).update(repeating: 0, count: end - first)
                    var any = false
                    for (o, lo, hi) in spans {
                        let weight = kernel[kernelIndex(output: o, input: c, row: i, column: j)]
                        if weight == 0 { continue }
                        any = true
                        axpy(hi - lo, weight, g + o * plane + lo, row + lo)
                        flops += 2 * (hi - lo)
                    }
                    guard any else { continue }
                    // Output column v reaches input column x = v·stride − padding + j.
                    let vLow = max(0, (padding - j + stride - 1) / stride)
                    let vHigh = min(ow, (w - 1 + padding - j) / stride + 1)
                    guard vLow < vHigh else { continue }
                    for u in (first / ow)...((end - 1) / ow) {
                        let y = u * stride - padding + i
                        guard y >= 0 && y < h else { continue }
                        flops += vHigh - vLow
                        let src = row + u * ow
                        let dst = o0 + (c * h + y) * w - padding + j
                        if stride == 1 {
                            for v in vLow..<vHigh { dst[v] += src[v] }
                        } else {
                            for v in vLow..<vHigh { dst[v * stride] += src[v] }
                        }
                    }
                }
            }
        }
        return flops
    }
}
