#!/usr/bin/env python3
"""FreeDOS boots on pcvm from a floppy and from a hard disk, runs DIR,
TYPE and COPY from AUTOEXEC.BAT with their output on COM1, and the file
COPY wrote is in the image on the host afterwards.

The FreeDOS floppy is not in the repository: give its path in
$PCVM_FREEDOS_IMG (a 1.44 MB FreeDOS boot floppy with KERNEL.SYS and
COMMAND.COM); without it the test reports SKIP (exit 77).

usage: dos_test.py PCVM PCVMEXIT.COM MBR.BIN fda|hda [--emulator=qemu] [--runs=N]
--emulator=qemu runs qemu-system-i386 -accel tcg on the same images
(for timing comparisons, see tests/bench/dos_boot.py).
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dos_images  # noqa: E402

AUTOEXEC = [
    "ECHO DOS-BOOT-OK > COM1",
    "TYPE HELLO.TXT > COM1",
    "COPY HELLO.TXT COPY.TXT > NUL",
    "TYPE COPY.TXT > COM1",
    "DIR /B > COM1",
    "PCVMEXIT",
]
# Then DIR /B: the files of the image (checked as a set: the order is
# the directory's).
EXPECTED_HEAD = "DOS-BOOT-OK \r\n" + dos_images.HELLO.decode() * 2
OK_STATUS = (0x55 << 1) | 1


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def make_images(exitcom, mbr, outdir, autoexec=AUTOEXEC):
    img = os.environ.get("PCVM_FREEDOS_IMG")
    if not img:
        skip("no FreeDOS image: set PCVM_FREEDOS_IMG to a 1.44 MB FreeDOS boot floppy")
    if not os.path.isfile(img):
        raise SystemExit("PCVM_FREEDOS_IMG=%s: no such file" % img)
    for tool in ("mcopy", "mkfs.fat"):
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin"]):
            skip("%s not installed (Debian packages mtools, dosfstools)" % tool)
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    sys.argv = [sys.argv[0], img, exitcom, mbr, outdir] + autoexec
    dos_images.main()


def command(emulator, pcvm, medium, img, serial):
    drive = ["-fda", img, "-boot", "a"] if medium == "fda" else ["-hda", img, "-boot", "c"]
    common = ["-m", "16", "-serial", "file:" + serial,
              "-device", "isa-debug-exit,iobase=0xf4"] + drive
    if emulator == "qemu":
        return ["qemu-system-i386", "-accel", "tcg", "-cpu", "pentium2", "-display", "none",
                "-net", "none", "-rtc", "base=2024-01-31T12:00:00"] + common
    return [pcvm, "-display", "none", "-rtc", "base=2024-01-31T12:00:00",
            "-max-insns", "20000000000"] + common


def main():
    pcvm, exitcom, mbr, medium = sys.argv[1:5]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[5:] if a.startswith("--"))
    emulator = opts.get("emulator", "pcvm")
    runs = int(opts.get("runs", "1"))
    with tempfile.TemporaryDirectory(prefix="pcvm-dos-") as tmp:
        make_images(exitcom, mbr, tmp)
        img = os.path.join(tmp, "floppy.img" if medium == "fda" else "hdd.img")
        pristine = open(img, "rb").read()
        times = []
        for _ in range(runs):
            with open(img, "wb") as f:
                f.write(pristine)
            serial = os.path.join(tmp, "serial.txt")
            if os.path.exists(serial):
                os.remove(serial)
            cmd = command(emulator, pcvm, medium, img, serial)
            t0 = time.monotonic()
            p = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
            times.append(time.monotonic() - t0)
            out = open(serial, "rb").read().decode("latin-1") if os.path.exists(serial) else ""
            problems = []
            if p.returncode != OK_STATUS:
                problems.append("exit status %d, expected %d; stderr %r" %
                                (p.returncode, OK_STATUS, p.stderr.decode("latin-1")))
            offset = 0 if medium == "fda" else dos_images.PART_START * dos_images.SECTOR
            env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
            with open(os.path.join(tmp, "pristine.img"), "wb") as f:
                f.write(pristine)
            listing = subprocess.run(["mdir", "-b", "-i", "%s@@%d" % (f.name, offset), "::"],
                                     capture_output=True, env=env).stdout.decode()
            files = sorted([l.rsplit("/", 1)[-1].upper() for l in listing.split()] + ["COPY.TXT"])
            got_files = sorted(l.strip() for l in out[len(EXPECTED_HEAD):].split("\r\n") if l)
            if not out.startswith(EXPECTED_HEAD) or got_files != files or not out.endswith("\r\n"):
                problems.append("COM1 output %r, expected %r then DIR /B of %s" %
                                (out, EXPECTED_HEAD, files))
            got = subprocess.run(["mtype", "-i", "%s@@%d" % (img, offset), "::COPY.TXT"],
                                 capture_output=True, env=env)
            if got.returncode != 0 or got.stdout != dos_images.HELLO:
                problems.append("COPY.TXT in the image on the host: %r %r" %
                                (got.stdout, got.stderr))
            if problems:
                print(" ".join(cmd))
                print("\n".join(problems))
                return 1
        times.sort()
        print("%s %s: DOS booted, DIR/TYPE/COPY output on COM1 and COPY.TXT in the image; "
              "median of %d runs %.2f s" % (emulator, medium, runs, times[len(times) // 2]))
        return 0


if __name__ == "__main__":
    sys.exit(main())
