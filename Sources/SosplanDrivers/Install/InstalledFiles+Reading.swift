import SosplanCore

/// Reading `installed.json` back: it decides which files `--uninstall`
/// removes, so it is read as untrusted input (a regular file, at most 1 MiB,
/// the right schema, every entry an absolute normalized path without
/// control characters and a SHA-256). Which of those paths may actually be
/// removed is `InstallPlaces`' rule, whatever the manifest says.
extension InstalledFiles {
    static let manifestRemedy =
        "sosplan install records what it wrote there; move the file aside to start afresh "
        + "(files it wrote are then not replaced without --force)"

    public static func loadManifest(_ path: String) throws(StateFileReader.Damage) -> InstallManifest? {
        guard let bytes = try StateFileReader.read(path, limit: StateFileReader.manifestLimit, remedy: manifestRemedy) else {
            return nil
        }
        return try decodeManifest(bytes, path: path)
    }

    public static func decodeManifest(_ bytes: [UInt8], path: String) throws(StateFileReader.Damage) -> InstallManifest {
        func damage(_ problem: String) -> StateFileReader.Damage { .init(path: path, problem: problem, remedy: manifestRemedy) }
        let manifest: InstallManifest
        switch InstallManifest.decode(json: String(decoding: bytes, as: UTF8.self)) {
        case .success(let m): manifest = m
        case .failure(let e): throw damage(e.description)
        }
        for (i, entry) in manifest.files.enumerated() {
            do { try UnitFileQuoting.checkAbsolutePath(entry.path, field: "files[\(i)].path") } catch {
                throw damage("files[\(i)].path: '\(ControlCharacters.shown(entry.path))' is not a path install writes: \(error.reason)")
            }
            guard entry.sha256.utf8.count == 64, entry.sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { throw damage("files[\(i)].sha256: '\(ControlCharacters.shown(entry.sha256, limit: 70))' is not a SHA-256 (64 hex digits)") }
        }
        return manifest
    }
}
