@testable import ApiStage
import Testing

@Suite("Object names of submitted CSVs")
struct UploadNameTests {
    @Test("the same Idempotency-Key gives the same folder for one user only; no key, a new one each time")
    func keyedFolders() {
        let first = UploadName(owner: "alice", idempotencyKey: "order-42", fileName: "products.csv")
        #expect(first == UploadName(owner: "alice", idempotencyKey: "order-42", fileName: "products.csv"))
        #expect(first.prefix.hasPrefix("api/") && first.prefix.count == "api/".count + 32 + 1)
        #expect(first.object == first.prefix + "products.csv")
        #expect(UploadName(owner: "alice", idempotencyKey: "order-43", fileName: "products.csv").prefix != first.prefix)
        #expect(UploadName(owner: "bob", idempotencyKey: "order-42", fileName: "products.csv").prefix != first.prefix)
        #expect(UploadName(owner: "alice", idempotencyKey: nil, fileName: "a.csv").prefix != UploadName(owner: "alice", idempotencyKey: nil, fileName: "a.csv").prefix)
    }

    @Test("file names are made safe and always end in .csv, so ingest's filter takes them", arguments: [
        ("products.csv", "products.csv"),
        ("Products.CSV", "Products.CSV"),
        ("../../etc/passwd", "passwd.csv"),
        ("C:\\Users\\me\\stock list.csv", "stock-list.csv"),
        ("..hidden.csv", "hidden.csv"),
        ("", "upload.csv"),
        ("prix é.txt", "prix--.txt.csv"),
    ])
    func safeNames(_ given: String, _ stored: String) {
        #expect(UploadName(owner: "alice", idempotencyKey: nil, fileName: given).fileName == stored)
    }
}
