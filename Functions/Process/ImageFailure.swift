import GoogleCloud
import Imaging
import PipelineModel
import PixelPipeCore

/// Why one image could not be turned into stored outputs, classified for the failure policy of
/// ARCHITECTURE §5: permanent failures are recorded on the item, transient ones are retried.
/// `description` names the source URL (or the input) and is what the item's `error` says.
struct ImageFailure: Error, Sendable, CustomStringConvertible, RetryClassifiedError {
    /// What the image was (its URL, or `the request body` for direct uploads).
    let source: String
    /// What went wrong, in words.
    let reason: String
    /// Whether the same task may succeed later.
    let isTransient: Bool
    /// What kind of failure, from a closed set (`http404`, `unsupportedFormat`, `tooLarge`, …):
    /// the `reason` label of the pipeline's metrics and its log lines, never free text.
    var kind: String = "other"

    var description: String { "\(source): \(reason)" }

    /// A download that failed; `DownloadError` already names the URL and knows its class.
    static func download(_ error: DownloadError) -> ImageFailure {
        let reason = error.isBlockedAddress ? "blocked address: \(error.detail)" : error.detail
        return ImageFailure(source: error.url, reason: reason, isTransient: error.isTransient, kind: downloadKind(error))
    }

    /// A recipe that does not decode or validate: the task can never succeed.
    static func recipe(_ error: RecipeError, source: String) -> ImageFailure {
        ImageFailure(source: source, reason: "invalid recipe: \(error)", isTransient: false, kind: "invalidRecipe")
    }

    /// A recipe asking for more output pixels than the budget: permanent, and nothing downloaded.
    static func overBudget(_ error: OutputBudgetError, source: String) -> ImageFailure {
        ImageFailure(source: source, reason: error.description, isTransient: false, kind: "overBudget")
    }

    /// The imaging engine refused or failed on the bytes.
    static func imaging(_ error: ImagingError, source: String) -> ImageFailure {
        let reason: String
        switch error {
        case .emptyInput: reason = "the source sent no bytes"
        case .unsupportedFormat: reason = "not an image in a supported format (JPEG, PNG, WebP, GIF, HEIF/AVIF, TIFF)"
        case .undecodable: reason = "the image is corrupt or truncated"
        case .tooManyPixels: reason = "the image has too many pixels"
        case .tooManyFrames: reason = "the image has too many frames"
        case .animated: reason = "animated images are not accepted"
        default: reason = "image processing failed"
        }
        let detail = error.detail.isEmpty ? "" : " (\(error.label): \(error.detail))"
        return ImageFailure(source: source, reason: reason + detail, isTransient: error.isTransient, kind: error.label)
    }

    /// An output could not be stored.
    static func storage(_ error: any Error, object: String, source: String) -> ImageFailure {
        let transient = (error as? any RetryClassifiedError)?.isTransient ?? true
        return ImageFailure(source: source, reason: "could not store output \(object): \(error)", isTransient: transient, kind: "storageFailed")
    }

    /// The kind of a failed download: its HTTP status (`http404`), or what stopped it.
    static func downloadKind(_ error: DownloadError) -> String {
        if let status = error.httpStatus { return "http\(status)" }
        if error.isBlockedAddress { return "blockedAddress" }
        if error.isTooLarge { return "tooLarge" }
        if error.isInvalidURL { return "invalidURL" }
        return error.isTransient ? "unreachable" : "downloadFailed"
    }
}
