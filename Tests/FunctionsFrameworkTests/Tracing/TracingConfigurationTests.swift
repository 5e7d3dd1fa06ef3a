import FunctionsFramework
import PixelPipeCore
import Testing

@Suite("Tracing configuration")
struct TracingConfigurationTests {
    @Test("tracing is on by default and when PIXELPIPE_TRACING says so", arguments: [nil, "on", "true", "1", " ON "])
    func on(value: String?) throws {
        let environment = value.map { ["PIXELPIPE_TRACING": $0] } ?? [:]
        #expect(try TracingConfiguration(environment: EnvironmentValues(environment)) == TracingConfiguration(enabled: true))
    }

    @Test("PIXELPIPE_TRACING off, false or 0 turns it off", arguments: ["off", "false", "0", "no", "Off"])
    func off(value: String) throws {
        #expect(try TracingConfiguration(environment: EnvironmentValues(["PIXELPIPE_TRACING": value])) == .off)
    }

    @Test("any other value is a configuration error naming the variable")
    func malformed() {
        #expect(throws: ConfigurationError.malformed("PIXELPIPE_TRACING", value: "maybe", expected: "true or false")) {
            try TracingConfiguration(environment: EnvironmentValues(["PIXELPIPE_TRACING": "maybe"]))
        }
    }
}
