#!/usr/bin/env python3
"""A real gRPC server (grpcio) speaking the kubelet's pod-resources API v1
on a unix socket, for sosplan's tests: it answers GetAllocatableResources
and List from a scenario file, with the messages of the project's own
Protos/kubelet-podresources-v1.proto (compiled here at start with
grpcio-tools, never copied from Kubernetes).

Usage: pod_resources_server.py --proto FILE --socket PATH --scenario FILE
Prints "ready" on stdout once it serves; exits on SIGTERM. Exits 2 when
grpcio or grpcio-tools is missing. Each call is appended to --calls FILE
(one method name a line) when given.

Scenario (JSON): {"allocatable": {"cpus": [..], "memory": [{"type", "bytes",
"nodes": [..]}]}, "pods": [{"namespace", "name", "containers": [{"name",
"cpus": [..], "memory": [...], "devices": [{"resource", "ids", "nodes"}]}]}]}
The file is read again on every call, so a test can change it between calls.
"""
import argparse
import importlib
import json
import os
import signal
import sys
import tempfile
import threading

try:
    import grpc
    from grpc_tools import protoc
except ImportError as e:  # the caller skips with this reason
    sys.stderr.write("grpcio and grpcio-tools are needed (python3 -m pip install grpcio grpcio-tools): %s\n" % e)
    sys.exit(2)


def compile_proto(proto):
    out = tempfile.mkdtemp(prefix="podres-stubs-")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    rc = protoc.main(["protoc", "-I" + os.path.dirname(proto), "-I" + include,
                      "--python_out=" + out, "--grpc_python_out=" + out, os.path.basename(proto)])
    if rc != 0:
        sys.stderr.write("protoc failed on %s\n" % proto)
        sys.exit(1)
    sys.path.insert(0, out)
    # protoc names the modules after the file, '-' written as '_'
    stem = os.path.splitext(os.path.basename(proto))[0].replace("-", "_")
    return importlib.import_module(stem + "_pb2"), importlib.import_module(stem + "_pb2_grpc")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proto", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--calls")
    args = ap.parse_args()
    pb2, grpc_pb2 = compile_proto(args.proto)

    def scenario():
        with open(args.scenario) as f:
            return json.load(f)

    def topology(nodes):
        return pb2.TopologyInfo(nodes=[pb2.NUMANode(ID=n) for n in nodes])

    def memory(blocks):
        return [pb2.ContainerMemory(memory_type=b["type"], size=b["bytes"], topology=topology(b.get("nodes", [])))
                for b in blocks]

    def devices(devs):
        return [pb2.ContainerDevices(resource_name=d["resource"], device_ids=d.get("ids", []),
                                     topology=topology(d.get("nodes", []))) for d in devs]

    lock = threading.Lock()

    def record(method):
        if args.calls:
            with lock, open(args.calls, "a") as f:
                f.write(method + "\n")

    class Lister(grpc_pb2.PodResourcesListerServicer):
        def GetAllocatableResources(self, request, context):
            record("GetAllocatableResources")
            a = scenario().get("allocatable", {})
            return pb2.AllocatableResourcesResponse(cpu_ids=a.get("cpus", []), memory=memory(a.get("memory", [])),
                                                    devices=devices(a.get("devices", [])))

        def List(self, request, context):
            record("List")
            pods = []
            for p in scenario().get("pods", []):
                containers = [pb2.ContainerResources(name=c["name"], cpu_ids=c.get("cpus", []),
                                                     memory=memory(c.get("memory", [])),
                                                     devices=devices(c.get("devices", [])))
                              for c in p.get("containers", [])]
                pods.append(pb2.PodResources(name=p["name"], namespace=p["namespace"], containers=containers))
            return pb2.ListPodResourcesResponse(pod_resources=pods)

    from concurrent import futures
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    grpc_pb2.add_PodResourcesListerServicer_to_server(Lister(), server)
    if server.add_insecure_port("unix:" + args.socket) == 0:
        sys.stderr.write("cannot listen on %s\n" % args.socket)
        sys.exit(1)
    server.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print("ready", flush=True)
    # stop with the test process too: its stdin closes when it dies
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop(0)


if __name__ == "__main__":
    main()
