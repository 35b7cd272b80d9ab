#!/usr/bin/env python3
"""Runs the pcvm program the way a user does and checks what it prints and
its exit status: the demo ROM's exact text, isa-debug-exit statuses, and
bad input (one clear line on stderr, the documented exit status, never a
crash).

usage: cli_test.py PCVM ROM_DIR CASE     (meson runs one CASE per test)
       cli_test.py PCVM ROM_DIR --all
"""
import os
import subprocess
import sys
import tempfile

DEMO = (
    "pcvm: hello from the demo ROM\n"
    "cpu: CPUID GenuineIntel family 6 model 5 stepping 2\n"
    "primes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97\n"
    "fibonacci: 0 1 1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 6765 "
    "10946 17711 28657 46368\n"
    "1 + 2 + ... + 1000 = 500500\n"
    "12! = 479001600\n"
    'crc16-ccitt("123456789") = 0x29B1\n'
    "pcvm: demo done; halting with interrupts disabled\n"
)
DEAD = "pcvm: guest halted with interrupts disabled\n"
SIZES = "a BIOS image must be 64, 128 or 256 KiB"
MODELS = "8086, 80186, 80286, 80386, 80486, pentium, pentium2"

# Guard against a broken CPU hanging a test: a limit far above what any
# case needs (the demo takes about 11,000 instructions).
LIMIT = ["-max-insns", "20000000"]
# The built-in demo ROM instead of the default firmware (SeaBIOS).
DEMO_ARGS = LIMIT + ["-demo"]


class Ctx:
    def __init__(self, pcvm, romdir, tmp):
        self.pcvm, self.romdir, self.tmp = pcvm, romdir, tmp

    def rom(self, name):
        return os.path.join(self.romdir, name)

    def file(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path


def run(ctx, args, timeout=60):
    p = subprocess.run([ctx.pcvm] + args, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


def expect(ctx, args, rc, stdout=None, stderr=None, stderr_start=None):
    """Runs pcvm; rc, stdout and stderr (when given) must match exactly."""
    code, out, err = run(ctx, args)
    problems = []
    if code < 0:
        problems.append("killed by signal %d (a crash)" % -code)
    elif code != rc:
        problems.append("exit status %d, expected %d" % (code, rc))
    if stdout is not None and out != stdout:
        problems.append("stdout %r, expected %r" % (out, stdout))
    if stderr is not None and err != stderr:
        problems.append("stderr %r, expected %r" % (err, stderr))
    if stderr_start is not None and (not err.startswith(stderr_start) or
                                     err.count("\n") != 1 or not err.endswith("\n")):
        problems.append("stderr %r, expected one line starting %r" % (err, stderr_start))
    if problems:
        raise AssertionError("pcvm %s:\n  %s" % (" ".join(args), "\n  ".join(problems)))


def bad(ctx, args, message):
    """Bad input: exactly the one line `message` on stderr, status 1."""
    expect(ctx, args, 1, stdout="", stderr="pcvm: " + message + "\n")


# ---------------------------------------------------------------- cases

def case_demo(ctx):
    expect(ctx, DEMO_ARGS, 0, stdout=DEMO, stderr=DEAD)


def case_demo_cpu_default_is_pentium2(ctx):
    expect(ctx, DEMO_ARGS + ["-cpu", "pentium2", "-m", "64", "-display", "none"], 0,
           stdout=DEMO, stderr=DEAD)


def case_demo_debugcon_none(ctx):
    expect(ctx, DEMO_ARGS + ["-debugcon", "none"], 0, stdout="", stderr=DEAD)


def case_demo_debugcon_file(ctx):
    path = os.path.join(ctx.tmp, "debugcon.txt")   # not con.txt: CON is a Windows device
    expect(ctx, DEMO_ARGS + ["-nographic", "-debugcon", "file:" + path], 0, stdout="", stderr=DEAD)
    with open(path, "rb") as f:
        got = f.read().decode("latin-1")
    if got != DEMO:
        raise AssertionError("debugcon file holds %r" % got)


def case_demo_stats(ctx):
    code, out, err = run(ctx, DEMO_ARGS + ["-stats"])
    lines = err.splitlines()
    if code != 0 or out != DEMO or len(lines) != 2 or lines[0] != DEAD.strip() or \
            not lines[1].startswith("pcvm: ") or "MIPS" not in lines[1]:
        raise AssertionError("-stats: status %d, stderr %r" % (code, err))


def case_debug_exit(ctx):
    expect(ctx, LIMIT + ["-bios", ctx.rom("test-exit.bin"),
                         "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
           0x43, stdout="", stderr="")


def case_debug_exit_qemu_default_port(ctx):
    # QEMU's default iobase is 0x501: the ROM's write to 0xF4 misses it.
    expect(ctx, ["-bios", ctx.rom("test-exit.bin"), "-device", "isa-debug-exit",
                 "-max-insns", "5000"], 124, stdout="",
           stderr="pcvm: stopped after 5000 instructions (-max-insns)\n")


def case_debugcon_readback(ctx):
    # The ROM reads port 0xE9 and exits with it: debugcon answers 0xE9.
    expect(ctx, LIMIT + ["-bios", ctx.rom("test-echo.bin"), "-debugcon", "null",
                         "-device", "isa-debug-exit,iobase=0xf4"], 0xD3, stdout="", stderr="")
    expect(ctx, LIMIT + ["-bios", ctx.rom("test-echo.bin"),
                         "-device", "isa-debug-exit,iobase=0xf4"], 0xFF, stdout="", stderr="")


def case_halted(ctx):
    expect(ctx, LIMIT + ["-bios", ctx.rom("test-halt.bin")], 0, stdout="",
           stderr="pcvm: guest halted, waiting for interrupts that no device can raise\n")


def case_triple_fault(ctx):
    expect(ctx, LIMIT + ["-no-reboot", "-bios", ctx.rom("test-triple.bin")], 2, stdout="",
           stderr_start="pcvm: triple fault")


def case_triple_fault_resets(ctx):
    # Without -no-reboot a triple fault resets the machine like a PC; RAM
    # survives, so the ROM sees its boot count grow and exits on boot 3.
    expect(ctx, LIMIT + ["-bios", ctx.rom("test-reboot.bin"), "-debugcon", "stdio",
                         "-device", "isa-debug-exit,iobase=0xf4"], 0x21, stdout="123",
           stderr="")


def case_max_insns(ctx):
    expect(ctx, ["-bios", ctx.rom("test-spin.bin"), "-max-insns", "1000"], 124, stdout="",
           stderr="pcvm: stopped after 1000 instructions (-max-insns)\n")


def is_32bit(path):
    """A 32-bit ELF pcvm (the i686 cross build)."""
    with open(path, "rb") as f:
        head = f.read(5)
    return head[:4] == b"\x7fELF" and head[4] == 1


def case_ram_sizes(ctx):
    sizes = ["1", "1M", "32", "64m", "2048", "1G", "2G", "size=128"]
    if is_32bit(ctx.pcvm):
        # A 32-bit host allocates no object of 2 GiB (malloc refuses more
        # than PTRDIFF_MAX bytes): one line and status 1; 2047 MiB works.
        sizes = ["1", "1M", "32", "64m", "1G", "size=128", "2047"]
        for m in ["2048", "2G"]:
            expect(ctx, LIMIT + ["-m", m, "-bios", ctx.rom("test-exit.bin")], 1,
                   stdout="", stderr="pcvm: out of memory for 2048 MiB of RAM\n")
    for m in sizes:
        expect(ctx, LIMIT + ["-m", m, "-bios", ctx.rom("test-exit.bin"),
                             "-device", "isa-debug-exit,iobase=0xf4"], 0x43, stdout="", stderr="")


def case_bios_128k_and_256k(ctx):
    with open(ctx.rom("test-exit.bin"), "rb") as f:
        img = f.read()
    for copies in (2, 4):
        path = ctx.file("big%d.bin" % copies, b"\xff" * (len(img) * (copies - 1)) + img)
        for cpu in ("8086", "80286", "pentium2"):
            expect(ctx, LIMIT + ["-cpu", cpu, "-bios", path,
                                 "-device", "isa-debug-exit,iobase=0xf4"],
                   0x43, stdout="", stderr="")


def case_help_and_version(ctx):
    code, out, err = run(ctx, ["-h"])
    if code != 0 or not out.startswith("usage: pcvm") or err:
        raise AssertionError("-h: %d %r %r" % (code, out, err))
    code2, out2, _ = run(ctx, ["--help"])
    if code2 != 0 or out2 != out:
        raise AssertionError("--help differs from -h")
    code, out, err = run(ctx, ["-version"])
    if code != 0 or not out.startswith("pcvm version ") or err:
        raise AssertionError("-version: %d %r %r" % (code, out, err))
    code, out, err = run(ctx, ["-cpu", "help"])
    if code != 0 or out.split() != MODELS.replace(",", "").split():
        raise AssertionError("-cpu help: %d %r" % (code, out))


def case_bad_bios_missing(ctx):
    path = os.path.join(ctx.tmp, "no-such-bios.bin")
    bad(ctx, ["-bios", path], "%s: cannot open: No such file or directory" % path)


def case_bad_bios_size(ctx):
    path = ctx.file("bios.bin", b"\x90" * 1234)
    bad(ctx, ["-bios", path], "%s: size 1234 bytes; %s" % (path, SIZES))


def case_bad_bios_truncated(ctx):
    with open(ctx.rom("test-exit.bin"), "rb") as f:
        img = f.read()
    for n in (len(img) - 1, len(img) // 2, 100):
        path = ctx.file("cut%d.bin" % n, img[:n])
        bad(ctx, ["-bios", path], "%s: size %d bytes; %s" % (path, n, SIZES))
    path = ctx.file("long.bin", img + b"\0")
    bad(ctx, ["-bios", path], "%s: size %d bytes; %s" % (path, len(img) + 1, SIZES))
    path = ctx.file("huge.bin", img * 9)
    bad(ctx, ["-bios", path], "%s: size %d bytes; %s" % (path, len(img) * 9, SIZES))


def case_bad_bios_empty(ctx):
    path = ctx.file("empty.bin", b"")
    bad(ctx, ["-bios", path], "%s: file is empty; %s" % (path, SIZES))


def case_bad_bios_directory(ctx):
    bad(ctx, ["-bios", ctx.tmp], "%s: is a directory, not a BIOS image" % ctx.tmp)


class Skip(Exception):
    """A case that cannot run on this host (exit status 77: skipped)."""


def case_bad_bios_unreadable(ctx):
    if ctx.pcvm.endswith(".exe"):
        raise Skip("no unreadable file for a Windows pcvm run by root (no /proc, no modes)")
    if os.geteuid() == 0:
        # root reads anything: use a file that cannot be read for another reason
        if not os.path.exists("/proc/self/mem"):
            return
        bad(ctx, ["-bios", "/proc/self/mem"],
            "/proc/self/mem: read error: Input/output error")
        return
    path = ctx.file("secret.bin", b"\0" * 65536)
    os.chmod(path, 0)
    bad(ctx, ["-bios", path], "%s: cannot open: Permission denied" % path)


def case_bad_cpu(ctx):
    bad(ctx, ["-cpu", "z80"], "unknown CPU model 'z80' (known: %s)" % MODELS)
    bad(ctx, ["-cpu", ""], "unknown CPU model '' (known: %s)" % MODELS)


def case_bad_option(ctx):
    bad(ctx, ["-foo"], "unknown option '-foo' (try -h)")
    bad(ctx, ["--foo"], "unknown option '--foo' (try -h)")
    bad(ctx, ["-"], "unexpected argument '-' (a disk image needs -hda, -fda or -cdrom; try -h)")
    bad(ctx, ["disk.img"],
        "unexpected argument 'disk.img' (a disk image needs -hda, -fda or -cdrom; try -h)")
    bad(ctx, ["-demo", "-bios", ctx.rom("test-exit.bin")],
        "-demo and -bios cannot be used together: pick one")
    bad(ctx, ["-vga", "cirrus"], "-vga 'cirrus': not supported (use std or none)")
    bad(ctx, ["-bios"], "option '-bios' needs an argument (try -h)")
    bad(ctx, ["-m"], "option '-m' needs an argument (try -h)")


def case_bad_disk(ctx):
    missing = os.path.join(ctx.tmp, "nosuch.img")
    bad(ctx, ["-demo", "-hda", missing],
        "-hda %s: cannot open for reading and writing: No such file or directory" % missing)
    bad(ctx, ["-demo", "-cdrom", missing], "-cdrom %s: cannot open: No such file or directory" % missing)
    bad(ctx, ["-demo", "-fda", ctx.tmp], "-fda %s: is a directory, not a disk image" % ctx.tmp)
    empty = ctx.file("empty.img", b"")
    bad(ctx, ["-demo", "-hdb", empty], "-hdb %s: the image is empty" % empty)
    disk = ctx.file("disk.img", bytes(512))
    bad(ctx, ["-demo", "-hda", disk, "-hda", disk], "-hda given twice")
    bad(ctx, ["-demo", "-fdb", disk],
        "%s: size 512 bytes is no floppy format (160K, 180K, 320K, 360K, 720K, 1.2M, "
        "1.44M, 1.68M or 2.88M)" % disk)
    bad(ctx, ["-demo", "-hdc", disk, "-cdrom", disk],
        "-cdrom and -hdc both want the IDE secondary master: drop one")


def case_bad_ram(ctx):
    for m in ["abc", "", "12X", "-5", "0x10", "1.5G", "64MB", "99999999999999999999"]:
        bad(ctx, ["-m", m], "invalid -m value '%s': give the RAM size in MiB, or with a "
                            "suffix M or G (e.g. -m 64, -m 1G)" % m)
    for m in ["0", "0M", "4G", "3585", "5000M"]:
        bad(ctx, ["-m", m], "-m %s: RAM size must be between 1 MiB and 3584 MiB" % m)


def case_bad_display(ctx):
    bad(ctx, ["-display", "gtk"], "-display 'gtk': unknown display (known: sdl, curses, none)")


def case_bad_device(ctx):
    bad(ctx, ["-device", "e1000"], "unknown device 'e1000' (known: isa-debug-exit, isa-debugcon)")
    bad(ctx, ["-device", "isa-debug-exit,foo=1"],
        "-device isa-debug-exit: unknown property 'foo' (known: iobase, iosize)")
    bad(ctx, ["-device", "isa-debug-exit,iobase=zz"],
        "-device isa-debug-exit: invalid iobase 'zz'")
    bad(ctx, ["-device", "isa-debug-exit,iobase"],
        "-device isa-debug-exit: property 'iobase' needs a value (e.g. iobase=0xf4)")
    bad(ctx, ["-device", "isa-debug-exit,iobase=0x10000"],
        "-device isa-debug-exit: iobase 0x10000 is not a port (1 to 0xffff)")
    bad(ctx, ["-device", "isa-debug-exit,iobase=0xfffe,iosize=4"],
        "-device isa-debug-exit: iosize 0x4 does not fit above iobase 0xfffe")
    bad(ctx, ["-device", "isa-debug-exit", "-device", "isa-debug-exit"],
        "-device isa-debug-exit given twice: only one is supported")


def case_bad_debugcon(ctx):
    bad(ctx, ["-debugcon", "vc"],
        "-debugcon 'vc': not supported (use stdio, file:PATH, null or none)")
    bad(ctx, ["-debugcon", "file:"],
        "-debugcon 'file:': not supported (use stdio, file:PATH, null or none)")
    path = os.path.join(ctx.tmp, "no-such-dir", "out.txt")
    bad(ctx, ["-debugcon", "file:" + path],
        "-debugcon file:%s: cannot open: No such file or directory" % path)


def case_bad_max_insns(ctx):
    for v in ["0", "-1", "many", ""]:
        bad(ctx, ["-max-insns", v],
            "invalid -max-insns value '%s' (a positive instruction count)" % v)


def case_bad_vga(ctx):
    stub = ctx.rom("test-vgastub.bin")
    notrom = ctx.file("notrom.bin", b"\0" * 1024)
    bad(ctx, ["-vga", "cirrus"], "-vga 'cirrus': not supported (use std or none)")
    bad(ctx, ["-vga-bios", notrom],
        "-vga-bios %s: not an option ROM (no 0x55 0xAA signature)" % notrom)
    bad(ctx, ["-option-rom", notrom],
        "-option-rom %s: not an option ROM (no 0x55 0xAA signature)" % notrom)
    big = ctx.file("big.bin", b"\x55\xAA" + b"\0" * (256 << 10))
    bad(ctx, ["-vga-bios", big], "-vga-bios %s: larger than 256 KiB; not an option ROM" % big)
    missing = os.path.join(ctx.tmp, "missing.bin")
    bad(ctx, ["-vga-bios", missing],
        "-vga-bios %s: cannot open: No such file or directory" % missing)
    bad(ctx, ["-demo", "-screenshot-on-exit", "x.png"],
        "-screenshot-on-exit x.png: the machine has no VGA (-demo has none)")
    bad(ctx, ["-vga", "none", "-screenshot-on-exit", "x.png"],
        "-screenshot-on-exit x.png: the machine has no VGA (-vga none)")
    bad(ctx, ["-vga-bios", stub, "-vga", "none"], "-vga-bios needs a VGA: drop -vga none")
    bad(ctx, ["-option-rom", stub] * 5, "-option-rom %s: at most 4 option ROMs" % stub)


def case_vga_screenshot(ctx):
    """The halt ROM with a VGA (never programmed: the screen is blank) still
    writes a PNG at exit; an unwritable path fails after the run."""
    png = os.path.join(ctx.tmp, "shot.png")
    args = ["-bios", ctx.rom("test-halt.bin"), "-vga-bios", ctx.rom("test-vgastub.bin")] + LIMIT
    expect(ctx, args + ["-screenshot-on-exit", png], 0, stdout="",
           stderr="pcvm: guest halted, waiting for interrupts that no device can raise\n")
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise AssertionError("%s is not a PNG" % png)
    bad_png = os.path.join(ctx.tmp, "no-such-dir", "x.png")
    expect(ctx, args + ["-screenshot-on-exit", bad_png], 1, stdout="",
           stderr="pcvm: guest halted, waiting for interrupts that no device can raise\n"
                  "pcvm: -screenshot-on-exit %s: cannot open: No such file or directory\n"
                  % bad_png)


CASES = {name[5:]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    pcvm, romdir, which = argv[1], argv[2], argv[3]
    # No window: in a graphical session pcvm would open one by default for
    # a machine with a VGA (and keep it open when the guest halts).
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        os.environ.pop(var, None)
    names = list(CASES) if which == "--all" else [which]
    failed = skipped = 0
    for name in names:
        if name not in CASES:
            sys.stderr.write("cli_test.py: no case %r (known: %s)\n" % (name, " ".join(CASES)))
            return 2
        with tempfile.TemporaryDirectory(prefix="pcvm-cli-") as tmp:
            try:
                CASES[name](Ctx(pcvm, romdir, tmp))
                print("ok %s" % name)
            except Skip as e:
                print("skip %s: %s" % (name, e))
                skipped += 1
            except (AssertionError, subprocess.TimeoutExpired) as e:
                print("FAIL %s: %s" % (name, e))
                failed += 1
    return 1 if failed else 77 if skipped == len(names) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
