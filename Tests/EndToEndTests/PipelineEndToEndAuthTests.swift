import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// Who may use the jobs API, against `emulator up` with the real api binary: every `/v1` call
/// needs a current user's ID token (each way a token can be wrong is a 401 whose reason never
/// quotes it); users see and act on their own jobs only, admins on all; per-user limits answer
/// 429 with Retry-After. Account state is re-checked every second here (1 s instead of 30).
@Suite("Pipeline end to end: identity, ownership and limits of the jobs API", .serialized,
       .sharedPipeline(["API_ACCOUNT_CHECK_SECONDS": "1", "API_MAX_ACTIVE_JOBS": "2", "API_MAX_IMAGES_PER_DAY": "6"]))
struct PipelineEndToEndAuthTests {
    static let header = "S. No.,Product Name,Input Image Urls\r\n"

    /// A 401 whose problem names `reason` and whose answer carries no part of `token`.
    static func expectRefused(_ api: JobsAPI, token: String?, reason: String, _ comment: String,
                              sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let headers = token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
        let response = try await api.as(nil).send("GET", "/v1/jobs", headers: headers)
        #expect(response.status == 401, "\(comment): \(response.status)", sourceLocation: sourceLocation)
        guard response.status == 401 else { return }
        let problem = try JobsAPI.problem(response)
        #expect(problem.reason == reason, "\(comment): \(problem.detail)", sourceLocation: sourceLocation)
        #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"pixelpipe\"") == true, sourceLocation: sourceLocation)
        if let token {
            let body = String(decoding: response.body, as: UTF8.self)
            for part in token.split(separator: ".") where part.count >= 8 {
                #expect(!body.contains(part), "\(comment): the answer quotes the token", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("a missing, expired, foreign, forged or unsigned token is a 401 naming why, never quoting it; the edges of clock skew hold")
    func tokensRefused() async throws {
        let pipeline = try SharedPipeline.harness()
        let api = try await JobsAPI.signedIn(pipeline)
        let signer = try await EmulatorTokenSigner(pipeline)
        let uid = try #require(api.user).uid
        let now = Int(Date().timeIntervalSince1970)

        // The genuine token works, and so does one the test signs with the emulator's key.
        #expect(try await api.send("GET", "/v1/jobs").status == 200)
        #expect(try await api.as(nil).send("GET", "/v1/jobs", headers: [("Authorization", "Bearer \(try signer.sign(signer.claims(uid: uid)))")]).status == 200)

        try await Self.expectRefused(api, token: nil, reason: "missing token", "no Authorization")
        var claims = signer.claims(uid: uid)
        claims["exp"] = now - 120
        claims["iat"] = now - 3720
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "expired", "expired two minutes ago")
        claims = signer.claims(uid: uid)
        claims["aud"] = "another-project"
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "wrong audience", "another audience")
        claims = signer.claims(uid: uid)
        claims["iss"] = "https://securetoken.google.com/another-project"
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "wrong issuer", "another issuer")
        claims = signer.claims(uid: uid)
        claims["aud"] = "another-project"
        claims["iss"] = "https://securetoken.google.com/another-project"
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "wrong audience", "a token of another project")
        // A token the emulator itself issued for another project (its own key, its own claims).
        let foreign = try await IdentityUser.signUpInProject(emulator: api.emulatorURL, project: "another-project", email: "foreign@example.com")
        try await Self.expectRefused(api, token: foreign.idToken, reason: "wrong audience", "issued by the emulator for another project")

        let genuine = try #require(api.user).idToken
        var forged = Array(genuine)
        let last = forged.count - 5
        forged[last] = forged[last] == "A" ? "B" : "A"
        try await Self.expectRefused(api, token: String(forged), reason: "bad signature", "one signature character changed")
        let parts = genuine.split(separator: ".")
        claims = signer.claims(uid: uid)
        claims["admin"] = true
        let swapped = parts[0] + "." + EmulatorTokenSigner.base64URL(try JSONSerialization.data(withJSONObject: claims)) + "." + parts[2]
        try await Self.expectRefused(api, token: String(swapped), reason: "bad signature", "claims swapped under a genuine signature")
        try await Self.expectRefused(api, token: try signer.sign(signer.claims(uid: uid), header: ["alg": "RS256", "kid": "made-up-key", "typ": "JWT"]),
                                     reason: "unknown key id", "a key id the emulator does not serve")
        try await Self.expectRefused(api, token: try signer.sign(signer.claims(uid: uid), header: ["alg": "none", "typ": "JWT"]),
                                     reason: "unsupported algorithm", "alg none")
        try await Self.expectRefused(api, token: "not.a.token", reason: "malformed", "not a JWT")

        // Clock skew: 60 s either way is tolerated, more is not.
        claims = signer.claims(uid: uid)
        claims["exp"] = now - 20
        claims["iat"] = now - 3620
        #expect(try await api.as(nil).send("GET", "/v1/jobs", headers: [("Authorization", "Bearer \(try signer.sign(claims))")]).status == 200,
                "a token expired 20 s ago is within the skew")
        claims = signer.claims(uid: uid)
        claims["iat"] = now + 20
        #expect(try await api.as(nil).send("GET", "/v1/jobs", headers: [("Authorization", "Bearer \(try signer.sign(claims))")]).status == 200,
                "a token issued 20 s ahead of this clock is within the skew")
        claims["iat"] = now + 180
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "issued in the future", "issued three minutes ahead")
        claims = signer.claims(uid: uid)
        claims["exp"] = now - 100
        claims["iat"] = now - 3700
        try await Self.expectRefused(api, token: try signer.sign(claims), reason: "expired", "expired 100 s ago, past the skew")
    }

    @Test("a revoked, disabled or deleted account's still-unexpired token is refused within the account check interval")
    func accountsRefused() async throws {
        let pipeline = try SharedPipeline.harness()
        let project = pipeline.configuration.project
        let revoked = try await JobsAPI.signedIn(pipeline)
        let disabled = try await JobsAPI.signedIn(pipeline)
        let deleted = try await JobsAPI.signedIn(pipeline)
        for api in [revoked, disabled, deleted] { #expect(try await api.send("GET", "/v1/me").status == 200) }

        try await IdentityUser.revoke(emulator: revoked.emulatorURL, project: project, uid: try #require(revoked.user).uid,
                                      at: Int64(Date().timeIntervalSince1970) + 1)
        try await IdentityUser.disable(emulator: disabled.emulatorURL, project: project, uid: try #require(disabled.user).uid)
        try await IdentityUser.delete(emulator: deleted.emulatorURL, project: project, uid: try #require(deleted.user).uid)
        for (api, reason) in [(revoked, "token revoked"), (disabled, "user disabled"), (deleted, "user deleted")] {
            try await eventually("\(reason) to be refused", within: .seconds(10)) { () -> Bool? in
                try await api.send("GET", "/v1/me").status == 401 ? true : nil
            }
            try await Self.expectRefused(api, token: try #require(api.user).idToken, reason: reason, reason)
        }
        // Signing in again after a revocation gives a token that works.
        try await Task.sleep(for: .seconds(2))
        let again = revoked.as(try await IdentityUser.signIn(emulator: revoked.emulatorURL, email: try #require(revoked.user).email))
        #expect(try await again.send("GET", "/v1/me").status == 200)
    }

    @Test("user B can neither read, list, cancel nor retry user A's job nor fetch its images; an admin can")
    func ownership() async throws {
        let pipeline = try SharedPipeline.harness()
        let alice = try await JobsAPI.signedIn(pipeline)
        let bob = try await JobsAPI.signedIn(pipeline)
        pipeline.images.script(31, .status(404))
        let csv = Self.header + "1,Lamp,\(pipeline.images.url(30))\r\n2,Gone,\(pipeline.images.url(31))\r\n"
        let submitted = try JobsAPI.decode(JobResource.self, try await alice.submit(csv: csv, fileName: "alice.csv"))
        #expect(submitted.owner == alice.user?.uid)
        let job = try await alice.awaitFinal(submitted.id)
        #expect(job.status == .finishedWithErrors)
        let items = try JobsAPI.decode(ItemPage.self, try await alice.send("GET", "/v1/jobs/\(job.id)/items"))
        let image = try #require(items.items.first { $0.status == .succeeded }?.outputs.first?.href)
        let thumbnail = try await alice.send("GET", image)
        #expect(thumbnail.status == 200)
        #expect(thumbnail.header("Content-Type")?.hasPrefix("image/") == true)
        #expect(thumbnail.body.count > 100)

        let paths = [("GET", "/v1/jobs/\(job.id)"), ("GET", "/v1/jobs/\(job.id)/items"), ("GET", "/v1/jobs/\(job.id)/output.csv"),
                     ("GET", "/v1/jobs/\(job.id)/results.ndjson"), ("GET", image), ("POST", "/v1/jobs/\(job.id):cancel"),
                     ("POST", "/v1/jobs/\(job.id):retry")]
        for (method, path) in paths {
            let answer = try await bob.send(method, path)
            #expect(answer.status == 404, "bob's \(method) \(path): \(answer.status)")
            #expect(try JobsAPI.problem(answer).detail == "there is no job \(job.id)", "the same answer as for a job that does not exist")
        }
        let bobsList = try JobsAPI.decode(JobPage.self, try await bob.send("GET", "/v1/jobs"))
        #expect(!bobsList.jobs.contains { $0.id == job.id })
        let alicesList = try JobsAPI.decode(JobPage.self, try await alice.send("GET", "/v1/jobs"))
        #expect(alicesList.jobs.map(\.id) == [job.id], "alice lists her job only")
        #expect(try await alice.send("GET", "/v1/jobs/\(job.id)/results.ndjson").status == 200)

        // An admin (custom claim, in the token after signing in again) sees and acts on it.
        let adminUser = try #require(bob.user)
        try await IdentityUser.setClaims(emulator: bob.emulatorURL, project: pipeline.configuration.project, uid: adminUser.uid, claims: #"{"admin":true}"#)
        let admin = bob.as(try await IdentityUser.signIn(emulator: bob.emulatorURL, email: adminUser.email))
        #expect(try await admin.send("GET", "/v1/jobs/\(job.id)").status == 200)
        #expect(try await admin.send("GET", image).status == 200)
        let adminList = try JobsAPI.decode(JobPage.self, try await admin.send("GET", "/v1/jobs?pageSize=1000"))
        #expect(adminList.jobs.contains { $0.id == job.id })
        let me = try JobsAPI.decode(JSONValue.self, try await admin.send("GET", "/v1/me"))
        guard case .object(let fields) = me else { throw TestFailure("/v1/me is not an object: \(me)") }
        #expect(fields["admin"] == .bool(true))
        #expect(fields["limits"] == nil, "admins are not limited")
        pipeline.images.script(31, .failFirst(times: 0, status: 200))
        let retried = try await admin.send("POST", "/v1/jobs/\(job.id):retry")
        #expect(retried.status == 202, "the admin retries alice's job: \(String(decoding: retried.body.prefix(300), as: UTF8.self))")
        #expect(try await alice.awaitFinal(job.id).status == .finished, "alice's retried job finishes")
    }

    @Test("over the active-job or daily image limit a submission is a 429 with Retry-After, and stores nothing")
    func limits() async throws {
        let pipeline = try SharedPipeline.harness()
        let busy = try await JobsAPI.signedIn(pipeline)
        pipeline.images.script(40, .slow(.seconds(20)))
        pipeline.images.script(41, .slow(.seconds(20)))
        for number in [40, 41] {
            let answer = try await busy.submit(csv: Self.header + "1,Slow,\(pipeline.images.url(number))\r\n")
            #expect(answer.status == 202)
        }
        let bucket = pipeline.configuration.uploadsBucket
        let before = try await pipeline.clients.storage.listAll(bucket: bucket, prefix: "api/").count
        let third = try await busy.submit(csv: Self.header + "1,Third,\(pipeline.images.url(42))\r\n")
        #expect(third.status == 429)
        #expect(third.header("Retry-After") == "30")
        #expect(try JobsAPI.problem(third).detail.contains("2 jobs queued or running"))

        let daily = try await JobsAPI.signedIn(pipeline)
        let four = (1...4).map { "\($0),P\($0),\(pipeline.images.url(50 + $0))" }.joined(separator: "\r\n")
        #expect(try await daily.submit(csv: Self.header + four + "\r\n").status == 202)
        let three = (1...3).map { "\($0),Q\($0),\(pipeline.images.url(60 + $0))" }.joined(separator: "\r\n")
        let over = try await daily.submit(csv: Self.header + three + "\r\n")
        #expect(over.status == 429)
        let retryAfter = try #require(over.header("Retry-After").flatMap(Int.init))
        #expect((1...86_400).contains(retryAfter))
        let problem = try JobsAPI.problem(over)
        #expect(problem.retryAfter == retryAfter)
        #expect(problem.detail.contains("holds 3 images and 4 of today's 6"))
        let after = try await pipeline.clients.storage.listAll(bucket: bucket, prefix: "api/").count
        #expect(after == before + 1, "only the accepted submission was stored")
        let me = try JobsAPI.decode(JSONValue.self, try await daily.send("GET", "/v1/me"))
        guard case .object(let fields) = me, case .object(let usage)? = fields["usage"] else { throw TestFailure("no usage in \(me)") }
        #expect(usage["imagesToday"] == .integer(4))
        // Two more fit exactly.
        #expect(try await daily.submit(csv: Self.header + "1,R1,\(pipeline.images.url(71))\r\n2,R2,\(pipeline.images.url(72))\r\n").status == 202)
    }
}
