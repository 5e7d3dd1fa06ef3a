import Foundation
import GoogleCloud

/// Where the emulator keeps its state and where it listens.
struct EmulatorConfiguration: Sendable {
    /// Holds `emulator.sqlite` and `buckets/`.
    var dataDirectory: URL
    var host: String
    var port: Int
    /// A second listener speaking HTTPS (HTTP/1.1 over TLS, the certificate in
    /// `DATA/secrets/tls-cert.pem`) for tools that insist on TLS; nil for none, 0 for any free port.
    var httpsPort: Int?
    /// Largest request body any API accepts (413 above it); resumable uploads send larger
    /// objects in chunks of at most this size.
    var maxRequestBytes: Int = 64 << 20
    /// How the database is kept compact: task-name window, pass interval, step sizes.
    var maintenance = StoreMaintenance.Configuration()
    /// The project of Identity Toolkit calls whose path names none (a client SDK's
    /// `accounts:signUp?key=…`): the pipeline's project under `emulator up`.
    var identityProject = "pixelpipe-local"
}
