#!/usr/bin/env python3
"""The pod-set fingerprint, computed independently of sosplan with the
xxhash package from PyPI, following k8stopologyawareschedwg/podfingerprint
(podfingerprint.go: addHash = XXH64(name, seed=XXH64(namespace)); Sum sorts
the hashes, feeds them little-endian to one XXH64 and takes the digest
big-endian; Sign = "pfp0" + "v001" + hex).

  podfingerprint.py sign   < [["ns", "name"], ...]      prints the sign
  podfingerprint.py xxh64  < [["hex bytes", seed], ...]  prints one hash a line
"""
import json
import struct
import sys

import xxhash


def sign(pods):
    hashes = sorted(xxhash.xxh64(name.encode(), seed=xxhash.xxh64(ns.encode()).intdigest()).intdigest() for ns, name in pods)
    h = xxhash.xxh64()
    for v in hashes:
        h.update(struct.pack("<Q", v))
    return "pfp0v001" + h.hexdigest()


def main():
    data = json.load(sys.stdin)
    if sys.argv[1] == "sign":
        print(sign(data))
    else:
        for hexbytes, seed in data:
            print(xxhash.xxh64(bytes.fromhex(hexbytes), seed=seed).intdigest())


if __name__ == "__main__":
    main()
