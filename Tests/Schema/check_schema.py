#!/usr/bin/env python3
"""Validates JSON documents against a JSON Schema (Draft 2020-12).

Usage: check_schema.py SCHEMA DOC.json...
Prints one JSON line per document: {"file", "valid", "errors": [...]}.
Exits 2 with a clear message when the jsonschema package is missing, and
1 when the schema itself is not a valid 2020-12 schema.
"""
import json
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:
    sys.stderr.write(
        "python3 cannot import jsonschema (need >= 4.0 for Draft 2020-12); "
        "install it with: apt-get install python3-jsonschema, or python3 -m pip install jsonschema\n")
    sys.exit(2)


def main(argv):
    with open(argv[1]) as f:
        schema = json.load(f)
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as e:  # SchemaError: the schema is broken, not a document
        sys.stderr.write("the schema is not a valid Draft 2020-12 schema: %s\n" % e)
        return 1
    validator = Draft202012Validator(schema)
    for path in argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        errors = sorted(
            "%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
            for e in validator.iter_errors(doc))
        print(json.dumps({"file": path, "valid": not errors, "errors": errors[:5]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
