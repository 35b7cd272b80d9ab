#!/usr/bin/env python3
"""Runs the test386 ROM (barotto/test386.asm, a public 80386 test suite)
under pcvm and checks it the way its README says: POST code 0xFF on port
0x190 at the end, and the POST 0xEE output on port 0xE9 byte-identical to
test386-EE-reference.txt.

test386 is not part of pcvm: build it yourself with NASM (OUT_PORT equ
0xE9 in src/configuration.asm; see README.md, "test386") and point
PCVM_TEST386_DIR at a directory holding

  test386.bin               the default 64 KiB build          (required)
  test386-EE-reference.txt  the reference output              (required)
  test386-128k.bin          the ROM128=1 build (task switching tests)
  test386-undef.bin         the TEST_UNDEF=1 build (CPU_FAMILY 3)

Without them the test is skipped (exit status 77, which meson reports as
SKIP) and says why.

usage: test386.py PCVM
"""
import os
import subprocess
import sys
import tempfile
import time

SKIP = 77
BUILDS = [("test386.bin", True), ("test386-128k.bin", False),
          ("test386-undef.bin", False)]
# test386 runs about 8e7 instructions; a limit well above that keeps a
# broken CPU from hanging the suite.
LIMIT = "400000000"


def run(pcvm, rom, ref, tmp):
    out = os.path.join(tmp, os.path.basename(rom) + ".out.txt")
    t0 = time.monotonic()
    p = subprocess.run([pcvm, "-cpu", "80386", "-bios", rom, "-debugcon",
                        "file:" + out, "-display", "none", "-post", "-stats",
                        "-max-insns", LIMIT],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=1200)
    secs = time.monotonic() - t0
    err = p.stderr.strip().splitlines()
    post = [l for l in err if l.startswith("pcvm: POST code")]
    name = os.path.basename(rom)
    print("%s: exit status %d, %.1f s" % (name, p.returncode, secs))
    for l in err:
        print("  " + l)
    ok = True
    if not post or not post[-1].startswith("pcvm: POST code 0xFF "):
        print("%s: FAIL: the last POST code is not 0xFF" % name)
        ok = False
    with open(out, "rb") as f:
        got = f.read()
    if got != ref:
        n = min(len(got), len(ref))
        k = next((i for i in range(n) if got[i] != ref[i]), n)
        line = ref[:k].count(b"\n") + 1
        print("%s: FAIL: output differs from the reference at byte %d (line %d); "
              "%d bytes written, %d in the reference" % (name, k, line, len(got), len(ref)))
        exp = ref.split(b"\n")[line - 1:line + 1]
        act = got.split(b"\n")[line - 1:line + 1]
        print("  expected: %r\n  got:      %r" % (exp, act))
        ok = False
    else:
        print("%s: output identical to the reference (%d bytes)" % (name, len(got)))
    return ok


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    pcvm = sys.argv[1]
    d = os.environ.get("PCVM_TEST386_DIR")
    if not d:
        print("SKIP: PCVM_TEST386_DIR is not set (see tests/pm/test386.py)")
        return SKIP
    ref_path = os.path.join(d, "test386-EE-reference.txt")
    if not os.path.isfile(os.path.join(d, "test386.bin")) or not os.path.isfile(ref_path):
        print("SKIP: %s holds no test386.bin and test386-EE-reference.txt" % d)
        return SKIP
    with open(ref_path, "rb") as f:
        ref = f.read()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, required in BUILDS:
            rom = os.path.join(d, name)
            if not os.path.isfile(rom):
                print("%s: not present in %s, not run" % (name, d))
                continue
            ok = run(pcvm, rom, ref, tmp) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
