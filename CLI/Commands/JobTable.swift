import Foundation
import PipelineModel

/// `pixelpipe jobs` as aligned columns: id, status, progress, counts, creation time, source.
enum JobTable {
    static func lines(_ jobs: [JobResource]) -> [String] {
        let header = ["JOB", "STATUS", "DONE", "SUCCEEDED", "FAILED", "TOTAL", "CREATED", "SOURCE"]
        let rows = jobs.map { job in
            [job.id, job.status.rawValue, ProgressLine.percent(job.progress), String(job.counts.succeeded), String(job.counts.failed),
             String(job.counts.total), job.createdAt, job.source.name]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
