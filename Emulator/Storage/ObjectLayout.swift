import Crypto
// `struct stat` is owned by whichever clang module a compile batch loads first, Glibc's or
// CoreFoundation's; with both imported its members are visible either way (MemberImportVisibility).
import CoreFoundation
import Foundation
import Glibc
import GoogleCloud

/// Where object bytes live on disk, and the only code that touches those files.
///
/// `DATA/buckets/BUCKET/NAME` mirrors an object whose name is a safe relative path: every
/// `/`-separated part non-empty, not `.` or `..`, at most 255 bytes, no NUL, the whole at most
/// 1024 bytes, and no part of the way already taken by a file, a symlink or (for the last part)
/// a directory. Any other name (`a/../b`, `dir/`, names with NUL, a name whose folder is already
/// an object) is kept under `DATA/blobs/` by a SHA-256 of bucket and name, outside every bucket
/// folder; the database records which. New bytes are written to `DATA/tmp/`, fsync'd, and
/// renamed into place, so a bucket folder never shows a half-written object.
struct ObjectLayout: Sendable {
    let rootPath: String

    init(root: URL) {
        rootPath = root.standardizedFileURL.path
    }

    var bucketsPath: String { rootPath + "/buckets" }
    var temporaryPath: String { rootPath + "/tmp" }
    var uploadsPath: String { rootPath + "/uploads" }
    var blobsPath: String { rootPath + "/blobs" }

    func bucketPath(_ bucket: String) -> String { bucketsPath + "/" + bucket }
    func absolutePath(_ location: String) -> String { rootPath + "/" + location }
    func uploadPath(_ id: String) -> String { uploadsPath + "/" + id }

    /// Creates the fixed folders and drops temporary files a crash left behind (nothing
    /// acknowledged refers to them: they are renamed away before the commit that does).
    func prepare() throws {
        for path in [bucketsPath, temporaryPath, uploadsPath, blobsPath] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: temporaryPath)) ?? [] {
            unlink(temporaryPath + "/" + leftover)
        }
    }

    /// The path parts of `name` when it can be a file under its bucket folder.
    static func mappedComponents(_ name: String) -> [String]? {
        guard name.utf8.count <= 1024, !name.utf8.contains(0) else { return nil }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts where part.isEmpty || part == "." || part == ".." || part.utf8.count > 255 {
            return nil
        }
        return parts
    }

    // MARK: Writing

    /// Writes `data` to a new file under `DATA/tmp/`, fsyncs it, and returns its path and checksums.
    func writeTemporary(_ data: Data) throws -> (path: String, checksums: ObjectChecksums) {
        let path = temporaryPath + "/" + UUID().uuidString
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("create", path) }
        defer { close(descriptor) }
        var checksums = ObjectChecksums()
        try data.withUnsafeBytes { bytes in
            checksums.update(bytes)
            try Self.writeAll(descriptor, bytes, path: path)
        }
        guard fsync(descriptor) == 0 else { throw Self.failure("fsync", path) }
        return (path, checksums)
    }

    /// Appends `data` to a resumable upload's file and fsyncs it; returns the new size.
    func append(_ data: Data, toUpload id: String) throws -> Int64 {
        let path = uploadPath(id)
        let descriptor = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { try Self.writeAll(descriptor, $0, path: path) }
        guard fsync(descriptor) == 0 else { throw Self.failure("fsync", path) }
        return try size(atPath: path)
    }

    /// Checksums of a file (a finished resumable upload), read in 1 MiB blocks.
    func checksums(ofFile path: String) throws -> ObjectChecksums {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        defer { close(descriptor) }
        var checksums = ObjectChecksums()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            guard count >= 0 else { throw Self.failure("read", path) }
            if count == 0 { break }
            checksums.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return checksums
    }

    func size(atPath path: String) throws -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return 0 }
            throw Self.failure("stat", path)
        }
        return Int64(info.st_size)
    }

    /// Moves a written file into its final place and makes the rename durable; returns the
    /// location (relative to the data directory) that the database records.
    func place(_ temporary: String, bucket: String, name: String, generation: Int64) throws -> String {
        if let parts = Self.mappedComponents(name), let location = try placeMapped(temporary, bucket: bucket, parts: parts) {
            return location
        }
        let location = "blobs/" + Self.blobName(bucket: bucket, name: name) + "-\(generation)"
        let target = absolutePath(location)
        guard rename(temporary, target) == 0 else { throw Self.failure("rename", target) }
        try Self.syncDirectory(blobsPath)
        return location
    }

    /// Renames into `DATA/buckets/BUCKET/…`, creating real folders on the way; nil when the
    /// way is blocked (a file, symlink or directory where the name needs something else).
    private func placeMapped(_ temporary: String, bucket: String, parts: [String]) throws -> String? {
        var directory = bucketPath(bucket)
        if !Self.isRealDirectory(directory) {
            // The bucket exists (the caller checked); recreate a folder someone removed.
            guard mkdir(directory, 0o755) == 0 else { return nil }
            try Self.syncDirectory(bucketsPath)
        }
        for part in parts.dropLast() {
            let next = directory + "/" + part
            if !Self.isRealDirectory(next) {
                var info = stat()
                if lstat(next, &info) == 0 { return nil }
                guard mkdir(next, 0o755) == 0 || (errno == EEXIST && Self.isRealDirectory(next)) else { return nil }
                try Self.syncDirectory(directory)
            }
            directory = next
        }
        let target = directory + "/" + parts[parts.count - 1]
        var info = stat()
        if lstat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return nil }
        guard rename(temporary, target) == 0 else { throw Self.failure("rename", target) }
        try Self.syncDirectory(directory)
        return "buckets/" + bucket + "/" + parts.joined(separator: "/")
    }

    // MARK: Reading and removing

    /// Reads `range` (or everything) of the file at `location`.
    func read(_ location: String, range: ClosedRange<Int64>?) throws -> Data {
        let path = absolutePath(location)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("open", path) }
        defer { close(descriptor) }
        let start = range?.lowerBound ?? 0
        let wholeSize = try size(atPath: path)
        let count = Int(range.map { $0.upperBound - $0.lowerBound + 1 } ?? wholeSize)
        var data = Data(count: count)
        var done = 0
        try data.withUnsafeMutableBytes { buffer in
            while done < count {
                let result = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(start) + off_t(done))
                guard result > 0 else { throw Self.failure("read", path) }
                done += result
            }
        }
        return data
    }

    /// Removes an object's file, and the folders above it that this leaves empty (never the
    /// bucket folder itself), making the removal durable. Runs inside the serialized writer so
    /// it cannot race `place` creating folders on the same path.
    func remove(_ location: String, bucket: String) {
        let path = absolutePath(location)
        unlink(path)
        var directory = (path as NSString).deletingLastPathComponent
        let stop = bucketPath(bucket)
        while directory.hasPrefix(stop + "/"), rmdir(directory) == 0 {
            directory = (directory as NSString).deletingLastPathComponent
        }
        try? Self.syncDirectory(directory)
    }

    /// Creates a bucket's folder (durably).
    func createBucketFolder(_ bucket: String) throws {
        let path = bucketPath(bucket)
        if mkdir(path, 0o755) != 0, !(errno == EEXIST && Self.isRealDirectory(path)) { throw Self.failure("mkdir", path) }
        try Self.syncDirectory(bucketsPath)
    }

    /// Removes an empty bucket's folder and the empty folders left inside it.
    func removeBucketFolder(_ bucket: String) {
        let path = bucketPath(bucket)
        guard Self.isRealDirectory(path) else { return }
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            let folders = enumerator.compactMap { $0 as? String }.sorted { $0.count > $1.count }
            for folder in folders { rmdir(path + "/" + folder) }
        }
        rmdir(path)
    }

    // MARK: Helpers

    static func blobName(bucket: String, name: String) -> String {
        SHA256.hash(data: Data((bucket + "\u{0}" + name).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw failure("write", path) }
            offset += written
        }
    }

    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", path) }
    }

    /// The error for a failed file operation: a full or failing disk is a `DiskFullError`
    /// (503, and deliveries pause), anything else an internal error naming the path.
    static func failure(_ operation: String, _ path: String) -> any Error {
        if let disk = DiskFullError.current(operation, path) { return disk }
        return GoogleAPIError.internal("Could not \(operation) \(path): \(String(cString: strerror(errno))).")
    }
}
