import Foundation
import GoogleCloud
import PixelPipeCore
import Yams

/// Reads and validates a topology: YAML is decoded, then checked for references that do not
/// resolve, duplicates and malformed values. Every error names the key and the line it is on.
enum TopologyLoader {
    /// Loads `path`, or the built-in default when `path` is nil.
    static func load(path: String?) throws -> Topology {
        guard let path else { return try parse(DefaultTopology.yaml) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TopologyError(key: path, line: nil, problem: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(text)
    }

    /// Parses and validates YAML text.
    static func parse(_ text: String) throws -> Topology {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw TopologyError(key: "(document)", line: nil, problem: "the file is empty")
            }
            node = composed
        } catch let error as TopologyError {
            throw error
        } catch let error as YamlError {
            throw TopologyError(key: "(document)", line: Self.line(of: error), problem: "not valid YAML: \(error)")
        }
        let topology: Topology
        do {
            topology = try YAMLDecoder().decode(Topology.self, from: node)
        } catch let error as DecodingError {
            throw Self.topologyError(error, root: node)
        } catch let error as UnknownKeyError {
            throw Self.topologyError(error, root: node)
        }
        try validate(topology, root: node)
        return topology
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func topologyError(_ error: DecodingError, root: Node) -> TopologyError {
        let (path, problem): ([any CodingKey], String) = switch error {
        case .keyNotFound(let key, let context): (context.codingPath, "missing required key '\(key.stringValue)'")
        case .typeMismatch(let type, let context): (context.codingPath, "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context): (context.codingPath, "expected \(Self.describe(type)), found nothing")
        case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
        @unknown default: ([], "\(error)")
        }
        let keys = DocumentPath(path)
        return TopologyError(key: render(keys), line: lookup(keys, in: root)?.mark?.line, problem: problem)
    }

    /// Names the unknown key and the line of the key itself (its value may start lines later).
    private static func topologyError(_ error: UnknownKeyError, root: Node) -> TopologyError {
        let container = DocumentPath(error.path.elements.dropLast())
        let keyNode = lookup(container, in: root)?.mapping?.first { $0.key.string == error.key }?.key
        return TopologyError(key: render(error.path), line: keyNode?.mark?.line, problem: "unknown key; \(error.hint)")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is [String: String].Type: "a mapping of strings"
        default: String(describing: type).hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    // MARK: Validation

    typealias PathElement = DocumentPath.Element

    private static func render(_ path: DocumentPath) -> String {
        path.elements.isEmpty ? "(document)" : path.description
    }

    private static func lookup(_ path: DocumentPath, in root: Node) -> Node? {
        var node: Node? = root
        for element in path.elements {
            switch element {
            case .key(let key): node = node?[key]
            case .index(let index): node = node?.sequence.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
        }
        return node
    }

    private static func validate(_ topology: Topology, root: Node) throws {
        func fail(_ path: [PathElement], _ problem: String) throws -> Never {
            // Point at the deepest node that exists, so the line is always useful.
            var prefix = path
            var node = lookup(DocumentPath(prefix), in: root)
            while node == nil, !prefix.isEmpty {
                prefix.removeLast()
                node = lookup(DocumentPath(prefix), in: root)
            }
            throw TopologyError(key: render(DocumentPath(path)), line: node?.mark?.line, problem: problem)
        }
        func unique(_ section: String, _ names: [String]) throws {
            var seen = Set<String>()
            for (index, name) in names.enumerated() {
                if name.isEmpty { try fail([.key(section), .index(index), .key("name")], "must not be empty") }
                if !seen.insert(name).inserted { try fail([.key(section), .index(index), .key("name")], "'\(name)' is defined twice") }
            }
        }
        try unique("buckets", topology.buckets.map(\.name))
        try unique("services", topology.services.map(\.name))
        try unique("triggers", topology.triggers.map(\.name))
        try unique("topics", topology.topics.map(\.name))
        try unique("subscriptions", topology.subscriptions.map(\.name))
        try unique("queues", topology.queues.map(\.name))

        let buckets = Set(topology.buckets.map(\.name))
        let services = Set(topology.services.map(\.name))
        let topics = Set(topology.topics.map(\.name))
        for (index, bucket) in topology.buckets.enumerated() where !isValidBucketName(bucket.name) {
            try fail([.key("buckets"), .index(index), .key("name")], "'\(bucket.name)' is not a valid bucket name (3-63 of a-z, 0-9, '-', '_', '.')")
        }
        var ports: [Int: String] = [:]
        for (index, service) in topology.services.enumerated() {
            if let url = service.url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                try fail([.key("services"), .index(index), .key("url")], "'\(url)' is not an http(s) URL")
            }
            guard let port = service.port else { continue }
            let at: [PathElement] = [.key("services"), .index(index), .key("port")]
            if service.url != nil { try fail(at, "not allowed together with 'url': the service runs elsewhere, at its URL") }
            if !(1...65535).contains(port) { try fail(at, "must be between 1 and 65535, got \(port)") }
            if let other = ports.updateValue(service.name, forKey: port) { try fail(at, "\(port) is already the port of service '\(other)'") }
        }
        for (index, trigger) in topology.triggers.enumerated() {
            let at: [PathElement] = [.key("triggers"), .index(index)]
            if !buckets.contains(trigger.bucket) { try fail(at + [.key("bucket")], "no bucket named '\(trigger.bucket)'") }
            if !services.contains(trigger.service) { try fail(at + [.key("service")], "no service named '\(trigger.service)'") }
            if !StorageEventType.all.contains(trigger.event) {
                try fail(at + [.key("event")], "'\(trigger.event)' is not one of \(StorageEventType.all.sorted().joined(separator: ", "))")
            }
        }
        for (index, subscription) in topology.subscriptions.enumerated() {
            let at: [PathElement] = [.key("subscriptions"), .index(index)]
            if !topics.contains(subscription.topic) { try fail(at + [.key("topic")], "no topic named '\(subscription.topic)'") }
            if !services.contains(subscription.push.service) { try fail(at + [.key("push"), .key("service")], "no service named '\(subscription.push.service)'") }
            if let seconds = subscription.ackDeadlineSeconds, !(10...600).contains(seconds) {
                try fail(at + [.key("ackDeadlineSeconds")], "must be between 10 and 600 seconds, got \(seconds)")
            }
            for (key, value) in [("minimumBackoff", subscription.retryPolicy?.minimumBackoff), ("maximumBackoff", subscription.retryPolicy?.maximumBackoff)] {
                if let value, GoogleDuration.parse(value) == nil {
                    try fail(at + [.key("retryPolicy"), .key(key)], "'\(value)' is not a duration like \"10s\"")
                }
            }
            if let deadLetter = subscription.deadLetterPolicy {
                if !topics.contains(deadLetter.topic) { try fail(at + [.key("deadLetterPolicy"), .key("topic")], "no topic named '\(deadLetter.topic)'") }
                if let attempts = deadLetter.maxDeliveryAttempts, !(5...100).contains(attempts) {
                    try fail(at + [.key("deadLetterPolicy"), .key("maxDeliveryAttempts")], "must be between 5 and 100, got \(attempts)")
                }
            }
        }
        for (index, queue) in topology.queues.enumerated() {
            let at: [PathElement] = [.key("queues"), .index(index)]
            let retry = queue.retryConfig
            for (key, value) in [("minBackoff", retry?.minBackoff), ("maxBackoff", retry?.maxBackoff), ("maxRetryDuration", retry?.maxRetryDuration)] {
                if let value, GoogleDuration.parse(value) == nil {
                    try fail(at + [.key("retryConfig"), .key(key)], "'\(value)' is not a duration like \"10s\"")
                }
            }
            if let rate = queue.rateLimits?.maxDispatchesPerSecond, !(rate > 0 && rate <= 500) {
                try fail(at + [.key("rateLimits"), .key("maxDispatchesPerSecond")], "must be in (0, 500], got \(rate)")
            }
        }
    }

    private static func isValidBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-_.".contains($0)) }
    }
}
