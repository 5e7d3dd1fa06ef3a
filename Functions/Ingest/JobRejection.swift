import Foundation
import PipelineModel

/// The report a rejected CSV leaves in the processed bucket, `JOB/error-report.json`.
struct JobRejection: Codable, Sendable, Equatable {
    var job: JobID
    var source: JobRecord.Source
    /// What is wrong, in words a user can act on.
    var reason: String
    /// The kind of problem (`notText`, `noURLColumn`, `tooLarge`, …).
    var kind: String
    /// The data row concerned, when the problem is about one.
    var row: Int?
    var rejectedAt: String
}
