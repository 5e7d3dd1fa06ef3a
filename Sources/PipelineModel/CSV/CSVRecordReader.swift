/// A streaming RFC 4180 reader: bytes go in as chunks of any size, complete records come out
/// with their row number and byte range, and nothing but the record being read is buffered.
///
/// Written by hand because no CSV package available here streams with byte offsets: SwiftCSV
/// parses a whole `String`, and yaslab's CSV.swift reads an `InputStream` but neither reports
/// where a record starts and ends in the file nor resumes at an offset, both of which ingest
/// (sharding at row boundaries) and populate (re-reading a shard with an HTTP Range) need.
///
/// Accepted beyond RFC 4180: LF or a lone CR as line terminator as well as CRLF; a UTF-8
/// byte-order mark at the very start of the file (only when `startOffset` is 0); blank lines,
/// and lines whose fields are all empty, which are skipped and take no row number; a quote
/// inside an unquoted field, or text after a closing quote, kept literally rather than
/// rejecting the file (`5" screen`). NUL bytes and invalid UTF-8 make the file "not text".
public struct CSVRecordReader: Sendable {
    private enum State: UInt8, Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterCR
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private let limits: CSVLimits
    private var state = State.fieldStart
    /// Absolute offset of the next byte to be consumed.
    private var offset: Int
    private var recordStart: Int
    private var quoteOpenedAt = 0
    private var nextNumber: Int
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var fieldTooLong = false
    private var problem: String?
    private var readingByteOrderMark: Bool
    private var failure: CSVStructuralError?
    private var output: [CSVRecord] = []

    /// A reader positioned at `startOffset` of the file, at a record boundary, whose first
    /// record gets `firstRowNumber`. From the file's start: `startOffset: 0, firstRowNumber: 0`,
    /// so the header is record 0 and data rows count from 1.
    public init(startOffset: Int = 0, firstRowNumber: Int = 0, limits: CSVLimits = CSVLimits()) {
        self.limits = limits
        self.offset = startOffset
        self.recordStart = startOffset
        self.nextNumber = firstRowNumber
        self.readingByteOrderMark = startOffset == 0
        field.reserveCapacity(256)
    }

    /// Bytes consumed so far, as an absolute offset in the file.
    public var position: Int { offset }

    /// Reads a chunk and returns the records it completed; a record that continues into the
    /// next chunk is returned by a later call. After an error every call throws it again.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(CSVStructuralError) -> [CSVRecord] {
        if let failure { throw failure }
        if offset + chunk.count > limits.maxFileBytes {
            let failure = CSVStructuralError.tooLarge("the file is larger than the limit of \(limits.maxFileBytes) bytes")
            self.failure = failure
            throw failure
        }
        let done: Void? = chunk.withContiguousStorageIfAvailable { read($0) }
        if done == nil {
            Array(chunk).withUnsafeBufferPointer { read($0) }
        }
        if let failure { throw failure }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// Ends the input: returns the last record when the file does not end with a line
    /// terminator, and throws if a quoted field is still open.
    public mutating func finish() throws(CSVStructuralError) -> [CSVRecord] {
        if let failure { throw failure }
        if readingByteOrderMark && offset > 0 {
            failure = .notText("the file starts with an incomplete byte-order mark")
        }
        switch state {
        case .quoted:
            failure = .unterminatedQuote(
                "\(currentRowName): the quoted field opened at byte \(quoteOpenedAt) is not closed before the end of the file",
                row: nextNumber)
        case .afterCR:
            endRecord(end: offset)
        case .unquoted, .quoteInQuoted:
            endField()
            endRecord(end: offset)
        case .fieldStart:
            if !fields.isEmpty {
                endField()
                endRecord(end: offset)
            }
        }
        if let failure { throw failure }
        state = .fieldStart
        defer { output.removeAll() }
        return output
    }

    private mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) {
        let base = offset
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == 0 {
                failure = .notText("NUL byte at offset \(base + index) (\(currentRowName)): the file is binary, not CSV text")
                return
            }
            if readingByteOrderMark {
                let position = base + index
                if byte == Self.byteOrderMark[position] {
                    index += 1
                    if position == 2 {
                        readingByteOrderMark = false
                        recordStart = 3
                    }
                    continue
                } else if position == 0 {
                    readingByteOrderMark = false
                } else {
                    failure = .notText("the file starts with an incomplete byte-order mark")
                    return
                }
            }
            switch state {
            case .fieldStart:
                switch byte {
                case Self.quote:
                    state = .quoted
                    quoteOpenedAt = base + index
                case Self.comma, Self.cr, Self.lf:
                    separate(byte, at: base + index)
                default:
                    append(byte)
                    state = .unquoted
                }
            case .unquoted:
                switch byte {
                case Self.comma, Self.cr, Self.lf:
                    separate(byte, at: base + index)
                default:
                    append(byte)
                }
            case .quoted:
                if byte == Self.quote {
                    state = .quoteInQuoted
                } else {
                    append(byte)
                }
            case .quoteInQuoted:
                switch byte {
                case Self.quote:
                    append(byte)
                    state = .quoted
                case Self.comma, Self.cr, Self.lf:
                    separate(byte, at: base + index)
                default:
                    append(byte)
                    state = .unquoted
                }
            case .afterCR:
                state = .fieldStart
                if byte == Self.lf {
                    endRecord(end: base + index + 1)
                } else {
                    // A lone CR ended the record; this byte starts the next one.
                    endRecord(end: base + index)
                    continue
                }
            }
            if failure != nil { return }
            index += 1
        }
        offset = base + count
    }

    /// "row N" for messages; record 0 is the header.
    private var currentRowName: String { nextNumber == 0 ? "the header" : "row \(nextNumber)" }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        if field.count < limits.maxFieldBytes {
            field.append(byte)
        } else {
            fieldTooLong = true
        }
    }

    /// Ends the field at a comma, CR or LF outside quotes; LF (and CR, once the next byte is
    /// seen) also ends the record.
    @inline(__always)
    private mutating func separate(_ byte: UInt8, at position: Int) {
        endField()
        switch byte {
        case Self.cr: state = .afterCR
        case Self.lf:
            endRecord(end: position + 1)
            state = .fieldStart
        default: state = .fieldStart
        }
    }

    private mutating func endField() {
        defer {
            field.removeAll(keepingCapacity: true)
            fieldTooLong = false
        }
        if fields.count >= limits.maxFieldsPerRecord {
            if problem == nil { problem = "more than \(limits.maxFieldsPerRecord) fields" }
            return
        }
        if fieldTooLong {
            if problem == nil { problem = "field \(fields.count + 1) is longer than \(limits.maxFieldBytes) bytes" }
            fields.append("")
            return
        }
        guard let text = String(validating: field, as: UTF8.self) else {
            failure = .notText("invalid UTF-8 in \(currentRowName), field \(fields.count + 1): the file must be UTF-8 text")
            return
        }
        fields.append(text)
    }

    private mutating func endRecord(end: Int) {
        defer {
            fields.removeAll(keepingCapacity: true)
            problem = nil
            recordStart = end
        }
        guard failure == nil else { return }
        if problem == nil && fields.allSatisfy(\.isEmpty) { return }
        output.append(CSVRecord(number: nextNumber, byteRange: recordStart..<end, fields: fields, problem: problem))
        nextNumber += 1
    }
}
