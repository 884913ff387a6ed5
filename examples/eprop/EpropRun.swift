import Foundation
import Volley
import VolleyExamples

/// One training run: progress lines, the validation curve, the test result.
struct EpropRun {
    struct Point { var iteration: Int; var accuracy: Double }

    var network: RecurrentSNN
    var curve: [Point] = []
    var test: RecurrentTrainer.Outcome
    var iterations: Int
    var trials: Int
    var seconds: Double
    /// The most recurrent spikes in one step over the test trials.
    var peakSpikesPerStep: Int

    static func train(
        _ trainer: inout RecurrentTrainer, task: EpropTask, seed: UInt64, iterations: Int, batch: Int, stopError: Double,
        validateEvery: Int, validationCount: Int, testCount: Int
    ) throws -> EpropRun {
        let validation = Array(0..<validationCount)
        var curve: [Point] = []
        var seconds = 0.0, trials = 0, done = 0
        var running = RecurrentTrainer.Outcome.zero
        let validate = { (t: RecurrentTrainer) throws -> RecurrentTrainer.Outcome in
            try t.evaluate(indices: validation) { task.trial(.validation, seed: seed, index: $0) }
        }
        let v0 = try validate(trainer)
        curve.append(Point(iteration: 0, accuracy: v0.accuracy))
        print("  iteration 0: validation error \(Format.fixed(100 * (1 - v0.accuracy), 1))%, loss \(Format.fixed(v0.loss / Double(validationCount), 4))")
        while done < iterations {
            let start = Date()
            let indices = (0..<batch).map { task.trainingIndex(done * batch + $0, seed: seed) }
            running.add(try trainer.step(indices: indices) { task.trial(.train, seed: seed, index: $0) })
            seconds += Date().timeIntervalSince(start)
            trials += batch
            done += 1
            guard done % validateEvery == 0 || done == iterations else { continue }
            let v = try validate(trainer)
            curve.append(Point(iteration: done, accuracy: v.accuracy))
            let rate = running.spikes / Double(trainer.network.size) / (Double(running.steps) * trainer.network.parameters.dt / 1000)
            print("  iteration \(done): train loss \(Format.fixed(running.loss / Double(running.steps / task.steps), 4)), train accuracy \(Format.fixed(100 * running.accuracy, 1))%, " +
                  "validation error \(Format.fixed(100 * (1 - v.accuracy), 1))%, rate \(Format.fixed(rate, 1)) Hz, \(Format.fixed(Double(trials) / seconds, 1)) trials/s")
            running = .zero
            if 1 - v.accuracy < stopError {
                // Confirmed on twice as many further validation trials: the fixed set alone,
                // checked again and again, would stop on its lucky fluctuations.
                let confirm = try trainer.evaluate(indices: Array(validationCount..<(3 * validationCount))) {
                    task.trial(.validation, seed: seed, index: $0)
                }
                print("  confirmation on \(2 * validationCount) further validation trials: error \(Format.fixed(100 * (1 - confirm.accuracy), 1))%")
                if 1 - confirm.accuracy < stopError {
                    print("  validation error below \(Format.fixed(100 * stopError, 1))%: stopping")
                    break
                }
            }
        }
        // Test, with the peak spikes per step for the memory estimate.
        let net = trainer.network
        let test = try trainer.evaluate(indices: Array(0..<testCount)) { task.trial(.test, seed: seed, index: $0) }
        let peaks = parallelMap(8) { c in
            var peak = 0, i = c
            while i < min(testCount, 64) {
                let t = task.trial(.test, seed: seed, index: i)
                peak = max(peak, net.forward(t.input, steps: t.steps).fired.map(\.count).max() ?? 0)
                i += 8
            }
            return peak
        }
        print("  test: accuracy \(Format.fixed(100 * test.accuracy, 2))% over \(test.windows) decision windows of \(testCount) trials")
        return EpropRun(
            network: net, curve: curve, test: test, iterations: done, trials: trials, seconds: seconds, peakSpikesPerStep: peaks.max() ?? 0)
    }

    /// The evaluation report on the test trials (memory, SynOps vs the equivalent recurrent ANN's
    /// MACs, energy estimate), computed from the training forward pass's event counts.
    func report(network net: RecurrentSNN, task: EpropTask) -> SNNEvaluation {
        let n = net.size, trials = Double(max(test.steps / max(task.steps, 1), 1))
        let synapses = net.inputs * n + n * (n - 1) + n * net.outputs
        return SNNEvaluation(
            samples: Int(trials), accuracy: test.accuracy, decision: "potential", neurons: n + net.outputs, synapses: synapses,
            weightBytes: synapses * MemoryLayout<Double>.stride,
            membraneBytes: n * MemoryLayout<AdaptiveLIF.State>.stride + net.outputs * MemoryLayout<LIFDelta.State>.stride,
            peakSpikesPerStep: peakSpikesPerStep, stepMs: net.parameters.dt, synopsPerSample: test.synapticEvents / trials,
            annMACsPerSample: Double(synapses) * Double(task.steps), spikesPerNeuron: test.spikes / trials / Double(n),
            latencyMs: Double(task.steps) * net.parameters.dt)
    }
}
