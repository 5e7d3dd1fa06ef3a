/// A data row of a user's CSV, validated: the image URLs that proceed to processing and the
/// problems that are reported as failed items, so that nothing in the file is silently lost.
///
/// Row-validity rule: each URL stands on its own — the row's valid URLs proceed and each
/// invalid one is reported with its `index`. A row is rejected as a whole (no URL proceeds,
/// one problem with `index == nil`) when its product name is empty, it has no URLs, more URLs
/// than the limit, a field over the length limit, or more fields than the header.
public struct CSVRow: Sendable, Equatable {
    /// An image URL of the row and its 1-based position among the URLs written in its cell.
    public struct ImageURL: Sendable, Equatable {
        /// 1-based position in the cell, counting invalid URLs too, so it is stable across edits
        /// that only fix a URL; part of the item's name (`ROW-INDEX`).
        public let index: Int
        /// The URL as written, without surrounding whitespace.
        public let url: String

        /// A URL at `index` in its cell.
        public init(index: Int, url: String) {
            self.index = index
            self.url = url
        }
    }

    /// Why a URL (`index` set) or the whole row (`index` nil) cannot be processed.
    public struct Problem: Sendable, Equatable {
        /// The URL's 1-based position in the cell, or nil when the whole row is rejected.
        public let index: Int?
        /// What is wrong, naming the offending URL or value.
        public let reason: String

        /// A problem with URL `index`, or with the whole row when `index` is nil.
        public init(index: Int?, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    /// 1-based data row number (the header is row 0; blank lines take no number).
    public let number: Int
    /// The record's bytes in the file, line terminator included.
    public let byteRange: Range<Int>
    /// The row's fields, padded with empty strings to the header's width.
    public let fields: [String]
    /// The product name, without surrounding whitespace.
    public let product: String
    /// The URLs that proceed to processing.
    public let urls: [ImageURL]
    /// Every URL or row problem, to be reported as failed.
    public let invalid: [Problem]

    /// A validated row; public so tests and tools can build expected values.
    public init(number: Int, byteRange: Range<Int>, fields: [String], product: String, urls: [ImageURL], invalid: [Problem]) {
        self.number = number
        self.byteRange = byteRange
        self.fields = fields
        self.product = product
        self.urls = urls
        self.invalid = invalid
    }

    /// Whether the row is rejected as a whole, with nothing to process.
    public var isRejected: Bool { urls.isEmpty }
}
