import PipelineModel
import PixelPipeCore
import Testing

@Suite("CSV limits")
struct CSVLimitsTests {
    @Test("limits default to 256 MiB files and are read from the environment")
    func environment() throws {
        #expect(CSVLimits().maxFileBytes == 256 << 20)
        let limits = try CSVLimits(environment: EnvironmentValues(["CSV_MAX_FILE_BYTES": "1048576", "CSV_MAX_URLS_PER_ROW": "10"]))
        #expect(limits.maxFileBytes == 1 << 20)
        #expect(limits.maxURLsPerRow == 10)
        #expect(limits.maxFieldBytes == CSVLimits().maxFieldBytes)
    }

    @Test("a malformed limit is a configuration error naming the variable")
    func malformed() {
        #expect(throws: ConfigurationError.self) {
            _ = try CSVLimits(environment: EnvironmentValues(["CSV_MAX_FIELD_BYTES": "lots"]))
        }
    }
}
