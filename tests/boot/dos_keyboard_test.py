#!/usr/bin/env python3
"""FreeDOS on pcvm driven from the keyboard: pcvm -display curses runs in
an 80x25 tmux pane, the test types commands into the pane (tmux
send-keys: real key events through the curses display, the emulated
i8042 and PS/2 keyboard, the BIOS and DOS) and reads their output from
the pane's text:

  DIR                       the listing of the image's root directory,
                            checked line by line against mdir's view of the
                            image on the host (names, sizes, label, serial,
                            file count, bytes used and free)
  TYPE HELLO.TXT            HELLO.TXT's text
  COPY HELLO.TXT TYPED.TXT  FreeCOM's report of one file copied
  DIR TYPED.TXT             the new file, HELLO.TXT's size
  MEM or VER /R             MEM when MEM.EXE is on the image (the
                            conventional and extended memory of -m 16);
                            the minimal FreeDOS boot floppies have no
                            MEM.EXE, so there VER /R instead: FreeCOM's
                            version line as its boot banner showed it and
                            the DOS version the kernel's banner announced
  PCVMEXIT                  pcvm ends with isa-debug-exit's status 171

and afterwards TYPED.TXT is in the image on the host with HELLO.TXT's
contents (mtools).  No -snapshot: the run works on a temporary copy.

The FreeDOS floppy is not in the repository: give it in $PCVM_FREEDOS_IMG
(see dos_test.py); without it, or without tmux or mtools, the test
reports SKIP (exit 77).

usage: dos_keyboard_test.py PCVM PCVMEXIT.COM MBR.BIN fda|hda [--capture=FILE] [--png=FILE]
--capture=FILE saves the pane's text after DIR and before PCVMEXIT;
--png=FILE passes -screenshot-on-exit FILE to pcvm (the VGA's screen
after PCVMEXIT: docs/screenshots/freedos-keyboard.png).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "display"))
import dos_images  # noqa: E402
import dos_test  # noqa: E402
from curses_test import Pane  # noqa: E402

MARKER = "PCVM-KBD-READY"
OK_STATUS = (0x55 << 1) | 1
TIMEOUT = 90       # seconds of real time for each step: the guest is paced
ROWS = 25


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    p = subprocess.run(list(args), capture_output=True, env=env)
    if p.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout.decode("latin-1")


def thousands(n):
    return "{:,}".format(n)


def expected_dir(image, drive):
    """DIR's output for the root directory as mdir sees it in the image:
    one regular expression per line (the dates are the host's, so only
    their shape is checked), and the number of entries."""
    listing = mtools("mdir", "-i", image, "::").splitlines()
    label, serial, entries, free = None, None, [], None
    for line in listing:
        m = re.match(r" Volume in drive : (?:is (.*\S)|has no label)", line)
        if m:
            label = m.group(1)
            continue
        m = re.match(r" Volume Serial Number is (\S+)", line)
        if m:
            serial = m.group(1)
            continue
        m = re.match(r"\s+([\d ]+) bytes free", line)
        if m:
            free = int(m.group(1).replace(" ", ""))
            continue
        # "KERNEL   SYS     45450 2018-10-19  11:26": name, extension, size
        m = re.match(r" *(\d+|<DIR>) +\d{4}-\d\d-\d\d ", line[12:])
        if m and line[:1] != " " and line[8:9] == " ":
            entries.append((line[:8].strip(), line[9:12].strip(), m.group(1)))
    if serial is None or free is None:
        raise AssertionError("cannot read mdir's listing:\n" + "\n".join(listing))
    files = [e for e in entries if e[2] != "<DIR>"]
    date = r"\d\d-\d\d-\d\d +\d?\d:\d\d[ap]"
    want = [" Volume in drive %s is %s" % (drive, label) if label
            else " Volume in drive %s has no label" % drive,
            " Volume Serial Number is %s" % serial,
            " Directory of %s:\\" % drive, ""]
    want = [re.escape(w) for w in want]
    for name, ext, size in entries:
        shown = "<DIR>" if size == "<DIR>" else thousands(int(size))
        want.append(r"%s +%s  %s" % (re.escape("%-8s %-3s" % (name, ext)), re.escape(shown),
                                     date))
    want.append(r" +%d file\(s\) +%s bytes" % (len(files), thousands(
        sum(int(f[2]) for f in files))))
    want.append(r" +%d dir\(s\) +%s bytes free" % (len(entries) - len(files), thousands(free)))
    return want, len(entries)


class Dos:
    def __init__(self, pane, drive):
        self.pane = pane
        self.prompt = drive + ":\\>"

    def last_line(self, lines):
        text = [l for l in lines if l]
        return text[-1] if text else ""

    def wait_for(self, what):
        """The pane once WHAT holds for it in two captures in a row that
        agree (not a capture taken while the terminal is half redrawn)."""
        seen = []

        def stable(lines):
            ok = what(lines) and seen and seen[-1] == lines
            seen[:] = [lines]
            return ok

        return self.pane.wait_for(stable, timeout=TIMEOUT)

    def boot(self):
        """Waits for the prompt under AUTOEXEC.BAT's marker; returns the
        boot screen."""
        return self.wait_for(
            lambda l: MARKER in l and l.index(MARKER) < len(l) - 1 and
            self.last_line(l) == self.prompt and l[l.index(MARKER) + 1] == self.prompt)

    def run(self, command):
        """Types COMMAND and Enter; waits for the next prompt and returns
        the lines between the command and the prompt."""
        echo = self.prompt + command
        before = self.pane.capture()
        if echo in before:
            raise AssertionError("%r is already on the screen: the test cannot tell the "
                                 "new output from the old" % echo)
        self.pane.keys("-l", command)
        self.pane.keys("Enter")

        def done(lines):
            if echo not in lines:
                return False
            i = len(lines) - 1 - lines[::-1].index(echo)
            return self.prompt in lines[i + 1:] and self.last_line(lines) == self.prompt

        lines = self.wait_for(done)
        i = len(lines) - 1 - lines[::-1].index(echo)
        end = len(lines) - 1 - lines[::-1].index(self.prompt)
        return lines[i + 1:end]


def check_lines(what, got, want):
    """GOT (pane lines) against WANT (regular expressions), line by line."""
    bad = len(got) != len(want) or any(not re.fullmatch(w, g) for g, w in zip(got, want))
    if bad:
        raise AssertionError("%s: the pane shows\n%s\nwant (regular expressions)\n%s" % (
            what, "\n".join(got), "\n".join(want)))


def check_mem(out):
    # -m 16: 640K of conventional memory less SeaBIOS's EBDA, 15 MiB above 1 MiB.
    text = "\n".join(out)
    if not re.search(r"^Conventional +6[0-9]{2}K", text, re.M) or \
            not re.search(r"^Extended.* 15,360K", text, re.M):
        raise AssertionError("MEM: the pane shows\n%s\nwant Conventional 6xxK and "
                             "Extended 15,360K" % text)


def check_ver(out, boot_screen):
    """VER /R: FreeCOM's version line as at boot, and the DOS version the
    kernel announced ("Kernel compatibility 7.10")."""
    shell = [l for l in boot_screen if l.startswith("FreeCom version")]
    kernel = [re.match(r"Kernel compatibility (\d+\.\d+)", l) for l in boot_screen]
    kernel = [m.group(1) for m in kernel if m]
    if not shell or not kernel:
        raise AssertionError("boot screen lacks FreeCOM's or the kernel's banner:\n" +
                             "\n".join(boot_screen))
    if shell[0] not in out or "DOS version " + kernel[0] not in out:
        raise AssertionError("VER /R: the pane shows\n%s\nwant %r and 'DOS version %s'" % (
            "\n".join(out), shell[0], kernel[0]))


def main():
    pcvm, exitcom, mbr, medium = sys.argv[1:5]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[5:] if a.startswith("--"))
    if not shutil.which("tmux"):
        dos_test.skip("tmux is not installed (Debian package tmux)")
    probe = subprocess.run([pcvm, "-display", "curses"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
    if "built without ncurses" in probe.stderr:
        dos_test.skip(probe.stderr.strip())
    drive = "A" if medium == "fda" else "C"
    with tempfile.TemporaryDirectory(prefix="pcvm-doskbd-") as tmp:
        dos_test.make_images(exitcom, mbr, tmp, ["ECHO " + MARKER])
        img = os.path.join(tmp, "floppy.img" if medium == "fda" else "hdd.img")
        offset = 0 if medium == "fda" else dos_images.PART_START * dos_images.SECTOR
        image = "%s@@%d" % (img, offset)
        want_dir, entries = expected_dir(image, drive)
        if entries > ROWS - 11:
            raise AssertionError("the image's root has %d entries: DIR's listing would "
                                 "scroll off the 25 lines" % entries)
        has_mem = "MEM.EXE" in mtools("mdir", "-b", "-i", image, "::").upper().split()
        disk = ["-fda", img, "-boot", "a"] if medium == "fda" else ["-hda", img, "-boot", "c"]
        cmd = ("env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color %s -display curses "
               "-m 16 -rtc base=2024-01-31T12:00:00 -device isa-debug-exit,iobase=0xf4 %s" %
               (pcvm, " ".join(disk)))
        if "png" in opts:
            cmd += " -screenshot-on-exit " + os.path.abspath(opts["png"])
        pane = Pane(tmp, cmd)
        try:
            dos = Dos(pane, drive)
            boot_screen = dos.boot()
            check_lines("DIR", dos.run("DIR"), want_dir + [""])
            screens = [pane.capture()]
            check_lines("TYPE HELLO.TXT", dos.run("TYPE HELLO.TXT"),
                        [re.escape(dos_images.HELLO.decode().rstrip("\r\n")), ""])
            # FreeCOM 0.82 names the pair it copied; later versions count.
            check_lines("COPY", dos.run("COPY HELLO.TXT TYPED.TXT"),
                        [r"HELLO\.TXT => TYPED\.TXT|\s*1 file\(s\) copied", ""])
            out = dos.run("DIR TYPED.TXT")
            size = thousands(len(dos_images.HELLO))
            if not any(re.fullmatch(r"TYPED    TXT +%s  .*" % size, l) for l in out) or \
                    not any(re.fullmatch(r" +1 file\(s\) +%s bytes" % size, l) for l in out):
                raise AssertionError("DIR TYPED.TXT: the pane shows\n" + "\n".join(out))
            if has_mem:
                check_mem(dos.run("MEM"))
            else:
                check_ver(dos.run("VER /R"), boot_screen)
            screens.append(pane.capture())
            pane.keys("-l", "PCVMEXIT")
            pane.keys("Enter")
            status = pane.exit_status(timeout=TIMEOUT)
        finally:
            pane.close()
        if status != OK_STATUS:
            raise AssertionError("PCVMEXIT: exit status %d, want %d" % (status, OK_STATUS))
        got = subprocess.run(["mtype", "-i", image, "::TYPED.TXT"], capture_output=True,
                             env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))
        if got.returncode != 0 or got.stdout != dos_images.HELLO:
            raise AssertionError("TYPED.TXT in the image on the host: %r %r" %
                                 (got.stdout, got.stderr))
        if "capture" in opts:
            with open(opts["capture"], "w", encoding="utf-8") as f:
                f.write(("\n" + "-" * 80 + "\n").join("\n".join(s) for s in screens) + "\n")
    print("%s: DIR, TYPE, COPY, DIR TYPED.TXT, %s typed through -display curses; "
          "PCVMEXIT status %d; TYPED.TXT in the image" % (
              medium, "MEM" if has_mem else "VER /R (no MEM.EXE on the image)", OK_STATUS))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print("FAIL: %s" % e)
        sys.exit(1)
