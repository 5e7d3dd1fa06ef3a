import Foundation

/// Where the CLI keeps its sign-ins: `credentials.json` in `PIXELPIPE_CONFIG_DIR`, else in
/// `$XDG_CONFIG_HOME/pixelpipe`, else in `~/.config/pixelpipe`. The folder is 0700 and the file
/// 0600, and the file is replaced whole (a temporary file created 0600 by `mkstemp`, then
/// renamed over it), so it is never readable by others, not even while it is written, and a
/// command interrupted mid-write leaves the old file intact.
public struct CredentialsStore: Sendable {
    /// The folder holding `credentials.json`.
    public let directory: URL

    /// A store in `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The store the environment names (see the type).
    public static func located(environment: [String: String]) throws(CLIError) -> CredentialsStore {
        if let folder = environment["PIXELPIPE_CONFIG_DIR"], !folder.isEmpty {
            return CredentialsStore(directory: URL(fileURLWithPath: folder, isDirectory: true))
        }
        // The XDG base directory spec: a relative XDG_CONFIG_HOME is ignored.
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return CredentialsStore(directory: URL(fileURLWithPath: config, isDirectory: true).appendingPathComponent("pixelpipe", isDirectory: true))
        }
        guard let home = environment["HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? Self.passwordDatabaseHome() else {
            throw .credentials("no home folder to keep credentials in: set HOME, XDG_CONFIG_HOME or PIXELPIPE_CONFIG_DIR")
        }
        return CredentialsStore(directory: URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config/pixelpipe", isDirectory: true))
    }

    /// `credentials.json`.
    public var file: URL { directory.appendingPathComponent("credentials.json") }

    // MARK: Reading

    /// Every sign-in kept; none when there is no file yet.
    public func read() throws(CLIError) -> CredentialsFile {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return CredentialsFile()
        } catch {
            throw .credentials("could not read \(file.path): \(error.localizedDescription)")
        }
        do {
            return try CredentialsFile.decoded(from: data)
        } catch {
            throw .credentials("\(file.path) is not a credentials file PixelPipe wrote (remove it and sign in again)")
        }
    }

    /// The sign-in kept for the API at `api` (its base URL), if any.
    public func credentials(for api: String) throws(CLIError) -> AccountCredentials? {
        try read().apis[api]
    }

    // MARK: Writing

    /// Keeps `credentials` as the sign-in for `api`, or forgets that sign-in when nil; the other
    /// APIs' sign-ins are read again just before, so concurrent commands lose as little as can be.
    public func save(_ credentials: AccountCredentials?, for api: String) throws(CLIError) {
        var document = try read()
        document.apis[api] = credentials
        try write(document)
    }

    /// Replaces the file with `document` (see the type).
    public func write(_ document: CredentialsFile) throws(CLIError) {
        let data: Data
        do {
            data = try document.encoded()
        } catch {
            throw .credentials("could not encode the credentials: \(error)")
        }
        try makeDirectory()
        var template = Array((file.path + ".XXXXXX").utf8CString)
        // mkstemp creates the file 0600 (and exclusively), so no other user can ever open it.
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .credentials("could not create a file in \(directory.path): \(Self.errnoText())") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw .credentials("could not write \(file.path): \(error.localizedDescription)")
        }
        guard rename(temporary, file.path) == 0 else {
            let reason = Self.errnoText()
            unlink(temporary)
            throw .credentials("could not write \(file.path): \(reason)")
        }
    }

    /// Creates the folder 0700 (its missing parents too, as XDG asks), or takes group and other
    /// access away from an existing one.
    private func makeDirectory() throws(CLIError) {
        let files = FileManager.default
        do {
            if let attributes = try? files.attributesOfItem(atPath: directory.path) {
                guard attributes[.type] as? FileAttributeType == .typeDirectory else { throw CLIError.credentials("\(directory.path) is not a folder") }
                if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                    try files.setAttributes([.posixPermissions: mode & 0o700], ofItemAtPath: directory.path)
                }
                return
            }
            try files.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // The umask may have taken bits away, never added them; this makes it exactly 0700.
            try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch let error as CLIError {
            throw error
        } catch {
            throw .credentials("could not make \(directory.path) a private folder (0700): \(error.localizedDescription)")
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The home folder in the password database, for a process started without HOME.
    private static func passwordDatabaseHome() -> String? {
        guard let entry = getpwuid(getuid()), let home = entry.pointee.pw_dir else { return nil }
        let path = String(cString: home)
        return path.isEmpty ? nil : path
    }
}
