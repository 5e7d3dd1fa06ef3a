extension PipelineNames {
    /// The job's stage timings, `jobs/JOB/timings` (see `StageTimingRecord`).
    public static func timingsCollection(job: JobID) -> String { "\(jobDocument(job: job))/timings" }

    /// One stage timing document, `jobs/JOB/timings/KEY`.
    public static func timingDocument(job: JobID, key: String) -> String { "\(timingsCollection(job: job))/\(key)" }
}
