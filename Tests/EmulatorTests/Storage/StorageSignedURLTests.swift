import Foundation
import Testing

@testable import Emulator

/// V4 signed URLs against the XML API subset: the emulator's own service-account key signs,
/// the emulator verifies signature and expiry, and answers refusals in Google's XML shape.
@Suite("Storage signed URLs")
struct StorageSignedURLTests {
    @Test("the service-account key is a JSON key file, owner-only, and the same after a restart")
    func keyFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try StorageServiceAccount.loadOrCreate(dataDirectory: directory)
        let file = directory.appendingPathComponent("secrets/storage-service-account.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(json["type"] as? String == "service_account")
        #expect(json["client_email"] as? String == StorageServiceAccount.defaultEmail)
        #expect((json["private_key"] as? String)?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true)
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let second = try StorageServiceAccount.loadOrCreate(dataDirectory: directory)
        #expect(second.keyID == first.keyID)
        #expect(json["private_key_id"] as? String == first.keyID)
    }

    @Test("a signed GET, HEAD and PUT work; a tampered signature or another object get 403, an expired URL 400 ExpiredToken, in XML")
    func signedRequests() async throws {
        try await TestEmulator.run { emulator in
            try await emulator.send("POST", "/storage/v1/b?project=demo", json: #"{"name":"work"}"#)
            try await emulator.send("POST", "/upload/storage/v1/b/work/o?uploadType=media&name=dir%2Fa%20b.txt", body: Data("hello".utf8),
                                    headers: [("Content-Type", "text/plain")])
            let signer = SignedURLSigner(account: try StorageServiceAccount.loadOrCreate(dataDirectory: emulator.dataDirectory))
            let get = try signer.url(method: "GET", origin: emulator.baseURL, bucket: "work", object: "dir/a b.txt", expires: 600)
            let fetched = try await TestResponse.send(client: emulator.client, method: "GET", url: get)
            #expect(fetched.status == 200, "\(fetched.text)")
            #expect(fetched.text == "hello")
            #expect(fetched.header("Content-Type") == "text/plain")
            #expect(fetched.header("ETag") == "\"5d41402abc4b2a76b9719d911017c592\"")

            let head = try signer.url(method: "HEAD", origin: emulator.baseURL, bucket: "work", object: "dir/a b.txt", expires: 600)
            let headed = try await TestResponse.send(client: emulator.client, method: "HEAD", url: head)
            #expect(headed.status == 200)
            #expect(headed.header("x-goog-stored-content-length") == "5")

            let put = try signer.url(method: "PUT", origin: emulator.baseURL, bucket: "work", object: "up.csv", expires: 600)
            let stored = try await TestResponse.send(client: emulator.client, method: "PUT", url: put, body: Data("a,b\n".utf8),
                                                     headers: [("Content-Type", "text/csv"), ("x-goog-meta-origin", "signed")])
            #expect(stored.status == 200, "\(stored.text)")
            let object = try await emulator.send("GET", "/storage/v1/b/work/o/up.csv")
            #expect(object.json["contentType"] as? String == "text/csv")
            #expect(object.json.value(at: "metadata.origin") as? String == "signed")

            // The PUT URL does not allow a GET, and a flipped signature byte is refused.
            let wrongMethod = try await TestResponse.send(client: emulator.client, method: "GET", url: put)
            #expect(wrongMethod.status == 403)
            #expect(wrongMethod.text.contains("<Code>SignatureDoesNotMatch</Code>"))
            #expect(wrongMethod.text.contains("<StringToSign>GOOG4-RSA-SHA256"))
            let marker = "x-goog-signature="
            let start = try #require(get.range(of: marker)).upperBound
            let flipped = get.replacingCharacters(in: start..<get.index(after: start), with: get[start] == "0" ? "1" : "0")
            let tampered = try await TestResponse.send(client: emulator.client, method: "GET", url: flipped)
            #expect(tampered.status == 403)
            #expect(tampered.text.hasPrefix("<?xml"))
            let otherObject = try await TestResponse.send(client: emulator.client, method: "GET",
                                                          url: get.replacingOccurrences(of: "/work/dir/a%20b.txt?", with: "/work/up.csv?"))
            #expect(otherObject.status == 403)

            let old = try signer.url(method: "GET", origin: emulator.baseURL, bucket: "work", object: "dir/a b.txt", expires: 60,
                                     now: Date().addingTimeInterval(-120))
            let expired = try await TestResponse.send(client: emulator.client, method: "GET", url: old)
            #expect(expired.status == 400)
            #expect(expired.text.contains("<Code>ExpiredToken</Code>"))

            let missing = try signer.url(method: "GET", origin: emulator.baseURL, bucket: "work", object: "nope", expires: 600)
            let notThere = try await TestResponse.send(client: emulator.client, method: "GET", url: missing)
            #expect(notThere.status == 404)
            #expect(notThere.text.contains("<Code>NoSuchKey</Code>"))

            // Without a signature the XML path is not served at all.
            #expect(try await emulator.send("GET", "/work/up.csv").status == 404)
        }
    }
}
