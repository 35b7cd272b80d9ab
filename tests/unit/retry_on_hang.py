#!/usr/bin/env python3
"""Runs the unit-test program under qemu-user with a time limit, and once
more if it hangs.

qemu-user can deadlock when Criterion forks a test child (a qemu-user
fork/thread problem, not a pcvm one: seen about once in three aarch64 runs
with two jobs).  A hang is reported on stderr and the program is run a
second time; a second hang, or any failure, fails the test.  Failures are
never retried: only a run that did not finish in time is.

usage: retry_on_hang.py SECONDS PROGRAM [ARGS...]
"""
import os
import signal
import subprocess
import sys


def run(argv, limit):
    p = subprocess.Popen(argv, start_new_session=True)
    try:
        return p.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return None


def main():
    limit = float(sys.argv[1])
    argv = sys.argv[2:]
    rc = run(argv, limit)
    if rc is None:
        print("retry_on_hang: %s did not finish in %g s (qemu-user fork deadlock?); "
              "running it once more" % (os.path.basename(argv[0]), limit),
              file=sys.stderr, flush=True)
        rc = run(argv, limit)
        if rc is None:
            print("retry_on_hang: it hung again: failing", file=sys.stderr)
            return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
