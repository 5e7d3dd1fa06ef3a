import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

/// The subset of Cloud Storage's XML API that V4 signed URLs use: `GET`, `HEAD` and `PUT` of
/// `/BUCKET/OBJECT`, served only for requests that carry `X-Goog-Signature` (the emulator
/// has no other XML API callers) and answered with XML errors as Google does.
struct XMLAPIRoutes: Sendable {
    let store: StorageStore
    let verifier: SignedURLVerifier
    let limits: APILimits

    /// Whether `request` is a signed XML API call this group answers.
    static func claims(_ request: Request) -> Bool {
        SignedURLVerifier.isSigned(rawQuery: request.uri.query)
    }

    func handle(_ request: Request) async throws -> Response {
        do {
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            headers["host"] = request.head.authority ?? headers["host"] ?? ""
            try verifier.verify(.init(method: request.method.rawValue, rawPath: request.uri.path, rawQuery: request.uri.query ?? "", headers: headers))
            guard let path = APIPath(raw: request.uri.path, splitVerb: false), path.segments.count >= 2 else {
                throw XMLAPIError(status: 400, code: "NotImplemented", message: "The emulator's XML API serves objects (/BUCKET/OBJECT) only, not \(request.method) \(request.uri.path).")
            }
            let bucket = try StorageRoutes.bucketName(path.segments[0])
            let name = try StorageRoutes.objectName(path.segments[1...].joined(separator: "/"))
            switch request.method {
            case .get, .head: return try await get(bucket: bucket, name: name, request: request)
            case .put: return try await put(bucket: bucket, name: name, request: request)
            default:
                throw XMLAPIError(status: 400, code: "NotImplemented", message: "The emulator's XML API does not implement \(request.method) on objects; use GET, HEAD or PUT.")
            }
        } catch let error as SignedURLError {
            var details = "<Details>\(Self.escape(error.details))</Details>"
            if let stringToSign = error.stringToSign { details += "<StringToSign>\(Self.escape(stringToSign))</StringToSign>" }
            if let canonical = error.canonicalRequest { details += "<CanonicalRequest>\(Self.escape(canonical))</CanonicalRequest>" }
            let message = error.status == 403 ? "Access denied." : "Invalid argument."
            return Self.errorResponse(status: error.status, code: error.code, message: message, extra: details)
        } catch let error as XMLAPIError {
            return Self.errorResponse(status: error.status, code: error.code, message: error.message)
        } catch let error as GoogleAPIError {
            let code: String
            switch error.status.code {
            case 404: code = error.message.contains("bucket") ? "NoSuchBucket" : "NoSuchKey"
            case 412: code = "PreconditionFailed"
            case 413: code = "EntityTooLarge"
            case 416: code = "InvalidRange"
            case 400..<500: code = "InvalidArgument"
            default: code = "InternalError"
            }
            return Self.errorResponse(status: Int(error.status.code), code: code, message: error.message)
        }
    }

    private func get(bucket: String, name: String, request: Request) async throws -> Response {
        let object = try await store.object(bucket: bucket, name: name)
        if let generation = request.apiQuery["generation"], generation != String(object.generation) {
            throw GoogleAPIError.notFound("No such object: \(bucket)/\(name)#\(generation)")
        }
        let range = try ByteRange.resolve(request.headers[.range], size: object.size)
        var headers = Self.objectHeaders(object)
        if request.method == .head {
            headers[.contentLength] = String(object.size)
            return Response(status: .ok, headers: headers)
        }
        let layout = store.layout
        let data = try await BlockingIO.run { try layout.read(object.location, range: range) }
        headers[.contentLength] = String(data.count)
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(object.size)"
            return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func put(bucket: String, name: String, request: Request) async throws -> Response {
        let data = Data(try await request.collectBody(limit: limits.maxRequestBytes).readableBytesView)
        var attributes = StorageObjectMetadata()
        attributes.contentType = request.headers[.contentType]
        attributes.cacheControl = request.headers[.cacheControl]
        attributes.contentDisposition = request.headers[.contentDisposition]
        attributes.contentEncoding = request.headers[.contentEncoding]
        var metadata: [String: String?] = [:]
        for field in request.headers where field.name.canonicalName.lowercased().hasPrefix("x-goog-meta-") {
            metadata[String(field.name.canonicalName.dropFirst("x-goog-meta-".count)).lowercased()] = field.value
        }
        if !metadata.isEmpty { attributes.metadata = metadata }
        var query: [String] = []
        if let match = request.headers[HTTPField.Name("x-goog-if-generation-match")!] { query.append("ifGenerationMatch=\(match)") }
        if let match = request.headers[HTTPField.Name("x-goog-if-metageneration-match")!] { query.append("ifMetagenerationMatch=\(match)") }
        let preconditions = try StoragePreconditions(query: APIQuery(raw: query.joined(separator: "&")))
        let layout = store.layout
        let written = try await BlockingIO.run { try layout.writeTemporary(data) }
        let object = try await store.commitObject(bucket: bucket, name: name, attributes: attributes, temporary: written.path,
                                                  checksums: written.checksums, preconditions: preconditions)
        var headers = Self.objectHeaders(object)
        headers[.contentLength] = "0"
        headers[.contentType] = "text/html; charset=UTF-8"
        return Response(status: .ok, headers: headers)
    }

    /// The headers the XML API sends with an object: its ETag is the hex MD5 in quotes.
    private static func objectHeaders(_ object: StoredObject) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = object.contentType
        let md5Hex = (Data(base64Encoded: object.md5Hash) ?? Data()).map { String(format: "%02x", $0) }.joined()
        headers[.eTag] = "\"\(md5Hex)\""
        headers[.acceptRanges] = "bytes"
        headers[.lastModified] = StorageRoutes.httpDate(object.updated)
        headers[StorageRoutes.generationHeader] = String(object.generation)
        headers[StorageRoutes.metagenerationHeader] = String(object.metageneration)
        headers[StorageRoutes.storedLengthHeader] = String(object.size)
        headers[StorageRoutes.hashHeader] = "crc32c=\(object.crc32c),md5=\(object.md5Hash)"
        if let encoding = object.contentEncoding { headers[.contentEncoding] = encoding }
        if let disposition = object.contentDisposition { headers[.contentDisposition] = disposition }
        if let cacheControl = object.cacheControl { headers[.cacheControl] = cacheControl }
        for (key, value) in object.metadata ?? [:] {
            if let name = HTTPField.Name("x-goog-meta-\(key)") { headers[name] = value }
        }
        return headers
    }

    private static func errorResponse(status: Int, code: String, message: String, extra: String = "") -> Response {
        let body = "<?xml version='1.0' encoding='UTF-8'?><Error><Code>\(code)</Code><Message>\(escape(message))</Message>\(extra)</Error>"
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=UTF-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&apos;")
    }
}

/// An XML API failure other than a refused signature.
struct XMLAPIError: Error, Sendable {
    var status: Int
    var code: String
    var message: String
}
