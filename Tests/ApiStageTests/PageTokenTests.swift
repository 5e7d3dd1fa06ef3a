@testable import ApiStage
import PipelineModel
import Testing

@Suite("Page tokens of the jobs API")
struct PageTokenTests {
    @Test("a token decodes to the position it was made from, for its own listing and filter")
    func roundTrip() throws {
        let token = PageToken(kind: "jobs", status: "running", createdAt: "2026-11-26T05:00:00.000Z", after: "0123456789abcdef")
        #expect(try PageToken(decoding: token.encoded(), kind: "jobs", status: "running") == token)
        let items = PageToken(kind: "items", status: nil, after: "000000000012-0000003")
        #expect(try PageToken(decoding: items.encoded(), kind: "items", status: nil) == items)
        #expect(!token.encoded().contains("=") && !token.encoded().contains("/") && !token.encoded().contains("+"))
    }

    @Test("a malformed token, another listing's or another filter's, or an impossible position is a 400 naming pageToken", arguments: [
        ("nonsense", "jobs", nil),
        ("", "jobs", nil),
        (PageToken(kind: "items", status: nil, after: "000000000012-0000003").encoded(), "jobs", nil),
        (PageToken(kind: "jobs", status: "running", createdAt: "2026-11-26T05:00:00.000Z", after: "0123456789abcdef").encoded(), "jobs", nil),
        (PageToken(kind: "jobs", status: nil, createdAt: "yesterday", after: "0123456789abcdef").encoded(), "jobs", nil),
        (PageToken(kind: "jobs", status: nil, createdAt: "2026-11-26T05:00:00.000Z", after: "../../etc").encoded(), "jobs", nil),
        (PageToken(kind: "items", status: nil, after: "12-x").encoded(), "items", nil),
        (String(repeating: "A", count: 600), "items", nil),
    ] as [(String, String, String?)])
    func refused(_ text: String, _ kind: String, _ status: String?) {
        #expect {
            _ = try PageToken(decoding: text, kind: kind, status: status)
        } throws: { error in
            (error as? Problem)?.field == "pageToken" && (error as? Problem)?.status == 400
        }
    }
}
