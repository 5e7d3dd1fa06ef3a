import Foundation
import GoogleCloud

/// A `google.protobuf.FieldMask` as the REST APIs carry it (`"labels,pushConfig"`, in the body
/// or as `updateMask` query parameters), applied to a resource by copying each named path from
/// the patch onto the stored value: present in the patch it is set, absent it is cleared, as
/// Google's `Update*` methods do. Paths may be camelCase or snake_case; nested paths use dots
/// (`rateLimits.maxDispatchesPerSecond`).
struct UpdateMask: Sendable, Equatable {
    /// The paths in camelCase, in the order given.
    var paths: [String]

    /// Parses a comma-separated mask (several query values are joined).
    init(_ texts: [String]) {
        paths = texts.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .map { $0.split(separator: ".").map { Self.camelCase(String($0)) }.joined(separator: ".") }
    }

    var isEmpty: Bool { paths.isEmpty }

    /// Throws `INVALID_ARGUMENT` naming the first path not under one of `allowed` (top-level
    /// fields, or dotted prefixes), in the words of `request` (`UpdateSubscriptionRequest`).
    func check(allowed: Set<String>, request: String, resource: String) throws {
        for path in paths {
            let top = path.split(separator: ".").first.map(String.init) ?? path
            guard allowed.contains(path) || allowed.contains(top) else {
                throw GoogleAPIError.invalidArgument(
                    "Invalid update_mask provided in the \(request): '\(path)' is not a known \(resource) field or cannot be updated.")
            }
        }
    }

    /// `current` with every path of the mask copied from `patch`.
    func apply<T: Codable>(_ patch: T, to current: T) throws -> T {
        var target = try Self.json(current)
        let source = try Self.json(patch)
        for path in paths {
            let keys = path.split(separator: ".").map(String.init)
            target = Self.setting(keys[...], in: target, to: Self.value(at: keys[...], in: source))
        }
        return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(target))
    }

    private static func json(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    private static func value(at keys: ArraySlice<String>, in json: JSONValue) -> JSONValue? {
        guard let key = keys.first else { return json }
        guard case let .object(fields) = json, let child = fields[key] else { return nil }
        return value(at: keys.dropFirst(), in: child)
    }

    private static func setting(_ keys: ArraySlice<String>, in json: JSONValue, to value: JSONValue?) -> JSONValue {
        guard let key = keys.first else { return value ?? .null }
        var fields: [String: JSONValue] = [:]
        if case let .object(existing) = json { fields = existing }
        if keys.count == 1 {
            fields[key] = value
        } else {
            fields[key] = setting(keys.dropFirst(), in: fields[key] ?? .object([:]), to: value)
        }
        return .object(fields)
    }

    /// `ack_deadline_seconds` → `ackDeadlineSeconds`; camelCase stays as it is.
    static func camelCase(_ text: String) -> String {
        let parts = text.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = parts.first else { return text }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
