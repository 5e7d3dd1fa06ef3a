import GoogleCloud
import PixelPipeCore
/// Why a whole CSV file was rejected (ARCHITECTURE §6): the job fails with this reason recorded
/// on it and in its error report. Permanent: the same bytes fail the same way on every retry.
/// Compare with the static members (`error == .noURLColumn`); `reason` says what to fix.
public struct CSVStructuralError: Error, Sendable, Equatable, CustomStringConvertible, RetryClassifiedError {
    private enum Code: String, Sendable {
        case empty, notText, noHeader, noURLColumn, multipleURLColumns, noProductColumn, unterminatedQuote, tooLarge
    }

    private let code: Code
    /// What is wrong with the file and where, in words a user can act on.
    public let reason: String
    /// The 1-based data row concerned, when the error is about one (0 is the header).
    public let row: Int?

    private init(_ code: Code, reason: String = "", row: Int? = nil) {
        self.code = code
        self.reason = reason
        self.row = row
    }

    /// The file holds no records at all.
    public static let empty = CSVStructuralError(.empty)
    /// The bytes are not UTF-8 text (invalid sequences or NUL bytes).
    public static let notText = CSVStructuralError(.notText)
    /// The first record looks like data, not a header.
    public static let noHeader = CSVStructuralError(.noHeader)
    /// The header has no column of image URLs.
    public static let noURLColumn = CSVStructuralError(.noURLColumn)
    /// The header has more than one column of image URLs.
    public static let multipleURLColumns = CSVStructuralError(.multipleURLColumns)
    /// The header has no column of product names.
    public static let noProductColumn = CSVStructuralError(.noProductColumn)
    /// A quoted field is still open at the end of the file.
    public static let unterminatedQuote = CSVStructuralError(.unterminatedQuote)
    /// The file is over the configured size limit.
    public static let tooLarge = CSVStructuralError(.tooLarge)

    static func empty(_ reason: String) -> Self { .init(.empty, reason: reason) }
    static func notText(_ reason: String) -> Self { .init(.notText, reason: reason) }
    static func noHeader(_ reason: String) -> Self { .init(.noHeader, reason: reason) }
    static func noURLColumn(_ reason: String) -> Self { .init(.noURLColumn, reason: reason) }
    static func noProductColumn(_ reason: String) -> Self { .init(.noProductColumn, reason: reason) }

    /// Several header columns name image URLs, given as (header text, 1-based column number):
    /// `two image URL columns: "Input Image Urls" (column 3) and "image_url" (column 5); keep one`.
    static func multipleURLColumns(columns: [(name: String, number: Int)]) -> Self {
        let named = columns.map { "\"\($0.name.prefix(60))\" (column \($0.number))" }
        let count = [2: "two", 3: "three", 4: "four"][columns.count] ?? String(columns.count)
        let list = named.dropLast().joined(separator: ", ") + " and " + (named.last ?? "")
        return .init(.multipleURLColumns, reason: "\(count) image URL columns: \(list); keep one, with every URL of a row in its cell")
    }
    static func unterminatedQuote(_ reason: String, row: Int) -> Self { .init(.unterminatedQuote, reason: reason, row: row) }
    static func tooLarge(_ reason: String) -> Self { .init(.tooLarge, reason: reason) }

    /// A file of `size` bytes over `limit`, known from its metadata before reading a byte.
    public static func tooLarge(size: Int64, limit: Int) -> Self {
        .tooLarge("the file is \(size) bytes, larger than the limit of \(limit) bytes")
    }

    /// Equal when the kind is the same; the reason and row are detail.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    /// Always false: the same bytes fail the same way, so the job is rejected, not retried.
    public var isTransient: Bool { false }

    /// A short, stable name of the kind, safe as a metrics label.
    public var kind: String { code.rawValue }

    /// The kind and the reason, for logs and the job's error report.
    public var description: String { reason.isEmpty ? code.rawValue : "\(code.rawValue): \(reason)" }
}
