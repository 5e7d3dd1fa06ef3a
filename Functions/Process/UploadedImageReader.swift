import Foundation
import GoogleCloud

/// Reads the images the jobs API stored in the uploads bucket (`POST /v1/images` with the
/// image's bytes): their CSV row names them `gs://UPLOADS_BUCKET/NAME`, and process reads them
/// through the Storage client instead of downloading. Only the configured uploads bucket is
/// read, so a CSV cannot make the stage read any other bucket it has access to; the size
/// limit is the downloader's (`MAX_IMAGE_BYTES`).
struct UploadedImageReader: Sendable {
    let storage: StorageClient
    /// `UPLOADS_BUCKET`.
    let bucket: String
    let maxBytes: Int

    /// Whether `url` is a `gs://` URI, which only this reader fetches.
    static func handles(_ url: String) -> Bool { url.hasPrefix("gs://") }

    /// The object's bytes; a permanent failure for another bucket, a missing or too large
    /// object, a transient one when Storage may answer later.
    func read(_ url: String) async throws(ImageFailure) -> Data {
        let rest = url.dropFirst("gs://".count)
        guard let slash = rest.firstIndex(of: "/"), rest[..<slash] == bucket, rest.index(after: slash) < rest.endIndex else {
            throw ImageFailure(source: url, reason: "only objects of the uploads bucket gs://\(bucket)/ can be read", isTransient: false, kind: "uploadedSource")
        }
        let name = String(rest[rest.index(after: slash)...])
        do {
            let object = try await storage.metadata(bucket: bucket, name: name)
            if let size = object.byteCount, size > Int64(maxBytes) {
                throw ImageFailure(source: url, reason: "the image is \(size) bytes, over the limit of \(maxBytes)", isTransient: false, kind: "uploadedSource")
            }
            return try await storage.download(bucket: bucket, name: name)
        } catch let failure as ImageFailure {
            throw failure
        } catch let error as GoogleAPIError where error.isNotFound {
            throw ImageFailure(source: url, reason: "no such object", isTransient: false, kind: "uploadedSource")
        } catch {
            let transient = (error as? GoogleAPIError)?.isTransient ?? true
            throw ImageFailure(source: url, reason: "could not read the object: \(error)", isTransient: transient, kind: "uploadedSource")
        }
    }
}
