import PipelineModel
import Testing

@Suite("CSV header")
struct CSVHeaderTests {
    @Test("the user's header is recognised")
    func userHeader() throws {
        let header = try CSVHeader(columns: ["S. No.", "Product Name", "Input Image Urls"])
        #expect(header.serialColumn == 0 && header.productColumn == 1 && header.urlColumn == 2)
    }

    @Test("header variants are matched case- and punctuation-insensitively", arguments: [
        (["serial number", "product name", "input image urls"], 0, 1, 2),
        (["s_no", "Product", "image_urls"], 0, 1, 2),
        (["SNO", "NAME", "Image URL"], 0, 1, 2),
        (["url", "product"], nil, 1, 0),
        (["Product Name", "URLs", "S.No"], 2, 0, 1),
        (["id", "name", "image_url", "price"], nil, 1, 2),
        (["  Product-Name ", "IMAGE-URLS"], nil, 0, 1),
    ] as [([String], Int?, Int, Int)])
    func variants(columns: [String], serial: Int?, product: Int, url: Int) throws {
        let header = try CSVHeader(columns: columns)
        #expect(header.serialColumn == serial)
        #expect(header.productColumn == product)
        #expect(header.urlColumn == url)
        #expect(header.columns == columns)
    }

    @Test("extra columns are kept and the first matching product column wins")
    func extraColumns() throws {
        let header = try CSVHeader(columns: ["Notes", "Product Name", "urls", "Title", "Price"])
        #expect(header.columns.count == 5)
        #expect(header.urlColumn == 2)
        #expect(header.productColumn == 1)
    }

    @Test("two or more image URL columns are a structural error naming each column's text and number", arguments: [
        (["S. No.", "Product Name", "Input Image Urls", "Price", "image_url"],
         #"two image URL columns: "Input Image Urls" (column 3) and "image_url" (column 5); keep one, with every URL of a row in its cell"#),
        (["url", "Product", "URLs", "Image Links"],
         #"three image URL columns: "url" (column 1), "URLs" (column 3) and "Image Links" (column 4); keep one, with every URL of a row in its cell"#),
    ])
    func multipleURLColumns(columns: [String], reason: String) {
        let error = #expect(throws: CSVStructuralError.multipleURLColumns) { try CSVHeader(columns: columns) }
        #expect(error?.reason == reason)
        #expect(error?.kind == "multipleURLColumns")
    }
}
