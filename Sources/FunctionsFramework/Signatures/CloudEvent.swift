import Foundation
import HTTPTypes

/// A CloudEvents 1.0 event with its data decoded as `Payload` (raw bytes when `Payload == Data`).
public struct CloudEvent<Payload: Sendable>: Sendable {
    /// `ce-id`: unique per event from one source; redeliveries repeat it.
    public var id: String
    /// `ce-source`, e.g. `//storage.googleapis.com/projects/_/buckets/uploads`.
    public var source: String
    /// `ce-type`, e.g. `google.cloud.storage.object.v1.finalized`.
    public var type: String
    /// `ce-specversion`; always `1.0` once decoded.
    public var specVersion: String
    /// `ce-subject`, e.g. `objects/products.csv`.
    public var subject: String?
    /// `ce-time` as sent (RFC 3339).
    public var time: String?
    /// The media type of `data` (`Content-Type` in binary mode).
    public var dataContentType: String?
    /// `ce-dataschema`.
    public var dataSchema: String?
    /// Extension attributes (`ce-*` headers or top-level members not defined by the spec).
    public var extensions: [String: String]
    /// The event data.
    public var data: Payload

    public init(
        id: String, source: String, type: String, specVersion: String = "1.0",
        subject: String? = nil, time: String? = nil, dataContentType: String? = nil,
        dataSchema: String? = nil, extensions: [String: String] = [:], data: Payload
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.specVersion = specVersion
        self.subject = subject
        self.time = time
        self.dataContentType = dataContentType
        self.dataSchema = dataSchema
        self.extensions = extensions
        self.data = data
    }

    /// The same event carrying different data.
    public func withData<Other>(_ data: Other) -> CloudEvent<Other> {
        CloudEvent<Other>(
            id: id, source: source, type: type, specVersion: specVersion, subject: subject, time: time,
            dataContentType: dataContentType, dataSchema: dataSchema, extensions: extensions, data: data
        )
    }
}

extension CloudEvent where Payload == Data {
    /// Media type of a structured-mode event.
    public static let structuredMediaType = "application/cloudevents+json"

    /// Decodes an event from an HTTP request in binary mode (`ce-*` headers, data in the body) or
    /// structured mode (`Content-Type: application/cloudevents+json`). Batch mode is rejected.
    public static func decode(from request: InvocationRequest) throws(InvocationError) -> CloudEvent<Data> {
        switch request.mediaType {
        case structuredMediaType:
            return try decodeStructured(request.body)
        case "application/cloudevents-batch+json":
            throw .malformed("CloudEvents batch mode is not supported; send one event per request")
        default:
            guard request.header("ce-specversion") != nil || request.header("ce-id") != nil else {
                throw .malformed("not a CloudEvent: no ce-specversion header and Content-Type is \(request.mediaType.map { "'\($0)'" } ?? "missing"), not '\(structuredMediaType)'")
            }
            return try decodeBinary(request)
        }
    }

    private static let knownHeaders: Set<String> = ["ce-id", "ce-source", "ce-type", "ce-specversion", "ce-subject", "ce-time", "ce-dataschema"]

    private static func decodeBinary(_ request: InvocationRequest) throws(InvocationError) -> CloudEvent<Data> {
        func required(_ name: String) throws(InvocationError) -> String {
            guard let value = request.header(name), !value.isEmpty else {
                throw .malformed("binary-mode CloudEvent is missing the \(name) header")
            }
            return value
        }
        let specVersion = try required("ce-specversion")
        guard specVersion == "1.0" else {
            throw .malformed("unsupported CloudEvents specversion '\(specVersion)' (expected 1.0)")
        }
        var extensions: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            if name.hasPrefix("ce-"), !knownHeaders.contains(name) {
                extensions[String(name.dropFirst(3))] = field.value
            }
        }
        return CloudEvent(
            id: try required("ce-id"),
            source: try required("ce-source"),
            type: try required("ce-type"),
            specVersion: specVersion,
            subject: request.header("ce-subject"),
            time: request.header("ce-time"),
            dataContentType: request.headers[.contentType],
            dataSchema: request.header("ce-dataschema"),
            extensions: extensions,
            data: request.body
        )
    }

    private static let specAttributes: Set<String> = [
        "id", "source", "type", "specversion", "subject", "time", "datacontenttype", "dataschema", "data", "data_base64",
    ]

    private static func decodeStructured(_ body: Data) throws(InvocationError) -> CloudEvent<Data> {
        guard let object = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) as? [String: Any] else {
            throw .malformed("structured-mode CloudEvent body is not a JSON object")
        }
        func attribute(_ name: String, required: Bool) throws(InvocationError) -> String? {
            switch object[name] {
            case let value as String where !value.isEmpty: return value
            case nil where !required: return nil
            case nil, is String: throw .malformed("structured-mode CloudEvent is missing the '\(name)' attribute")
            default: throw .malformed("CloudEvent attribute '\(name)' must be a string")
            }
        }
        let specVersion = try attribute("specversion", required: true)!
        guard specVersion == "1.0" else {
            throw .malformed("unsupported CloudEvents specversion '\(specVersion)' (expected 1.0)")
        }
        let contentType = try attribute("datacontenttype", required: false)
        let data: Data
        if let encoded = object["data_base64"] {
            guard let string = encoded as? String, let decoded = Data(base64Encoded: string) else {
                throw .malformed("CloudEvent data_base64 is not valid base64")
            }
            data = decoded
        } else if let value = object["data"], !(value is NSNull) {
            if let string = value as? String, !(contentType.map(Self.isJSON) ?? true) {
                data = Data(string.utf8)
            } else {
                guard let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else {
                    throw .malformed("CloudEvent data could not be re-encoded as JSON")
                }
                data = encoded
            }
        } else {
            data = Data()
        }
        var extensions: [String: String] = [:]
        for (key, value) in object where !specAttributes.contains(key) {
            extensions[key] = (value as? String) ?? "\(value)"
        }
        return CloudEvent(
            id: try attribute("id", required: true)!,
            source: try attribute("source", required: true)!,
            type: try attribute("type", required: true)!,
            specVersion: specVersion,
            subject: try attribute("subject", required: false),
            time: try attribute("time", required: false),
            dataContentType: contentType,
            dataSchema: try attribute("dataschema", required: false),
            extensions: extensions,
            data: data
        )
    }

    static func isJSON(_ mediaType: String) -> Bool {
        let type = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type == "text/json"
    }
}
