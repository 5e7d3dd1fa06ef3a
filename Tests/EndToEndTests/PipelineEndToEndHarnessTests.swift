import Foundation
import GoogleCloud
import PipelineModel
import Testing
import TestSupport

/// The end-to-end harness itself, so a failing pipeline test points at the pipeline: the
/// pipeline file keeps the repository topology, the emulator runs the four real stage binaries
/// and restarts a killed one, the image server follows its scripts and counts hits.
@Suite("Pipeline end to end: the harness", .serialized)
struct PipelineEndToEndHarnessTests {
    @Test("the pipeline file is infra/pipeline.yaml with the test settings merged into its shared env")
    func pipelineFile() throws {
        let text = try PipelineFile(environment: ["SHARD_ROWS": "7", "IMAGE_RECIPE": #"{"formats":["webp"]}"#]).render()
        let original = try String(contentsOf: PipelineFile.repositoryFile, encoding: .utf8)
        #expect(text.contains("  SHARD_ROWS: \"7\""))
        #expect(!text.contains("SHARD_ROWS: \"500\""))
        #expect(text.contains(#"  IMAGE_RECIPE: "{\"formats\":[\"webp\"]}""#))
        #expect(text.contains("  UPLOADS_BUCKET: pixelpipe-uploads"))
        // Everything after the env block is untouched but the services' pinned ports, which a
        // test leaves to be chosen free.
        let tail = try #require(original.range(of: "\nbuckets:")).lowerBound
        let unpinned = original[tail...].split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("    port: ") }
        #expect(original.contains("\n    port: 8086\n"))
        #expect(!text.contains("    port: "))
        #expect(text.hasSuffix(unpinned.joined(separator: "\n")))
    }

    @Test("the emulator runs the four stage binaries; a killed stage is restarted on its URL; stop leaves nothing running")
    func emulatorAndStages() async throws {
        let (emulatorPID, stagePIDs) = try await withPipeline { pipeline in
            let emulator = pipeline.emulator
            let pids = emulator.stagePIDs()
            #expect(Set(pids.keys) == Set(PipelineEmulator.stages))
            #expect(pids.values.allSatisfy { $0 > 0 })
            for stage in PipelineEmulator.stages {
                let health = try await HTTPClient().get(try #require(emulator.serviceURLs[stage]) + "/healthz")
                #expect(health.status == 200, "\(stage) /healthz")
            }
            let buckets = try await pipeline.clients.storage.bucketExists(pipeline.configuration.uploadsBucket)
            #expect(buckets)

            let restarted = try await emulator.killStage("process")
            #expect(restarted != pids["process"])
            #expect(emulator.stagePIDs()["ingest"] == pids["ingest"])
            return (emulator.child.processIdentifier, Array(emulator.stagePIDs().values))
        }
        #expect(!ProcessTable.isAlive(emulatorPID), "the emulator outlived its scope")
        #expect(!stagePIDs.contains(where: ProcessTable.isAlive), "a stage outlived the emulator")
    }

    @Test("the image server serves distinct JPEGs and follows its fault scripts, counting hits")
    func imageServer() async throws {
        try await ImageServer.withServer { images in
            images.script(2, .failFirst(times: 2, status: 503))
            images.script(3, .status(404))
            images.script(4, .notAnImage)
            let http = HTTPClient()
            let first = try await http.get(images.url(0))
            let second = try await http.get(images.url(1))
            #expect(first.status == 200 && second.status == 200)
            #expect(ImageHeader(first.body) == ImageHeader(second.body))
            #expect(ImageHeader(first.body)?.width == TestImages.width)
            #expect(first.body != second.body)
            #expect(try await http.get(images.url(2)).status == 503)
            #expect(try await http.get(images.url(2)).status == 503)
            #expect(try await http.get(images.url(2)).status == 200)
            #expect(try await http.get(images.url(3)).status == 404)
            let page = try await http.get(images.url(4))
            #expect(page.status == 200 && ImageHeader(page.body) == nil)
            #expect(images.hits(2) == 3 && images.hits(3) == 1 && images.hits(0) == 1)
        }
    }
}
