import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

extension StorageRoutes {
    /// `POST /upload/storage/v1/b/B/o?uploadType=media|multipart|resumable`, and the resumable
    /// session's `PUT` (chunks) and `DELETE` (cancel) at `…&upload_id=ID`.
    func handleUpload(_ request: Request) async throws -> Response {
        var segments = try request.apiPath(splitVerb: false).segments
        if segments.first == "resumable" { segments.removeFirst() }
        guard segments.count == 6, segments[5] == "o" else { throw Self.unimplemented(request) }
        let bucket = try Self.bucketName(segments[4])
        let query = request.apiQuery
        if let uploadID = query["upload_id"] {
            switch request.method {
            case .put, .post: return try await resumableChunk(id: uploadID, request: request)
            case .delete:
                try await store.cancelUpload(id: uploadID)
                return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
            default: throw Self.unimplemented(request)
            }
        }
        guard request.method == .post else { throw Self.unimplemented(request) }
        let preconditions = try StoragePreconditions(query: query)
        switch query["uploadType"] ?? "media" {
        case "media":
            let name = try Self.objectName(query["name"] ?? "")
            let data = try await collect(request)
            var attributes = StorageObjectMetadata()
            attributes.contentType = request.headers[.contentType]
            attributes.contentEncoding = query["contentEncoding"]
            return try await finishSimpleUpload(bucket: bucket, name: name, attributes: attributes, data: data, preconditions: preconditions, origin: request.originForLinks)
        case "multipart":
            let body = try await collect(request)
            let parts = try MultipartRelated(contentType: request.headers[.contentType] ?? "", body: body)
            var attributes = parts.metadata.isEmpty ? StorageObjectMetadata() : try APIJSON.decode(StorageObjectMetadata.self, from: parts.metadata)
            let name = try Self.objectName(attributes.name ?? query["name"] ?? "")
            if attributes.contentType == nil { attributes.contentType = parts.mediaContentType }
            return try await finishSimpleUpload(bucket: bucket, name: name, attributes: attributes, data: parts.media, preconditions: preconditions, origin: request.originForLinks)
        case "resumable":
            let body = try await collect(request)
            var attributes = body.isEmpty ? StorageObjectMetadata() : try APIJSON.decode(StorageObjectMetadata.self, from: body)
            let name = try Self.objectName(attributes.name ?? query["name"] ?? "")
            attributes.name = name
            if attributes.contentType == nil { attributes.contentType = request.headers[Self.uploadContentTypeHeader] }
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await store.createUpload(id: id, bucket: bucket, name: name, metadata: attributes, preconditions: preconditions)
            var headers = HTTPFields()
            headers[.location] = "\(request.originForLinks)/upload/storage/v1/b/\(bucket)/o?uploadType=resumable&upload_id=\(id)"
            headers[Self.uploadIDHeader] = id
            headers[.contentLength] = "0"
            return Response(status: .ok, headers: headers)
        case let other:
            throw GoogleAPIError.invalidArgument("Invalid uploadType \"\(other)\"; use media, multipart or resumable.")
        }
    }

    func collect(_ request: Request) async throws -> Data {
        Data(try await request.collectBody(limit: limits.maxRequestBytes).readableBytesView)
    }

    private func finishSimpleUpload(bucket: String, name: String, attributes: StorageObjectMetadata, data: Data,
                                    preconditions: StoragePreconditions, origin: String) async throws -> Response {
        let layout = store.layout
        let written = try await BlockingIO.run { try layout.writeTemporary(data) }
        let object = try await store.commitObject(bucket: bucket, name: name, attributes: attributes, temporary: written.path,
                                                  checksums: written.checksums, preconditions: preconditions)
        return try APIJSON.response(object.resource(origin: origin))
    }

    /// One `PUT` of a resumable session: append the chunk, then either report what is held
    /// (`308` with `Range`) or, once the total is known and reached, create the object.
    private func resumableChunk(id: String, request: Request) async throws -> Response {
        let session = try await store.upload(id: id)
        let data = try await collect(request)
        let range = try ContentRange(request.headers[.contentRange], bodyLength: data.count)
        var held = session.received
        if !data.isEmpty {
            held = try await store.appendUpload(id: id, offset: range.start ?? 0, data: data)
        }
        let total = range.total ?? (request.headers[.contentRange] == nil ? held : nil)
        if let total, held > total {
            throw GoogleAPIError.invalidArgument("The upload holds \(held) bytes, more than the declared total of \(total).")
        }
        guard let total, held == total else {
            var headers = HTTPFields()
            if held > 0 { headers[.range] = "bytes=0-\(held - 1)" }
            headers[.contentLength] = "0"
            return Response(status: .init(code: 308, reasonPhrase: "Resume Incomplete"), headers: headers)
        }
        let layout = store.layout
        let path = layout.uploadPath(id)
        let checksums = try await BlockingIO.run { try layout.checksums(ofFile: path) }
        do {
            let object = try await store.commitObject(bucket: session.bucket, name: session.name, attributes: session.metadata, temporary: path,
                                                      checksums: checksums, preconditions: session.preconditions, uploadID: id)
            return try APIJSON.response(object.resource(origin: request.originForLinks))
        } catch let error as GoogleAPIError where error.status == .preconditionFailed || error.code == .invalidArgument {
            try? await store.cancelUpload(id: id)
            throw error
        }
    }

    static let uploadIDHeader = HTTPField.Name("X-GUploader-UploadID")!
    static let uploadContentTypeHeader = HTTPField.Name("X-Upload-Content-Type")!
}

/// A resumable chunk's `Content-Range`: `bytes 0-99/200`, `bytes 0-99/*`, `bytes */200` or
/// `bytes */*`.
struct ContentRange: Sendable {
    var start: Int64?
    var total: Int64?

    init(_ header: String?, bodyLength: Int) throws {
        guard let header else { return }
        let invalid = GoogleAPIError.invalidArgument("Invalid Content-Range \"\(header)\"; expected bytes START-END/TOTAL, bytes START-END/* or bytes */TOTAL.")
        guard header.hasPrefix("bytes ") else { throw invalid }
        let parts = header.dropFirst("bytes ".count).split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw invalid }
        if parts[1] != "*" {
            guard let total = Int64(parts[1]), total >= 0 else { throw invalid }
            self.total = total
        }
        if parts[0] == "*" {
            guard bodyLength == 0 else { throw invalid }
            return
        }
        let bounds = parts[0].split(separator: "-").map { Int64($0) }
        guard bounds.count == 2, let start = bounds[0], let end = bounds[1], start >= 0, end >= start else { throw invalid }
        guard end - start == Int64(bodyLength) - 1 else {
            throw GoogleAPIError.invalidArgument("Content-Range \"\(header)\" does not match the body's \(bodyLength) bytes.")
        }
        self.start = start
    }
}
