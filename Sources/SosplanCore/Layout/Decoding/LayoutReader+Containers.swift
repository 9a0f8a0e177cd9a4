/// `spec.services[].container`: an OCI image podman runs as the service.
/// Values that podman or systemd would read as anything but a literal are
/// refused here, pointing at the character; the rest passes verbatim.
extension LayoutReader {
    static let containerFields = [
        "image", "command", "args", "env", "mounts", "network", "publish", "user", "workdir", "readOnly", "pull", "runtime",
    ]
    static let mountFields = ["source", "target", "readOnly"]

    func container(_ node: YAMLNode, _ path: String) -> ContainerSpec? {
        if node.scalar != nil, !node.isNull {
            error(path, "expected a mapping with at least 'image', found \(describe(node))", at: node.mark,
                  hints: ["write container: {image: \(node.scalar ?? "")}"])
            return nil
        }
        guard let f = fields(node, path, allowed: LayoutReader.containerFields, required: ["image"], what: "a mapping {image, command, args, env, mounts, ...}")
        else { return nil }
        var spec = ContainerSpec(image: "")
        var ok = !hasUnknownKeys(f, allowed: LayoutReader.containerFields)
        func check<T>(_ value: T?) -> T? { if value == nil { ok = false }; return value }
        if let n = f["image"] {
            if let image = check(checked(n, f.path("image"), what: "an image reference", ContainerValues.imageProblem)) { spec.image = image }
        } else {
            ok = false
        }
        if let n = f["command"] { spec.command = check(argumentList(n, f.path("command"), what: "command")) }
        if let n = f["args"] { spec.args = check(argumentList(n, f.path("args"), what: "args")) }
        if let n = f["env"] { spec.environment = check(environment(n, f.path("env"))) ?? [] }
        if let n = f["mounts"] { spec.mounts = check(mounts(n, f.path("mounts"))) ?? [] }
        if let n = f["network"] { spec.network = check(checked(n, f.path("network"), what: "a network", ContainerValues.networkProblem)) }
        if let n = f["publish"] { spec.publish = check(publish(n, f.path("publish"))) ?? [] }
        if let n = f["user"] { spec.user = check(user(n, f.path("user"))) }
        if let n = f["workdir"] {
            spec.workdir = check(checked(n, f.path("workdir"), what: "an absolute path") {
                ContainerValues.pathProblem($0, what: "the working directory", allowRoot: true)
            })
        }
        if let n = f["readOnly"], let b = check(bool(n, f.path("readOnly"))) { spec.readOnly = b }
        if let n = f["pull"] { spec.pull = check(choice(n, f.path("pull"), ContainerSpec.PullPolicy.self)) }
        if let n = f["runtime"] { spec.runtime = check(checked(n, f.path("runtime"), what: "a runtime name or path", ContainerValues.runtimeProblem)) }
        return ok ? spec : nil
    }

    /// A string that `problem` accepts; a problem is reported at its character.
    private func checked(
        _ node: YAMLNode, _ path: String, what: String, _ problem: (String) -> ContainerValues.Problem?
    ) -> String? {
        guard let text = string(node, path, what: what) else { return nil }
        if let p = problem(text) {
            error(path, p.message, at: LayoutReader.mark(in: node, offset: p.offset), hints: p.hints)
            return nil
        }
        return text
    }

    /// `command` / `args`: a list of strings taken as written (`- 64` is
    /// "64"); any character but line breaks, NUL and control characters,
    /// which a unit file cannot carry.
    func argumentList(_ node: YAMLNode, _ path: String, what: String) -> [String]? {
        if case .string(let s, _)? = node.resolvedScalar {
            let words = s.split(separator: " ").map { "\"\($0)\"" }.joined(separator: ", ")
            error(path, "\(what) is a list of arguments, not a shell string", at: node.mark,
                  hints: ["write a list: \(what): [\(words)]", "no shell runs it; to use one, write [\"/bin/sh\", \"-c\", \"...\"]"])
            return nil
        }
        guard let items = node.isNull ? [] : node.sequence else {
            error(path, "expected a list of arguments, found \(describe(node))", at: node.mark)
            return nil
        }
        if items.isEmpty, what == "command" {
            error(path, "command is empty; leave it out to keep the image's entrypoint", at: node.mark)
            return nil
        }
        var argv: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            guard let text = item.scalar, !item.isNull, item.mapping == nil else {
                error(itemPath, "expected an argument (a string), found \(describe(item))", at: item.mark)
                ok = false
                continue
            }
            if let p = ContainerValues.controlProblem(text, what: "the argument") {
                error(itemPath, p.message, at: LayoutReader.mark(in: item, offset: p.offset), hints: p.hints)
                ok = false
                continue
            }
            if i == 0, what == "command", text.isEmpty {
                error(itemPath, "the program is empty", at: item.mark)
                ok = false
            }
            argv.append(text)
        }
        return ok ? argv : nil
    }

    /// `env`: a mapping NAME: value; values are taken as written (`PORT: 80`
    /// is "80"), a `$` or `%` stays a `$` or `%`.
    func environment(_ node: YAMLNode, _ path: String) -> [EnvironmentVariable]? {
        if node.sequence != nil {
            error(path, "expected a mapping NAME: value, found a list", at: node.mark,
                  hints: ["write env: {NAME: value}, one key per variable"])
            return nil
        }
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            error(path, "expected a mapping NAME: value, found \(describe(node))", at: node.mark)
            return nil
        }
        var out: [EnvironmentVariable] = []
        var ok = true
        for pair in pairs {
            guard let name = pair.key.scalar else { ok = false; continue }
            let itemPath = path + "." + name
            if let p = ContainerValues.environmentNameProblem(name) {
                error(itemPath, p.message, at: LayoutReader.mark(in: pair.key, offset: p.offset), hints: p.hints)
                ok = false
                continue
            }
            let value = pair.value
            guard let text = value.scalar else {
                error(itemPath, "expected a value (a string), found \(describe(value))", at: value.mark)
                ok = false
                continue
            }
            if value.isNull {
                error(itemPath, "has no value", at: pair.key.mark, hints: ["write \(name): \"\" for an empty value"])
                ok = false
                continue
            }
            if let p = ContainerValues.controlProblem(text, what: "the value of \(name)") {
                error(itemPath, p.message, at: LayoutReader.mark(in: value, offset: p.offset), hints: p.hints)
                ok = false
                continue
            }
            out.append(EnvironmentVariable(name, text))
        }
        return ok ? out : nil
    }

    func mounts(_ node: YAMLNode, _ path: String) -> [ContainerMount]? {
        guard let items = items(node, path, what: "a list of mounts {source, target, readOnly}") else { return nil }
        var out: [ContainerMount] = []
        var ok = true
        var targets: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            if let text = item.scalar, !item.isNull {
                error(itemPath, "expected a mapping {source, target, readOnly}, found \(describe(item))", at: item.mark,
                      hints: text.contains(":") ? ["write {source: \(text.split(separator: ":").first ?? ""), target: \(text.split(separator: ":").dropFirst().first ?? "")}"] : [])
                ok = false
                continue
            }
            guard let f = fields(item, itemPath, allowed: LayoutReader.mountFields, required: ["source", "target"],
                                 what: "a mapping {source, target, readOnly}"),
                  !hasUnknownKeys(f, allowed: LayoutReader.mountFields)
            else { ok = false; continue }
            let source = f["source"].flatMap { checked($0, f.path("source"), what: "an absolute host path") {
                ContainerValues.pathProblem($0, what: "the mount source", allowRoot: true)
            } }
            let target = f["target"].flatMap { checked($0, f.path("target"), what: "an absolute path in the container") {
                ContainerValues.pathProblem($0, what: "the mount target")
            } }
            var readOnly = false
            if let n = f["readOnly"] {
                guard let b = bool(n, f.path("readOnly")) else { ok = false; continue }
                readOnly = b
            }
            guard let source, let target else { ok = false; continue }
            if let first = targets[target] {
                error(f.path("target"), "'\(target)' is already the target of mounts[\(first)]", at: f["target"]!.mark,
                      hints: ["mount each container path once"])
                ok = false
                continue
            }
            targets[target] = i
            out.append(ContainerMount(source: source, target: target, readOnly: readOnly))
        }
        return ok ? out : nil
    }

    func publish(_ node: YAMLNode, _ path: String) -> [String]? {
        if node.scalar != nil, !node.isNull {
            error(path, "expected a list of ports, found \(describe(node))", at: node.mark,
                  hints: ["write a list, even for one port: [\"\(node.scalar ?? "")\"]"])
            return nil
        }
        guard let items = items(node, path, what: "a list of ports") else { return nil }
        var out: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            guard let text = item.scalar, !item.isNull, item.mapping == nil else {
                error(itemPath, "expected a port mapping such as \"8080:80\", found \(describe(item))", at: item.mark)
                ok = false
                continue
            }
            if let p = ContainerValues.publishProblem(text) {
                // YAML 1.1 reads 8080:80 as a base-60 number; 1.2 (sosplan) reads it as the string it is.
                error(itemPath, p.message, at: LayoutReader.mark(in: item, offset: p.offset), hints: p.hints)
                ok = false
                continue
            }
            out.append(text)
        }
        return ok ? out : nil
    }

    /// `user`: a name or uid; a plain number (`user: 101`) is taken as written.
    func user(_ node: YAMLNode, _ path: String) -> String? {
        guard let text = node.scalar, !node.isNull, node.mapping == nil, node.sequence == nil else {
            error(path, "expected a user name or uid, found \(describe(node))", at: node.mark)
            return nil
        }
        if let p = ContainerValues.userProblem(text) {
            error(path, p.message, at: LayoutReader.mark(in: node, offset: p.offset), hints: p.hints)
            return nil
        }
        return text
    }

    /// `existingSlice`: a slice another manager owns. Like `slice`, but
    /// `machine.slice` (libvirt, systemd-nspawn) is allowed: sosplan only
    /// confines it; the host's own slices stay `host.confine`'s.
    func existingSlice(_ node: YAMLNode, _ path: String) -> String? {
        guard let name = string(node, path, what: "a slice name") else { return nil }
        if name == "machine.slice" { return name }
        if let p = UnitNames.sliceProblem(name) {
            let hints: [String]
            if UnitNames.systemSlices.contains(name) {
                hints = ["the host's own slices follow host.confine; existingSlice names another manager's slice, such as kubepods.slice"]
            } else if UnitNames.type(of: name) == nil, UnitNames.problem(name + ".slice") == nil {
                hints = ["write '\(name).slice'"]
            } else {
                hints = p.hints
            }
            error(path, p.message, at: LayoutReader.mark(in: node, offset: p.offset), hints: hints)
            return nil
        }
        if name.hasPrefix("sosplan-") {
            error(path, "'\(name)' is a name sosplan gives its own slices", at: node.mark,
                  hints: ["existingSlice names a slice another manager owns, such as kubepods.slice or machine.slice"])
            return nil
        }
        return name
    }
}
