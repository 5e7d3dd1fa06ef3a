import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import NIOSSL

/// The emulator's REST APIs and dashboard over HTTPS, for tools that will not speak plain HTTP:
/// the same router as the main port, HTTP/1.1 over TLS 1.2+ with the data directory's
/// self-signed certificate. It runs as a service of the main application and stops with it.
enum HTTPSListener {
    static func application(router: Router<BasicRequestContext>, host: String, port: Int, certificate: TLSCertificate, logger: Logger) throws -> some Service {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        return Application(
            router: router,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                logger.info("emulator listening over HTTPS", metadata: [
                    "pixelpipe.url": .string("https://\(host):\(channel.localAddress?.port ?? port)"),
                    "pixelpipe.certificate": .string(certificate.certificatePath),
                ])
            },
            logger: logger
        )
    }
}
