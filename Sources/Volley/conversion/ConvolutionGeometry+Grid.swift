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

    /// out[o, u, v] += Σ_c Σ_ij K[o, c, i, j]·x[c, u·stride − padding + i, v·stride − padding + j]
    /// (the cross-correlation; `out` holds one value per output neuron).
    func correlate(kernel: UnsafeBufferPointer<Double>, _ x: UnsafePointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let oh = outputHeight, ow = outputWidth, k = kernelSize, h = inputHeight, w = inputWidth
        let o0 = out.baseAddress!
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for i in 0..<k {
                    for j in 0..<k {
                        let weight = kernel[kernelIndex(output: o, input: c, row: i, column: j)]
                        let columns = validColumns(j)
                        if weight == 0 || columns.isEmpty { continue }
                        for u in 0..<oh {
                            let y = u * stride - padding + i
                            guard y >= 0 && y < h else { continue }
                            let src = x + (c * h + y) * w - padding + j
                            let dst = o0 + (o * oh + u) * ow
                            if stride == 1 {
                                for v in columns { dst[v] += weight * src[v] }
                            } else {
                                for v in columns { dst[v] += weight * src[v * stride] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// gradient[o, c, i, j] += Σ_uv g[o, u, v]·x[c, u·stride − padding + i, v·stride − padding + j].
    func accumulateKernelGradient(_ g: UnsafePointer<Double>, _ x: UnsafePointer<Double>, into gradient: UnsafeMutableBufferPointer<Double>) {
        let oh = outputHeight, ow = outputWidth, k = kernelSize, h = inputHeight, w = inputWidth
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for i in 0..<k {
                    for j in 0..<k {
                        let columns = validColumns(j)
                        if columns.isEmpty { continue }
                        var sum = 0.0
                        for u in 0..<oh {
                            let y = u * stride - padding + i
                            guard y >= 0 && y < h else { continue }
                            let src = x + (c * h + y) * w - padding + j
                            let gu = g + (o * oh + u) * ow
                            if stride == 1 {
                                for v in columns { sum += gu[v] * src[v] }
                            } else {
                                for v in columns { sum += gu[v] * src[v * stride] }
                            }
                        }
                        gradient[kernelIndex(output: o, input: c, row: i, column: j)] += sum
                    }
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
