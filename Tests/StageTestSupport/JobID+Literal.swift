#if DEBUG
import PipelineModel

/// Job ids written as literals in tests (`let job: JobID = "0123456789abcdef"`). Only for
/// tests: a literal that is not a job id stops the test at once, naming it.
extension JobID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        guard let id = JobID(value) else { preconditionFailure("\"\(value)\" is not a job id (16 lower-case hex digits)") }
        self = id
    }
}
#endif
