import PixelPipeCore

extension JobRecord {
    /// A new span in the job's trace, for work on the job that did not arrive with it (a cancel
    /// or retry through the jobs API); nil for a job recorded before jobs were traced.
    public var newSpan: TraceParent? {
        traceID.map { TraceParent.newSpan(inTrace: $0, sampled: true) }
    }
}
