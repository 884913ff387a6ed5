/// A 2-D convolution between two layers of neurons laid out channel-major, neuron (c, y, x) at
/// index (c·height + y)·width + x. Output (o, u, v) receives from input (c, u·stride − padding + i,
/// v·stride − padding + j) through kernel entry ((o·C + c)·k + i)·k + j, for i, j ∈ 0..<k,
/// inputs outside the image (the zero padding) contributing nothing: the cross-correlation of
/// PyTorch's `Conv2d` without bias. Output size ⌊(H + 2·padding − k) / stride⌋ + 1 per side.
public struct ConvolutionGeometry: Sendable, Equatable, Codable {
    public var inputChannels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var outputChannels: Int
    /// Side of the square kernel.
    public var kernelSize: Int
    public var stride: Int
    public var padding: Int

    enum CodingKeys: String, CodingKey {
        case inputChannels = "input_channels", inputHeight = "input_height", inputWidth = "input_width"
        case outputChannels = "output_channels", kernelSize = "kernel_size", stride, padding
    }

    public init(
        inputChannels: Int, inputHeight: Int, inputWidth: Int, outputChannels: Int, kernelSize: Int,
        stride: Int = 1, padding: Int = 0
    ) {
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (inputHeight + 2 * padding - kernelSize) / stride + 1 }
    public var outputWidth: Int { (inputWidth + 2 * padding - kernelSize) / stride + 1 }
    public var inputSize: Int { inputChannels * inputHeight * inputWidth }
    public var outputSize: Int { outputChannels * outputHeight * outputWidth }
    /// Number of shared weights: outputChannels · inputChannels · k².
    public var kernelCount: Int { outputChannels * inputChannels * kernelSize * kernelSize }

    /// Throws unless every size is positive, the padding smaller than the kernel and the kernel
    /// fits the padded input; `context` names the layer.
    public func validate(context: String) throws(VolleyError) {
        let fields: [(String, Int)] = [
            ("inputChannels", inputChannels), ("inputHeight", inputHeight), ("inputWidth", inputWidth),
            ("outputChannels", outputChannels), ("kernelSize", kernelSize), ("stride", stride),
        ]
        for (name, value) in fields where value < 1 || value > 1 << 20 {
            throw VolleyError.invalidParameter(name: "\(context).\(name)", value: "\(value)", reason: "must be in 1…2²⁰")
        }
        guard padding >= 0 && padding < kernelSize else {
            throw VolleyError.invalidParameter(name: "\(context).padding", value: "\(padding)", reason: "must be in 0..<kernelSize (\(kernelSize))")
        }
        guard inputHeight + 2 * padding >= kernelSize, inputWidth + 2 * padding >= kernelSize else {
            throw VolleyError.invalidParameter(
                name: "\(context).kernelSize", value: "\(kernelSize)",
                reason: "larger than the padded input \(inputHeight + 2 * padding)×\(inputWidth + 2 * padding)")
        }
        guard inputSize <= 1 << 28, outputSize <= 1 << 28 else {
            throw VolleyError.invalidParameter(name: "\(context)", value: "\(inputSize) → \(outputSize) neurons", reason: "at most 2²⁸ per layer")
        }
    }

    /// Kernel entry of output channel o, input channel c, kernel row i and column j.
    @inlinable
    public func kernelIndex(output o: Int, input c: Int, row i: Int, column j: Int) -> Int {
        ((o * inputChannels + c) * kernelSize + i) * kernelSize + j
    }

    /// The synapses in CSR order: for every input neuron its targets in ascending order, each with
    /// the kernel entry it reads.
    public func connectivity() -> SparseConnectivity {
        let oh = outputHeight, ow = outputWidth, k = kernelSize
        var rowStart = [Int32](repeating: 0, count: inputSize + 1)
        var targets: [Int32] = [], entries: [Int32] = []
        for c in 0..<inputChannels {
            for y in 0..<inputHeight {
                for x in 0..<inputWidth {
                    // Output (o, u, v) sees (y, x) at kernel row i = y + padding − u·stride; u
                    // ascending means i descending.
                    for o in 0..<outputChannels {
                        for u in 0..<oh {
                            let i = y + padding - u * stride
                            guard i >= 0 && i < k else { continue }
                            for v in 0..<ow {
                                let j = x + padding - v * stride
                                guard j >= 0 && j < k else { continue }
                                targets.append(Int32((o * oh + u) * ow + v))
                                entries.append(Int32(kernelIndex(output: o, input: c, row: i, column: j)))
                            }
                        }
                    }
                    rowStart[(c * inputHeight + y) * inputWidth + x + 1] = Int32(targets.count)
                }
            }
        }
        return SparseConnectivity(rowStart: rowStart, targets: targets, weightIndex: entries)
    }
}

/// Pooling over size × size windows with the given stride, per channel: output (c, u, v) receives
/// from the inputs (c, u·stride + i, v·stride + j), i, j ∈ 0..<size, all through one fixed weight.
public struct PoolingGeometry: Sendable, Equatable, Codable {
    public var channels: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var size: Int
    public var stride: Int

    enum CodingKeys: String, CodingKey {
        case channels, inputHeight = "input_height", inputWidth = "input_width", size, stride
    }

    public init(channels: Int, inputHeight: Int, inputWidth: Int, size: Int, stride: Int? = nil) {
        self.channels = channels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.size = size
        self.stride = stride ?? size
    }

    public var outputHeight: Int { (inputHeight - size) / stride + 1 }
    public var outputWidth: Int { (inputWidth - size) / stride + 1 }
    public var inputSize: Int { channels * inputHeight * inputWidth }
    public var outputSize: Int { channels * outputHeight * outputWidth }

    public func validate(context: String) throws(VolleyError) {
        let fields: [(String, Int)] = [
            ("channels", channels), ("inputHeight", inputHeight), ("inputWidth", inputWidth), ("size", size), ("stride", stride),
        ]
        for (name, value) in fields where value < 1 || value > 1 << 20 {
            throw VolleyError.invalidParameter(name: "\(context).\(name)", value: "\(value)", reason: "must be in 1…2²⁰")
        }
        guard size <= inputHeight, size <= inputWidth else {
            throw VolleyError.invalidParameter(name: "\(context).size", value: "\(size)", reason: "larger than the input \(inputHeight)×\(inputWidth)")
        }
        guard inputSize <= 1 << 28 else {
            throw VolleyError.invalidParameter(name: "\(context)", value: "\(inputSize) neurons", reason: "at most 2²⁸ per layer")
        }
    }

    /// The synapses in CSR order (every weight index 0).
    public func connectivity() -> SparseConnectivity {
        let oh = outputHeight, ow = outputWidth
        var rowStart = [Int32](repeating: 0, count: inputSize + 1)
        var targets: [Int32] = []
        for c in 0..<channels {
            for y in 0..<inputHeight {
                for x in 0..<inputWidth {
                    for u in 0..<oh where y >= u * stride && y < u * stride + size {
                        for v in 0..<ow where x >= v * stride && x < v * stride + size {
                            targets.append(Int32((c * oh + u) * ow + v))
                        }
                    }
                    rowStart[(c * inputHeight + y) * inputWidth + x + 1] = Int32(targets.count)
                }
            }
        }
        return SparseConnectivity(rowStart: rowStart, targets: targets, weightIndex: [Int32](repeating: 0, count: targets.count))
    }
}

/// Synapses of a structured projection in CSR order, each reading a shared weight:
/// row i owns `rowStart[i] ..< rowStart[i + 1]`, synapse s goes to `targets[s]` (ascending
/// within a row) with weight `values[weightIndex[s]]`.
public struct SparseConnectivity: Sendable, Equatable {
    public let rowStart: [Int32]
    public let targets: [Int32]
    public let weightIndex: [Int32]

    public var sourceCount: Int { rowStart.count - 1 }
    public var synapseCount: Int { targets.count }

    @inlinable public func row(_ i: Int) -> Range<Int> { Int(rowStart[i])..<Int(rowStart[i + 1]) }
}
