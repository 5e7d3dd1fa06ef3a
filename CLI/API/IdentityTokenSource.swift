import Foundation

/// The identity token that passes Cloud Run's IAM when it guards the API as well
/// (`--gcloud-token`, sent as `X-Serverless-Authorization: Bearer …`, so `Authorization` keeps
/// the user's Firebase ID token): what `gcloud auth print-identity-token` prints, asked once per
/// command.
public struct IdentityTokenSource: Sendable {
    /// The gcloud executable: a path, or a name looked up on `PATH`.
    public var gcloud: String

    /// A source running `gcloud` (from `PATH` unless told otherwise).
    public init(gcloud: String = "gcloud") {
        self.gcloud = gcloud
    }

    /// Runs gcloud as a child process and returns the token it prints.
    public func token() async throws(CLIError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [gcloud, "auth", "print-identity-token"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .identityToken("could not run \(gcloud): \(error)")
        }
        // Both pipes are read to their ends before waiting, so a chatty gcloud cannot block on a
        // full pipe; the blocking reads and the wait run on threads of their own, not the
        // cooperative pool.
        async let printed = OwnThread.run { output.fileHandleForReading.readDataToEndOfFile() }
        async let complaints = OwnThread.run { errors.fileHandleForReading.readDataToEndOfFile() }
        let (stdout, stderr) = await (printed, complaints)
        await OwnThread.run { process.waitUntilExit() }
        let token = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            let said = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let reason = process.terminationStatus == 127 ? "\(gcloud) was not found on PATH (install the Google Cloud CLI, or leave out --gcloud-token)" : said.split(separator: "\n").last.map(String.init) ?? "no message"
            throw .identityToken("`\(gcloud) auth print-identity-token` exited \(process.terminationStatus): \(reason)")
        }
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw .identityToken("`\(gcloud) auth print-identity-token` printed no token")
        }
        return token
    }
}
