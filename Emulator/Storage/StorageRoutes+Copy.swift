import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird

extension StorageRoutes {
    /// Rewrites copy at most this many bytes per call unless `maxBytesRewrittenPerCall` says
    /// otherwise, so large objects take several calls (and their clients' token loop) as they
    /// can on Google.
    static let defaultRewriteBytesPerCall: Int64 = 16 << 20

    /// A `POST` on an object path: `…/o/SRC/copyTo/b/DB/o/DST`, `…/o/SRC/rewriteTo/b/DB/o/DST`
    /// or `…/o/DST/compose`. Names are usually percent-encoded single segments; with raw
    /// slashes the verb is found by its `b`/`o` neighbours.
    func objectAction(segments: [String], request: Request) async throws -> Response {
        let bucket = try Self.bucketName(segments[3])
        let tail = Array(segments[5...])
        for (index, verb) in tail.enumerated() where index >= 1 && (verb == "copyTo" || verb == "rewriteTo") {
            guard tail.count >= index + 5, tail[index + 1] == "b", tail[index + 3] == "o" else { continue }
            let source = try ObjectReference(bucket: bucket, name: Self.objectName(tail[..<index].joined(separator: "/")))
            let destination = try ObjectReference(bucket: Self.bucketName(tail[index + 2]),
                                                   name: Self.objectName(tail[(index + 4)...].joined(separator: "/")))
            return try await copy(from: source, to: destination, rewrite: verb == "rewriteTo", request: request)
        }
        if tail.count >= 2, tail.last == "compose" {
            return try await compose(bucket: bucket, name: try Self.objectName(tail.dropLast().joined(separator: "/")), request: request)
        }
        throw Self.unimplemented(request)
    }

    /// `objects.copy` and `objects.rewrite`: the destination gets the source's bytes, and its
    /// metadata unless the body gives some. A rewrite answers `done: false` with a token until
    /// the token's byte count reaches the object's size, then copies.
    private func copy(from source: ObjectReference, to destination: ObjectReference, rewrite: Bool, request: Request) async throws -> Response {
        let query = request.apiQuery
        let body = try await collect(request)
        let given = body.isEmpty ? nil : try APIJSON.decode(StorageObjectMetadata.self, from: body)
        let object = try await store.object(bucket: source.bucket, name: source.name)
        try Self.checkSourceGeneration(query, object)
        try StoragePreconditions(sourceQuery: query).check(object)
        if rewrite {
            let perCall = try query.int64("maxBytesRewrittenPerCall").map { max($0, 1) } ?? Self.defaultRewriteBytesPerCall
            let previous = try query["rewriteToken"].map { try RewriteToken(text: $0, source: object, destination: destination) }?.rewritten ?? 0
            let rewritten = min(object.size, previous + perCall)
            if rewritten < object.size {
                let token = RewriteToken(sourceBucket: object.bucket, sourceName: object.name, sourceGeneration: object.generation,
                                         destinationBucket: destination.bucket, destinationName: destination.name, rewritten: rewritten)
                return try APIJSON.response(RewriteResponse(totalBytesRewritten: String(rewritten), objectSize: String(object.size),
                                                            done: false, rewriteToken: try token.text(), resource: nil))
            }
        }
        var attributes = given.flatMap { $0.hasAttributes ? $0 : nil } ?? object.attributes
        attributes.name = nil
        attributes.bucket = nil
        if attributes.contentType == nil { attributes.contentType = object.contentType }
        let layout = store.layout
        let written = try await BlockingIO.run { try layout.concatenate([object.location]) }
        // The source may be replaced in place while it is read; never label new bytes with the old generation.
        guard written.checksums.finish().md5 == object.md5Hash else {
            unlink(written.path)
            throw GoogleAPIError.unavailable("The source object \(object.bucket)/\(object.name) changed while it was copied; retry.")
        }
        let copied = try await store.commitObject(bucket: destination.bucket, name: destination.name, attributes: attributes,
                                                  temporary: written.path, checksums: written.checksums,
                                                  preconditions: try StoragePreconditions(query: query))
        let resource = copied.resource(origin: request.originForLinks)
        guard rewrite else { return try APIJSON.response(resource) }
        return try APIJSON.response(RewriteResponse(totalBytesRewritten: String(object.size), objectSize: String(object.size),
                                                    done: true, rewriteToken: nil, resource: resource))
    }

    /// `sourceGeneration=` names the generation to copy; only the live one is kept.
    private static func checkSourceGeneration(_ query: APIQuery, _ object: StoredObject) throws {
        if let generation = try query.int64("sourceGeneration"), generation != object.generation {
            throw GoogleAPIError.notFound("No such object: \(object.bucket)/\(object.name)#\(generation)")
        }
    }
}

/// A bucket and object name.
struct ObjectReference: Sendable, Equatable {
    var bucket: String
    var name: String
}

/// `storage#rewriteResponse`.
struct RewriteResponse: Encodable, Sendable {
    var kind = "storage#rewriteResponse"
    var totalBytesRewritten: String
    var objectSize: String
    var done: Bool
    var rewriteToken: String?
    var resource: StorageObjectResource?
}

/// What a rewrite's `rewriteToken` carries between calls: the source generation it started
/// from and how many bytes count as rewritten. Stateless, so a restart does not lose it.
struct RewriteToken: Codable, Sendable, Equatable {
    var sourceBucket: String
    var sourceName: String
    var sourceGeneration: Int64
    var destinationBucket: String
    var destinationName: String
    var rewritten: Int64

    init(sourceBucket: String, sourceName: String, sourceGeneration: Int64, destinationBucket: String, destinationName: String, rewritten: Int64) {
        self.sourceBucket = sourceBucket
        self.sourceName = sourceName
        self.sourceGeneration = sourceGeneration
        self.destinationBucket = destinationBucket
        self.destinationName = destinationName
        self.rewritten = rewritten
    }

    /// Reads a token; 400 when it is malformed or belongs to another rewrite or generation.
    init(text: String, source: StoredObject, destination: ObjectReference) throws {
        guard let data = Data(base64Encoded: text), let token = try? JSONDecoder().decode(RewriteToken.self, from: data) else {
            throw GoogleAPIError.invalidArgument("Invalid rewriteToken \"\(text.prefix(40))\"; pass the token the previous rewrite call returned.")
        }
        guard token.sourceBucket == source.bucket, token.sourceName == source.name,
              token.destinationBucket == destination.bucket, token.destinationName == destination.name else {
            throw GoogleAPIError.invalidArgument("The rewriteToken belongs to a different rewrite; restart the rewrite without it.")
        }
        guard token.sourceGeneration == source.generation else {
            throw GoogleAPIError.preconditionFailed("The source object changed since the rewrite started; restart the rewrite without a token.")
        }
        self = token
    }

    func text() throws -> String { try JSONEncoder().encode(self).base64EncodedString() }
}

extension StoragePreconditions {
    /// `ifSourceGenerationMatch` and its siblings, checked against a copy's source.
    init(sourceQuery query: APIQuery) throws {
        let renamed = APIQuery(raw: [
            ("ifSourceGenerationMatch", "ifGenerationMatch"), ("ifSourceGenerationNotMatch", "ifGenerationNotMatch"),
            ("ifSourceMetagenerationMatch", "ifMetagenerationMatch"), ("ifSourceMetagenerationNotMatch", "ifMetagenerationNotMatch"),
        ].compactMap { source, target in query[source].map { "\(target)=\($0)" } }.joined(separator: "&"))
        try self.init(query: renamed)
    }
}

extension StorageObjectMetadata {
    /// Whether any destination attribute is set (a copy's body may name only the object).
    var hasAttributes: Bool {
        contentType != nil || contentEncoding != nil || contentDisposition != nil || contentLanguage != nil || cacheControl != nil || metadata != nil
    }
}

extension StoredObject {
    /// The attributes a copy carries over.
    var attributes: StorageObjectMetadata {
        StorageObjectMetadata(contentType: contentType, contentEncoding: contentEncoding, contentDisposition: contentDisposition,
                              contentLanguage: contentLanguage, cacheControl: cacheControl, metadata: metadata.map { $0.mapValues { Optional($0) } })
    }
}
