import Foundation

/// A labelled numeric data set read from CSV: one header row, numeric feature columns, and an
/// integer class label in the last column (the layout of the UCI files in `datasets/uci/`).
public struct LabelledData: Sendable, Equatable {
    public var featureNames: [String]
    /// rows[i] holds the features of sample i.
    public var rows: [[Double]]
    /// Class of each sample, 0 ..< classCount.
    public var labels: [Int]

    public var count: Int { rows.count }
    public var featureCount: Int { featureNames.count }
    public var classCount: Int { (labels.max() ?? -1) + 1 }

    public init(featureNames: [String], rows: [[Double]], labels: [Int]) {
        self.featureNames = featureNames
        self.rows = rows
        self.labels = labels
    }

    /// Reads a CSV file; errors name the file, line and column.
    public static func load(csv path: String) throws -> LabelledData {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw VolleyError.fileError(path: path, reason: error.localizedDescription)
        }
        return try parse(csv: text, source: path)
    }

    /// Parses CSV text (header row, numeric features, integer label last).
    public static func parse(csv text: String, source: String = "CSV text") throws -> LabelledData {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first, !header.isEmpty else {
            throw VolleyError.malformedData(source: source, reason: "empty file (expected a header row)")
        }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard names.count >= 2 else {
            throw VolleyError.malformedData(source: source, reason: "header has \(names.count) column; need features and a label")
        }
        var rows: [[Double]] = []
        var labels: [Int] = []
        for (n, line) in lines.enumerated().dropFirst() {
            let lineNumber = n + 1
            if line.isEmpty {
                throw VolleyError.malformedData(source: source, reason: "line \(lineNumber) is empty")
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == names.count else {
                throw VolleyError.malformedData(
                    source: source, reason: "line \(lineNumber) has \(fields.count) fields, the header \(names.count)")
            }
            var row: [Double] = []
            row.reserveCapacity(fields.count - 1)
            for (c, field) in fields.dropLast().enumerated() {
                guard let v = Double(field), v.isFinite else {
                    throw VolleyError.malformedData(
                        source: source, reason: "line \(lineNumber), column \(c + 1) (\(names[c])): '\(field)' is not a finite number")
                }
                row.append(v)
            }
            guard let label = Int(fields[fields.count - 1]), label >= 0 else {
                throw VolleyError.malformedData(
                    source: source, reason: "line \(lineNumber): label '\(fields[fields.count - 1])' is not a non-negative integer")
            }
            rows.append(row)
            labels.append(label)
        }
        guard !rows.isEmpty else {
            throw VolleyError.malformedData(source: source, reason: "no data rows")
        }
        return LabelledData(featureNames: Array(names.dropLast()), rows: rows, labels: labels)
    }

    /// The samples at `indices`.
    public func subset(_ indices: [Int]) -> LabelledData {
        LabelledData(featureNames: featureNames, rows: indices.map { rows[$0] }, labels: indices.map { labels[$0] })
    }

    /// Stratified k-fold split, seeded: each class's samples are shuffled and dealt round-robin to
    /// the folds, so every fold has (within one sample) the class proportions of the whole set.
    /// Returns the test indices of each fold (sorted); fold f trains on the other folds.
    public func stratifiedFolds(_ k: Int, seed: UInt64) throws -> [[Int]] {
        guard k >= 2 && k <= count else {
            throw VolleyError.invalidParameter(name: "folds", value: "\(k)", reason: "need 2 ≤ k ≤ \(count) samples")
        }
        var rng = Xoshiro256(seed: seed, stream: 0xF01D)
        var folds = [[Int]](repeating: [], count: k)
        var next = 0
        for c in 0..<classCount {
            var members = labels.indices.filter { labels[$0] == c }
            rng.shuffle(&members)
            for i in members {
                folds[next % k].append(i)
                next += 1
            }
        }
        return folds.map { $0.sorted() }
    }
}
