/// Job ids as `PipelineNames.jobID` makes them: 16 lower-case hex digits. Checked before an id
/// from a request becomes part of a document path.
enum JobID {
    /// Whether `text` is 16 lower-case hex digits.
    static func isValid(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
