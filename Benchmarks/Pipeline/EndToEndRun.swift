import BenchmarkSupport
import Foundation
import GoogleCloud
import Imaging
import PipelineModel
import PixelPipeCore

/// A CSV of `images` photos (2000 × 1500 JPEGs served on loopback) through the whole pipeline
/// under the release emulator, from upload to the job's final status (output CSV written),
/// against the imaging engine alone on the same images with the same recipe in the same run.
enum EndToEndRun {
    /// With `observabilityPairs` > 0, the pipeline runs that many times with observability
    /// (metrics and tracing) off and on in turn.
    static func run(images: Int, photos photoCount: Int, observabilityPairs: Int = 0) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpipe-pipeline-bench")
        let photos = try SyntheticPhotos.make(count: photoCount, width: 2000, height: 1500, in: folder).map { try Data(contentsOf: $0) }
        report("Images: \(images) (\(photoCount) distinct 2000×1500 JPEGs, \(photos.map(\.count).reduce(0, +) / photos.count / 1024) KiB on average); recipe: the default (\(Recipe.default.sizes.count) sizes × \(Recipe.default.formats.map(\.rawValue).joined(separator: "/")))")

        // The engine alone: every image once, as many in flight as the pipeline allows.
        let engine = try ImagingEngine(configuration: try ImagingConfiguration(environment: EnvironmentValues([:])))
        let engineStarted = ContinuousClock.now
        let ownCPUBefore = cpuSeconds(ofProcessAndChildren: getpid()).first?.seconds ?? 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                guard next < images else { return }
                let photo = photos[next % photos.count]
                next += 1
                group.addTask { _ = try await engine.process(photo, recipe: .default) }
            }
            for _ in 0..<16 { add() }
            while try await group.next() != nil { add() }
        }
        let engineSeconds = seconds(ContinuousClock.now - engineStarted)
        let engineCPU = (cpuSeconds(ofProcessAndChildren: getpid()).first?.seconds ?? 0) - ownCPUBefore
        let engineRate = Double(images) / engineSeconds
        report("Engine alone: \(images) images in \(String(format: "%.1f", engineSeconds)) s = \(String(format: "%.2f", engineRate)) images/s")

        // The pipeline: the release emulator with its built-in default pipeline and binaries.
        let server = await ImageServer(photos: photos)
        defer { server.stop() }
        if observabilityPairs > 0 {
            // Observability off (metrics with their timing records and log lines, and tracing),
            // then on, in turn: the same run's pipeline figure both ways, so the machine's drift
            // falls on both alike. The emulator passes both variables to every service.
            var rates: [(off: Double, on: Double)] = []
            for pair in 1...observabilityPairs {
                Self.observability(on: false)
                let off = try await pipeline(images: images, server: server, engineRate: engineRate, engineCPU: engineCPU)
                Self.observability(on: true)
                let on = try await pipeline(images: images, server: server, engineRate: engineRate, engineCPU: engineCPU)
                rates.append((off, on))
                report("Pair \(pair): observability off \(format(off)) images/s (ratio \(format(off / engineRate, 3))), on \(format(on)) images/s (ratio \(format(on / engineRate, 3))); on / off \(format(on / off, 3))")
            }
            for (name, values) in [("off", rates.map(\.off)), ("on", rates.map(\.on))] {
                let sorted = values.sorted()
                report("Observability \(name), images/s over \(values.count) runs: min \(format(sorted[0])), median \(format(median(values))), max \(format(sorted[sorted.count - 1]))")
            }
            report("Observability on / off, median of \(rates.count) pairs: \(format(median(rates.map { $0.on / $0.off }), 3)) (target: within 2 %)")
            return
        }
        _ = try await pipeline(images: images, server: server, engineRate: engineRate, engineCPU: engineCPU)
    }

    /// One pipeline run of `images` images under a fresh release emulator; returns its images/s.
    static func pipeline(images: Int, server: ImageServer, engineRate: Double, engineCPU: Double) async throws -> Double {
        let emulator = ChildEmulator(arguments: [])
        try emulator.start(readyMessage: "pipeline ready")
        defer { emulator.stop() }
        let bench = try BenchmarkEnvironment(emulatorURL: emulator.url)
        var csv = "S. No.,Product Name,Input Image Urls\n"
        for image in 0..<images { csv += "\(image + 1),Product \(image + 1),http://127.0.0.1:\(server.port)/img/\(image).jpg\n" }
        let started = ContinuousClock.now
        let object = try await bench.clients.storage.upload(Data(csv.utf8), bucket: bench.configuration.uploadsBucket, name: "bench.csv", options: .init(contentType: "text/csv"))
        let job = PipelineNames.jobID(bucket: object.bucket, object: object.name, generation: object.generationNumber ?? 0)
        guard let record = try await bench.awaitFinal(job: job, limit: .seconds(Double(images) * 2 + 120)) else {
            throw BenchmarkFailure("job \(job) did not finish")
        }
        let pipelineSeconds = seconds(ContinuousClock.now - started)
        let pipelineRate = Double(images) / pipelineSeconds
        report("Pipeline: \(record.succeeded) succeeded, \(record.failed) failed, status \(record.status.rawValue), in \(String(format: "%.1f", pipelineSeconds)) s = \(String(format: "%.2f", pipelineRate)) images/s; job trace \(record.record.traceID ?? "none")")
        let usage = cpuSeconds(ofProcessAndChildren: emulator.processIdentifier)
        report("CPU seconds during the run: " + usage.map { "\($0.name) \(String(format: "%.1f", $0.seconds))" }.joined(separator: ", ")
            + "; engine alone used \(String(format: "%.1f", engineCPU)) s")
        report("End to end / engine alone: \(String(format: "%.2f", pipelineRate / engineRate)) (target ≥ 0.85)")
        return pipelineRate
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension EndToEndRun {
    /// Sets metrics and tracing both on or both off for the emulators started from now on.
    static func observability(on: Bool) {
        for variable in ["PIXELPIPE_METRICS", "PIXELPIPE_TRACING"] { setenv(variable, on ? "on" : "off", 1) }
    }

    /// The median; of an even count, the mean of the middle two.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }
}
