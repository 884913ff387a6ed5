import Foundation

/// A `RecurrentSNN` advanced one step at a time (the type's equations); after `advance`, the
/// step's potentials, adaptations, spikes and readout. `forward` records every step; e-prop
/// consumes each step as it comes.
struct RecurrentStepper {
    let net: RecurrentSNN
    let k: RecurrentConstants
    let smoothSlope: Double?
    /// The step `advance` computes next.
    private(set) var step = 0
    /// vₙ before the reset, ãₙ, zₙ, and who fired (ascending), of the last step.
    private(set) var potentials: [Double]
    private(set) var adaptations: [Double]
    private(set) var spikes: [Double]
    private(set) var fired: [Int32] = []
    /// zₙ₋₁ and who fired at n − 1: what arrived at the last step.
    private(set) var previousSpikes: [Double]
    private(set) var previousFired: [Int32] = []
    /// yₙ.
    private(set) var readout: [Double]
    private(set) var synapticEvents = 0.0
    private var v: [Double], c: [Double], a: [Double], summed: [Double], ySummed: [Double]

    init(_ net: RecurrentSNN, smoothSlope: Double?) {
        self.net = net
        k = net.constants
        self.smoothSlope = smoothSlope
        let zeros = [Double](repeating: 0, count: net.size)
        potentials = zeros
        adaptations = zeros
        spikes = zeros
        previousSpikes = zeros
        v = zeros
        c = zeros
        a = zeros
        summed = zeros
        readout = [Double](repeating: 0, count: net.outputs)
        ySummed = readout
    }

    /// One step: the neurons advance and fire (`AdaptiveLIF`: `LIFExp.freeVoltage` with no
    /// inhibitory current, the adaptation's decay; θ = θ₀ + β·ã; subtraction), the readout
    /// advances (`LIFDelta`), then the spikes of the step before arrive — `inputs` (the input
    /// spikes of step n − 1, ascending), then the recurrent neurons, in ascending order — summed
    /// per target and added to the currents and the readout.
    mutating func advance(inputs: [Int32]) {
        let n = net.size, K = net.outputs, theta0 = net.parameters.vThreshold, vInf = 0.0
        swap(&previousSpikes, &spikes)
        swap(&previousFired, &fired)
        fired.removeAll(keepingCapacity: true)
        for j in 0..<n {
            var vj = v[j], cj = c[j], aj = a[j]
            if step > 0 {
                vj = vInf + (vj - vInf) * k.membrane + cj * k.currentToV
                cj = cj * k.current
                aj = aj * k.adaptation
            }
            let theta = theta0 + net.beta(j) * aj
            potentials[j] = vj
            adaptations[j] = aj
            spikes[j] = 0
            if let s = smoothSlope {
                let z = 1 / (1 + exp(-s * (vj - theta)))
                spikes[j] = z
                vj -= z * k.resetStep
                aj += z
            } else if vj >= theta {
                spikes[j] = 1
                fired.append(Int32(j))
                vj = vj - (theta0 - 0)
                aj += 1
            }
            v[j] = vj
            c[j] = cj
            a[j] = aj
        }
        for q in 0..<K { readout[q] = vInf + (readout[q] - vInf) * k.readout }
        if step > 0 {
            for j in 0..<n { summed[j] = 0 }
            for q in 0..<K { ySummed[q] = 0 }
            net.inputWeights.withUnsafeBufferPointer { wIn in
            net.recurrentWeights.withUnsafeBufferPointer { wRec in
            net.outputWeights.withUnsafeBufferPointer { wOut in
                for i in inputs {
                    let row = Int(i) * n
                    for j in 0..<n { summed[j] += wIn[row + j] }
                    synapticEvents += Double(n)
                }
                if smoothSlope != nil {
                    for i in 0..<n {
                        let zi = previousSpikes[i], row = i * n
                        for j in 0..<n { summed[j] += zi * wRec[row + j] }
                        for q in 0..<K { ySummed[q] += zi * wOut[i * K + q] }
                    }
                } else {
                    for i in previousFired {
                        let row = Int(i) * n
                        for j in 0..<n where j != Int(i) { summed[j] += wRec[row + j] }
                        for q in 0..<K { ySummed[q] += wOut[Int(i) * K + q] }
                        synapticEvents += Double(n - 1 + K)
                    }
                }
            }
            }
            }
            for j in 0..<n { c[j] += summed[j] }
            for q in 0..<K { readout[q] += ySummed[q] }
        }
        step += 1
    }
}

extension STBPInput {
    /// The input spikes that arrive at step n (those of step n − 1; none at step 0).
    func arriving(atStep n: Int) -> [Int32] {
        n > 0 && n - 1 < spikes.count ? spikes[n - 1] : []
    }
}
