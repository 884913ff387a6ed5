import Foundation
import Testing

@testable import Volley

/// The Dormand–Prince 5(4) integrator against closed-form solutions.
@Suite("Dormand–Prince 5(4) integration with dense output")
struct DormandPrinceTests {
    let tight = ODETolerance(absolute: ODEState(repeating: 1e-12), relative: 1e-12)

    @Test("Linear decay and a harmonic oscillator match their closed forms to the tolerance's order; the error shrinks with it")
    func closedForms() {
        var errors: [Double] = []
        for tol in [1e-6, 1e-9, 1e-12] {
            let tolerance = ODETolerance(absolute: ODEState(repeating: tol), relative: tol)
            // y₀′ = −y₀/10, (y₁, y₂) a unit-frequency oscillator, over 20 ms.
            var y = ODEState(5, 1, 0, 0)
            var h = 0.0
            let outcome = DormandPrince.integrate(&y, duration: 20, step: &h, tolerance: tolerance) { y in
                ODEState(-y[0] / 10, y[2], -y[1], 0)
            }
            #expect(outcome == .completed)
            let error = max(abs(y[0] - 5 * exp(-2)), abs(y[1] - cos(20)), abs(y[2] + sin(20)))
            #expect(error < 1000 * tol, "tolerance \(tol): error \(error)")
            errors.append(error)
        }
        #expect(errors[1] < errors[0] / 100 && errors[2] < errors[1] / 100, "\(errors)")
    }

    @Test("The dense output is accurate inside steps, and continuous at their ends")
    func denseOutput() {
        let y0 = ODEState(1, 0, 0, 0)
        let f = { (y: ODEState) in ODEState(y[1], -y[0], 0, 0) }
        let (step, _, error) = DormandPrince.attempt(y0, f(y0), 0.5, tight, f)
        #expect(error.isFinite)
        #expect(step.value(at: 0) == y0 && step.value(at: 1) == step.end)
        for theta in stride(from: 0.1, to: 1, by: 0.1) {
            let t = 0.5 * theta
            // 4th-order dense output over a 0.5 ms step: error O(h⁵) ≈ 1e-4 at most.
            #expect(abs(step.value(at: theta)[0] - cos(t)) < 2e-5 && abs(step.value(at: theta)[1] + sin(t)) < 2e-5, "θ = \(theta)")
        }
    }

    @Test("A level crossing is located on the dense output to ≤ 1e-9 ms (exponential growth: y = e^t reaches e² at t = 2)")
    func levelCrossing() {
        var y = ODEState(1, 0, 0, 0)
        var h = 0.0
        let outcome = DormandPrince.integrate(&y, duration: 10, step: &h, tolerance: tight, stopWhen: 0, reaches: exp(2)) { $0 * ODEState(1, 0, 0, 0) }
        guard case .reached(let t) = outcome else {
            Issue.record("no crossing: \(outcome)")
            return
        }
        #expect(abs(t - 2) < 1e-9, "\(t)")
        #expect(y[0] >= exp(2) && y[0] - exp(2) < 1e-9)
        // Starting at the level: reached at once.
        var top = ODEState(8, 0, 0, 0)
        #expect(DormandPrince.integrate(&top, duration: 1, step: &h, tolerance: tight, stopWhen: 0, reaches: 8) { _ in .zero } == .reached(at: 0))
    }

    @Test("A vector field that blows up ends with a step limit, not a hang")
    func blowUp() {
        var y = ODEState(1, 0, 0, 0)
        var h = 0.0
        // y′ = y²: y = 1/(1 − t) blows up at t = 1.
        let outcome = DormandPrince.integrate(&y, duration: 2, step: &h, tolerance: tight) { $0 * $0 }
        guard case .stepLimit(let t) = outcome else {
            Issue.record("expected a step limit, got \(outcome)")
            return
        }
        #expect(t < 1 && t > 0.99)
    }

    @Test("Tolerances ≤ 0 or NaN are refused, naming the component")
    func tolerances() {
        #expect { try ODETolerance(absolute: ODEState(1e-9, 0, 1e-9, 1e-9), relative: 1e-9).validate() } throws: { "\($0)".contains("absoluteTolerance[1]") }
        #expect { try ODETolerance(absolute: ODEState(repeating: 1e-9), relative: -1).validate() } throws: { "\($0)".contains("relativeTolerance") }
        #expect { try ODETolerance(absolute: ODEState(repeating: 1e-9), relative: .nan).validate() } throws: { "\($0)".contains("relativeTolerance") }
    }
}
