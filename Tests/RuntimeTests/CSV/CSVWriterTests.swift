import Runtime
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
            $0 + ["https://out.example/1.webp, https://out.example/2.webp", "done", ""]
        })
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

    @Test("the pipeline's columns are guarded; the user's own columns come back unchanged")
    func guardedColumns() throws {
        let writer = CSVOutputWriter(header: try CSVHeader(columns: ["Product Name", "url"]))
        let line = writer.line(inputFields: ["=1+1", "https://x.example/a.jpg"], outputURLs: [], status: "failed", error: "=cmd|' /C calc'!A0")
        let fields = try csvRecords(Array(line.utf8)).first?.fields
        #expect(fields == ["=1+1", "https://x.example/a.jpg", "", "failed", "'=cmd|' /C calc'!A0"])
    }
}
