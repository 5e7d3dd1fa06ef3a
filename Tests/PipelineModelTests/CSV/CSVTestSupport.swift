import PipelineModel

/// Reads `text` (or `bytes`) through a record reader fed `chunkSize` bytes at a time.
func csvRecords(_ bytes: [UInt8], chunkSize: Int? = nil, startOffset: Int = 0, firstRowNumber: Int = 0,
                limits: CSVLimits = CSVLimits()) throws(CSVStructuralError) -> [CSVRecord] {
    var reader = CSVRecordReader(startOffset: startOffset, firstRowNumber: firstRowNumber, limits: limits)
    var records: [CSVRecord] = []
    let size = max(1, chunkSize ?? bytes.count)
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        records += try reader.consume(bytes[start..<end])
        start = end
    }
    records += try reader.finish()
    return records
}

/// Reads `bytes` as validated rows; returns the header and rows.
func csvRows(_ bytes: [UInt8], chunkSize: Int? = nil, limits: CSVLimits = CSVLimits()) throws(CSVStructuralError) -> (CSVHeader?, [CSVRow]) {
    var reader = CSVRowReader(limits: limits)
    var rows: [CSVRow] = []
    let size = max(1, chunkSize ?? bytes.count)
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        rows += try reader.consume(bytes[start..<end])
        start = end
    }
    rows += try reader.finish()
    return (reader.header, rows)
}

/// The structural error reading `bytes` throws, or nil.
func csvStructuralError(_ bytes: [UInt8], limits: CSVLimits = CSVLimits()) -> CSVStructuralError? {
    do {
        _ = try csvRows(bytes, chunkSize: 5, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// The user's format: serial, product, several URLs in one quoted cell, CRLF.
let userCSV = """
    S. No.,Product Name,Input Image Urls\r
    1,SKU1,"https://www.public-image-url1.jpg,https://www.public-image-url2.jpg,https://www.public-image-url3.jpg"\r
    2,SKU2,"https://www.public-image-url1.jpg,https://www.public-image-url2.jpg,https://www.public-image-url3.jpg"\r

    """
