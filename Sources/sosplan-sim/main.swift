import Foundation

// A multi-call binary: invoked through a link named like a real tool (or an
// enclave launcher), it is that tool's simulator; invoked as `sosplan-sim`,
// it manages simulated hosts.
let arguments = CommandLine.arguments
let invokedAs = (arguments[0] as NSString).lastPathComponent
let tools: [String: (SimContext, [String]) -> Int32] = [
    "ihkconfig": IHKTools.ihkconfig, "ihkosctl": IHKTools.ihkosctl,
    "pisces_load": PiscesTools.load, "pisces_launch": PiscesTools.launch,
    "pisces_ctrl": PiscesTools.ctrl, "pisces_shutdown": PiscesTools.shutdown,
    "lwkctl": LWKCtlTool.main,
]

if let tool = tools[invokedAs] {
    exit(SimToolRunner.run(tool: invokedAs, argv0: arguments[0], arguments: Array(arguments.dropFirst()), body: tool))
} else if let check = SimLauncher.check(named: invokedAs) {
    exit(SimLauncher.run(tool: invokedAs, argv0: arguments[0], arguments: Array(arguments.dropFirst()), check: check))
} else {
    exit(SimCommandLine.run(Array(arguments.dropFirst())))
}
