extension Network {
    /// Connects two layers by a convolution (`ConvolutionGeometry`): `kernel` holds the
    /// `geometry.kernelCount` shared weights (mV), indexed as `ConvolutionGeometry.kernelIndex`.
    /// The weight store keeps each kernel entry once plus a 32-bit entry index per synapse
    /// (`WeightStore.sharedValues`), so both engines read the trained kernel itself.
    @discardableResult
    public mutating func connect(
        _ source: PopulationID, to target: PopulationID, convolution geometry: ConvolutionGeometry,
        kernel: [Double], delay: Double, receptor: Int = 0, name: String? = nil
    ) throws -> ProjectionID {
        let (src, tgt, label) = try checkProjection(source, target, receptor: receptor, name: name)
        try geometry.validate(context: "convolution '\(label)'")
        try checkSizes(src, tgt, geometry.inputSize, geometry.outputSize, "convolution", label)
        guard kernel.count == geometry.kernelCount else {
            throw VolleyError.invalidParameter(
                name: "kernel", value: "\(kernel.count) values",
                reason: "convolution '\(label)' has \(geometry.kernelCount) kernel entries")
        }
        if let bad = kernel.firstIndex(where: { !$0.isFinite }) {
            throw VolleyError.invalidWeight(value: kernel[bad], context: "kernel entry \(bad) of convolution '\(label)'")
        }
        let c = geometry.connectivity()
        let structure = try Self.singleDelayStructure(c, targetCount: tgt.size, delay: delay, label)
        return try appendProjection(
            label, src, tgt, receptor, structure,
            WeightStore(shared: kernel, indices: c.weightIndex.map { UInt32($0) }),
            recipe: .convolution(geometry, kernel: kernel, delay: delay))
    }

    /// Connects two layers by pooling windows (`PoolingGeometry`), every synapse with `weight`
    /// (mV): fixed connectivity, one stored weight.
    @discardableResult
    public mutating func connect(
        _ source: PopulationID, to target: PopulationID, pooling geometry: PoolingGeometry,
        weight: Double, delay: Double, receptor: Int = 0, name: String? = nil
    ) throws -> ProjectionID {
        let (src, tgt, label) = try checkProjection(source, target, receptor: receptor, name: name)
        try geometry.validate(context: "pooling '\(label)'")
        try checkSizes(src, tgt, geometry.inputSize, geometry.outputSize, "pooling", label)
        guard weight.isFinite else { throw VolleyError.invalidWeight(value: weight, context: "pooling '\(label)'") }
        let c = geometry.connectivity()
        let structure = try Self.singleDelayStructure(c, targetCount: tgt.size, delay: delay, label)
        return try appendProjection(label, src, tgt, receptor, structure, WeightStore([Double](repeating: weight, count: c.synapseCount)),
            recipe: .pooling(geometry, weight: weight, delay: delay))
    }

    private func checkSizes(_ src: Population, _ tgt: Population, _ inputs: Int, _ outputs: Int, _ kind: String, _ label: String) throws {
        guard src.size == inputs else {
            throw VolleyError.invalidParameter(
                name: "source", value: "\(src.name) (\(src.size) neurons)", reason: "\(kind) '\(label)' takes \(inputs) inputs")
        }
        guard tgt.size == outputs else {
            throw VolleyError.invalidParameter(
                name: "target", value: "\(tgt.name) (\(tgt.size) neurons)", reason: "\(kind) '\(label)' makes \(outputs) outputs")
        }
    }

    /// The CSR structure of `c` with one delay group per non-empty row.
    static func singleDelayStructure(_ c: SparseConnectivity, targetCount: Int, delay: Double, _ label: String) throws -> SynapseStructure {
        guard delay.isFinite && delay > 0 else {
            throw VolleyError.invalidDelay(value: delay, context: "projection '\(label)'; delays must be > 0 ms")
        }
        var rowGroups = [UInt32](repeating: 0, count: c.sourceCount + 1)
        var groupStart: [UInt32] = []
        for i in 0..<c.sourceCount {
            if !c.row(i).isEmpty { groupStart.append(UInt32(c.row(i).lowerBound)) }
            rowGroups[i + 1] = UInt32(groupStart.count)
        }
        groupStart.append(UInt32(c.synapseCount))
        return SynapseStructure(
            sourceCount: c.sourceCount, targetCount: targetCount, rowGroups: rowGroups, groupStart: groupStart,
            groupDelay: [Double](repeating: delay, count: groupStart.count - 1), targets: c.targets.map { UInt32($0) })
    }
}
