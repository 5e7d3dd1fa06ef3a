import Testing
@testable import Emulator

@Suite("Prometheus text merged from the services")
struct PrometheusTextTests {
    @Test("a sample gets the service label first", arguments: [
        (#"pixelpipe_items_total{stage="process",outcome="failed"} 2"#, #"pixelpipe_items_total{service="process",stage="process",outcome="failed"} 2"#),
        ("up 1", #"up{service="process"} 1"#),
        ("up{} 1", #"up{service="process"} 1"#),
    ])
    func labels(line: String, expected: String) {
        #expect(PrometheusText.labelled(line, service: "process") == expected)
    }

    @Test("families of several services are merged under one TYPE line each, the emulator's own first and unchanged")
    func merges() {
        let own = """
        # TYPE pixelpipe_emulator_storage_events_pending gauge
        pixelpipe_emulator_storage_events_pending 0
        """
        let process = """
        # TYPE pixelpipe_step_duration_seconds histogram
        pixelpipe_step_duration_seconds_bucket{stage="process",step="download",le="0.005"} 1
        pixelpipe_step_duration_seconds_bucket{stage="process",step="download",le="+Inf"} 2
        pixelpipe_step_duration_seconds_sum{stage="process",step="download"} 0.5
        pixelpipe_step_duration_seconds_count{stage="process",step="download"} 2
        # TYPE pixelpipe_items_total counter
        pixelpipe_items_total{stage="process",outcome="succeeded",reason="none"} 2
        """
        let ingest = """
        # TYPE pixelpipe_step_duration_seconds histogram
        pixelpipe_step_duration_seconds_count{stage="ingest",step="scan"} 1
        """
        let merged = PrometheusText.merge(own: own, services: [("ingest", ingest), ("process", process)])
        #expect(merged == """
        # TYPE pixelpipe_emulator_storage_events_pending gauge
        pixelpipe_emulator_storage_events_pending 0
        # TYPE pixelpipe_step_duration_seconds histogram
        pixelpipe_step_duration_seconds_count{service="ingest",stage="ingest",step="scan"} 1
        pixelpipe_step_duration_seconds_bucket{service="process",stage="process",step="download",le="0.005"} 1
        pixelpipe_step_duration_seconds_bucket{service="process",stage="process",step="download",le="+Inf"} 2
        pixelpipe_step_duration_seconds_sum{service="process",stage="process",step="download"} 0.5
        pixelpipe_step_duration_seconds_count{service="process",stage="process",step="download"} 2
        # TYPE pixelpipe_items_total counter
        pixelpipe_items_total{service="process",stage="process",outcome="succeeded",reason="none"} 2

        """)
    }
}
