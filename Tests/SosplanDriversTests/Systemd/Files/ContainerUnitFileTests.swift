import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The unit of a `container:` service: Quadlet's shape, and every value
/// reaching podman as exactly one literal argument.
@Suite("container units")
struct ContainerUnitFileTests {
    /// A run whose every free-text field holds what a shell or systemd would expand.
    static let hostile = ContainerRun(
        name: "sosplan-web",
        spec: ContainerSpec(
            image: "localhost/web:1",
            command: ["/bin/sh", "-c", "echo $HOME %n `id`; exit 0"],
            args: ["--privileged", "%i %% $$ ${X}", "say \"hi\"\\", ""],
            environment: [EnvironmentVariable("GREETING", "50% $HOME ${X} \"q\" \\ 'x'")],
            mounts: [ContainerMount(source: "/srv/a b$c%d", target: "/data", readOnly: true)],
            network: "none", publish: ["127.0.0.1:8080:80/tcp"], user: "101:101", workdir: "/srv", readOnly: true,
            pull: .never),
        cpus: CPUSet([2, 3]), memoryNodes: CPUSet([0]), memory: 64 << 20, memoryReservation: 32 << 20)

    static func request(_ run: ContainerRun) -> ContainerUnitRequest {
        ContainerUnitRequest(
            name: "sosplan-web.service", slice: "sosplan-web.slice", containerName: run.name,
            arguments: run.argumentVector(podman: "/usr/bin/podman", runtime: "runc"),
            environment: [("CONTAINERS_CONF", "/etc/sosplan/containers.conf")])
    }

    @Test("Quadlet's shape: notify from conmon, split cgroups, replace, removed on stop")
    func shape() throws {
        let parsed = UnitFile.parse(try ManagedUnitFiles.containerUnit(Self.request(Self.hostile)).render())
        #expect(parsed.sections.map(\.name) == ["Unit", "Service", "Install"])
        #expect(parsed.value("X-Sosplan-Managed", in: "Unit") == "container-unit")
        #expect(parsed.value("Type", in: "Service") == "notify")
        #expect(parsed.value("NotifyAccess", in: "Service") == "all")
        #expect(parsed.value("Delegate", in: "Service") == "yes")
        #expect(parsed.value("KillMode", in: "Service") == "mixed")
        #expect(parsed.value("Slice", in: "Service") == "sosplan-web.slice")
        let exec = try #require(parsed.value("ExecStart", in: "Service"))
        let argv = try #require(SystemdExecLineModel.argv(exec))
        #expect(argv.prefix(9) == ["/usr/bin/podman", "--runtime=runc", "run", "--name=sosplan-web", "--replace", "--rm",
                                   "--cgroups=split", "--sdnotify=conmon", "--detach"])
        #expect(argv.contains("--cpuset-cpus=2-3") && argv.contains("--cpuset-mems=0"))
        #expect(argv.contains("--memory=67108864") && argv.contains("--memory-reservation=33554432"))
        #expect(SystemdExecLineModel.argv(try #require(parsed.value("ExecStop", in: "Service")))
            == ["/usr/bin/podman", "rm", "--force", "--ignore", "--time=10", "sosplan-web"])
        #expect(parsed.values("Environment", in: "Service")
            == ["\"PODMAN_SYSTEMD_UNIT=sosplan-web.service\"", "\"CONTAINERS_CONF=/etc/sosplan/containers.conf\""])
    }

    @Test("hostile values reach podman as the same arguments, and read back to the same run")
    func literalArguments() throws {
        let request = Self.request(Self.hostile)
        let parsed = UnitFile.parse(try ManagedUnitFiles.containerUnit(request).render())
        let exec = try #require(parsed.value("ExecStart", in: "Service"))
        let argv = try #require(SystemdExecLineModel.argv(exec))
        #expect(argv == request.arguments)
        // After the image, only the layout's args: none can become a podman option.
        let image = try #require(argv.firstIndex(of: "localhost/web:1"))
        #expect(Array(argv[(image + 1)...]) == Self.hostile.spec.args)
        #expect(argv.contains("--env=GREETING=50% $HOME ${X} \"q\" \\ 'x'"))
        #expect(argv.contains("--entrypoint=[\"/bin/sh\",\"-c\",\"echo $HOME %n `id`; exit 0\"]"))
        let back = try #require(ContainerRun.parse(argv))
        var expected = Self.hostile
        expected.spec.runtime = "runc"  // the host's choice, as the unit records it
        #expect(back.run == expected)
        #expect(back.podman == "/usr/bin/podman" && back.runtime == "runc")
    }

    @Test("line breaks and control characters anywhere are refused, never written")
    func injectionRefused() throws {
        for bad in ["x\nExecStartPre=/bin/rm -rf /", "x\r\nUser=root", "x\0y", "x\u{2028}y", "x\u{1b}[2J"] {
            var r = Self.request(Self.hostile)
            r.arguments.append(bad)
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
            r = Self.request(Self.hostile)
            r.environment = [("CONTAINERS_CONF", bad)]
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
            r = Self.request(Self.hostile)
            r.description = bad
            #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
        }
        var r = Self.request(Self.hostile)
        r.containerName = "other"
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
        r = Self.request(Self.hostile)
        r.environment = [("A=B", "x")]
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
        r = Self.request(Self.hostile)
        r.name = "nginx.service"
        #expect(throws: SystemdError.self) { try ManagedUnitFiles.containerUnit(r) }
    }
}
