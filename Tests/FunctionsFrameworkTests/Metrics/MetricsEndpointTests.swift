import FunctionsFramework
import PixelPipeCore
import Testing

@Suite("Metrics configuration")
struct MetricsConfigurationTests {
    @Test("metrics are on by default with no listener; METRICS_PORT adds one on loopback; PIXELPIPE_METRICS=off turns both off")
    func configuration() throws {
        #expect(try MetricsConfiguration(environment: EnvironmentValues([:])) == MetricsConfiguration(enabled: true, host: "127.0.0.1", port: nil))
        #expect(try MetricsConfiguration(environment: EnvironmentValues(["METRICS_PORT": "9464"])) == MetricsConfiguration(enabled: true, host: "127.0.0.1", port: 9464))
        #expect(try MetricsConfiguration(environment: EnvironmentValues(["METRICS_PORT": "9464", "PIXELPIPE_METRICS": "off"])) == MetricsConfiguration(enabled: false, host: "127.0.0.1", port: nil))
        #expect(throws: ConfigurationError.self) { try MetricsConfiguration(environment: EnvironmentValues(["PIXELPIPE_METRICS": "maybe"])) }
        #expect(throws: ConfigurationError.self) { try MetricsConfiguration(environment: EnvironmentValues(["METRICS_PORT": "http"])) }
    }
}
