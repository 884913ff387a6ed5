import Foundation

extension STBPNetwork {
    /// Backpropagation through time of one sample: adds dL/dW to `gradient` (shapes of
    /// `weights`) for the score gradient `dz`. With the spike function's derivative replaced by
    /// `surrogate` (Wu et al. 2018, eqs. 5–6), including the path through the reset:
    ///
    ///     ∂L/∂aₙ = ∂L/∂rₙ·(1 − sₙ) + ∂L/∂sₙ·σ′(aₙ − θ) (+ ∂L/∂aₙ of the readout),
    ///     ∂L/∂sₙ = Σₖ W[·, k]·∂L/∂a⁽ˡ⁺¹⁾ₙ₊₁[k] + ∂L/∂rₙ·(vReset − aₙ) (+ the readout's),
    ///     ∂L/∂rₙ = ∂L/∂aₙ₊₁·decay,   ∂L/∂W[i, j] = Σₙ sₙ₋₁[i]·∂L/∂aₙ[j]
    ///
    /// (for delta synapses, reset to vReset; see the next method for the other dynamics). With the
    /// dropout mask of the forward pass (`STBPDropout`) ∂L/∂sₙ[i] and ∂L/∂W[i, ·] of a masked source
    /// carry its factor mᵢ.
    ///
    /// Returns the floating-point operations performed (per call by formula, for GFLOP/s).
    @discardableResult
    public func backward(
        _ a: STBPActivity, input: STBPInput, scoreGradient dz: [Double], surrogate: Surrogate, gradient: inout [[Double]]
    ) -> Double {
        backward(a, input: input, scoreGradient: dz, surrogate: surrogate, gradient: &gradient, leakGradient: nil)
    }

    /// `backward` that also adds the gradient with respect to each layer's membrane time constant
    /// τm (the learnable leak; pₘ = e^(−dt/τm)) to `leakGradient` (one per non-input layer):
    ///
    ///     ∂L/∂τm = Σₙ≥₁ Σⱼ ∂L/∂aₙ[j]·((rₙ₋₁[j] − V∞)·pₘ·dt/τm² + cₙ₋₁[j]·∂κ/∂τm)
    ///
    /// (the current term with exponential synapses only).
    ///
    /// With exponential synapses and adaptation (`STBPSynapse`, `STBPAdaptation`) the adjoints
    /// also run through the current and the threshold:
    ///
    ///     ∂L/∂cₙ = ∂L/∂cₙ₊₁·pₛ + ∂L/∂aₙ₊₁·κ,      ∂L/∂Iₙ = ∂L/∂cₙ,
    ///     ∂L/∂âₙ = ∂L/∂ãₙ₊₁·e^(−dt/τ_adapt),      ∂L/∂ãₙ = ∂L/∂âₙ − β·∂L/∂sₙ·σ′(aₙ − θₙ),
    ///     ∂L/∂sₙ gains ∂L/∂âₙ, and σ′ is taken at aₙ − θₙ.
    ///
    /// Reset by subtraction (rₙ = aₙ − sₙ·(θ − vReset)) has ∂r/∂a = 1 and ∂r/∂s = −(θ − vReset).
    @discardableResult
    public func backward(
        _ a: STBPActivity, input: STBPInput, scoreGradient dz: [Double], surrogate: Surrogate, gradient: inout [[Double]],
        leakGradient: UnsafeMutableBufferPointer<Double>?
    ) -> Double {
        backward(a, input: input, scoreGradient: dz, surrogate: surrogate, gradient: &gradient, leakGradient: leakGradient, fastPaths: true)
    }

    /// `backward`; `fastPaths: false` keeps every layer on the general loop (for the tests that
    /// compare the two).
    @discardableResult
    func backward(
        _ a: STBPActivity, input: STBPInput, scoreGradient dz: [Double], surrogate: Surrogate, gradient: inout [[Double]],
        leakGradient: UnsafeMutableBufferPointer<Double>?, fastPaths: Bool
    ) -> Double {
        let layers = layerCount - 1, steps = a.steps
        var flops = 0.0
        var above = [Double]()  // ∂L/∂a of the layer above, all steps
        // ∂L/∂a of layer l at step n reaches a weight gradient only through some layer m ≤ l at
        // step n − (l − m) (or earlier) times a spike of layer m − 1 one step before; so before
        // needed[l] = minₘ (first active step of layer m − 1 + l − m + 1) it is not computed.
        var firstActive = [Int](repeating: Int.max / 2, count: layers)
        firstActive[0] = input.spikes.firstIndex { !$0.isEmpty } ?? Int.max / 2
        for m in 1..<layers {
            let size = layerSizes[m]
            if let k = a.spikes[m - 1].firstIndex(where: { $0 != 0 }) { firstActive[m] = k / size }
        }
        var needed = [Int](repeating: 0, count: layers + 1)
        for l in 1...layers { needed[l] = (1...l).map { firstActive[$0 - 1] + l - $0 + 1 }.min()! }
        // The leak's gradient needs ∂L/∂a at every step.
        if leakGradient != nil { needed = [Int](repeating: 0, count: layers + 1) }
        let withCurrent = synapse != .delta, adaptive = adaptation != nil
        for l in stride(from: layers, through: 1, by: -1) {
            let size = layerSizes[l], m = model(ofLayer: l), k = constants(ofLayer: l)
            let spiking = !(readout == .potential && l == layers)
            let v = a.potentials[l - 1], s = a.spikes[l - 1]
            let theta = adaptive ? a.thresholds[l - 1] : []
            let current = withCurrent ? a.currents[l - 1] : []
            // da: ∂L/∂Iₙ, the gradient of the step's synaptic input (∂L/∂aₙ for delta synapses,
            // ∂L/∂cₙ for exponential ones), read by the weight gradient and the layer below.
            var da = [Double](repeating: 0, count: steps * size)
            // ∂L/∂aₙ₊₁, ∂L/∂cₙ₊₁ (exponential synapses), ∂L/∂ãₙ₊₁ (adaptation), one block each.
            var carried = [Double](repeating: 0, count: 3 * size)
            let upperValues = l < layers ? weightValues(into: l + 1) : []
            var upstream = [Double](repeating: 0, count: l < layers ? size : 0)  // Σₖ W[j, k]·∂L/∂I⁽ˡ⁺¹⁾ₙ₊₁[k]
            let transmitted = l < layers ? a.dropoutFactors(ofLayer: l) : nil  // (times mⱼ with dropout)
            let vInf = m.vRest + m.bias
            let dDecay = k.membrane * dt / (m.tauM * m.tauM)  // ∂pₘ/∂τm
            var leakSum = 0.0
            // Below needed[l] no ∂L/∂I of this layer is read (see above), so the sweep stops there.
            let lowest = leakGradient != nil ? 0 : min(needed[l], steps)
            let fast = fastPaths && takesRectangularStep(layer: l, surrogate: surrogate, leakGradient: leakGradient != nil)
            da.withUnsafeMutableBufferPointer { da in
            carried.withUnsafeMutableBufferPointer { carried in
            v.withUnsafeBufferPointer { v in
            s.withUnsafeBufferPointer { s in
                let nextV = carried.baseAddress!, nextC = nextV + size, nextA = nextC + size
                for n in stride(from: steps - 1, through: lowest, by: -1) {
                    if l < layers && n + 1 < steps && n >= needed[l] {
                        flops += transposedProduct(from: l, values: upperValues, above: above, step: n + 1, into: &upstream)
                    } else if l < layers {
                        for j in 0..<size { upstream[j] = 0 }
                    }
                    if let m = transmitted { for j in 0..<size { upstream[j] *= m[j] } }
                    let last = n + 1 == steps
                    if fast, case let .rectangular(width) = surrogate {
                        let daRow = da.baseAddress! + n * size
                        let step = { (spikeGradient: UnsafePointer<Double>?) in
                            Self.rectangularStep(
                                size: size, last: last, decay: k.membrane, vReset: m.vReset, threshold: m.vThreshold, width: width,
                                spikeGradient: spikeGradient, v: v.baseAddress! + n * size, s: s.baseAddress! + n * size,
                                next: nextV, da: daRow)
                        }
                        if l == layers {
                            dz.withUnsafeBufferPointer { step($0.baseAddress) }
                        } else if last {
                            step(nil)
                        } else {
                            upstream.withUnsafeBufferPointer { step($0.baseAddress) }
                        }
                        flops += Double(size * 12)
                        continue
                    }
                    for j in 0..<size {
                        let q = n * size + j
                        let dvNext = last ? 0 : nextV[j]
                        let dr = dvNext * k.membrane
                        let dc = withCurrent && !last ? nextC[j] * k.current + dvNext * k.currentToV : 0
                        let dAdapted = adaptive && !last ? nextA[j] * k.adaptation : 0  // ∂L/∂âₙ
                        var ds = 0.0, direct = 0.0
                        if l == layers {
                            if readout == .spikeCount { ds = dz[j] } else { direct = dz[j] / Double(steps) }
                        } else if !last {
                            ds = upstream[j]
                        }
                        var dv: Double, dAdapt = dAdapted
                        if spiking {
                            let reset = m.resetDerivatives(v[q], spike: s[q])
                            ds += dr * reset.spike + dAdapted
                            let slope = surrogate.derivative(v[q] - (adaptive ? theta[q] : m.vThreshold))
                            dv = direct + dr * reset.potential + ds * slope
                            if adaptive { dAdapt -= k.beta * ds * slope }
                        } else {
                            dv = direct + dr
                        }
                        nextV[j] = dv
                        if withCurrent { nextC[j] = dc }
                        if adaptive { nextA[j] = dAdapt }
                        da[q] = withCurrent ? dc : dv
                        if leakGradient != nil && n > 0 {
                            // ∂aₙ/∂τm = (rₙ₋₁ − V∞)·∂pₘ/∂τm (+ cₙ₋₁·∂κ/∂τm)
                            let p = q - size
                            var partial = (m.afterStep(v[p], spike: s[p]) - vInf) * dDecay
                            if withCurrent { partial += current[p] * k.currentToVPerTauM }
                            leakSum += dv * partial
                        }
                    }
                    flops += Double(size * (spiking ? 12 : 2) + (leakGradient != nil ? 6 * size : 0))
                }
            }
            }
            }
            }
            if let leak = leakGradient { leak[l - 1] += leakSum }
            // ∂L/∂W of the projection into layer l: presynaptic spikes at n − 1 times ∂L/∂aₙ.
            if let table = tables[l - 1] {
                if connections[l - 1].isLearned { flops += kernelGradient(table, layer: l, activity: a, input: input, da: da, into: &gradient[l - 1]) }
            } else {
                flops += denseWeightGradient(layer: l, activity: a, input: input, da: da, into: &gradient[l - 1])
            }
            above = da
        }
        return flops
    }

    /// ∂L/∂W[i, j] = Σₙ mᵢ·sₙ₋₁[i]·∂L/∂Iₙ[j] (mᵢ: the dropout factor, else 1) of the dense
    /// projection into layer l, one row i at a time (ascending n within the row, as the sum is
    /// defined), so that the row of the gradient stays in cache over all the steps at which source
    /// i spiked.
    func denseWeightGradient(layer l: Int, activity a: STBPActivity, input: STBPInput, da: [Double], into gradient: inout [Double]) -> Double {
        let size = layerSizes[l], pre = layerSizes[l - 1], steps = a.steps
        var flops = 0
        gradient.withUnsafeMutableBufferPointer { g in
            da.withUnsafeBufferPointer { da in
                if l == 1 {
                    // The input's spikes per source: the steps n (ascending) with i in spikes[n − 1].
                    let lastStep = min(steps - 1, input.spikes.count)
                    guard lastStep >= 1 else { return }
                    var start = [Int](repeating: 0, count: pre + 1)
                    for n in 1...lastStep { for i in input.spikes[n - 1] { start[Int(i) + 1] += 1 } }
                    for i in 0..<pre { start[i + 1] += start[i] }
                    var fill = start, stepsOf = [Int](repeating: 0, count: start[pre])
                    for n in 1...lastStep { for i in input.spikes[n - 1] { stepsOf[fill[Int(i)]] = n; fill[Int(i)] += 1 } }
                    for i in 0..<pre {
                        for k in start[i]..<start[i + 1] { add(size, da.baseAddress! + stepsOf[k] * size, g.baseAddress! + i * size) }
                    }
                    flops = stepsOf.count * size
                } else {
                    let sp = a.spikes[l - 2], m = a.dropoutFactors(ofLayer: l - 1)
                    for i in 0..<pre {
                        for n in 1..<max(steps, 1) {
                            let si = sp[(n - 1) * pre + i] * (m?[i] ?? 1)
                            if si == 0 { continue }
                            axpy(size, si, da.baseAddress! + n * size, g.baseAddress! + i * size)
                            flops += 2 * size
                        }
                    }
                }
            }
        }
        return Double(flops)
    }

    /// out[j] = Σ over the synapses j → k of connection l (into layer l + 1) of W·∂L/∂aₙ[k], for the
    /// step n whose ∂L/∂a of layer l + 1 starts at above[n·size₍ₗ₊₁₎].
    @discardableResult
    func transposedProduct(from l: Int, values: [Double], above: [Double], step n: Int, into out: inout [Double]) -> Double {
        let size = layerSizes[l], upper = layerSizes[l + 1], base = n * upper
        var flops = 0.0
        values.withUnsafeBufferPointer { w in
            above.withUnsafeBufferPointer { above in
                out.withUnsafeMutableBufferPointer { out in
                    if !above[base..<(base + upper)].contains(where: { $0 != 0 }) {
                        out.update(repeating: 0)  // e.g. the last steps, from which no path reaches the output
                    } else if connections[l].kind == .convolution, let g = connections[l].convolution {
                        // Plane axpys (2 per entry) and their col2im adds, over the non-zero spans.
                        var scratch = [Double](repeating: 0, count: g.outputHeight * g.outputWidth)
                        flops = Double(scratch.withUnsafeMutableBufferPointer { g.transposed(kernel: w, above.baseAddress! + base, scratch: $0, into: out) })
                    } else if let table = tables[l] {
                        flops = Double(2 * table.synapseCount)
                        table.targets.withUnsafeBufferPointer { target in
                            table.weightIndex.withUnsafeBufferPointer { entry in
                                table.rowStart.withUnsafeBufferPointer { rowStart in
                                    for j in 0..<size {
                                        var sum = 0.0
                                        for k in Int(rowStart[j])..<Int(rowStart[j + 1]) { sum += w[Int(entry[k])] * above[base + Int(target[k])] }
                                        out[j] = sum
                                    }
                                }
                            }
                        }
                    } else {
                        // Only the non-zero entries of ∂L/∂a above, in ascending order: the
                        // products left out are zeros, which change no sum (sums start at +0
                        // and never hold −0), so each out[j] is the full dot product's to the bit.
                        var nonZero = [Int32]()
                        nonZero.reserveCapacity(upper)
                        for q in 0..<upper where above[base + q] != 0 { nonZero.append(Int32(q)) }
                        flops = Double(2 * size * nonZero.count)
                        nonZero.withUnsafeBufferPointer { nonZero in
                            for j in 0..<size {
                                let row = j * upper
                                var sum = 0.0
                                for q in nonZero { sum += w[row + Int(q)] * above[base + Int(q)] }
                                out[j] = sum
                            }
                        }
                    }
                }
            }
        }
        return flops
    }

    /// ∂L/∂(kernel entry) of a convolution into layer l: Σₙ Σ over synapses i → j reading the entry
    /// of sₙ₋₁[i]·∂L/∂aₙ[j].
    @discardableResult
    func kernelGradient(_ table: SparseConnectivity, layer l: Int, activity a: STBPActivity, input: STBPInput, da: [Double], into gradient: inout [Double]) -> Double {
        let size = layerSizes[l], pre = layerSizes[l - 1], steps = a.steps
        var flops = 0
        gradient.withUnsafeMutableBufferPointer { g in
            da.withUnsafeBufferPointer { da in
                table.targets.withUnsafeBufferPointer { target in
                    table.weightIndex.withUnsafeBufferPointer { entry in
                        for n in 1..<max(steps, 1) {
                            let d = n * size
                            if l == 1 {
                                guard n - 1 < input.spikes.count else { continue }
                                for i in input.spikes[n - 1] {
                                    for k in table.row(Int(i)) { g[Int(entry[k])] += da[d + Int(target[k])] }
                                    flops += table.row(Int(i)).count
                                }
                            } else {
                                let sp = a.spikes[l - 2]
                                for i in 0..<pre {
                                    let si = sp[(n - 1) * pre + i]
                                    if si == 0 { continue }
                                    for k in table.row(i) { g[Int(entry[k])] += si * da[d + Int(target[k])] }
                                    flops += 2 * table.row(i).count
                                }
                            }
                        }
                    }
                }
            }
        }
        return Double(flops)
    }
}

