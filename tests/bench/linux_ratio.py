#!/usr/bin/env python3
"""The default Linux guest on pcvm beside qemu-system-i386 -accel tcg
-cpu pentium2, same kernel, initrd and command line, measured in one run
(the machines here are shared and noisy: only ratios mean anything):

  boot     host seconds from start to the busybox shell's prompt
  command  host seconds for a fixed CPU-bound command typed at the prompt
           (integer and floating-point awk, md5sum), from the Enter to its
           last line of output

Median of RUNS runs each, alternating the emulators.
usage: linux_ratio.py PCVM BUILD_GUEST_SH [RUNS]"""
import os
import select
import shutil
import statistics
import subprocess
import sys
import time

APPEND = "console=ttyS0 quiet cryptomgr.notests"
COMMAND = (b"seq 1 300000 | awk '{ s += sqrt($1); t += $1 % 7 } END "
           b"{ printf \"%.6f %d\\n\", s, t }'; seq 1 100000 | md5sum; echo DONE-$((6*7))\n")


def read_until(p, marker, t0, limit=900):
    buf = b""
    while time.time() - t0 < limit:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            if marker in buf:
                return time.time() - t0, buf
    raise SystemExit("no %r after %d s; output ends %r" % (marker, limit, buf[-300:]))


def one(cmd):
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    boot, _ = read_until(p, b"pcvm# ", t0)
    t1 = time.time()
    p.stdin.write(COMMAND)
    p.stdin.flush()
    run, out = read_until(p, b"DONE-42", t1)
    p.stdin.write(b"poweroff -f\n")
    p.stdin.flush()
    p.wait(timeout=120)
    return boot, run, out


def main():
    pcvm, build_guest = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    g = subprocess.run(["bash", build_guest], capture_output=True, text=True)
    if g.returncode == 2:
        print("SKIP: the Debian packages cannot be downloaded")
        return 77
    if g.returncode != 0:
        print(g.stderr)
        return 1
    guest = g.stdout.strip().splitlines()[-1]
    k, i = os.path.join(guest, "vmlinuz"), os.path.join(guest, "initrd.gz")
    common = ["-m", "64", "-display", "none", "-serial", "stdio", "-kernel", k, "-initrd", i,
              "-append", APPEND]
    emus = {"pcvm": [pcvm] + common}
    if shutil.which("qemu-system-i386"):
        emus["qemu"] = ["qemu-system-i386", "-accel", "tcg", "-cpu", "pentium2",
                        "-no-reboot"] + common
    res = {e: ([], []) for e in emus}
    for _ in range(runs):
        for e, cmd in emus.items():
            boot, run, _ = one(cmd)
            res[e][0].append(boot)
            res[e][1].append(run)
    for e in emus:
        print("%-5s boot to prompt %s s (median %.1f), command %s s (median %.1f)" % (
            e, " ".join("%.1f" % x for x in res[e][0]), statistics.median(res[e][0]),
            " ".join("%.1f" % x for x in res[e][1]), statistics.median(res[e][1])))
    if "qemu" in res:
        print("pcvm/QEMU: boot %.2f, command %.2f" % (
            statistics.median(res["pcvm"][0]) / statistics.median(res["qemu"][0]),
            statistics.median(res["pcvm"][1]) / statistics.median(res["qemu"][1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
