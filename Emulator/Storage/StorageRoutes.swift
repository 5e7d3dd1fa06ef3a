import Foundation
import GoogleCloud
import HTTPTypes
import Hummingbird
import NIOCore

/// Cloud Storage JSON API v1: `/storage/v1/b…`, `/upload/storage/v1/b/B/o` (also under
/// `/resumable`, where gcloud starts sessions), `/download/storage/v1/b/B/o/NAME` and
/// `/batch/storage/v1`. Object names are read from the raw path, so `a%2Fb.csv` and `a/b.csv`
/// after `/o/` both name the object `a/b.csv`. Anything else under these prefixes is
/// `UNIMPLEMENTED` at once. The XML API for signed URLs is `XMLAPIRoutes`.
struct StorageRoutes: APIRouteGroup {
    let store: StorageStore
    let limits: APILimits

    func register(on router: Router<BasicRequestContext>) {
        registerAllMethods("storage/v1/b", on: router) { request, _ in try await handleJSONAPI(request) }
        registerAllMethods("storage/v1/b/**", on: router) { request, _ in try await handleJSONAPI(request) }
        registerAllMethods("storage/v1/**", on: router) { request, _ in throw Self.unimplemented(request) }
        registerAllMethods("upload/storage/v1/b/**", on: router) { request, _ in try await handleUpload(request) }
        // gcloud and gsutil start resumable uploads here rather than under /upload.
        registerAllMethods("resumable/upload/storage/v1/b/**", on: router) { request, _ in try await handleUpload(request) }
        registerAllMethods("download/storage/v1/b/**", on: router) { request, _ in try await handleDownloadPath(request) }
        registerAllMethods("batch/storage/v1", on: router) { request, _ in try await handleBatch(request) }
    }

    /// A Storage call the emulator does not serve. 400 rather than Google's 501: gcloud retries
    /// a 501 for half a minute, and a 404 reads as "bucket not found".
    static func unimplemented(_ request: Request) -> GoogleAPIError {
        GoogleAPIError(.unimplemented, status: .badRequest,
                       "The Storage method \(request.method) \(request.uri.path) is not implemented by the emulator.")
    }

    // MARK: /storage/v1

    func handleJSONAPI(_ request: Request) async throws -> Response {
        let segments = try request.apiPath(splitVerb: false).segments
        let query = request.apiQuery
        switch (segments.count, request.method) {
        case (3, .get):
            let page = try await store.listBuckets(pageSize: try PageToken.size(query.int("maxResults"), fallback: 1000, maximum: 1000),
                                                   after: try PageToken.key(from: query["pageToken"]), prefix: query["prefix"])
            return try APIJSON.response(StorageBucketList(items: page.buckets.isEmpty ? nil : page.buckets, nextPageToken: page.next.map(PageToken.make(after:))))
        case (3, .post):
            let body = try await request.decodeJSON(StorageBucketRequest.self, limit: limits.maxRequestBytes)
            let name = try Self.bucketName(body.name ?? "")
            return try APIJSON.response(try await store.createBucket(body, name: name))
        case (4, .get):
            return try APIJSON.response(try await store.bucket(try Self.bucketName(segments[3])))
        case (4, .delete):
            try await store.deleteBucket(try Self.bucketName(segments[3]))
            return Response(status: .noContent)
        case (4, .patch), (4, .put):
            return try await updateBucket(try Self.bucketName(segments[3]), request: request)
        case (5, .get) where segments[4] == "storageLayout":
            return try await storageLayout(try Self.bucketName(segments[3]))
        case (5, .get) where segments[4] == "managedFolders":
            return try await managedFolders(try Self.bucketName(segments[3]))
        case (5, .get) where segments[4] == "o":
            return try await list(bucket: try Self.bucketName(segments[3]), query: query, origin: request.originForLinks)
        case (6..., .post) where segments[4] == "o":
            return try await objectAction(segments: segments, request: request)
        case (6..., _) where segments[4] == "o":
            let bucket = try Self.bucketName(segments[3])
            let name = try Self.objectName(segments[5...].joined(separator: "/"))
            switch request.method {
            case .get where query["alt"] == "media":
                return try await download(bucket: bucket, name: name, request: request)
            case .get:
                let object = try await store.object(bucket: bucket, name: name)
                try Self.checkGeneration(query, object)
                try StoragePreconditions(query: query).check(object)
                return try APIJSON.response(object.resource(origin: request.originForLinks))
            case .delete:
                try await store.deleteObject(bucket: bucket, name: name, preconditions: try StoragePreconditions(query: query))
                return Response(status: .noContent)
            case .patch, .put:
                // PATCH merges into the metadata; PUT (`objects.update`) replaces all of it.
                let patch = try await request.decodeJSON(StorageObjectMetadata.self, limit: limits.maxRequestBytes)
                let object = try await store.patchObject(bucket: bucket, name: name, patch: patch, replace: request.method == .put,
                                                         preconditions: try StoragePreconditions(query: query))
                return try APIJSON.response(object.resource(origin: request.originForLinks))
            default:
                throw Self.unimplemented(request)
            }
        default:
            throw Self.unimplemented(request)
        }
    }

    private func list(bucket: String, query: APIQuery, origin: String) async throws -> Response {
        let page = try await store.listObjects(
            bucket: bucket, prefix: query["prefix"] ?? "", delimiter: query["delimiter"],
            maxResults: try PageToken.size(query.int("maxResults"), fallback: 1000, maximum: 1000),
            after: try PageToken.key(from: query["pageToken"])
        )
        return try APIJSON.response(StorageObjectList(
            items: page.objects.isEmpty ? nil : page.objects.map { $0.resource(origin: origin) },
            prefixes: page.prefixes.isEmpty ? nil : page.prefixes,
            nextPageToken: page.next.map(PageToken.make(after:))
        ))
    }

    // MARK: Downloads

    private func handleDownloadPath(_ request: Request) async throws -> Response {
        let segments = try request.apiPath(splitVerb: false).segments
        guard request.method == .get, segments.count >= 7, segments[5] == "o" else { throw Self.unimplemented(request) }
        return try await download(bucket: try Self.bucketName(segments[4]), name: try Self.objectName(segments[6...].joined(separator: "/")), request: request)
    }

    func download(bucket: String, name: String, request: Request) async throws -> Response {
        let query = request.apiQuery
        let object = try await store.object(bucket: bucket, name: name)
        try Self.checkGeneration(query, object)
        try StoragePreconditions(query: query).check(object)
        let range = try ByteRange.resolve(request.headers[.range], size: object.size)
        let layout = store.layout
        let data = try await BlockingIO.run { try layout.read(object.location, range: range) }
        var headers = HTTPFields()
        headers[.contentType] = object.contentType
        headers[.eTag] = object.etag
        headers[.acceptRanges] = "bytes"
        headers[.lastModified] = Self.httpDate(object.updated)
        headers[Self.generationHeader] = String(object.generation)
        headers[Self.metagenerationHeader] = String(object.metageneration)
        headers[Self.storedLengthHeader] = String(object.size)
        headers[Self.hashHeader] = "crc32c=\(object.crc32c),md5=\(object.md5Hash)"
        if let encoding = object.contentEncoding { headers[.contentEncoding] = encoding }
        if let disposition = object.contentDisposition { headers[.contentDisposition] = disposition }
        if let cacheControl = object.cacheControl { headers[.cacheControl] = cacheControl }
        headers[.contentLength] = String(data.count)
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(object.size)"
            return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: Names and headers

    /// Checks a bucket name as Cloud Storage does (3–63 of `[a-z0-9_.-]`, alphanumeric at both
    /// ends), which also makes it a safe folder name.
    static func bucketName(_ name: String) throws -> String {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
        let endsOK = name.first.map { $0.isLetter || $0.isNumber } == true && name.last.map { $0.isLetter || $0.isNumber } == true
        guard (3...63).contains(name.count), allowed, endsOK, !name.contains("..") else {
            throw GoogleAPIError.invalidArgument("Invalid bucket name: \"\(name)\". Use 3-63 lowercase letters, digits, dashes, underscores or dots, starting and ending with a letter or digit.")
        }
        return name
    }

    /// Checks an object name as Cloud Storage does (1–1024 bytes of UTF-8, no CR or LF, not
    /// `.` or `..`). Names that cannot be files are still valid: `ObjectLayout` keeps those apart.
    static func objectName(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 1024, !name.contains("\r"), !name.contains("\n"), name != ".", name != ".." else {
            throw GoogleAPIError.invalidArgument("Invalid object name \"\(name.prefix(100))\": names are 1-1024 bytes of UTF-8 without CR or LF, and not \".\" or \"..\".")
        }
        return name
    }

    /// `generation=` selects a generation; only the live one is kept, so others are 404.
    static func checkGeneration(_ query: APIQuery, _ object: StoredObject) throws {
        if let generation = try query.int64("generation"), generation != object.generation {
            throw GoogleAPIError.notFound("No such object: \(object.bucket)/\(object.name)#\(generation)")
        }
    }

    static let generationHeader = HTTPField.Name("x-goog-generation")!
    static let metagenerationHeader = HTTPField.Name("x-goog-metageneration")!
    static let storedLengthHeader = HTTPField.Name("x-goog-stored-content-length")!
    static let hashHeader = HTTPField.Name("x-goog-hash")!

    static func httpDate(_ time: GoogleTimestamp) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(time.microseconds) / 1_000_000))
    }
}
