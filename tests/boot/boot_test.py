#!/usr/bin/env python3
"""Boots pcvm's BIOS-services program (roms/boot/biostest.asm) with the
default firmware (SeaBIOS) from a floppy, a hard disk and a CD-ROM image
made here, and checks what it reports on COM1 line by line, its exit
status, and what it wrote into the image on the host.

usage: boot_test.py PCVM BIOSTEST.BIN CASE [EXPECTED_DIR]
CASE: floppy | hdd | hdd-snapshot | cdrom
Exit 77 (meson: skipped) when SeaBIOS or xorriso (cdrom) is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

PATTERN = b"PATTERN-SECTOR-4" * 32          # 512 bytes at LBA 4
STAMP = b"WRITTEN-BY-GUEST"
OK_STATUS = (0x55 << 1) | 1
RTC = "2024-01-31T12:34:00"


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def seabios_present(pcvm):
    p = subprocess.run([pcvm, "-max-insns", "1", "-display", "none"],
                       capture_output=True, stdin=subprocess.DEVNULL)
    return b"not found" not in p.stderr


def make_disk(path, size):
    prog = open(BIOSTEST, "rb").read()
    assert len(prog) == 2048, len(prog)
    with open(path, "wb") as f:
        f.write(prog)
        f.write(PATTERN)
        f.truncate(size)


def make_iso(tmp, path):
    if not shutil.which("xorriso"):
        skip("xorriso not installed (Debian package xorriso)")
    root = os.path.join(tmp, "iso")
    os.makedirs(root)
    shutil.copy(BIOSTEST, os.path.join(root, "biostest.bin"))
    p = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "PCVMTEST",
                        "-b", "biostest.bin", "-no-emul-boot", "-boot-load-size", "4",
                        "-o", path, root], capture_output=True)
    if p.returncode != 0:
        raise SystemExit("xorriso failed: %s" % p.stderr.decode())


def run(args, serial):
    cmd = [PCVM, "-m", "32", "-display", "none", "-rtc", "base=" + RTC,
           "-serial", "file:" + serial, "-device", "isa-debug-exit,iobase=0xf4",
           "-max-insns", "3000000000"] + args
    p = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    out = open(serial, "rb").read().decode("latin-1") if os.path.exists(serial) else ""
    return p.returncode, out, p.stderr.decode("latin-1"), cmd


def main():
    global PCVM, BIOSTEST
    PCVM, BIOSTEST, case = sys.argv[1], sys.argv[2], sys.argv[3]
    expected_dir = sys.argv[4] if len(sys.argv) > 4 else os.path.dirname(__file__)
    if not seabios_present(PCVM):
        skip("SeaBIOS not installed (Debian package seabios)")
    tmp = tempfile.mkdtemp(prefix="pcvm-boot-")
    try:
        img = os.path.join(tmp, "disk.img")
        if case == "floppy":
            make_disk(img, 1474560)
            args = ["-fda", img, "-boot", "a"]
        elif case in ("hdd", "hdd-snapshot"):
            make_disk(img, 16 << 20)
            args = ["-hda", img, "-boot", "c"] + (["-snapshot"] if case == "hdd-snapshot" else [])
        elif case == "cdrom":
            img = os.path.join(tmp, "boot.iso")
            make_iso(tmp, img)
            args = ["-cdrom", img, "-boot", "d"]
        else:
            raise SystemExit("unknown case " + case)
        before = open(img, "rb").read()
        rc, out, err, cmd = run(args, os.path.join(tmp, "serial.txt"))
        problems = []
        if rc != OK_STATUS:
            problems.append("exit status %d, expected %d; stderr %r" % (rc, OK_STATUS, err))
        expected = open(os.path.join(expected_dir, "biostest-%s.expected" %
                                     case.replace("-snapshot", ""))).read()
        if out.replace("\r\n", "\n") != expected:
            problems.append("COM1 output:\n%s\nexpected:\n%s" % (out, expected))
        after = open(img, "rb").read()
        sector5 = after[5 * 512:6 * 512]
        if case in ("floppy", "hdd"):
            if not sector5.startswith(STAMP):
                problems.append("the guest's write did not reach the image (sector 5: %r)"
                                % sector5[:16])
            if after[:5 * 512] != before[:5 * 512]:
                problems.append("sectors 0-4 of the image changed")
        elif after != before:
            problems.append("the image changed (%s must not write it)" %
                            ("-snapshot" if case == "hdd-snapshot" else "a CD-ROM"))
        if problems:
            print(" ".join(cmd))
            print("\n".join(problems))
            return 1
        print("%s: %d lines of COM1 output as expected, exit status %d" %
              (case, out.count("\n"), rc))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
