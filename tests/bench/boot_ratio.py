#!/usr/bin/env python3
"""Boot time of a guest on pcvm beside qemu-system-i386 -accel tcg, on the
same images in the same run, as a ratio (the machines here are shared and
noisy: only ratios measured together mean anything).

usage: boot_ratio.py RUNS TEST_SCRIPT ARGS...
Runs `TEST_SCRIPT ARGS --runs=RUNS` (which checks the guest's output and
prints "... median of N runs T s") once for pcvm and once with
--emulator=qemu, and prints both medians and pcvm's time / QEMU's.
"""
import re
import shutil
import subprocess
import sys


def median(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    print(p.stdout.strip())
    if p.returncode == 77:
        print("SKIP: " + p.stdout.strip())
        sys.exit(77)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit(1)
    return float(re.search(r"median of \d+ runs ([0-9.]+) s", p.stdout).group(1))


def main():
    runs, script, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    base = [sys.executable, script] + args + ["--runs=" + runs]
    t_pcvm = median(base)
    if not shutil.which("qemu-system-i386"):
        print("qemu-system-i386 not installed (Debian package qemu-system-x86): no ratio")
        return 0
    t_qemu = median(base + ["--emulator=qemu"])
    print("boot time: pcvm %.2f s, QEMU TCG %.2f s (median of %s): pcvm/QEMU = %.2f" %
          (t_pcvm, t_qemu, runs, t_pcvm / t_qemu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
