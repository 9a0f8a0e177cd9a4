import SosplanCore

/// The enclave drivers a host actually has: for `sosplan observe` and the
/// apply engine. Never throws: a host without co-kernels simply has none.
public enum EnclaveDrivers {
    /// Drivers whose tools are installed and whose kernel interface is
    /// present (`/dev/mcd0`, `/dev/pisces`, `/sys/kernel/mOS/version`).
    public static func available(
        configuration: EnclaveToolConfiguration, stateDirectory: StateDirectory
    ) -> [any EnclaveDriver] {
        probe(configuration: configuration, stateDirectory: stateDirectory).drivers
    }

    /// `available`, plus a note for each co-kernel that is half there (tools
    /// without the kernel side, or the reverse), for `snapshot.warnings`.
    public static func probe(
        configuration: EnclaveToolConfiguration, stateDirectory: StateDirectory
    ) -> (drivers: [any EnclaveDriver], notes: [String]) {
        var drivers: [any EnclaveDriver] = []
        var notes: [String] = []
        let runner = ToolRunner(configuration: configuration)
        let ihk = IHKDriver(configuration: configuration, stateDirectory: stateDirectory)
        let pisces = PiscesDriver(configuration: configuration, stateDirectory: stateDirectory)
        let mos = MOSDriver(configuration: configuration, stateDirectory: stateDirectory)
        let checks: [(any EnclaveDriver, Bool, [String], String)] = [
            (ihk, ihk.isAvailable, ["ihkconfig", "ihkosctl"], "/dev/mcd0"),
            (pisces, pisces.isAvailable, PiscesDriver.tools, "/dev/pisces"),
            (mos, mos.isAvailable, ["lwkctl"], "/sys/kernel/mOS/version"),
        ]
        for (driver, available, tools, interface) in checks {
            if available {
                drivers.append(driver)
                continue
            }
            let haveTools = tools.filter { runner.isInstalled($0) }
            let haveInterface = configuration.fileExists(interface)
            if !haveTools.isEmpty && !haveInterface {
                notes.append("\(driver.driver.rawValue): \(haveTools.joined(separator: ", ")) installed but \(interface) is missing (module not loaded?)")
            } else if haveInterface && haveTools.count < tools.count {
                let missing = tools.filter { !haveTools.contains($0) }
                notes.append("\(driver.driver.rawValue): \(interface) exists but \(missing.joined(separator: ", ")) not found; not observed")
            }
        }
        return (drivers, notes)
    }
}
