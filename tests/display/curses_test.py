#!/usr/bin/env python3
"""pcvm -display curses in a tmux pane (80x25, TERM=xterm-256color, UTF-8):
the text screen of tests/display/text.asm as the terminal shows it (CP437
as Unicode, colours, the cursor), keys typed in the pane reaching the
guest as scancodes, Ctrl-A X quitting with status 0, and the notice a
graphics mode gets.  Exit 77 (skip) when tmux is missing.

usage: curses_test.py PCVM VGA256_ROM TEXT_ROM OPTION_ROM CASE"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

SCREEN = [
    "pcvm curses test: text mode 80x25",
    "\u250c\u2500\u2500\u252c\u2500\u2500\u2510 \u2554\u2550\u2557 \u2591\u2592\u2593\u2588",
    "\u263a\u263b\u2665\u2666\u2663\u2660 \u03b1\u00df\u03c0\u00b1\u00b0 \u00c7\u00fc\u00e9",
    "blinking green",
    "keys: FA",
] + [""] * 19 + [" " * 60 + "bottom right corner"]


class Pane:
    def __init__(self, tmp, command):
        self.sock = "pcvm-test-%d" % os.getpid()
        self.exitfile = os.path.join(tmp, "exit")
        shell = "%s; echo $? > %s; sleep 30" % (command, self.exitfile)
        self.tmux("new-session", "-d", "-s", "t", "-x", "80", "-y", "25", shell)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              check=True, capture_output=True, text=True,
                              encoding="utf-8").stdout

    def capture(self, escapes=False):
        out = self.tmux("capture-pane", "-p", "-t", "t", *(["-e"] if escapes else []))
        return [line.rstrip() for line in out.split("\n")[:25]]

    def wait_for(self, what, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            lines = self.capture()
            if what(lines):
                return lines
            time.sleep(0.2)
        raise AssertionError("timed out; the pane shows:\n" + "\n".join(self.capture()))

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "t", *keys)

    def exit_status(self, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            if os.path.exists(self.exitfile):
                with open(self.exitfile) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.2)
        raise AssertionError("pcvm did not exit; the pane shows:\n" + "\n".join(self.capture()))

    def close(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)


def pcvm_command(pcvm, bios, optrom):
    return "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color %s -display curses -bios %s -vga-bios %s" % (
        pcvm, bios, optrom)


def case_text(pane):
    lines = pane.wait_for(lambda l: l[24].endswith("bottom right corner"))
    if lines != SCREEN:
        raise AssertionError("screen differs:\n" + "\n".join(
            "%2d got  %r\n   want %r" % (i, a, b) for i, (a, b) in enumerate(zip(lines, SCREEN))
            if a != b))
    cursor = pane.tmux("display", "-p", "-t", "t", "#{cursor_x},#{cursor_y},#{cursor_flag}").strip()
    if cursor != "12,6,1":
        raise AssertionError("cursor at %s, want column 12 row 6, visible" % cursor)
    # Colours: attribute 07 (37 on 40), 1F (bright white 97 on blue 44),
    # 4E (yellow 93 on red 41), 8A (blinking: 5; bright green 92 on black).
    esc = pane.capture(escapes=True)
    want = [(0, ["[37m", "[40m"]), (1, ["[97m", "[44m"]), (2, ["[93m", "[41m"]),
            (3, ["[5m", "[92m", "[40m"])]
    for row, sgrs in want:
        for sgr in sgrs:
            if "\x1b" + sgr not in esc[row]:
                raise AssertionError("row %d lacks SGR %s: %r" % (row, sgr, esc[row]))
    pane.keys("C-a", "x")
    status = pane.exit_status()
    if status != 0:
        raise AssertionError("Ctrl-A X: exit status %d, want 0" % status)


def case_keys(pane):
    pane.wait_for(lambda l: l[24].endswith("bottom right corner"))
    # a, B (with Shift), Enter, F1, Up (E0-prefixed), Alt+x (Esc x),
    # Ctrl-C, and Ctrl-A Ctrl-A (one Ctrl+A to the guest), one at a time so
    # the terminal cannot merge them into one escape sequence.  The ROM
    # shows the bytes on rows 4 and 5 (FA: the mouse's acknowledgement).
    want = ("keys: FA 1E 9E 2A 30 B0 AA 1C 9C 3B BB E0 48 E0 C8 38 2D AD B8 1D 2E AE 9D "
            "1D 1E 9E 9D")
    for k in [["a"], ["B"], ["Enter"], ["F1"], ["Up"], ["M-x"], ["C-c"], ["C-a", "C-a"]]:
        pane.keys(*k)
        time.sleep(0.3)
    lines = pane.wait_for(lambda l: (l[4] + l[5]).startswith(want), timeout=10)
    if lines[4] + lines[5] != want:
        raise AssertionError("keys rows %r, want %r" % (lines[4] + lines[5], want))
    pane.keys("C-a", "x")
    if pane.exit_status() != 0:
        raise AssertionError("Ctrl-A X: exit status not 0")


def case_graphics(pane):
    lines = pane.wait_for(lambda l: l[0] != "")
    want = "graphics mode 320x200: not shown in the terminal"
    if lines[0] != want or any(lines[1:]):
        raise AssertionError("pane shows %r, want only %r" % (lines, want))
    pane.keys("C-a", "x")
    if pane.exit_status() != 0:
        raise AssertionError("Ctrl-A X: exit status not 0")


def case_errors(pcvm, text_rom, optrom):
    """Bad combinations: one line on stderr, status 1 (no terminal needed)."""
    cases = [
        (["-display", "curses", "-serial", "stdio"],
         "-display curses and -serial stdio both want the terminal: pick one"),
        (["-display", "curses", "-demo"],
         "-display curses draws on the terminal: give -debugcon file:PATH or none"),
        (["-display", "curses", "-bios", text_rom, "-vga-bios", optrom],
         "-display curses needs a terminal on stdin and stdout"),
        (["-nographic", "-display", "curses"],
         "-nographic and -display curses cannot be used together"),
        (["-display", "curses", "-window-screenshot", "x.png"],
         "-window-screenshot x.png: needs the window (-display sdl)"),
    ]
    for args, msg in cases:
        p = subprocess.run([pcvm] + args, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=30)
        if p.returncode != 1 or p.stderr != "pcvm: " + msg + "\n" or p.stdout:
            raise AssertionError("%r: status %d, stderr %r; want 1 and %r" % (
                args, p.returncode, p.stderr, msg))


def main():
    pcvm, gfx_rom, text_rom, optrom, case = sys.argv[1:6]
    if case == "errors":
        case_errors(pcvm, text_rom, optrom)
        print("ok: curses errors")
        return 0
    if not shutil.which("tmux"):
        print("SKIP: tmux is not installed (Debian package tmux)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        rom = gfx_rom if case == "graphics" else text_rom
        pane = Pane(tmp, pcvm_command(pcvm, rom, optrom))
        try:
            {"text": case_text, "keys": case_keys, "graphics": case_graphics}[case](pane)
        finally:
            pane.close()
    print("ok: curses " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
