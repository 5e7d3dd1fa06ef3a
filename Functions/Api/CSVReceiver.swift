import Crypto
import Foundation
import GoogleCloud
import NIOCore
import PipelineModel

/// A CSV arriving piece by piece: each piece is checked against the size limit, validated
/// with the pipeline's own reader (header, structure, rows) and written to the resumable
/// upload, so only one upload chunk is ever held. Any refusal cancels the upload, leaving no
/// object. Without an upload it only measures and fingerprints the bytes (a retried
/// `Idempotency-Key`, whose object exists).
struct CSVReceiver {
    /// The request field the CSV came in (`body` or the multipart part `csv`).
    let field: String
    let limit: Int
    private var upload: StorageUploadStream?
    private var reader: CSVRowReader
    private var md5 = Insecure.MD5()
    private(set) var bytes = 0
    private(set) var rows = 0
    /// Image URLs in the rows so far: what the job will process.
    private(set) var images = 0
    /// The MD5 of every byte, base64 as Storage reports `md5Hash`, once `finish` has checked them.
    private(set) var digest: String?

    init(field: String, limit: Int, csvLimits: CSVLimits, upload: StorageUploadStream?) {
        self.field = field
        self.limit = limit
        self.upload = upload
        reader = CSVRowReader(limits: csvLimits)
    }

    /// Takes the next piece.
    mutating func write(_ buffer: ByteBuffer) async throws {
        bytes += buffer.readableBytes
        guard bytes <= limit else { throw Problem.tooLarge(field, limit: limit) }
        buffer.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
        do {
            count(try reader.consume(buffer.readableBytesView))
        } catch {
            throw Self.problem(error, field: field)
        }
        try await upload?.write(buffer.readableBytesView)
    }

    private mutating func count(_ completed: [CSVRow]) {
        rows += completed.count
        images += completed.reduce(0) { $0 + $1.urls.count }
    }

    /// Ends the CSV: the last checks, then `admit` (given the image count; it may refuse), then
    /// the upload is completed. Returns the object (nil without an upload) and the MD5 of the
    /// bytes, base64 as Storage reports `md5Hash`.
    mutating func finish(admit: (Int) async throws -> Void = { _ in }) async throws -> (object: StorageObject?, md5: String) {
        do {
            count(try reader.finish())
        } catch {
            throw Self.problem(error, field: field)
        }
        guard rows > 0 else {
            throw Problem.invalidCSV("the CSV in \(field) has a header but no data rows", field: field)
        }
        let digest = Data(md5.finalize()).base64EncodedString()
        self.digest = digest
        if upload != nil { try await admit(images) }
        let object = try await upload?.finish()
        return (object, digest)
    }

    /// Abandons the upload (nothing is left in the bucket).
    mutating func cancel() async {
        try? await upload?.cancel()
    }

    /// The problem a structural error of the CSV stands for, naming the header or row.
    static func problem(_ error: CSVStructuralError, field: String) -> Problem {
        let header: String?
        if error == .noURLColumn { header = "Input Image Urls" }
        else if error == .noProductColumn { header = "Product Name" }
        else if error == .multipleURLColumns || error == .noHeader { header = "S. No.,Product Name,Input Image Urls" }
        else { header = nil }
        let detail = error.reason.isEmpty ? error.description : error.reason
        return .invalidCSV("\(field): \(detail)", field: field, row: error.row, header: header)
    }
}
