/// Dense-grid kernels of the ANN's convolution and average pooling (forward pass, kernel
/// gradient); the transposed convolution of the backward pass is `transposed(kernel:_:scratch:into:)`.
extension ConvolutionGeometry {
    /// The output columns v whose input column v·stride − padding + j lies inside the image.
    @inline(__always)
    func validColumns(_ j: Int) -> Range<Int> {
        let low = max(0, (padding - j + stride - 1) / stride)
        let high = min(outputWidth, (inputWidth - 1 + padding - j) / stride + 1)
        return low..<max(low, high)
    }

    /// Rows of the patch matrix: one per kernel position (c, i, j), in kernel-entry order.
    var patchRows: Int { inputChannels * kernelSize * kernelSize }

    /// The patch matrix ("im2col"): P[(c·k + i)·k + j, u·W′ + v] = x[c, u·stride − padding + i,
    /// v·stride − padding + j], 0 in the padding; `patches` holds patchRows × outputHeight·outputWidth.
    func patches(_ x: UnsafePointer<Double>, into patches: UnsafeMutableBufferPointer<Double>) {
        let oh = outputHeight, ow = outputWidth, q = oh * ow, k = kernelSize, h = inputHeight, w = inputWidth
        precondition(patches.count >= patchRows * q)
        let p0 = patches.baseAddress!
        for c in 0..<inputChannels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = p0 + ((c * k + i) * k + j) * q
                    row.update(repeating: 0, count: q)
                    let columns = validColumns(j)
                    guard !columns.isEmpty else { continue }
                    for u in 0..<oh {
                        let y = u * stride - padding + i
                        guard y >= 0 && y < h else { continue }
                        let src = x + (c * h + y) * w - padding + j
                        let dst = row + u * ow
                        if stride == 1 {
                            for v in columns { dst[v] = src[v] }
                        } else {
                            for v in columns { dst[v] = src[v * stride] }
                        }
                    }
                }
            }
        }
    }

    /// out[o, u, v] += Σ_c Σ_ij K[o, c, i, j]·x[c, u·stride − padding + i, v·stride − padding + j]
    /// (the cross-correlation; `out` holds one value per output neuron): out[o, ·] += K[o, r]·P[r, ·]
    /// over the patch matrix's rows r, one long axpy each.
    func correlate(kernel: UnsafeBufferPointer<Double>, _ x: UnsafePointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let q = outputHeight * outputWidth, rows = patchRows
        var scratch = [Double](repeating: 0, count: rows * q)
        scratch.withUnsafeMutableBufferPointer { p in
            patches(x, into: p)
            let p0 = p.baseAddress!, k0 = kernel.baseAddress!
            for o in 0..<outputChannels {
                let dst = out.baseAddress! + o * q
                for r in 0..<rows {
                    let weight = k0[o * rows + r]
                    if weight != 0 { axpy(q, weight, p0 + r * q, dst) }
                }
            }
        }
    }

    /// gradient[o, c, i, j] += Σ_uv g[o, u, v]·x[c, u·stride − padding + i, v·stride − padding + j]
    /// = Σ_q g[o, q]·P[r, q], one dot product per kernel entry.
    func accumulateKernelGradient(_ g: UnsafePointer<Double>, _ x: UnsafePointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) {
        let q = outputHeight * outputWidth, rows = patchRows
        var scratch = [Double](repeating: 0, count: rows * q)
        scratch.withUnsafeMutableBufferPointer { p in
            patches(x, into: p)
            let p0 = p.baseAddress!
            for o in 0..<outputChannels {
                let go = g + o * q
                if (0..<q).allSatisfy({ go[$0] == 0 }) { continue }
                for r in 0..<rows {
                    let pr = p0 + r * q
                    var sum = 0.0
                    for t in 0..<q { sum += go[t] * pr[t] }
                    gradient[o * rows + r] += sum
                }
            }
        }
    }
}

extension PoolingGeometry {
    /// out[c, u, v] = the mean of the window (c, u·stride + i, v·stride + j) (overwrites `out`).
    func average(_ x: UnsafePointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let oh = outputHeight, ow = outputWidth, scale = 1 / Double(size * size)
        for c in 0..<channels {
            for u in 0..<oh {
                for v in 0..<ow {
                    var sum = 0.0
                    for i in 0..<size {
                        let row = x + (c * inputHeight + u * stride + i) * inputWidth + v * stride
                        for j in 0..<size { sum += row[j] }
                    }
                    out[(c * oh + u) * ow + v] = sum * scale
                }
            }
        }
    }

    /// The transposed pooling: every input receives g/size² from each window it belongs to
    /// (overwrites `out`).
    func averageTransposed(_ g: UnsafePointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        out.update(repeating: 0)
        let oh = outputHeight, ow = outputWidth, scale = 1 / Double(size * size)
        for c in 0..<channels {
            for u in 0..<oh {
                for v in 0..<ow {
                    let share = g[(c * oh + u) * ow + v] * scale
                    for i in 0..<size {
                        let row = (c * inputHeight + u * stride + i) * inputWidth + v * stride
                        for j in 0..<size { out[row + j] += share }
                    }
                }
            }
        }
    }
}
