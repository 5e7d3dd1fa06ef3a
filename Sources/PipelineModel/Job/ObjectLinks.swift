import Foundation
import GoogleCloud
import PixelPipeCore

/// How an output object is linked from the output CSV, the webhook and `POST /process`.
public enum ObjectLinks: Sendable, Equatable {
    /// `https://storage.googleapis.com/BUCKET/NAME`, Cloud Storage's public URL.
    case publicStorage
    /// `BASE/download/storage/v1/b/BUCKET/o/NAME?alt=media`: the Storage API's media download,
    /// which the emulator serves (`STORAGE_EMULATOR_HOST`).
    case storageAPI(base: String)
    /// `BASE/BUCKET/NAME`, for a CDN or load balancer in front of the bucket (`OUTPUT_URL_BASE`).
    case custom(base: String)

    /// `OUTPUT_URL_BASE` when set, else the emulator's download URL when
    /// `STORAGE_EMULATOR_HOST` is set, else Cloud Storage's public URL.
    public init(environment: EnvironmentValues) throws(ConfigurationError) {
        if let base = environment["OUTPUT_URL_BASE"] {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw .malformed("OUTPUT_URL_BASE", value: base, expected: "an http(s) URL such as https://cdn.example.com/images")
            }
            self = .custom(base: String(base.trimmingSuffix("/")))
        } else if let emulator = environment["STORAGE_EMULATOR_HOST"] {
            let base = emulator.contains("://") ? emulator : "http://" + emulator
            self = .storageAPI(base: String(base.trimmingSuffix("/")))
        } else {
            self = .publicStorage
        }
    }

    /// The URL of object `name` in `bucket`.
    public func url(bucket: String, name: String) -> String {
        switch self {
        case .publicStorage:
            "https://storage.googleapis.com/\(bucket)/\(Self.pathEncoded(name))"
        case .storageAPI(let base):
            "\(base)/download/storage/v1/b/\(bucket)/o/\(GoogleAPIClient.percentEncoded(name))?alt=media"
        case .custom(let base):
            "\(base)/\(bucket)/\(Self.pathEncoded(name))"
        }
    }

    /// `name` with each `/`-separated segment percent-encoded.
    private static func pathEncoded(_ name: String) -> String {
        name.split(separator: "/", omittingEmptySubsequences: false).map { GoogleAPIClient.percentEncoded(String($0)) }.joined(separator: "/")
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        var text = self[...]
        while text.last == suffix { text = text.dropLast() }
        return text
    }
}
