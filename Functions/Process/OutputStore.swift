import Foundation
import GoogleCloud
import Imaging
import PipelineModel

/// Writes renditions to the processed bucket: each under the name the caller chooses, with its
/// format's `Content-Type`, several at once but never more than `concurrency`, so one image's
/// six outputs take about one upload's time without opening a connection per output.
struct OutputStore: Sendable {
    let storage: StorageClient
    let bucket: String
    let links: ObjectLinks
    let concurrency: Int

    /// Uploads every rendition and returns the outputs in rendition order. Names are
    /// deterministic, so a retry overwrites what an earlier attempt left behind.
    func store(_ renditions: [Rendition], source: String, name: @Sendable (Rendition) -> String) async throws(ImageFailure) -> [ItemRecord.Output] {
        do {
            return try await withThrowingTaskGroup(of: (Int, ItemRecord.Output).self) { group in
                var outputs = [ItemRecord.Output?](repeating: nil, count: renditions.count)
                var next = 0
                func startNext() {
                    guard next < renditions.count else { return }
                    let index = next
                    let rendition = renditions[index]
                    let object = name(rendition)
                    next += 1
                    group.addTask { (index, try await upload(rendition, name: object, source: source)) }
                }
                for _ in 0..<min(max(concurrency, 1), renditions.count) { startNext() }
                while let (index, output) = try await group.next() {
                    outputs[index] = output
                    startNext()
                }
                return outputs.compactMap { $0 }
            }
        } catch let failure as ImageFailure {
            throw failure
        } catch {
            throw ImageFailure.storage(error, object: "(unknown)", source: source)
        }
    }

    private func upload(_ rendition: Rendition, name: String, source: String) async throws(ImageFailure) -> ItemRecord.Output {
        let contentType = rendition.format.contentType
        do {
            _ = try await storage.upload(rendition.data, bucket: bucket, name: name, options: .init(contentType: contentType))
        } catch {
            throw ImageFailure.storage(error, object: "gs://\(bucket)/\(name)", source: source)
        }
        return ItemRecord.Output(
            size: rendition.size,
            format: rendition.format.rawValue,
            width: rendition.width,
            height: rendition.height,
            object: name,
            url: links.url(bucket: bucket, name: name),
            contentType: contentType,
            bytes: rendition.data.count
        )
    }
}
