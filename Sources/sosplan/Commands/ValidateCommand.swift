import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "TODO")

    func run() throws {
        throw ValidationError("'validate' is not implemented yet")
    }
}
