import Foundation
import FunctionsFramework
import Testing
import TestSupport

@Suite("Port in use")
struct PortHolderTests {
    @Test("the process listening on a port is found by /proc: this test process, by pid and name")
    func findsThisProcess() throws {
        let held = try HeldPort()
        #expect(PortHolder.find(port: held.port) == HeldPort.holder)
        #expect(HeldPort.holder.description == "\(HeldPort.holder.command) (pid \(getpid()))")
    }

    @Test("a port nobody listens on has no holder")
    func noHolder() throws {
        let port = try { let held = try HeldPort(); return held.port }()
        #expect(PortHolder.find(port: port) == nil)
    }

    @Test("a function server whose PORT is taken fails naming the port, the address and the holder")
    func functionServerPortInUse() async throws {
        let held = try HeldPort()
        let configuration = FunctionConfiguration(service: "fixture", host: "127.0.0.1", port: held.port)
        let function = FunctionDefinition(name: "fixture", http: ClosureHandler { _, _ in .text("ok") })
        let error = await #expect(throws: PortInUseError.self) {
            try await FunctionServer.run(function: function, configuration: configuration, logger: quietLogger)
        }
        #expect(error?.description == "port \(held.port) on 127.0.0.1 is in use by \(HeldPort.holder); set PORT to a free port (0 picks one)")
    }
}
