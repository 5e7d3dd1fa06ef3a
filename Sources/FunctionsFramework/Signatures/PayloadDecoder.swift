import Foundation

/// Decodes invocation payloads: raw bytes when the handler asks for `Data`, nothing for
/// `EmptyPayload`, JSON otherwise — with errors that say which field was wrong.
enum PayloadDecoder {
    static func decode<Payload: Decodable>(_ type: Payload.Type, from data: Data, what: String) throws(InvocationError) -> Payload {
        if let raw = data as? Payload { return raw }
        if let empty = EmptyPayload() as? Payload { return empty }
        do {
            return try JSONDecoder().decode(Payload.self, from: data)
        } catch let error as DecodingError {
            throw .malformed("\(what) is not a valid \(Payload.self): \(error.summary)")
        } catch {
            throw .malformed("\(what) is not a valid \(Payload.self): \(error)")
        }
    }
}

/// A payload a handler ignores; decodes from anything, including an empty body.
public struct EmptyPayload: Decodable, Sendable, Equatable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
}

extension DecodingError {
    /// One line naming the coding path and the problem.
    var summary: String {
        func path(_ context: Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "missing key '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context))"
        case .valueNotFound(let type, let context):
            return "expected \(type) at \(path(context)), found null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
