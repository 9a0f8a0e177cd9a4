#!/usr/bin/env python3
"""A stand-in for the kubelet in the systemd lab: it starts the way the
kubelet's static CPU manager starts, and nothing more.

On start it reads its configuration (cpuManagerPolicy, reservedSystemCPUs,
cpuManagerPolicyOptions strict-cpu-reservation) and the host's online CPUs
(the simulated sysfs under --root), then, with the static policy, checks its
state file as the kubelet's `validateState` does (kubernetes/kubernetes
pkg/kubelet/cm/cpumanager/policy_static.go):
  - allCPUs are the online CPUs, less the reserved ones under
    strict-cpu-reservation;
  - a state with an empty default set and no assignments is initialised;
  - strict: no reserved CPU may be in the default set; otherwise every
    reserved CPU must be;
  - no assignment may overlap the default set;
  - the default set and every assignment together must be exactly allCPUs,
    else "current set of available CPUs ... doesn't match with CPUs in state".
A failed check exits 1 with the kubelet's message ("could not restore state
from checkpoint"), as the kubelet fails; with no state file it writes a fresh
one (CPUManagerCheckpointV2 fields) for allCPUs. Then it runs until SIGTERM.
--fail-once FILE: when FILE exists, remove it and exit 1 (an injected fault).
"""
import argparse
import json
import os
import signal
import sys
import time


def parse_list(text):
    cpus = set()
    for part in text.strip().split(","):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            cpus.update(range(int(a), int(b) + 1))
        else:
            cpus.add(int(part))
    return cpus


def show(cpus):
    out, run = [], []
    for c in sorted(cpus):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
        run = [c]
    if run:
        out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
    return ",".join(out)


def online_cpus(root):
    base = os.path.join(root, "sys/devices/system/cpu")
    with open(os.path.join(base, "present")) as f:
        present = parse_list(f.read())
    online = set()
    for cpu in present:
        path = os.path.join(base, "cpu%d" % cpu, "online")
        if not os.path.exists(path):
            online.add(cpu)  # cpu0 on x86 has no online file: always online
            continue
        with open(path) as f:
            if f.read().strip() == "1":
                online.add(cpu)
    return online


def load_yaml(text):
    try:
        import yaml  # PyYAML, when this python has it
        return yaml.safe_load(text) or {}
    except ImportError:
        pass
    # The flat files the tests write: "key: value" and one nested mapping.
    conf, parent = {}, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip().strip('"')
        if line.startswith(" ") and parent is not None:
            conf[parent][key] = value
        elif value == "":
            parent = key
            conf[key] = {}
        else:
            parent = None
            conf[key] = value
    return conf


def read_config(path):
    with open(path) as f:
        conf = load_yaml(f.read())
    options = conf.get("cpuManagerPolicyOptions") or {}
    return {
        "policy": conf.get("cpuManagerPolicy", "none"),
        "reserved": parse_list(str(conf.get("reservedSystemCPUs", ""))),
        "strict": str(options.get("strict-cpu-reservation", "false")).lower() == "true",
    }


def fail(message):
    sys.stderr.write("E cpu_manager.go] \"Failed to start cpu manager\" err=\"%s\"\n" % message)
    sys.stderr.write("run.go] \"command failed\" err=\"failed to run Kubelet: could not restore state from checkpoint: %s, "
                     "please drain this node and delete the CPU manager checkpoint file before restarting Kubelet\"\n" % message)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--fail-once")
    args = ap.parse_args()
    if args.fail_once and os.path.exists(args.fail_once):
        os.unlink(args.fail_once)
        sys.stderr.write("injected fault: exiting\n")
        sys.exit(1)
    conf = read_config(args.config)
    if conf["policy"] == "static":
        all_cpus = online_cpus(args.root)
        if conf["strict"]:
            all_cpus -= conf["reserved"]
        if os.path.exists(args.state):
            with open(args.state) as f:
                state = json.load(f)
            if state.get("policyName") != "static":
                fail("configured policy \"static\" differs from state checkpoint policy \"%s\"" % state.get("policyName"))
            default = parse_list(state.get("defaultCpuSet", ""))
            assignments = [parse_list(c) for containers in (state.get("entries") or {}).values()
                           for c in containers.values()]
            if not default:
                if assignments:
                    fail("default cpuset cannot be empty")
            else:
                reserved = conf["reserved"]
                if conf["strict"] and reserved & default:
                    fail("some of strictly reserved cpus: \"%s\" are present in defaultCpuSet: \"%s\""
                         % (show(reserved & default), show(default)))
                if not conf["strict"] and not reserved <= default:
                    fail("not all reserved cpus: \"%s\" are present in defaultCpuSet: \"%s\"" % (show(reserved), show(default)))
                for cset in assignments:
                    if cset & default:
                        fail("container cpuset \"%s\" overlaps with default cpuset \"%s\"" % (show(cset), show(default)))
                known = set(default)
                for cset in assignments:
                    known |= cset
                if known != all_cpus:
                    fail("current set of available CPUs \"%s\" doesn't match with CPUs in state \"%s\""
                         % (show(all_cpus), show(known)))
        else:
            with open(args.state + ".tmp", "w") as f:
                json.dump({"policyName": "static", "defaultCpuSet": show(all_cpus), "entries": {}, "checksum": 0}, f)
            os.rename(args.state + ".tmp", args.state)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
