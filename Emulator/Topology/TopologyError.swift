/// A topology file that cannot be used, naming the key (e.g. `triggers[0].service`) and its line.
struct TopologyError: Error, Equatable, CustomStringConvertible {
    /// Dotted path of the offending key.
    var key: String
    /// 1-based line in the file, when known.
    var line: Int?
    var problem: String

    var description: String {
        "\(line.map { "line \($0): " } ?? "")\(key): \(problem)"
    }
}
