import Foundation
import GoogleCloud
import NIOCore
import PipelineModel

/// `POST /v1/images`: one image as an asynchronous job of one item through the same pipeline.
/// The image is the raw body (an `image/*` content type; `recipe` and `product` as query
/// parameters), the `image` part of a `multipart/form-data` body after its optional `recipe`
/// and `webhookUrl` parts, or a JSON body `{"url", "recipe"?, "webhookUrl"?}`. Uploaded bytes
/// are streamed into the uploads bucket (`api-images/ID/image`) and named in the job's
/// one-row CSV as `gs://UPLOADS_BUCKET/api-images/ID/image`, which the process stage reads
/// through the Storage client; a URL is named as it is. The CSV then goes the way of every
/// `POST /v1/jobs` upload.
struct ImageSubmitter: Sendable {
    let configuration: ApiConfiguration
    let storage: StorageClient
    let jobs: JobSubmitter

    /// Image types accepted as uploads.
    static let imageTypes: Set<String> = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/heic", "image/heif", "image/tiff"]

    /// The request, as far as an image submission needs it.
    struct Input: Sendable {
        var contentType: String?
        /// Query parameters `recipe` and `product` (raw bodies).
        var recipe: String?
        var product: String?
    }

    /// Submits the image in `body` for `caller`.
    func submit<Body: AsyncSequence>(_ input: Input, caller: Caller, body: Body) async throws -> JobSubmitter.Accepted where Body.Element == ByteBuffer {
        let media = input.contentType.map(JobSubmitter.mediaType)
        let product = try Self.product(input.product)
        try await jobs.usage.checkActiveJobs(caller)
        switch media {
        case let type? where Self.imageTypes.contains(type):
            let options = JobOptions(recipe: input.recipe)
            _ = try options.validate(configuration)
            let source = try await storeImage(body, contentType: type, field: "body")
            return try await submitCSV(source: source, product: product, options: options, caller: caller, field: "body")
        case "application/json":
            var data = Data()
            for try await buffer in body {
                guard data.count + buffer.readableBytes <= configuration.maxFieldBytes else {
                    throw Problem.tooLarge("body", limit: configuration.maxFieldBytes)
                }
                data.append(contentsOf: buffer.readableBytesView)
            }
            let request = try ImageRequestBody(json: data)
            return try await submitCSV(source: request.url, product: product, options: request.options, caller: caller, field: "url")
        case "multipart/form-data":
            return try await submitMultipart(boundary: try MultipartStream.boundary(of: input.contentType ?? ""), product: product, caller: caller, body: body)
        default:
            throw Problem.unsupportedMediaType(media, expected: "an image (image/jpeg, image/png, image/webp, …), application/json {\"url\": …}, or multipart/form-data with an image part")
        }
    }

    /// A form: `recipe` and `webhookUrl` (small, held), then `image` (streamed), nothing after.
    private func submitMultipart<Body: AsyncSequence>(boundary: String, product: String, caller: Caller, body: Body) async throws -> JobSubmitter.Accepted where Body.Element == ByteBuffer {
        var options = JobOptions()
        var field: OptionField?
        var upload: ImageUpload?
        var source: String?
        do {
            try await MultipartStream.parse(body, boundary: boundary) { event in
                switch event {
                case .start(let part):
                    if source != nil || upload != nil {
                        throw Problem.invalid(part.name.isEmpty ? "body" : part.name, "part '\(part.name)' comes after the image part; send recipe and webhookUrl before image")
                    }
                    switch part.name {
                    case "image":
                        let type = part.contentType.map(JobSubmitter.mediaType) ?? ""
                        guard Self.imageTypes.contains(type) else {
                            throw Problem.unsupportedMediaType(type.isEmpty ? nil : type, expected: "an image type such as image/jpeg", field: "image")
                        }
                        _ = try options.validate(configuration)
                        upload = try await startImage(contentType: type, field: "image")
                    case "recipe", "webhookUrl":
                        field = OptionField(name: part.name)
                    default:
                        throw Problem.invalid(part.name.isEmpty ? "body" : part.name, "unexpected part '\(part.name.prefix(60))'; the form takes recipe, webhookUrl and image")
                    }
                case .body(let buffer):
                    if upload != nil {
                        try await upload!.write(buffer)
                    } else if field != nil {
                        try field!.append(buffer, limit: configuration.maxFieldBytes)
                    }
                case .end:
                    if let current = field {
                        current.apply(to: &options)
                        field = nil
                    } else if upload != nil {
                        source = try await upload!.finish()
                        upload = nil
                    }
                }
            }
        } catch {
            await upload?.cancel()
            throw error
        }
        guard let source else { throw Problem.invalid("image", "the form has no image part") }
        return try await submitCSV(source: source, product: product, options: options, caller: caller, field: "image")
    }

    /// Streams an image body into the uploads bucket; returns its `gs://` URI.
    private func storeImage<Body: AsyncSequence>(_ body: Body, contentType: String, field: String) async throws -> String where Body.Element == ByteBuffer {
        var upload = try await startImage(contentType: contentType, field: field)
        do {
            for try await buffer in body { try await upload.write(buffer) }
            return try await upload.finish()
        } catch {
            await upload.cancel()
            throw error
        }
    }

    private func startImage(contentType: String, field: String) async throws -> ImageUpload {
        let bucket = configuration.pipeline.uploadsBucket
        let name = "api-images/\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())/image"
        var options = StorageClient.UploadOptions(contentType: contentType)
        options.chunkSize = configuration.uploadChunkBytes
        let stream = try await storage.uploadStream(bucket: bucket, name: name, options: options)
        return ImageUpload(stream: stream, uri: "gs://\(bucket)/\(name)", field: field, limit: configuration.maxImageBytes)
    }

    /// Writes the job's one-row CSV and submits it like any other.
    private func submitCSV(source: String, product: String, options: JobOptions, caller: Caller, field: String) async throws -> JobSubmitter.Accepted {
        let csv = "S. No.,Product Name,Input Image Urls\r\n1,\(Self.quoted(product)),\(Self.quoted(source))\r\n"
        // The row is validated as every row is; an unusable URL is refused now rather than
        // becoming a failed item.
        var reader = CSVRowReader(limits: configuration.pipeline.csvLimits)
        let rows = (try? reader.consume(Data(csv.utf8))) ?? []
        let finalRows = (try? reader.finish()) ?? []
        if let row = (rows + finalRows).first, let invalid = row.invalid.first {
            throw Problem.invalid(field, "\(field): \(invalid.reason)")
        }
        var pending = try await jobs.begin(options: options, fileName: "image.csv", key: nil, caller: caller, field: field)
        do {
            try await pending.receiver.write(ByteBuffer(string: csv))
            return try await jobs.complete(&pending)
        } catch {
            await pending.receiver.cancel()
            throw error
        }
    }

    /// `product` when given (at most 200 characters), else `image`.
    static func product(_ value: String?) throws(Problem) -> String {
        guard let value else { return "image" }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw Problem.invalid("product", "product must be 1 to 200 characters")
        }
        return trimmed
    }

    /// A CSV field, quoted.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// An uploaded image streaming into the uploads bucket within `MAX_IMAGE_BYTES`.
struct ImageUpload {
    var stream: StorageUploadStream
    let uri: String
    let field: String
    let limit: Int
    var bytes = 0

    mutating func write(_ buffer: ByteBuffer) async throws {
        bytes += buffer.readableBytes
        guard bytes <= limit else { throw Problem.tooLarge(field, limit: limit) }
        try await stream.write(buffer.readableBytesView)
    }

    /// Completes the object; an empty image is refused.
    mutating func finish() async throws -> String {
        guard bytes > 0 else { throw Problem.invalid(field, "\(field) is empty: send the image's bytes") }
        _ = try await stream.finish()
        return uri
    }

    mutating func cancel() async {
        try? await stream.cancel()
    }
}
