import ArgumentParser

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "TODO")

    func run() throws {
        throw ValidationError("'show' is not implemented yet")
    }
}
