import Foundation
import Testing

@testable import Volley

@Suite("Convolution and pooling as connectivity patterns with shared weights")
struct ConvolutionTests {
    /// The cross-correlation by its definition (PyTorch's Conv2d without bias).
    func directConvolution(_ g: ConvolutionGeometry, kernel: [Double], input x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: g.outputSize)
        for o in 0..<g.outputChannels {
            for u in 0..<g.outputHeight {
                for v in 0..<g.outputWidth {
                    var sum = 0.0
                    for c in 0..<g.inputChannels {
                        for i in 0..<g.kernelSize {
                            for j in 0..<g.kernelSize {
                                let y = u * g.stride - g.padding + i, xx = v * g.stride - g.padding + j
                                guard y >= 0, y < g.inputHeight, xx >= 0, xx < g.inputWidth else { continue }
                                sum += kernel[g.kernelIndex(output: o, input: c, row: i, column: j)] * x[(c * g.inputHeight + y) * g.inputWidth + xx]
                            }
                        }
                    }
                    out[(o * g.outputHeight + u) * g.outputWidth + v] = sum
                }
            }
        }
        return out
    }

    @Test("The synapses of a convolution compute the cross-correlation, and the dense transposed convolution their gather, for strides, paddings and channels", arguments: [
        (1, 6, 6, 2, 3, 1, 0), (2, 7, 5, 3, 3, 1, 1), (3, 9, 9, 2, 5, 2, 2), (1, 4, 4, 1, 4, 1, 0), (2, 8, 8, 4, 3, 3, 1),
    ])
    func convolutionEqualsDefinition(_ p: (Int, Int, Int, Int, Int, Int, Int)) throws {
        let g = ConvolutionGeometry(inputChannels: p.0, inputHeight: p.1, inputWidth: p.2, outputChannels: p.3, kernelSize: p.4, stride: p.5, padding: p.6)
        try g.validate(context: "test")
        var rng = Xoshiro256(seed: 7, stream: UInt64(p.1 * 100 + p.4))
        let kernel = (0..<g.kernelCount).map { _ in rng.uniform(-1, 1) }
        let x = (0..<g.inputSize).map { _ in rng.uniform(0, 1) }
        let c = g.connectivity()
        var sparse = [Double](repeating: 0, count: g.outputSize)
        for i in 0..<g.inputSize {
            var previous = -1
            for k in c.row(i) {
                #expect(Int(c.targets[k]) > previous, "targets ascend within a row")
                previous = Int(c.targets[k])
                sparse[Int(c.targets[k])] += x[i] * kernel[Int(c.weightIndex[k])]
            }
        }
        let direct = directConvolution(g, kernel: kernel, input: x)
        let worst = zip(sparse, direct).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-12, "worst difference \(worst)")
        // Every kernel entry is used by some synapse when the padding is smaller than the kernel.
        #expect(Set(c.weightIndex).count == g.kernelCount)
        // The backward pass's dense transposed convolution = the gather along the same synapses.
        let upstream = (0..<g.outputSize).map { _ in rng.uniform(-1, 1) }
        var gathered = [Double](repeating: 0, count: g.inputSize)
        for i in 0..<g.inputSize { for k in c.row(i) { gathered[i] += kernel[Int(c.weightIndex[k])] * upstream[Int(c.targets[k])] } }
        var transposed = [Double](repeating: .nan, count: g.inputSize)
        var scratch = [Double](repeating: 0, count: g.outputHeight * g.outputWidth)
        kernel.withUnsafeBufferPointer { k in
            upstream.withUnsafeBufferPointer { u in
                scratch.withUnsafeMutableBufferPointer { s in
                    transposed.withUnsafeMutableBufferPointer { _ = g.transposed(kernel: k, u.baseAddress!, scratch: s, into: $0) }
                }
            }
        }
        let worstT = zip(gathered, transposed).map { abs($0 - $1) }.max() ?? 0
        #expect(worstT < 1e-12, "transposed convolution: worst difference \(worstT)")
        // Mostly zero ∂L/∂a (the backward pass's case): the first of several planes all zeros, the others
        // non-zero over a middle span only; bit for bit the full-plane computation, from a
        // scratch plane full of garbage.
        let plane = g.outputHeight * g.outputWidth
        let mostlyZero = upstream.indices.map { q in (g.outputChannels > 1 && q < plane) || (plane >= 3 && ((q % plane) < plane / 3 || (q % plane) > plane - 3)) ? 0 : upstream[q] }
        var skipped = [Double](repeating: .nan, count: g.inputSize)
        var garbage = [Double](repeating: .nan, count: plane)
        kernel.withUnsafeBufferPointer { k in
            mostlyZero.withUnsafeBufferPointer { u in
                garbage.withUnsafeMutableBufferPointer { s in
                    skipped.withUnsafeMutableBufferPointer { _ = g.transposed(kernel: k, u.baseAddress!, scratch: s, into: $0) }
                }
            }
        }
        let full = fullPlaneTransposed(g, kernel: kernel, mostlyZero)
        #expect(skipped.map(\.bitPattern) == full.map(\.bitPattern))
        #expect(full.contains { $0 != 0 })
    }

    /// The transposed convolution with every plane's axpy over the whole plane (the computation
    /// `ConvolutionGeometry.transposed` shortens), in the same order of operations.
    func fullPlaneTransposed(_ g: ConvolutionGeometry, kernel: [Double], _ up: [Double]) -> [Double] {
        let oh = g.outputHeight, ow = g.outputWidth, plane = oh * ow, k = g.kernelSize
        var out = [Double](repeating: 0, count: g.inputSize)
        for c in 0..<g.inputChannels {
            for i in 0..<k {
                for j in 0..<k {
                    var row = [Double](repeating: 0, count: plane)
                    for o in 0..<g.outputChannels {
                        let weight = kernel[g.kernelIndex(output: o, input: c, row: i, column: j)]
                        for p in 0..<plane { row[p] += weight * up[o * plane + p] }
                    }
                    for u in 0..<oh {
                        for v in 0..<ow {
                            let y = u * g.stride - g.padding + i, x = v * g.stride - g.padding + j
                            if y >= 0 && y < g.inputHeight && x >= 0 && x < g.inputWidth { out[(c * g.inputHeight + y) * g.inputWidth + x] += row[u * ow + v] }
                        }
                    }
                }
            }
        }
        return out
    }

    @Test("Pooling windows: each output receives exactly its size × size window")
    func poolingWindows() throws {
        let g = PoolingGeometry(channels: 2, inputHeight: 6, inputWidth: 5, size: 2)
        #expect((g.outputHeight, g.outputWidth) == (3, 2))
        let c = g.connectivity()
        var received = [[Int]](repeating: [], count: g.outputSize)
        for i in 0..<g.inputSize { for k in c.row(i) { received[Int(c.targets[k])].append(i) } }
        for ch in 0..<2 {
            for u in 0..<3 {
                for v in 0..<2 {
                    let expected = [(0, 0), (0, 1), (1, 0), (1, 1)].map { (ch * 6 + 2 * u + $0.0) * 5 + 2 * v + $0.1 }
                    #expect(received[(ch * 3 + u) * 2 + v] == expected)
                }
            }
        }
        #expect(c.row(4).isEmpty, "column 4 of a 5-wide input lies outside every 2-wide window")
    }

    @Test("A convolution projection stores each kernel entry once; bad geometry and kernels are typed errors")
    func networkProjection() throws {
        let g = ConvolutionGeometry(inputChannels: 2, inputHeight: 6, inputWidth: 6, outputChannels: 3, kernelSize: 3, padding: 1)
        var net = Network()
        let a = try net.addSpikeSource("a", size: g.inputSize)
        let b = try net.addPopulation("b", size: g.outputSize, model: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0))
        let kernel = (0..<g.kernelCount).map { Double($0) / 100 - 0.2 }
        let id = try net.connect(a, to: b, convolution: g, kernel: kernel, delay: 1)
        let p = try net.projection(id)
        let c = g.connectivity()
        #expect(p.weights.layoutName == "shared")
        #expect(p.weights.sharedValues == kernel)
        #expect(p.weights.memoryBytes == g.kernelCount * 8 + c.synapseCount * 4)
        #expect(p.weights.array == c.weightIndex.map { kernel[Int($0)] })
        #expect(p.structure.invariantViolation() == nil)
        #expect(p.structure.targets == c.targets.map { Int($0) })

        func rejects(_ what: String, _ body: () throws -> Void) {
            do { try body(); Issue.record("\(what) accepted") } catch let e as VolleyError { #expect("\(e)".count > 10) } catch { Issue.record("\(what): untyped \(error)") }
        }
        var bad = net
        rejects("short kernel") { try bad.connect(a, to: b, convolution: g, kernel: [1, 2], delay: 1) }
        rejects("NaN kernel") { var k = kernel; k[5] = .nan; try bad.connect(a, to: b, convolution: g, kernel: k, delay: 1) }
        rejects("zero delay") { try bad.connect(a, to: b, convolution: g, kernel: kernel, delay: 0) }
        var g2 = g
        g2.outputChannels = 4
        rejects("wrong target size") { try bad.connect(a, to: b, convolution: g2, kernel: [Double](repeating: 0, count: g2.kernelCount), delay: 1) }
        g2 = g
        g2.padding = 3
        rejects("padding ≥ kernel") { try bad.connect(a, to: b, convolution: g2, kernel: kernel, delay: 1) }
        rejects("pool larger than input") {
            try bad.connect(a, to: b, pooling: PoolingGeometry(channels: 2, inputHeight: 6, inputWidth: 6, size: 7), weight: 1, delay: 1)
        }
    }

    /// A small CNN with both pooling kinds.
    func smallCNN(seed: UInt64, readout: STBPNetwork.Readout = .spikeCount) throws -> STBPNetwork {
        let c1 = ConvolutionGeometry(inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 3, kernelSize: 3, padding: 1)
        let p1 = PoolingGeometry(channels: 3, inputHeight: 8, inputWidth: 8, size: 2)
        let c2 = ConvolutionGeometry(inputChannels: 3, inputHeight: 4, inputWidth: 4, outputChannels: 4, kernelSize: 3, stride: 1, padding: 0)
        let p2 = PoolingGeometry(channels: 4, inputHeight: 2, inputWidth: 2, size: 2)
        var net = try STBPNetwork(
            layerSizes: [64, 192, 48, 16, 4, 5],
            connections: [.convolution(c1), .maxPooling(p1), .convolution(c2), .averagePooling(p2), .dense],
            neuron: LIFDelta(tauM: 10, vRest: 0, vReset: 0, vThreshold: 1, tRef: 0), dt: 1, readout: readout)
        net.initialize(gain: 5, seed: seed)
        // Zero-mean kernels can leave the deeper layers silent; lean them excitatory.
        for l in [2, 4] { net.weights[l] = net.weights[l].map { $0 + 0.25 } }
        return net
    }

    @Test("A CNN's training forward pass spikes bit-identically to TimeSteppedSimulator; the shared layout reads the kernel in both engines", arguments: [1, 2, 3, 4] as [UInt64])
    func cnnEngineIdentity(seed: UInt64) throws {
        let net = try smallCNN(seed: seed)
        var rng = Xoshiro256(seed: seed, stream: 9)
        let input = STBPInput.bernoulli((0..<64).map { _ in rng.uniform(0.2, 0.9) }, steps: 20, rng: &rng)
        let steps = net.steps(forInputSteps: 20) + 3
        let activity = net.forward(input, steps: steps)
        let (engineNet, layers) = try net.engineNetwork()
        #expect(engineNet.projections[0].weights.layoutName == "shared")
        #expect(engineNet.projections[1].weights.layoutName == "uniform")
        // The same synapses with every weight stored per synapse.
        var expanded = engineNet
        for p in engineNet.projections { try expanded.setWeights(p.weights.array, of: p.id) }
        #expect(expanded.projections[0].weights.layoutName == "double")
        func spikes(_ sim: some Simulator) throws -> [String] {
            try sim.setSpikeTrains(input.spikeTrains(size: 64, dt: net.dt), for: layers[0])
            try sim.run(until: Double(steps - 1) * net.dt)
            return try (1..<net.layerCount).flatMap { l in
                let (cells, times) = try sim.spikes(of: layers[l])
                return zip(times, cells).map { "\(l):\($0):\($1)" }
            }
        }
        let stepped = try spikes(TimeSteppedSimulator(network: engineNet, dt: net.dt))
        var mine: [String] = []
        for l in 1..<net.layerCount {
            for (n, js) in activity.fired[l - 1].enumerated() { for j in js { mine.append("\(l):\(Double(n) * net.dt):\(j)") } }
        }
        #expect(Set(stepped) == Set(mine) && stepped.count == mine.count, "seed \(seed)")
        #expect(activity.fired.allSatisfy { $0.joined().count > 0 }, "every layer spikes: \(activity.fired.map { $0.joined().count })")
        #expect(try spikes(TimeSteppedSimulator(network: expanded, dt: net.dt)) == stepped)
        let exact = try spikes(EventDrivenSimulator(network: engineNet))
        #expect(try spikes(EventDrivenSimulator(network: expanded)) == exact)
        #expect(exact.count > 0)
    }

    @Test("Max pooling fires exactly when some neuron of its window fired the step before")
    func maxPoolingIsOr() throws {
        let net = try smallCNN(seed: 3)
        var rng = Xoshiro256(seed: 3, stream: 1)
        let input = STBPInput.bernoulli((0..<64).map { _ in rng.uniform(0, 0.6) }, steps: 15, rng: &rng)
        let a = net.forward(input, steps: 18)
        let table = PoolingGeometry(channels: 3, inputHeight: 8, inputWidth: 8, size: 2).connectivity()
        for n in 1..<18 {
            var expected = Set<Int32>()
            for i in a.fired[0][n - 1] { for k in table.row(Int(i)) { expected.insert(table.targets[k]) } }
            #expect(Set(a.fired[1][n]) == expected, "step \(n)")
        }
    }

    @Test("CNN gradients (kernels through max and average pooling) equal central finite differences of the smooth network")
    func cnnGradientCheck() throws {
        for (readout, loss) in [(STBPNetwork.Readout.spikeCount, STBPLoss.crossEntropy), (.potential, .crossEntropy)] {
            var net = try smallCNN(seed: 4, readout: readout)
            net.initialize(gain: 1.5, seed: 4)
            var rng = Xoshiro256(seed: 4, stream: 2)
            let input = STBPInput.bernoulli((0..<64).map { _ in rng.uniform(0, 0.6) }, steps: 8, rng: &rng)
            let check = STBPGradientCheck(input: input, steps: net.steps(forInputSteps: 8), label: 1, loss: loss, beta: 4)
            let (worst, checked) = check.compareWeights(net, check.weightGradient(net))
            #expect(worst < 1e-5, "\(readout): worst relative error \(worst)")
            #expect(checked > 100, "\(checked) non-zero gradient entries of \(net.weights.map(\.count))")
        }
    }

    @Test("STBP networks refuse geometries that do not fit their layer sizes; CNN model files round-trip")
    func cnnFilesAndErrors() throws {
        let net = try smallCNN(seed: 5)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("volley-cnn-\(UInt32.random(in: 0...UInt32.max)).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try STBPModelFile(network: net, inputSteps: 20, seed: 5, epochs: 1).write(to: path)
        let back = try STBPModelFile.read(from: path).network(source: path)
        #expect(back.connections == net.connections)
        #expect(back.weights == net.weights)
        #expect(throws: VolleyError.self) {
            try STBPNetwork(layerSizes: [64, 100, 5], connections: [
                .convolution(ConvolutionGeometry(inputChannels: 1, inputHeight: 8, inputWidth: 8, outputChannels: 3, kernelSize: 3, padding: 1)), .dense,
            ])
        }
        #expect(throws: VolleyError.self) {
            try STBPNetwork(layerSizes: [64, 16], connections: [.maxPooling(PoolingGeometry(channels: 1, inputHeight: 8, inputWidth: 8, size: 2))])
        }
        #expect(throws: VolleyError.self) { try STBPNetwork(layerSizes: [64, 16], connections: [STBPConnection(kind: .convolution)]) }
    }
}
