import Crypto
import Foundation
import SwiftASN1
import X509

/// The HTTPS listener's certificate: a P-256 key and a self-signed certificate for `localhost`,
/// 127.0.0.1 and ::1, made once per data directory (`DATA/secrets/tls-key.pem`, `tls-cert.pem`)
/// and kept, so a tool told to trust `tls-cert.pem` keeps trusting it across restarts.
struct TLSCertificate: Sendable {
    static let keyName = "tls-key.pem"
    static let certificateName = "tls-cert.pem"

    let certificatePEM: String
    let privateKeyPEM: String
    /// Where the certificate is, for a tool's CA setting (`curl --cacert`, gcloud's `custom_ca_certs_file`).
    let certificatePath: String

    static func loadOrCreate(dataDirectory: URL) throws -> TLSCertificate {
        let secrets = SecretsFolder(dataDirectory: dataDirectory)
        try secrets.prepare()
        let path = secrets.file(certificateName).path
        if let key = try secrets.read(keyName), let certificate = try secrets.read(certificateName) {
            return TLSCertificate(certificatePEM: String(decoding: certificate, as: UTF8.self), privateKeyPEM: String(decoding: key, as: UTF8.self), certificatePath: path)
        }
        let privateKey = P256.Signing.PrivateKey()
        let certificatePEM = try makeCertificatePEM(for: privateKey)
        // The certificate first: the key file's presence is what marks the pair complete.
        try secrets.write(Data(certificatePEM.utf8), as: certificateName)
        try secrets.write(Data(privateKey.pemRepresentation.utf8), as: keyName)
        return TLSCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKey.pemRepresentation, certificatePath: path)
    }

    /// Its own issuer and a CA, so that trusting the one file is all a client needs.
    private static func makeCertificatePEM(for privateKey: P256.Signing.PrivateKey) throws -> String {
        let key = Certificate.PrivateKey(privateKey)
        let name = try DistinguishedName {
            OrganizationName("PixelPipe emulator")
            CommonName("localhost")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(825 * 24 * 3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                         .ipAddress(ASN1OctetString(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1])))])
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return try certificate.serializeAsPEM().pemString
    }
}
