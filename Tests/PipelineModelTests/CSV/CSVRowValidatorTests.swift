import PipelineModel
import Testing

@Suite("CSV row validation")
struct CSVRowValidatorTests {
    @Test("the user's format gives rows with their URLs, indices, products and byte ranges")
    func userRows() throws {
        let bytes = Array(userCSV.utf8)
        let (header, rows) = try csvRows(bytes, chunkSize: 7)
        #expect(header?.columns == ["S. No.", "Product Name", "Input Image Urls"])
        #expect(rows.map(\.number) == [1, 2])
        #expect(rows.map(\.product) == ["SKU1", "SKU2"])
        #expect(rows[0].urls == [
            .init(index: 1, url: "https://www.public-image-url1.jpg"),
            .init(index: 2, url: "https://www.public-image-url2.jpg"),
            .init(index: 3, url: "https://www.public-image-url3.jpg"),
        ])
        #expect(rows.allSatisfy { $0.invalid.isEmpty && !$0.isRejected })
        #expect(rows[1].byteRange.upperBound == bytes.count)
        #expect(rows[0].fields[0] == "1")
    }

    @Test("URLs may be separated by commas, spaces and line breaks")
    func separators() throws {
        let text = "Product Name,Image URLs\nA,\"https://x.example/1.jpg, https://x.example/2.jpg\nhttps://x.example/3.jpg  http://x.example/4.png,\"\n"
        let (_, rows) = try csvRows(Array(text.utf8))
        #expect(rows[0].urls.map(\.url) == ["https://x.example/1.jpg", "https://x.example/2.jpg", "https://x.example/3.jpg", "http://x.example/4.png"])
        #expect(rows[0].urls.map(\.index) == [1, 2, 3, 4])
    }

    @Test("each invalid URL is reported with a reason naming it; the row's valid URLs proceed", arguments: [
        ("javascript:alert(1)", "scheme \"javascript\" is not allowed"),
        ("file:///etc/passwd", "scheme \"file\" is not allowed"),
        ("ftp://x/y.jpg", "scheme \"ftp\" is not allowed"),
        ("data:image/png;base64%2CAAAA", "scheme \"data\" is not allowed"),
        ("/images/a.jpg", "not an absolute URL"),
        ("www.example.com/a.jpg", "not an absolute URL"),
        ("http:/a.jpg", "no host"),
        ("https://", "no host"),
        ("http://exa<mple.com/a.jpg", "malformed URL"),
        ("https://x.example:99999999/a.jpg", "port out of range"),
    ])
    func invalidURL(url: String, reason: String) throws {
        let header = try CSVHeader(columns: ["Product Name", "Input Image Urls"])
        let record = CSVRecord(number: 4, byteRange: 10..<20, fields: ["Shoe", "https://ok.example/a.jpg \(url)"])
        let row = CSVRowValidator(header: header).validate(record)
        #expect(row.urls == [.init(index: 1, url: "https://ok.example/a.jpg")])
        #expect(row.invalid.count == 1)
        #expect(row.invalid.first?.index == 2)
        #expect(row.invalid.first?.reason.contains(reason) == true, "\(row.invalid)")
        #expect(row.invalid.first?.reason.contains(url.prefix(10)) == true)
    }

    @Test("syntactically valid http(s) URLs pass, including ones the downloader's address policy blocks later", arguments: [
        "http://169.254.169.254/", "http://127.0.0.1:8080/a.jpg", "HTTPS://Example.com/a%2Cb.jpg?x=1&y=2#f", "https://[::1]/a.png",
        "https://cdn.example.com:8443/a/b_c~d.jpg?w=100;h=100", "http://user@host_1.example/a.jpg", "https://x.example",
    ])
    func validURL(url: String) throws {
        let header = try CSVHeader(columns: ["Product Name", "url"])
        let row = CSVRowValidator(header: header).validate(CSVRecord(number: 1, byteRange: 0..<1, fields: ["P", url]))
        #expect(row.urls == [.init(index: 1, url: url)])
        #expect(row.invalid.isEmpty)
    }

    @Test("rows rejected as a whole, with one row-level reason", arguments: [
        (["1", "", "https://x.example/a.jpg"], "the product name is empty"),
        (["1", "   ", "https://x.example/a.jpg"], "the product name is empty"),
        (["1", "Shoe", ""], "no image URLs"),
        (["1", "Shoe", " , ,\n"], "no image URLs"),
        (["1", "Shoe"], "no image URLs"),
        (["1", "Shoe", "https://x.example/a.jpg", "surprise"], "4 fields, but the header has 3 columns"),
        (["1", "Shoe", "https://x.example/1.jpg https://x.example/2.jpg https://x.example/3.jpg"], "3 image URLs, more than the limit of 2"),
    ])
    func rejectedRow(fields: [String], reason: String) throws {
        var limits = CSVLimits()
        limits.maxURLsPerRow = 2
        let header = try CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls"])
        let row = CSVRowValidator(header: header, limits: limits).validate(CSVRecord(number: 3, byteRange: 0..<1, fields: fields))
        #expect(row.isRejected)
        #expect(row.urls.isEmpty)
        #expect(row.invalid == [.init(index: nil, reason: reason)])
        #expect(row.fields.count == 3)
    }

    @Test("a field over the length limit rejects its row and the rest proceed")
    func longField() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 30
        let text = "Product Name,url\nA,https://x.example/\(String(repeating: "a", count: 40)).jpg\nB,https://x.example/b.jpg\n"
        let (_, rows) = try csvRows(Array(text.utf8), limits: limits)
        #expect(rows.count == 2)
        #expect(rows[0].invalid.first?.reason.contains("longer than 30 bytes") == true)
        #expect(rows[1].urls.count == 1)
    }

    @Test("trailing empty fields beyond the header are dropped; short rows are padded")
    func widths() throws {
        let (_, rows) = try csvRows(Array("S. No.,Product Name,url,Notes\n1,A,https://x.example/a.jpg,,,\n2,B,https://x.example/b.jpg\n".utf8))
        #expect(rows.map(\.fields) == [["1", "A", "https://x.example/a.jpg", ""], ["2", "B", "https://x.example/b.jpg", ""]])
        #expect(rows.allSatisfy { $0.invalid.isEmpty })
    }

    @Test("a byte range re-read from any row's start with the known header gives the same rows")
    func rowRangeReparse() throws {
        let bytes = CSVRecordReaderTests.trickyFile
        let (header, rows) = try csvRows(bytes)
        let known = try #require(header)
        for (position, row) in rows.enumerated() {
            var reader = CSVRowReader(header: known, startOffset: row.byteRange.lowerBound, firstRowNumber: row.number)
            var again = try reader.consume(bytes[row.byteRange.lowerBound...])
            again += try reader.finish()
            #expect(again == Array(rows[position...]))
        }
    }
}
