import FunctionsFramework
import HTTPTypes
import Testing

@Suite("Trace context")
struct TraceContextTests {
    @Test("traceparent headers parse or are refused", arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", TraceContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: false)),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", nil),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", nil),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", nil),
        ("garbage", nil),
    ] as [(String, TraceContext?)])
    func traceparent(_ header: String, _ expected: TraceContext?) {
        #expect(TraceContext(traceparent: header) == expected)
    }

    @Test("X-Cloud-Trace-Context headers parse or are refused", arguments: [
        ("105445aa7843bc8bf206b12000100000/1;o=1", TraceContext(traceID: "105445aa7843bc8bf206b12000100000", spanID: "1", sampled: true)),
        ("105445aa7843bc8bf206b12000100000/123;o=0", TraceContext(traceID: "105445aa7843bc8bf206b12000100000", spanID: "123", sampled: false)),
        ("105445aa7843bc8bf206b12000100000", TraceContext(traceID: "105445aa7843bc8bf206b12000100000", spanID: nil, sampled: false)),
        ("105445aa7843bc8bf206b12000100000/abc;o=1", nil),
        ("short/1", nil),
    ] as [(String, TraceContext?)])
    func cloudTraceContext(_ header: String, _ expected: TraceContext?) {
        #expect(TraceContext(cloudTraceContext: header) == expected)
    }

    @Test("traceparent wins over X-Cloud-Trace-Context when both are present")
    func precedence() {
        let request = makeRequest(headers: [
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1",
        ])
        #expect(TraceContext(headers: request.headers)?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    }
}
