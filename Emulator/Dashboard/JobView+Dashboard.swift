import PipelineModel

extension JobView {
    /// The job id as the dashboard's rows and metric labels show it.
    var id: String { job.rawValue }
    /// Items recorded so far, succeeded or failed.
    var done: Int { succeeded + failed }
}
