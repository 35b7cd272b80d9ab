#!/usr/bin/env python3
"""Runs a scripted debugger session and compares its output exactly.

usage: run_session.py PCVM ROM SESSION EXPECTED [--update]

pcvm runs with -bios ROM -S (plus the options on a first line of SESSION
that starts with '#!'), stdin from SESSION; its stdout must equal EXPECTED
byte for byte and it must exit with status 0.  --update rewrites EXPECTED
(review the diff before committing it).
"""
import difflib
import os
import subprocess
import sys
import tempfile


def main():
    pcvm, rom, session, expected = sys.argv[1:5]
    update = "--update" in sys.argv[5:]
    with open(session, "rb") as f:
        script = f.read()
    # SYMS: the .syms file next to the session; TRACE: a temporary file
    # whose contents are appended to the output.
    syms = os.path.splitext(session)[0] + ".syms"
    tmp = tempfile.mkdtemp()
    trace = os.path.join(tmp, "trace.txt")
    script = script.replace(b"SYMS", syms.encode()).replace(b"TRACE", trace.encode())
    extra = []
    first = script.split(b"\n", 1)[0]
    if first.startswith(b"#!"):
        extra = first[2:].decode().split()
    cmd = [pcvm, "-bios", rom, "-S", "-max-insns", "10000000"] + extra
    p = subprocess.run(cmd, input=script, capture_output=True, timeout=120)
    out = p.stdout.decode("latin-1").replace(trace, "TRACE").replace(syms, "SYMS")
    if os.path.exists(trace):
        with open(trace) as f:
            out += "--- trace file ---\n" + f.read()
        os.unlink(trace)
    os.rmdir(tmp)
    if p.returncode < 0:
        print("pcvm killed by signal %d: %s" % (-p.returncode, p.stderr.decode("latin-1")))
        return 1
    if update:
        with open(expected, "w") as f:
            f.write(out)
        print("updated", expected)
        return 0
    with open(expected) as f:
        want = f.read()
    ok = True
    if out != want:
        ok = False
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), out.splitlines(True), "expected", "got"))
    if p.returncode != 0:
        ok = False
        print("exit status %d (want 0); stderr: %s" % (p.returncode, p.stderr.decode("latin-1")))
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
