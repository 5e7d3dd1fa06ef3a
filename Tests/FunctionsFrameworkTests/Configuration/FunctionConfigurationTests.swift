import FunctionsFramework
import Logging
import PixelPipeCore
import Testing

@Suite("Function configuration")
struct FunctionConfigurationTests {
    @Test("defaults follow Cloud Run: all interfaces, port 8080, 300 s requests, 10 s drain")
    func defaults() throws {
        let configuration = try FunctionConfiguration(service: "ingest", environment: EnvironmentValues([:]))
        #expect(configuration == FunctionConfiguration(service: "ingest"))
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 8080)
        #expect(configuration.requestTimeout == .seconds(300))
        #expect(configuration.shutdownGracePeriod == .seconds(10))
    }

    @Test("values are read from the Cloud Run and client-library variables")
    func fromEnvironment() throws {
        let configuration = try FunctionConfiguration(service: "ingest", environment: EnvironmentValues([
            "PORT": "9090", "K_SERVICE": "pixelpipe-ingest", "K_REVISION": "pixelpipe-ingest-00002",
            "GOOGLE_CLOUD_PROJECT": "demo", "LOG_LEVEL": "warn", "LOG_FORMAT": "JSON",
            "REQUEST_TIMEOUT": "2.5", "HOST": "127.0.0.1",
        ]))
        #expect(configuration.port == 9090)
        #expect(configuration.service == "pixelpipe-ingest")
        #expect(configuration.revision == "pixelpipe-ingest-00002")
        #expect(configuration.projectID == "demo")
        #expect(configuration.logLevel == .warning)
        #expect(configuration.logFormat == .json)
        #expect(configuration.requestTimeout == .milliseconds(2500))
        #expect(configuration.host == "127.0.0.1")
    }

    @Test("a malformed variable is a typed error that names it and what was expected", arguments: [
        ("PORT", "eighty", "PORT=\"eighty\" is not valid: expected an integer in 0...65535"),
        ("PORT", "70000", "PORT=\"70000\" is not valid: expected an integer in 0...65535"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL=\"loud\" is not valid: expected one of trace, debug, info, notice, warning, error, critical"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT=\"xml\" is not valid: expected one of auto, json, text"),
        ("REQUEST_TIMEOUT", "-1", "REQUEST_TIMEOUT=\"-1\" is not valid: expected a non-negative number of seconds"),
    ])
    func malformed(_ key: String, _ value: String, _ message: String) {
        let error = #expect(throws: ConfigurationError.self) {
            _ = try FunctionConfiguration(service: "x", environment: EnvironmentValues([key: value]))
        }
        #expect(error?.key == key)
        #expect(error?.description == message)
    }

    @Test("a required variable that is missing names itself")
    func missing() {
        #expect(throws: ConfigurationError.missing("PROCESSED_BUCKET")) {
            _ = try EnvironmentValues([:]).require("PROCESSED_BUCKET")
        }
    }
}
