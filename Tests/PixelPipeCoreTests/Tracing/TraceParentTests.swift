import PixelPipeCore
import Testing

@Suite("W3C trace parents")
struct TraceParentTests {
    @Test("traceparent values parse, or are refused", arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: false)),
        (" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09 ", TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)),
        // A later version may add fields; version 00 may not.
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", nil),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", nil),
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", nil),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", nil),
        ("", nil),
    ] as [(String, TraceParent?)])
    func parse(_ header: String, _ expected: TraceParent?) {
        #expect(TraceParent(header: header) == expected)
    }

    @Test("a trace parent writes the header it was read from; new traces and spans are valid and distinct")
    func format() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceParent(header: header)?.header == header)
        let trace = TraceParent.newTrace(sampled: false)
        #expect(TraceParent(header: trace.header) == trace)
        #expect(trace.header.hasSuffix("-00"))
        let child = trace.childSpan()
        #expect(child.traceID == trace.traceID && child.sampled == trace.sampled)
        #expect(child.spanID != trace.spanID)
        #expect(TraceParent(header: child.header) == child)
        #expect(TraceParent.newTrace().traceID != trace.traceID)
    }

    @Test("the current trace parent is bound for a task and its children, and unbound outside")
    func current() async {
        #expect(TraceParent.current == nil)
        let outer = TraceParent.newTrace()
        let inner = outer.childSpan()
        await TraceParent.withCurrent(outer) {
            #expect(TraceParent.current == outer)
            await TraceParent.withCurrent(inner) {
                let seen = await Task { TraceParent.current }.value
                #expect(seen == inner)
            }
            #expect(TraceParent.current == outer)
            await TraceParent.withCurrent(nil) { #expect(TraceParent.current == nil) }
        }
        #expect(TraceParent.current == nil)
    }
}
