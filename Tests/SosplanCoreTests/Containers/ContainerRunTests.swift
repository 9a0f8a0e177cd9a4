import Foundation
import SosplanCore
import Testing

/// `ContainerRun`: plan properties, podman's argument vector and reading it
/// back agree; values from a saved plan are checked again.
@Suite struct ContainerRunTests {
    static let run = ContainerRun(
        name: "sosplan-db",
        spec: ContainerSpec(
            image: "docker.io/library/postgres:16.4", args: ["-c", "shared_buffers=1GB"],
            environment: [EnvironmentVariable("PGDATA", "/var/lib/postgresql/data/pgdata")],
            mounts: [ContainerMount(source: "/srv/postgres", target: "/var/lib/postgresql/data")], network: "host",
            user: "999:999"),
        cpus: CPUSet([0, 1, 2, 3]), memoryNodes: CPUSet([0]), memory: 8 << 30, memoryReservation: 4 << 30)

    @Test func propertiesArgumentsAndReadBackAgree() throws {
        let fromProperties = try ContainerRun(properties: Self.run.properties, name: "sosplan-db")
        #expect(fromProperties == Self.run)
        let argv = Self.run.argumentVector(podman: "/usr/bin/podman")
        #expect(ContainerRun.parse(argv)?.run == Self.run)
        #expect(Self.run.updateArguments
            == ["--cpuset-cpus=0-3", "--cpuset-mems=0", "--memory=8589934592", "--memory-reservation=4294967296"])
    }

    @Test func onlyImageCommandAndOptionsNeedARestart() {
        var moved = Self.run
        moved.cpus = CPUSet([4, 5])
        moved.memory = 16 << 30
        #expect(!moved.needsRestart(comparedTo: Self.run))
        var newImage = Self.run
        newImage.spec.image = "docker.io/library/postgres:16.5"
        #expect(newImage.needsRestart(comparedTo: Self.run))
        var newArgs = Self.run
        newArgs.spec.args = ["-c", "shared_buffers=2GB"]
        #expect(newArgs.needsRestart(comparedTo: Self.run))
    }

    /// A saved plan is a file anyone may edit: what it says reaches podman
    /// only after the layout's checks.
    @Test(arguments: [
        ("Image", JSONValue.string("--privileged")),
        ("Image", .string("nginx\nExecStartPre=/bin/sh")),
        ("Command", .array([.string("/bin/sh"), .string("a\nb")])),
        ("Args", .array([.string("x\u{0}y")])),
        ("Environment", .object([("LD_PRELOAD=/x", .string("1"))])),
        ("Environment", .object([("HOST*", .string("1"))])),
        ("Mounts", .array([.object([("source", .string("/a,destination=/etc")), ("target", .string("/b"))])])),
        ("Mounts", .array([.object([("source", .string("relative")), ("target", .string("/b"))])])),
        ("Network", .string("container:other")),
        ("Publish", .array([.string("80")])),
        ("User", .string("root;id")),
        ("Workdir", .string("../x")),
        ("Runtime", .string("--privileged")),
        ("Pull", .string("sometimes")),
        ("CpusetCpus", .string("0-3;id")),
        ("Memory", .string("lots")),
    ])
    func editedPlanValuesAreRefused(key: String, value: JSONValue) {
        var p = Self.run.properties
        p[key] = value
        #expect(throws: ContainerRunError.self) { try ContainerRun(properties: p, name: "sosplan-db") }
    }

    @Test func onlySosplansContainerNames() {
        #expect(throws: ContainerRunError.self) { try ContainerRun(properties: Self.run.properties, name: "postgres") }
        #expect(throws: ContainerRunError.self) { try ContainerRun(properties: Self.run.properties, name: "sosplan-Bad") }
    }

    @Test func anEditedUnitIsNotReadAsAContainer() {
        var argv = Self.run.argumentVector(podman: "/usr/bin/podman")
        argv.insert("--privileged", at: 9)
        #expect(ContainerRun.parse(argv) == nil)
        #expect(ContainerRun.parse(["/usr/bin/podman", "run", "--name=sosplan-db"]) == nil)
        #expect(ContainerRun.parse(["/usr/bin/nginx"]) == nil)
    }
}
