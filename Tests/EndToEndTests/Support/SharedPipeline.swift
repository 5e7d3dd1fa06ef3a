import TestSupport
import Testing

/// A suite trait that runs one pipeline (`withPipeline`) for a whole suite: its tests reach it
/// through `SharedPipeline.current` and each uses its own CSVs and jobs, so sharing the
/// emulator saves start-ups without tests seeing each other's work. Stopped when the suite ends.
struct SharedPipeline: SuiteTrait, TestScoping {
    /// The running pipeline of the enclosing suite.
    @TaskLocal static var current: PipelineHarness?

    let environment: [String: String]

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withPipeline(environment: environment) { harness in
            try await Self.$current.withValue(harness) { try await function() }
        }
    }

    /// The suite's pipeline, or a failure when the test runs outside such a suite.
    static func harness() throws -> PipelineHarness {
        guard let current else { throw TestFailure("no shared pipeline: the suite needs the .sharedPipeline trait") }
        return current
    }
}

extension Trait where Self == SharedPipeline {
    /// One pipeline for the whole suite, with `environment` added to the test settings.
    static func sharedPipeline(_ environment: [String: String] = [:]) -> Self {
        SharedPipeline(environment: environment)
    }
}
