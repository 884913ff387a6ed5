import Foundation

extension LIFExp {
    /// Quantities derived from the time constants, computed once when a time constant is set
    /// (they would otherwise cost a division each in the event-driven engine's per-input path).
    @frozen @usableFromInline
    struct Constants: Sendable {
        /// cₖ = τₖ/(τₖ − τm): the weight of a current in V's particular solution.
        @usableFromInline let excToVoltage: Double
        @usableFromInline let inhToVoltage: Double
        /// 1/τm, 1/τ_exc, 1/τ_inh (1/ms).
        @usableFromInline let rateM: Double
        @usableFromInline let rateExc: Double
        @usableFromInline let rateInh: Double
        /// Peak PSP of a unit input on each receptor (`peakResponse`).
        @usableFromInline let excPeak: Double
        @usableFromInline let inhPeak: Double
        /// Commensurate time constants (every rate an integer multiple ≤ 16 of the slowest,
        /// `baseRate`, and τ_exc, τ_inh ≠ τm): the powers of u = e^(−baseRate·s) of the
        /// membrane and current modes, for the exact search as a `ModePolynomial`; 0 otherwise.
        /// (UInt8, and the base rate recomputed at use as the smallest rate, to keep the model
        /// within 128 bytes, which the compiler copies by moves rather than `memcpy`.)
        @usableFromInline let powerM: UInt8
        @usableFromInline let powerExc: UInt8
        @usableFromInline let powerInh: UInt8
        @inlinable var baseRate: Double { Swift.min(rateM, rateExc, rateInh) }

        @inlinable
        init(_ tauM: Double, _ tauSynExc: Double, _ tauSynInh: Double) {
            excToVoltage = tauSynExc / (tauSynExc - tauM)
            inhToVoltage = tauSynInh / (tauSynInh - tauM)
            excPeak = LIFExp.peakResponse(tauSyn: tauSynExc, tauM: tauM)
            inhPeak = LIFExp.peakResponse(tauSyn: tauSynInh, tauM: tauM)
            rateM = 1 / tauM
            rateExc = 1 / tauSynExc
            rateInh = 1 / tauSynInh
            let slowest = Swift.max(tauM, tauSynExc, tauSynInh)
            func power(_ tau: Double) -> Int {
                let n = slowest / tau
                let rounded = n.rounded()
                return rounded >= 1 && rounded <= 16 && abs(n - rounded) <= 1e-12 * n ? Int(rounded) : 0
            }
            let powers = (power(tauM), power(tauSynExc), power(tauSynInh))
            let commensurate = powers.0 > 0 && powers.1 > 0 && powers.2 > 0 && tauSynExc != tauM
                && tauSynInh != tauM
            powerM = commensurate ? UInt8(powers.0) : 0
            powerExc = commensurate ? UInt8(powers.1) : 0
            powerInh = commensurate ? UInt8(powers.2) : 0
        }
    }
}
