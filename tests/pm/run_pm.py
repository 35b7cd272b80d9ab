#!/usr/bin/env python3
"""Runs one protected-mode test program (tests/pm/NAME.asm, assembled to
pm-NAME.bin) under pcvm and checks it exactly: the debug-console output
must equal NAME.expected byte for byte and the exit status must be 1
(the program wrote 0 to isa-debug-exit: EXIT_OK in pm.inc).

usage: run_pm.py PCVM BIN EXPECTED [CPU]
"""
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        return 2
    pcvm, rom, expected = sys.argv[1:4]
    cpu = sys.argv[4] if len(sys.argv) == 5 else "80386"
    with open(expected, "rb") as f:
        want = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.txt")
        p = subprocess.run([pcvm, "-cpu", cpu, "-bios", rom, "-debugcon", "file:" + out,
                            "-device", "isa-debug-exit", "-display", "none",
                            "-max-insns", "50000000"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        with open(out, "rb") as f:
            got = f.read()
    ok = True
    if got != want:
        print("output differs from %s" % expected)
        print("--- expected\n%s--- got\n%s---" % (want.decode(errors="replace"),
                                                 got.decode(errors="replace")))
        ok = False
    if p.returncode != 1:
        print("exit status %d, expected 1 (EXIT_OK)" % p.returncode)
        ok = False
    if p.stderr:
        print("pcvm stderr: " + p.stderr.strip())
    if ok:
        print(got.decode(errors="replace"), end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
