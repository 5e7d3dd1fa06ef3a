import PipelineModel
import Testing

@Suite("CSV structural errors")
struct CSVStructuralErrorTests {
    static let cases: [(String, [UInt8], CSVStructuralError, String)] = [
        ("empty file", [], .empty, "empty"),
        ("only blank lines", Array("\r\n\n\n".utf8), .empty, "empty"),
        ("binary with NUL", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00], .notText, "invalid UTF-8 in the header"),
        ("NUL inside a field", Array("Product Name,url\na\u{0}b,https://x.example/a.jpg\n".utf8), .notText, "NUL byte"),
        ("invalid UTF-8", Array("Product Name,url\n".utf8) + [0x43, 0x61, 0x66, 0xE9] + Array(",https://x.example/\n".utf8), .notText, "invalid UTF-8 in row 1"),
        ("incomplete BOM", [0xEF, 0xBB] + Array("a,b\n".utf8), .notText, "byte-order mark"),
        ("no URL column", Array("S. No.,Product Name,Price\n1,A,3\n".utf8), .noURLColumn, "no column of image URLs"),
        ("two URL columns", Array("S. No.,Product Name,Input Image Urls,Price,image_url\n1,A,https://x.example/a.jpg,3,https://x.example/b.jpg\n".utf8),
         .multipleURLColumns, #"two image URL columns: "Input Image Urls" (column 3) and "image_url" (column 5); keep one"#),
        ("no product column", Array("S. No.,Image Urls\n1,https://x.example/a.jpg\n".utf8), .noProductColumn, "no column of product names"),
        ("no header: first row is data", Array("1,Shoe,https://x.example/a.jpg\n".utf8), .noHeader, "looks like data"),
        ("unterminated quote", Array("Product Name,url\nA,https://x.example/a.jpg\nB,\"https://x.example/b.jpg\n".utf8), .unterminatedQuote, "row 2"),
    ]

    @Test("each structural error rejects the file with its reason", arguments: cases)
    func structural(name: String, bytes: [UInt8], expected: CSVStructuralError, reason: String) {
        let error = csvStructuralError(bytes)
        #expect(error == expected, "\(name)")
        #expect(error?.reason.contains(reason) == true, "\(name): \(error?.reason ?? "no error")")
    }

    @Test("a header without data rows is not an error; structural errors are permanent")
    func headerOnly() throws {
        let (header, rows) = try csvRows(Array("S. No.,Product Name,Input Image Urls\r\n".utf8))
        #expect(header?.urlColumn == 2)
        #expect(rows.isEmpty)
        #expect(csvStructuralError([])?.isTransient == false)
        #expect(csvStructuralError([])?.kind == "empty")
    }

    @Test("an unterminated quote names its row")
    func unterminatedRow() {
        #expect(csvStructuralError(Array("Product Name,url\nA,\"x\n".utf8))?.row == 1)
    }

    @Test("a file over the size limit is rejected before its bytes are read")
    func tooLarge() {
        var limits = CSVLimits()
        limits.maxFileBytes = 40
        let bytes = Array(("Product Name,url\n" + String(repeating: "A,https://x.example/a.jpg\n", count: 3)).utf8)
        let error = csvStructuralError(bytes, limits: limits)
        #expect(error == .tooLarge)
        #expect(error?.reason.contains("40 bytes") == true)
        #expect(csvStructuralError(Array(bytes.prefix(40)), limits: limits) == nil)
    }

    @Test("after an error every call throws it again")
    func sticky() {
        var reader = CSVRecordReader()
        #expect(throws: CSVStructuralError.notText) { _ = try reader.consume([0x41, 0x00]) }
        #expect(throws: CSVStructuralError.notText) { _ = try reader.consume(Array("a\n".utf8)) }
        #expect(throws: CSVStructuralError.notText) { _ = try reader.finish() }
    }
}
