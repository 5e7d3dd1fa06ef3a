import Crypto
import Foundation
import FunctionsFramework

/// A job's id: the first 16 hex digits of SHA-256 of `bucket/name#generation` (ARCHITECTURE §5),
/// one job per uploaded version of a CSV however often its finalize event is delivered.
/// Only a valid id can exist: decoding a task, message or request with anything else fails, so
/// no stage checks ids by hand before they become part of a document path or a queue name.
public struct JobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 16 lower-case hex digits.
    public let rawValue: String

    /// The id in `text`, or nil when it is not 16 lower-case hex digits.
    public init?(rawValue text: String) {
        guard text.utf8.count == 16,
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        rawValue = text
    }

    /// The id in `text`, or nil when it is not one.
    public init?(_ text: String) {
        self.init(rawValue: text)
    }

    /// The job of one uploaded object version.
    public init(bucket: String, object: String, generation: Int64) {
        let digest = SHA256.hash(data: Data("\(bucket)/\(object)#\(generation)".utf8))
        rawValue = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = JobID(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.invalid(text))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Why `text` was refused, quoting at most 40 characters of it.
    static func invalid(_ text: String) -> String {
        "'\(text.prefix(40))' is not a job id (16 lower-case hex digits)"
    }
}

extension InvocationRequest {
    /// The job id in path parameter `name` (`/jobs/{id}`); anything else is a malformed request (400).
    public func jobID(_ name: String = "id") throws(InvocationError) -> JobID {
        let text = pathParameters[name] ?? ""
        guard let id = JobID(rawValue: text) else { throw .malformed(JobID.invalid(text)) }
        return id
    }
}
