import PixelPipeCore

/// The header row of a user's CSV and which of its columns carry the serial number, the
/// product name and the image URLs. All columns are kept: the output CSV repeats them.
///
/// Names are compared case- and punctuation-insensitively (only letters and digits count), so
/// `S. No.`, `s_no` and `Serial Number` all name the serial column. When two columns match the
/// serial or product role, the first one wins; two image-URL columns are refused instead, since
/// using one would silently drop the images listed in the other.
public struct CSVHeader: Sendable, Equatable {
    /// The column names as written in the file.
    public let columns: [String]
    /// The serial-number column (`S. No.`), which is optional.
    public let serialColumn: Int?
    /// The product-name column (`Product Name`).
    public let productColumn: Int
    /// The image-URL column (`Input Image Urls`).
    public let urlColumn: Int

    static let serialNames: Set<String> = ["sno", "serialnumber", "serialno", "serial", "no", "number", "srno"]
    static let productNames: Set<String> = ["productname", "product", "name", "productnames", "producttitle", "title"]
    static let urlNames: Set<String> = [
        "inputimageurls", "inputimageurl", "imageurls", "imageurl", "urls", "url",
        "inputurls", "inputurl", "images", "image", "imagelinks", "imagelink",
    ]

    /// Recognises a header from its column names; throws when there is no URL or product
    /// column, or when the names look like data rather than a header.
    public init(columns: [String]) throws(CSVStructuralError) {
        let normalized = columns.map(Self.normalize)
        let urlColumns = normalized.indices.filter { Self.urlNames.contains(normalized[$0]) }
        if urlColumns.count > 1 {
            throw .multipleURLColumns(columns: urlColumns.map { (columns[$0], $0 + 1) })
        }
        guard let urlColumn = urlColumns.first else {
            if Self.looksLikeData(columns) {
                throw .noHeader(
                    "the first row looks like data (\(Self.quoted(columns))), not a header; "
                        + "add a header row such as \"S. No.,Product Name,Input Image Urls\"")
            }
            throw .noURLColumn(
                "no column of image URLs in the header (\(Self.quoted(columns))); "
                    + "name it \"Input Image Urls\" (or \"image_urls\", \"url\")")
        }
        guard let productColumn = normalized.firstIndex(where: Self.productNames.contains) else {
            throw .noProductColumn(
                "no column of product names in the header (\(Self.quoted(columns))); name it \"Product Name\"")
        }
        self.columns = columns
        self.urlColumn = urlColumn
        self.productColumn = productColumn
        self.serialColumn = normalized.firstIndex(where: Self.serialNames.contains)
    }

    /// Lower-case letters and digits only: `"S. No."` → `"sno"`, `"Image_URLs"` → `"imageurls"`.
    static func normalize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }))
    }

    private static func looksLikeData(_ columns: [String]) -> Bool {
        columns.contains { value in
            let trimmed = value.trimmingWhitespace
            return trimmed.contains("://") || trimmed.lowercased().hasPrefix("www.")
                || (!trimmed.isEmpty && trimmed.allSatisfy(\.isNumber))
        }
    }

    private static func quoted(_ columns: [String]) -> String {
        columns.prefix(10).map { "\"\($0.prefix(60))\"" }.joined(separator: ", ")
    }
}
