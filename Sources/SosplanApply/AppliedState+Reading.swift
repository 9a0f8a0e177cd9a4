import SosplanCore
import SosplanDrivers

/// Reading `applied.json` back (`status`, `show`, `plan`, `apply`): what
/// the host is compared with to report drift, so a damaged file must say
/// so rather than read as "never applied". Its plan keeps the rules of
/// plans, its snapshot is consistent, and its layout's hash is its text's.
extension AppliedState {
    static let remedy = "move it aside; the next apply that converges records the host again"

    /// The last applied state; nil when nothing was applied here.
    public static func load(in directory: StateDirectory) throws(StateFileReader.Damage) -> AppliedState? {
        let path = directory.file(fileName).path
        guard let bytes = try StateFileReader.read(path, limit: StateFileReader.recordLimit, remedy: remedy) else { return nil }
        return try decode(bytes, path: path)
    }

    public static func decode(_ bytes: [UInt8], path: String) throws(StateFileReader.Damage) -> AppliedState {
        func damage(_ problem: String) -> StateFileReader.Damage { .init(path: path, problem: problem, remedy: remedy) }
        let state: AppliedState
        do { state = try SchemaDocument.decode(AppliedState.self, schemaID: schemaID, json: bytes) } catch {
            throw damage(error.description)
        }
        let problems = SavedPlanValidator.problems(state.plan, limit: 3)
        if !problems.isEmpty { throw damage("its plan breaks the rules of plans: " + problems.joined(separator: "; ")) }
        let inconsistent = state.snapshot.inconsistencies()
        if !inconsistent.isEmpty { throw damage("its snapshot contradicts itself: " + inconsistent.prefix(3).joined(separator: "; ")) }
        if let layout = state.layout, !layout.isIntact { throw damage("layout.sha256 is not the SHA-256 of layout.text") }
        return state
    }
}
