import Foundation

/// Real disk and network I/O on this machine, and the interrupts it causes
/// per CPU (`/proc/interrupts`).
enum IOBurst {
    /// Interrupt counts by IRQ number, one per CPU column (CPU0 first).
    static func interrupts() -> [Int: [Int: UInt64]] {
        guard let text = try? String(contentsOfFile: "/proc/interrupts", encoding: .utf8) else { return [:] }
        var lines = text.split(separator: "\n")
        guard !lines.isEmpty else { return [:] }
        let cpus = lines.removeFirst().split(separator: " ").compactMap { $0.hasPrefix("CPU") ? Int($0.dropFirst(3)) : nil }
        var out: [Int: [Int: UInt64]] = [:]
        for line in lines {
            let fields = line.split(separator: " ")
            guard let first = fields.first, first.hasSuffix(":"), let irq = Int(first.dropLast()) else { continue }
            var row: [Int: UInt64] = [:]
            for (cpu, field) in zip(cpus, fields.dropFirst()) { row[cpu] = UInt64(field) }
            out[irq] = row
        }
        return out
    }

    /// How many interrupts `cpu` took from `irqs` between two readings.
    static func delta(_ a: [Int: [Int: UInt64]], _ b: [Int: [Int: UInt64]], irqs: some Sequence<Int>, cpu: Int?) -> UInt64 {
        var sum: UInt64 = 0
        for irq in irqs {
            let before = a[irq] ?? [:], after = b[irq] ?? [:]
            for (c, n) in after where cpu == nil || c == cpu { sum += n &- (before[c] ?? 0) }
        }
        return sum
    }

    /// The default route: its interface and gateway (`/proc/net/route`).
    static func defaultRoute() -> (interface: String, gateway: String)? {
        guard let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard f.count > 2, f[1] == "00000000", let g = UInt32(f[2], radix: 16), g != 0 else { continue }
            // Little-endian bytes of the address.
            return (String(f[0]), "\(g & 0xff).\((g >> 8) & 0xff).\((g >> 16) & 0xff).\(g >> 24)")
        }
        return nil
    }

    /// The IRQs of the network interface's device: named after the device
    /// (`virtio2-input.0`) or the interface (`eth0-TxRx-0`).
    static func irqs(ofInterface interface: String) -> Set<Int> {
        let device = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/sys/class/net/\(interface)/device"))
            .map { URL(fileURLWithPath: $0).lastPathComponent }
        guard let text = try? String(contentsOfFile: "/proc/interrupts", encoding: .utf8) else { return [] }
        var out: Set<Int> = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"), let irq = Int(line[..<colon].trimmingCharacters(in: .whitespaces)),
                  let name = line.split(separator: " ").last else { continue }
            if let device, name.hasPrefix(device + "-") { out.insert(irq) }
            if name.contains(interface) { out.insert(irq) }
        }
        return out
    }

    /// `seconds` of disk writes with fsync (in `directory`) and TCP connection
    /// attempts to the gateway, side by side. Throws when either kind of
    /// I/O could not be made, so that a burst never silently does nothing.
    static func run(seconds: Double, directory: URL, gateway: String) throws {
        let deadline = Date().addingTimeInterval(seconds)
        let path = directory.appendingPathComponent("io-burst").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(what: "cannot open \(path) for the disk I/O (errno \(errno))") }
        let socketErrno = SocketErrno()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            defer { close(fd); unlink(path) }
            let block = [UInt8](repeating: 0x5a, count: 1 << 20)
            var written = 0
            while Date() < deadline {
                _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                fsync(fd)
                written += 1
                if written == 64 { ftruncate(fd, 0); lseek(fd, 0, SEEK_SET); written = 0 }
            }
        }
        DispatchQueue.global().async(group: group) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(80).bigEndian
            inet_pton(AF_INET, gateway, &address.sin_addr)
            while Date() < deadline {
                let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                if s < 0 { socketErrno.value = errno; break }
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
                close(s)
            }
        }
        group.wait()
        if let e = socketErrno.value { throw Failure(what: "cannot make a TCP socket for the network I/O (errno \(e))") }
    }

    struct Failure: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    /// The errno of a failed `socket`, set by the network writer before the group is left.
    final class SocketErrno: @unchecked Sendable { var value: Int32? }
}
