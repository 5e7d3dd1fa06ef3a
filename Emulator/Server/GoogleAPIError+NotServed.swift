import GoogleCloud
import HTTPTypes

extension GoogleAPIError {
    /// A Pub/Sub or Cloud Tasks method the emulator does not implement: `UNIMPLEMENTED` in the
    /// body, naming the method, but HTTP 400 rather than Google's 501. gcloud (apitools) and the
    /// HTTP-status-driven clients retry every 5xx with backoff (gcloud for ~31 s) before saying
    /// anything; a 4xx fails at once, and clients that read the body's `status` (gax, the Go
    /// `apierror`) still see `UNIMPLEMENTED`, which none of them retries. A 404 would read as
    /// "the resource does not exist", which is the wrong thing to tell someone.
    static func notServed(api: String, method: HTTPRequest.Method, path: String) -> GoogleAPIError {
        .init(.unimplemented, status: .badRequest,
              "Method \(method) \(path) of \(api) is not implemented by the PixelPipe emulator (docs/emulator.md, \"Not (yet) served\").")
    }

    /// A named RPC the emulator knows of but does not implement, answered like `notServed`.
    static func notServed(rpc: String, detail: String = "") -> GoogleAPIError {
        .init(.unimplemented, status: .badRequest,
              "Method \(rpc) is not implemented by the PixelPipe emulator\(detail.isEmpty ? "" : ": \(detail)").")
    }
}
