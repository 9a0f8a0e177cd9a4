import ArgumentParser

struct ObserveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "observe", abstract: "TODO")

    func run() throws {
        throw ValidationError("'observe' is not implemented yet")
    }
}
