@testable import ApiStage
import Testing

@Suite("Methods each route of the jobs API takes")
struct AllowedMethodsTests {
    @Test("known paths name their methods (for 405 and Allow); others none", arguments: [
        ("/v1/jobs", ["GET", "POST"]),
        ("/v1/images", ["POST"]),
        ("/v1/jobs/0123456789abcdef", ["GET"]),
        ("/v1/jobs/0123456789abcdef:cancel", ["POST"]),
        ("/v1/jobs/0123456789abcdef:retry", ["POST"]),
        ("/v1/jobs/0123456789abcdef/items", ["GET"]),
        ("/v1/jobs/0123456789abcdef/output.csv", ["GET"]),
        ("/healthz", ["GET"]),
        ("/openapi.json", ["GET"]),
        ("/v1/jobs/0123456789abcdef/other", nil),
        ("/v2/jobs", nil),
        ("/", ["GET"]),
        ("/console/app.js", ["GET"]),
        ("/console/missing.js", nil),
        ("//", nil),
    ] as [(String, [String]?)])
    func methods(_ path: String, _ methods: [String]?) {
        #expect(AllowedMethods.of(path) == methods)
    }
}
