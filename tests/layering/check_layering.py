#!/usr/bin/python3
"""The layers of DESIGN.md: nothing in correlate/ or export/ includes a parser header.

Every raw format is decoded once, at ingest, into typed rows (parsers/ run by src/); the correlator
and the exporters read typed tables and views only. This is the check of issue 10
(`grep -l '#include "parsers/' correlate/*.c export/*.c` is empty), made over the headers too.
It first shows that it finds such an include in a file made for the purpose, so that it cannot pass
by looking at nothing, then lists every offending file of the tree and fails if there is one.
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]parsers/', re.MULTILINE)
LAYERS = ("correlate", "export")


def offenders(root):
    found, seen = [], 0
    for layer in LAYERS:
        folder = os.path.join(root, layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            seen += 1
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                if INCLUDE.search(f.read()):
                    found.append(f"{layer}/{name}")
    return found, seen


def main():
    root = sys.argv[1]
    with tempfile.TemporaryDirectory() as scratch:
        for layer in LAYERS:
            os.mkdir(os.path.join(scratch, layer))
        with open(os.path.join(scratch, "correlate", "bad.c"), "w") as f:
            f.write('#include <stdio.h>\n#include "parsers/wsb.h"\n')
        with open(os.path.join(scratch, "export", "good.c"), "w") as f:
            f.write('#include "store.h"\n/* #include "parsers/ in a comment line is text */\n')
        found, _ = offenders(scratch)
        if found != ["correlate/bad.c"]:
            print(f"the check itself is broken: it found {found} in the made-up tree")
            return 1
    found, seen = offenders(root)
    if seen == 0:
        print(f"no source file under {root}/correlate or {root}/export: wrong root?")
        return 1
    for name in found:
        print(f"{name} includes a parser header: decode at ingest into a typed table instead")
    print(f"{seen} files of correlate/ and export/ read, {len(found)} include a parser header")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
