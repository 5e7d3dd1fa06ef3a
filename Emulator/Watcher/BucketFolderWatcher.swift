import Foundation
import GoogleCloud
import Logging
import PixelPipeCore
import ServiceLifecycle

/// Mirrors `DATA/buckets/BUCKET/` into Storage: a file dropped there, once completely written,
/// becomes a new generation of the object it names (and fires the bucket's triggers); a file
/// removed there deletes its object. inotify reports close-after-write and moves at once; a
/// periodic rescan catches anything inotify missed (files written while the emulator was down,
/// file systems without inotify), taking a file only once its modification time is `settle`
/// old. Names with a part starting with `.` (editor and partial-download files) are ignored.
struct BucketFolderWatcher: Service {
    private let storage: StorageStore
    private let rescanInterval: Duration
    private let settle: Duration
    private let logger: Logger

    init(storage: StorageStore, rescanInterval: Duration = .seconds(2), settle: Duration = .seconds(1), logger: Logger) {
        self.storage = storage
        self.rescanInterval = rescanInterval
        self.settle = settle
        self.logger = logger
    }

    private var root: String { storage.layout.bucketsPath }

    func run() async throws {
        try await rescan()
        let watcher = try InotifyWatcher(root: root)
        defer { watcher.stop() }
        do {
            try await cancelWhenGracefulShutdown {
                try await watch(watcher)
            }
        } catch is CancellationError {
            // Shutting down; the next start's scan picks up anything dropped meanwhile.
        }
    }

    private func watch(_ watcher: InotifyWatcher) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await change in watcher.changes {
                    await handle(change)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: rescanInterval)
                    try await rescan()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Bucket and object name for a path under the buckets folder, unless it is to be ignored.
    func object(at path: String) -> (bucket: String, name: String)? {
        Self.object(at: path, root: root)
    }

    static func object(at path: String, root: String) -> (bucket: String, name: String)? {
        guard path.hasPrefix(root + "/") else { return nil }
        let parts = path.dropFirst(root.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts.contains(where: { $0.isEmpty || $0.hasPrefix(".") }) else { return nil }
        return (String(parts[0]), parts.dropFirst().joined(separator: "/"))
    }

    private func handle(_ change: InotifyWatcher.Change) async {
        do {
            switch change {
            case .written(let path):
                if let target = object(at: path) { try await adopt(target) }
            case .removed(let path):
                if let target = object(at: path) { try await storage.forgetMissingFile(bucket: target.bucket, name: target.name) }
            case .directoryAdded:
                // Files that landed before the new folder was watched, or came with a moved-in
                // folder, may still be being written: the rescan takes them once settled.
                break
            }
        } catch {
            logger.error("could not take in a bucket folder change", metadata: ["pixelpipe.change": "\(change)", "pixelpipe.error": "\(error)"])
        }
    }

    private func adopt(_ target: (bucket: String, name: String)) async throws {
        if let object = try await storage.adoptFile(bucket: target.bucket, name: target.name) {
            logger.debug("took in a dropped file", metadata: [
                "pixelpipe.object": .string("gs://\(object.bucket)/\(object.name)"),
                "pixelpipe.generation": .stringConvertible(object.generation),
            ])
        }
    }

    /// Compares the folders with the store: new or changed settled files are taken in, objects
    /// whose files are gone are deleted.
    func rescan() async throws {
        let known = try await storage.folderObjects()
        let root = root
        let settle = settle
        // The walk and the stats run off the cooperative pool; only the decisions come back.
        let (seen, settled): (Set<String>, [String]) = try await BlockingIO.run {
            var seen = Set<String>()
            var settled: [String] = []
            let now = Date()
            let enumerator = FileManager.default.enumerator(atPath: root)
            while let relative = enumerator?.nextObject() as? String {
                let path = root + "/" + relative
                guard Self.object(at: path, root: root) != nil,
                      let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                let location = "buckets/" + relative
                seen.insert(location)
                let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
                let modified = (attributes[.modificationDate] as? Date) ?? now
                if let row = known[location], row.size == size, Int64(modified.timeIntervalSince1970 * 1_000_000) <= row.updated { continue }
                guard now.timeIntervalSince(modified) >= Double(settle.milliseconds) / 1000 else { continue }  // still being written
                settled.append(path)
            }
            return (seen, settled)
        }
        for path in settled {
            if let target = object(at: path) { try await adopt(target) }
        }
        for location in known.keys where !seen.contains(location) {
            let parts = location.split(separator: "/", maxSplits: 2)
            guard parts.count == 3 else { continue }
            try await storage.forgetMissingFile(bucket: String(parts[1]), name: String(parts[2]))
        }
    }
}
