/// Label assignment and classification of Diehl & Cook (2015): each neuron is labelled with the
/// class it responds to most, and an image gets the class whose neurons respond most.

/// Labels each neuron with the class of its highest mean response; -1 if it never responded.
func assignLabels(responses: [[Int]], labels: [Int], neurons: Int) -> [Int] {
    var sum = [[Double]](repeating: [Double](repeating: 0, count: 10), count: neurons)
    var perClass = [Double](repeating: 0, count: 10)
    for (r, y) in zip(responses, labels) {
        perClass[y] += 1
        for j in 0..<neurons { sum[j][y] += Double(r[j]) }
    }
    return (0..<neurons).map { j in
        var best = -1, bestRate = 0.0
        for c in 0..<10 where perClass[c] > 0 {
            let rate = sum[j][c] / perClass[c]
            if rate > bestRate { (best, bestRate) = (c, rate) }
        }
        return best
    }
}

/// Diehl & Cook's classification: the class whose assigned neurons have the highest mean count.
func classify(_ response: [Int], assignments: [Int]) -> Int {
    var sum = [Double](repeating: 0, count: 10), n = [Double](repeating: 0, count: 10)
    for (j, c) in assignments.enumerated() where c >= 0 {
        sum[c] += Double(response[j])
        n[c] += 1
    }
    var best = 0, bestScore = -1.0
    for c in 0..<10 where n[c] > 0 {
        let score = sum[c] / n[c]
        if score > bestScore { (best, bestScore) = (c, score) }
    }
    return best
}
