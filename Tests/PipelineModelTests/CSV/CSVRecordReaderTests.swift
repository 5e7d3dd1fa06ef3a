import PipelineModel
import Testing

@Suite("CSV record reader")
struct CSVRecordReaderTests {
    @Test("the user's format: header and rows with several URLs in one quoted cell, with byte ranges")
    func userFormat() throws {
        let bytes = Array(userCSV.utf8)
        let records = try csvRecords(bytes)
        #expect(records.count == 3)
        #expect(records[0].fields == ["S. No.", "Product Name", "Input Image Urls"])
        #expect(records[0].number == 0)
        #expect(records[1].number == 1 && records[2].number == 2)
        #expect(records[1].fields[2] == "https://www.public-image-url1.jpg,https://www.public-image-url2.jpg,https://www.public-image-url3.jpg")
        #expect(records[0].byteRange.lowerBound == 0)
        #expect(records[2].byteRange.upperBound == bytes.count)
        for (previous, next) in zip(records, records.dropFirst()) {
            #expect(previous.byteRange.upperBound == next.byteRange.lowerBound)
        }
        #expect(Array(bytes[records[1].byteRange]).last == UInt8(ascii: "\n"))
    }

    @Test("a BOM is skipped and the first record starts after it; CRLF ends records")
    func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\r\nc,d\r\n".utf8)
        let records = try csvRecords(bytes, chunkSize: 1)
        #expect(records == [
            CSVRecord(number: 0, byteRange: 3..<8, fields: ["a", "b"]),
            CSVRecord(number: 1, byteRange: 8..<13, fields: ["c", "d"]),
        ])
    }

    @Test("quoted fields keep embedded commas, doubled quotes and line breaks")
    func quoting() throws {
        let text = "name,note\n\"a, b\",\"say \"\"hi\"\"\"\n\"line1\r\nline2\",x\n"
        let records = try csvRecords(Array(text.utf8))
        #expect(records.map(\.fields) == [["name", "note"], ["a, b", "say \"hi\""], ["line1\r\nline2", "x"]])
        #expect(records[2].byteRange.upperBound == text.utf8.count)
    }

    @Test("LF, a lone CR and no final terminator all end records")
    func terminators() throws {
        let records = try csvRecords(Array("a\rb\nc".utf8))
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"]])
        #expect(records.map(\.byteRange) == [0..<2, 2..<4, 4..<5])
    }

    @Test("blank lines and all-empty lines are skipped and take no row number")
    func blankLines() throws {
        let text = "h1,h2\n\n1,a\r\n\r\n,\n2,b\n\n"
        let records = try csvRecords(Array(text.utf8))
        #expect(records.map(\.fields) == [["h1", "h2"], ["1", "a"], ["2", "b"]])
        #expect(records.map(\.number) == [0, 1, 2])
        #expect(records[2].byteRange == 16..<20)
    }

    @Test("empty fields and trailing commas are kept; a lenient stray quote is literal")
    func emptyFieldsAndStrayQuotes() throws {
        let records = try csvRecords(Array("a,,c,\n5\" screen,\"x\"y\n".utf8))
        #expect(records.map(\.fields) == [["a", "", "c", ""], ["5\" screen", "xy"]])
    }

    @Test("UTF-8 text, multibyte characters split across chunks, is decoded")
    func multibyte() throws {
        let text = "name\nCafé ☕️ 東京\n"
        for size in [1, 2, 3] {
            #expect(try csvRecords(Array(text.utf8), chunkSize: size).map(\.fields) == [["name"], ["Café ☕️ 東京"]])
        }
    }

    @Test("a field over the length limit and too many fields mark the record, without failing the file")
    func fieldLimits() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 8
        limits.maxFieldsPerRecord = 3
        let records = try csvRecords(Array("a,b\n123456789,x\n1,2,3,4,5\nok,ok\n".utf8), limits: limits)
        #expect(records.count == 4)
        #expect(records[1].problem?.contains("longer than 8 bytes") == true)
        #expect(records[1].fields == ["", "x"])
        #expect(records[2].problem?.contains("more than 3 fields") == true)
        #expect(records[2].fields == ["1", "2", "3"])
        #expect(records[3].problem == nil)
    }

    /// A file exercising every tricky case at once, for the chunking and range tests.
    static let trickyFile: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
        "S. No.,Product Name,Input Image Urls,Notes\r\n"
            + "1,\"Shoe, red\",\"https://a.example/1.jpg,\r\nhttps://a.example/2.jpg\",\"he said \"\"hi\"\"\"\r\n"
            + "\r\n"
            + "2,Café,https://b.example/é.jpg,\n"
            + "3,Lamp,\"https://c.example/3.jpg\"\r"
            + "4,\"\",\"\",\"\"\n\n\n"
            + "5,Mug,https://d.example/5.jpg\r\n"
            + "6,Last,\"https://e.example/6.jpg\""
    ).utf8)

    @Test("the same file read in chunks of any size gives identical records and offsets", arguments: [1, 2, 3, 7, 64, nil] as [Int?])
    func chunkIndependence(chunkSize: Int?) throws {
        let whole = try csvRecords(Self.trickyFile)
        #expect(whole.count == 7)
        #expect(try csvRecords(Self.trickyFile, chunkSize: chunkSize) == whole)
    }

    @Test("reading from any record's start with its row number gives the same records as the full read")
    func byteRangeReparse() throws {
        let whole = try csvRecords(Self.trickyFile)
        for (position, record) in whole.enumerated() {
            let tail = Array(Self.trickyFile[record.byteRange.lowerBound...])
            let again = try csvRecords(tail, chunkSize: 3, startOffset: record.byteRange.lowerBound, firstRowNumber: record.number)
            #expect(again == Array(whole[position...]))
            // A single record's range, as populate fetches it with HTTP Range, parses alone.
            let one = try csvRecords(Array(Self.trickyFile[record.byteRange]), startOffset: record.byteRange.lowerBound, firstRowNumber: record.number)
            #expect(one == [record])
        }
    }
}
