import SosplanCore
import SosplanDrivers

/// Reading the journal back (the next apply, `apply --rollback`, `plan`,
/// `status`). It decides whether an apply was interrupted and which steps
/// an undo runs, so it is read as untrusted input: a regular file of at
/// most `StateFileReader.recordLimit` bytes, every complete line a journal
/// record, the first one the header, the plan in it keeping the rules of
/// plans (`SavedPlanValidator`) and its snapshot consistent (records of
/// steps the plan does not have are ignored). Anything else is a damaged
/// journal: an error naming the file (and line), never "no interrupted
/// apply".
extension ApplyJournal {
    static let remedy =
        "move the file aside to go on (an interrupted apply can then be neither finished nor undone from it; "
        + "'sosplan status' shows how the host differs)"

    /// The journal in `directory`, if one is there.
    public static func read(in directory: StateDirectory, name: String = fileName) throws(ApplyFailure) -> JournalContents? {
        do { return try load(in: directory, name: name) } catch { throw .journal(error.withRemedy) }
    }

    /// The same, with a damaged journal as what it is (for `status` and `plan`).
    public static func load(in directory: StateDirectory, name: String = fileName) throws(StateFileReader.Damage) -> JournalContents? {
        let path = directory.file(name).path
        guard let bytes = try StateFileReader.read(path, limit: StateFileReader.recordLimit, remedy: remedy) else { return nil }
        return try contents(of: bytes, path: path)
    }

    /// The records of a journal's bytes. A torn last line (a crash in the
    /// middle of a write) is dropped: the record it began was not written.
    public static func contents(of bytes: [UInt8], path: String) throws(StateFileReader.Damage) -> JournalContents {
        func damage(_ line: Int?, _ problem: String) -> StateFileReader.Damage {
            StateFileReader.Damage(path: line.map { "\(path):\($0)" } ?? path, problem: problem, remedy: remedy)
        }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        // After the last newline: nothing, or the start of the record a
        // crash interrupted (every record starts as the writer encodes it).
        // Anything else was cut or overwritten, not torn.
        let torn = Array(lines.removeLast())
        let start = Array(#"{"type":""#.utf8)
        guard torn.starts(with: start) || start.starts(with: torn) else {
            throw damage(lines.count + 1, "its last line is neither a record nor the start of one (was the file cut or overwritten?)")
        }
        var records: [JournalRecord] = []
        for (i, line) in lines.enumerated() {
            guard let text = String(validating: line, as: UTF8.self) else { throw damage(i + 1, "not a journal record (not UTF-8)") }
            do {
                records.append(try JSONValueDecoder().decode(JournalRecord.self, from: try JSONParser.parse(text)))
            } catch let e as JSONParser.Failure {
                throw damage(i + 1, "not a journal record (column \(e.mark.column): \(e.message))")
            } catch {
                throw damage(i + 1, "not a journal record (\(JSONValueDecoder.describe(error)))")
            }
        }
        // A crash between creating the file and its first record: nothing ran.
        guard let first = records.first else { return JournalContents(path: path, header: nil, records: []) }
        guard first.type == .begin, let header = first.header else {
            throw damage(1, "the first record is a '\(first.type.rawValue)' record, not the journal's beginning (is the start of the file lost?)")
        }
        if let again = records.dropFirst().firstIndex(where: { $0.type == .begin || $0.header != nil }) {
            throw damage(again + 1, "a second beginning; a journal records one apply")
        }
        let problems = SavedPlanValidator.problems(header.plan, limit: 3)
        if !problems.isEmpty { throw damage(1, "its plan breaks the rules of plans: " + problems.joined(separator: "; ")) }
        let inconsistent = header.priorSnapshot.inconsistencies()
        if !inconsistent.isEmpty { throw damage(1, "its snapshot contradicts itself: " + inconsistent.prefix(3).joined(separator: "; ")) }
        return JournalContents(path: path, header: header, records: records)
    }
}
