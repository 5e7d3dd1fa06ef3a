import GoogleCloud

extension JobStore {
    /// Writes (or overwrites, on a repeated delivery) one stage timing document of the job.
    public func put(_ timing: StageTimingRecord, job: JobID) async throws {
        try await firestore.patch(PipelineNames.timingDocument(job: job, key: timing.key), fields: try FirestoreCoding.fields(from: timing))
    }

    /// Every stage timing document of the job, in key order.
    public func timings(_ job: JobID) async throws -> [StageTimingRecord] {
        try await firestore.listAll(PipelineNames.timingsCollection(job: job)).compactMap { try? $0.decode(StageTimingRecord.self) }
    }
}
