import Foundation
import PipelineModel

/// Downloads items' output images into a folder, a bounded number at a time, as
/// `ROW-INDEX-SIZE.FORMAT` (the item id, the recipe size, the encoding).
public struct OutputDownloader: Sendable {
    /// The API the outputs are listed by (and downloaded through, when they are its links).
    public let api: JobsAPIClient
    /// Downloads in flight at once.
    public var concurrency: Int

    /// A downloader through `api`.
    public init(api: JobsAPIClient, concurrency: Int = 8) {
        self.api = api
        self.concurrency = max(1, concurrency)
    }

    /// The file an output is saved as.
    public static func fileName(item: ItemResource, output: ItemResource.Output) -> String {
        let safe: (String) -> String = { $0.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }
        return "\(safe(item.id))-\(safe(output.size)).\(safe(output.format))"
    }

    /// Downloads every output of `items` into `directory` (created if needed); returns the
    /// files written and the failures, each naming the URL.
    public func download(_ items: [ItemResource], into directory: URL) async throws(CLIError) -> (written: Int, bytes: Int, failures: [String]) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .download("cannot create \(directory.path): \(error.localizedDescription)")
        }
        let work = items.flatMap { item in item.outputs.map { (url: $0.url, file: directory.appendingPathComponent(Self.fileName(item: item, output: $0))) } }
        var written = 0
        var bytes = 0
        var failures: [String] = []
        await withTaskGroup(of: Result<Int, CLIError>.self) { group in
            var next = work.makeIterator()
            func start() -> Bool {
                guard let job = next.next() else { return false }
                group.addTask {
                    do throws(CLIError) {
                        let data = try await api.download(job.url)
                        do {
                            try data.write(to: job.file, options: .atomic)
                        } catch {
                            throw .download("cannot write \(job.file.path): \(error.localizedDescription)")
                        }
                        return .success(data.count)
                    } catch {
                        return .failure(error)
                    }
                }
                return true
            }
            for _ in 0..<concurrency where !start() { break }
            for await result in group {
                switch result {
                case .success(let count):
                    written += 1
                    bytes += count
                case .failure(let error):
                    failures.append(error.message)
                }
                _ = start()
            }
        }
        return (written, bytes, failures)
    }
}
