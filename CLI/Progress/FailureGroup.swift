import Foundation
import PipelineModel

/// Failed items sharing one reason, once the part naming the item (its URL, its row) is taken
/// off: `the source answered HTTP 404` for every image that answered 404.
public struct FailureGroup: Sendable, Equatable {
    /// The reason, without the item's URL or row.
    public var reason: String
    /// How many failed items gave it.
    public var count: Int
    /// The first few items with it, as `row 3 image 1` (in row order).
    public var examples: [String]

    /// A group.
    public init(reason: String, count: Int, examples: [String]) {
        self.reason = reason
        self.count = count
        self.examples = examples
    }

    /// Groups `items` (failed ones; others are ignored) by reason, the largest group first,
    /// then by reason; at most `examples` items named per group.
    public static func group(_ items: [ItemResource], examples: Int = 3) -> [FailureGroup] {
        var groups: [String: FailureGroup] = [:]
        var order: [String] = []
        for item in items where item.status == .failed {
            let reason = general(item)
            let name = item.index == 0 ? "row \(item.row)" : "row \(item.row) image \(item.index)"
            if groups[reason] == nil {
                groups[reason] = FailureGroup(reason: reason, count: 0, examples: [])
                order.append(reason)
            }
            groups[reason]!.count += 1
            if groups[reason]!.examples.count < examples { groups[reason]!.examples.append(name) }
        }
        return order.compactMap { groups[$0] }.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }

    /// The item's reason with what names the item taken off: a leading `URL: ` or
    /// `row N[, image M]: `, and the attempt count and duration of a give-up.
    static func general(_ item: ItemResource) -> String {
        var reason = item.reason ?? "no reason recorded"
        if let url = item.url, reason.hasPrefix(url + ": ") {
            reason.removeFirst(url.count + 2)
        } else if let range = reason.range(of: #"^row \d+(, image \d+)?: "#, options: .regularExpression) {
            reason.removeSubrange(range)
        }
        if let range = reason.range(of: #" \(gave up after \d+ attempts[^)]*\)$"#, options: .regularExpression) {
            reason.replaceSubrange(range, with: " (gave up after retries)")
        }
        return reason
    }
}
