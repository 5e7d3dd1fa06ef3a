import PixelPipeCore

/// Why an upload cannot become a job; every case is permanent and names the object.
struct IngestError: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    let description: String
    var isTransient: Bool { false }

    /// The event names an object without a generation, so no job id can be derived.
    static func noGeneration(bucket: String, name: String) -> IngestError {
        IngestError(description: "gs://\(bucket)/\(name): the event carries no object generation")
    }

    /// The object was deleted (or replaced) before it could be read.
    static func objectGone(bucket: String, name: String, generation: Int64) -> IngestError {
        IngestError(description: "gs://\(bucket)/\(name)#\(generation) no longer exists; nothing to ingest")
    }
}
