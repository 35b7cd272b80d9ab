#!/usr/bin/env python3
"""pcvm -display sdl under Xvfb: the window's own pixels (read back from
the renderer with -window-screenshot) against the guest's frame
(-screenshot-on-exit) and against the picture tests/display/vga256.asm
draws; the default display; ending pcvm from the host side.  Exit 77
(skip) when Xvfb is missing, or for the SeaBIOS case when the seabios
package is.

usage: xvfb_test.py PCVM VGA256_ROM TEXT_ROM OPTION_ROM CASE"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import ctypes
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
import vga_test  # noqa: E402  (read_png)

SEABIOS = "/usr/share/seabios/bios.bin"
SEAVGABIOS = "/usr/share/seabios/vgabios-stdvga.bin"

# vga256.asm's DAC colours (6-bit) and picture.
DAC = [(0, 0, 0), (0, 0, 42), (0, 42, 0), (0, 42, 42), (42, 0, 0), (42, 0, 42), (42, 21, 0),
       (42, 42, 42), (21, 21, 21), (21, 21, 63), (21, 63, 21), (21, 63, 63), (63, 21, 21),
       (63, 21, 63), (63, 63, 21), (63, 63, 63)]


def rgb(i):
    return tuple((c << 2) | (c >> 4) for c in DAC[i])


def picture(x, y):
    """The colour index vga256.asm puts at (x, y) of its 320x200 screen."""
    return x // 20 if y < 100 else 15 - (y - 100) // 25


def read_png(path):
    """(width, height, rows of (r, g, b) tuples): the PNG decoder of
    tests/guest/vga_test.py (zlib alone, independent of the writer)."""
    w, h, rows = vga_test.read_png(path)
    return w, h, [[tuple(r[k:k + 3]) for k in range(0, 3 * w, 3)] for r in rows]


def sources(d, dst_size, src_size):
    """The source pixels a scaled destination pixel d may come from."""
    lo = d * src_size // dst_size
    hi = min(src_size - 1, ((d + 1) * src_size - 1) // dst_size)
    return range(lo, hi + 1)


def compare_scaled(window, frame, rect):
    """Every pixel of the window inside rect shows the frame's pixel there
    (nearest-neighbour scaling: one of the source pixels it covers); the
    pixels outside are black.  Returns the number of pixels checked."""
    ww, wh, wrows = window
    fw, fh, frows = frame
    rx, ry, rw, rh = rect
    bad = []
    for y in range(wh):
        for x in range(ww):
            got = wrows[y][x]
            if rx <= x < rx + rw and ry <= y < ry + rh:
                ok = any(frows[sy][sx] == got for sy in sources(y - ry, rh, fh)
                         for sx in sources(x - rx, rw, fw))
            else:
                ok = got == (0, 0, 0)
            if not ok:
                bad.append((x, y, got))
    if bad:
        raise AssertionError("%d window pixels differ from the frame, first %r" % (len(bad), bad[:5]))
    return ww * wh


def run(args, env, timeout=60):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


class Xvfb:
    """An X server of our own on a free display number (-displayfd)."""

    def __init__(self, size="1024x768"):
        rfd, wfd = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(wfd), "-screen", "0",
                                      size + "x24", "-nolisten", "tcp"], pass_fds=(wfd,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(wfd)
        with os.fdopen(rfd) as f:
            num = f.readline().strip()
        if not num:
            raise AssertionError("Xvfb did not start")
        self.env = dict(os.environ, DISPLAY=":" + num)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env.pop("SDL_VIDEODRIVER", None)

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def expect_status(p, status, what):
    if p.returncode != status:
        raise AssertionError("%s: exit status %d, want %d; stderr %r" % (what, p.returncode, status,
                                                                         p.stderr))


def case_picture(ctx):
    """The 256-colour picture: window 640x480 (320x200 shown at 4:3),
    every pixel the frame's, and the frame the picture vga256.asm draws."""
    win, frame = ctx.path("win.png"), ctx.path("frame.png")
    p = run([ctx.pcvm, "-display", "sdl", "-bios", ctx.vga256, "-vga-bios", ctx.optrom,
                  "-device", "isa-debug-exit,iobase=0xf4", "-window-screenshot", win,
                  "-screenshot-on-exit", frame], ctx.x.env)
    expect_status(p, 0x21, "vga256")
    w = read_png(win)
    f = read_png(frame)
    if (w[0], w[1]) != (640, 480) or (f[0], f[1]) != (320, 200):
        raise AssertionError("window %dx%d (want 640x480), frame %dx%d (want 320x200)" % (
            w[0], w[1], f[0], f[1]))
    for y in range(200):
        for x in range(320):
            if f[2][y][x] != rgb(picture(x, y)):
                raise AssertionError("frame pixel (%d,%d) %r, want %r" % (x, y, f[2][y][x],
                                                                         rgb(picture(x, y))))
    n = compare_scaled(w, f, (0, 0, 640, 480))
    ctx.keep(win, "sdl-vga256.png")
    return "%d window pixels" % n


def case_seabios_text(ctx):
    """SeaBIOS and SeaVGABIOS's text screen (720x400) in a 720x540 window."""
    if not (os.path.exists(SEABIOS) and os.path.exists(SEAVGABIOS)):
        print("SKIP: the seabios package is not installed")
        sys.exit(77)
    win, frame = ctx.path("win.png"), ctx.path("frame.png")
    p = run([ctx.pcvm, "-display", "sdl", "-bios", SEABIOS, "-vga-bios", SEAVGABIOS,
                  "-rtc", "clock=vm", "-max-insns", "300000000", "-window-screenshot", win,
                  "-screenshot-on-exit", frame], ctx.x.env)
    expect_status(p, 124, "SeaBIOS")
    w = read_png(win)
    f = read_png(frame)
    if (w[0], w[1]) != (720, 540) or (f[0], f[1]) != (720, 400):
        raise AssertionError("window %dx%d (want 720x540), frame %dx%d (want 720x400)" % (
            w[0], w[1], f[0], f[1]))
    lit = sum(1 for row in f[2][:16] for px in row if px != (0, 0, 0))
    if lit < 200:
        raise AssertionError("the first text row of the frame is blank (%d pixels lit)" % lit)
    n = compare_scaled(w, f, (0, 0, 720, 540))
    ctx.keep(win, "sdl-seabios-text.png")
    return "%d window pixels" % n


def case_default_display(ctx):
    """With $DISPLAY and a VGA, no -display opens the window; without
    $DISPLAY pcvm runs headless and -window-screenshot says it needs one."""
    win = ctx.path("win.png")
    args = [ctx.pcvm, "-bios", ctx.vga256, "-vga-bios", ctx.optrom,
            "-device", "isa-debug-exit,iobase=0xf4"]
    p = run(args + ["-window-screenshot", win], ctx.x.env)
    expect_status(p, 0x21, "default display under Xvfb")
    if read_png(win)[:2] != (640, 480):
        raise AssertionError("no 640x480 window by default")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    p = run(args, env=env)
    expect_status(p, 0x21, "no $DISPLAY")
    p = run(args + ["-window-screenshot", win], env=env)
    expect_status(p, 1, "-window-screenshot without a window")
    want = "pcvm: -window-screenshot %s: needs the window (-display sdl)\n" % win
    if p.stderr != want:
        raise AssertionError("stderr %r, want %r" % (p.stderr, want))
    p = run(args + ["-display", "sdl"], env=env)
    expect_status(p, 1, "-display sdl without an X server")
    if not p.stderr.startswith("pcvm: -display sdl: cannot open a window: ") or \
            p.stderr.count("\n") != 1:
        raise AssertionError("stderr %r: want one line saying the window cannot open" % p.stderr)
    return "default sdl, none, errors"


def case_quit(ctx):
    """A guest that never ends: the host asks pcvm to quit (SIGINT, which SDL
    turns into the same quit event as closing the window): status 0, no
    message, and the window had shown the text mode (720x540)."""
    win = ctx.path("win.png")
    args = [ctx.pcvm, "-display", "sdl", "-bios", ctx.text, "-vga-bios", ctx.optrom,
            "-window-screenshot", win]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ctx.x.env)
    time.sleep(3)
    if proc.poll() is not None:
        raise AssertionError("pcvm ended by itself: %r" % (proc.communicate(),))
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    if proc.returncode != 0 or err:
        raise AssertionError("quit: status %d, stderr %r" % (proc.returncode, err))
    if read_png(win)[:2] != (720, 540):
        raise AssertionError("the text mode window is not 720x540")
    return "quit with status 0"


class XTest:
    """Key presses as if typed on the X server's keyboard (the XTEST
    extension, through libX11 and libXtst with ctypes)."""

    def __init__(self, display):
        try:
            self.x11 = ctypes.CDLL("libX11.so.6")
            self.xtst = ctypes.CDLL("libXtst.so.6")
        except OSError as e:
            print("SKIP: %s (Debian package libxtst6)" % e)
            sys.exit(77)
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x11.XStringToKeysym.restype = ctypes.c_ulong
        self.x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self.x11.XKeysymToKeycode.restype = ctypes.c_ubyte
        self.x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.x11.XFlush.argtypes = [ctypes.c_void_p]
        self.x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.xtst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                                ctypes.c_ulong]
        self.xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int,
                                                   ctypes.c_ulong]
        self.xtst.XTestFakeRelativeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int,
                                                           ctypes.c_int, ctypes.c_ulong]
        self.d = self.x11.XOpenDisplay(display.encode())
        if not self.d:
            raise AssertionError("cannot open display %s" % display)

    def key(self, name, down):
        code = self.x11.XKeysymToKeycode(self.d, self.x11.XStringToKeysym(name.encode()))
        if not code:
            raise AssertionError("no keycode for %s" % name)
        self.xtst.XTestFakeKeyEvent(self.d, code, 1 if down else 0, 0)
        self.x11.XFlush(self.d)

    def motion(self, dx, dy):
        self.xtst.XTestFakeRelativeMotionEvent(self.d, dx, dy, 0)
        self.x11.XFlush(self.d)
        time.sleep(0.2)

    def button(self, number, down):
        self.xtst.XTestFakeButtonEvent(self.d, number, 1 if down else 0, 0)
        self.x11.XFlush(self.d)
        time.sleep(0.2)

    def chord(self, *names):
        """Presses the keys in order and releases them in reverse order."""
        for n in names:
            self.key(n, True)
            time.sleep(0.05)
        for n in reversed(names):
            self.key(n, False)
            time.sleep(0.05)
        time.sleep(0.2)

    def close(self):
        self.x11.XCloseDisplay(self.d)


def typed_run(ctx, args, env, actions):
    """Runs pcvm with the text ROM, lets actions(xtest) type on the X
    server, then quits pcvm (SIGINT: SDL's quit event, as closing the
    window): status 0, nothing on stderr.  Returns the debug console's
    words (text.asm echoes the bytes the 8042 delivers)."""
    con = ctx.path("con.txt")
    args = [ctx.pcvm, "-display", "sdl", "-bios", ctx.text, "-vga-bios", ctx.optrom,
            "-debugcon", "file:" + con] + args
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ctx.tmp)
    xt = XTest(ctx.x.env["DISPLAY"])
    try:
        time.sleep(2)
        actions(xt)
        time.sleep(1)
    finally:
        xt.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    ctx.stderr = err
    if proc.returncode != 0 or err.replace(ctx.screenshot_message, ""):
        raise AssertionError("quit: status %d, stderr %r" % (proc.returncode, err))
    with open(con) as f:
        return f.read().split()


def case_keys_fullscreen(ctx):
    """Keys typed on the X server reach the guest as PS/2 scancodes
    (text.asm echoes what the 8042 delivers, translated to set 1, to the
    debug console); Ctrl-Alt-F makes the window fullscreen on a 1280x800
    screen: the 720x400 text mode letterboxed at 4:3 (1066x800, bars at
    the sides); then the quit event ends pcvm with status 0."""
    ctx.x.close()
    ctx.x = Xvfb("1280x800")    # 16:10: the 4:3 picture gets bars at the sides
    win, frame = ctx.path("win.png"), ctx.path("frame.png")

    def type_keys(xt):
        for chord in [["a"], ["Shift_L", "b"], ["Return"], ["F1"], ["Up"], ["KP_Enter"],
                      ["Control_R"], ["Pause"], ["Control_L", "Alt_L", "f"],
                      ["Control_L", "Alt_L", "s"]]:
            xt.chord(*chord)

    # SDL's software renderer: read back after the fullscreen switch, the
    # OpenGL renderer on Xvfb (Mesa, no window manager) gives a black
    # back buffer (the picture case covers the OpenGL path in a window).
    env = dict(ctx.x.env, SDL_RENDER_DRIVER="software")
    got = " ".join(typed_run(ctx, ["-window-screenshot", win, "-screenshot-on-exit", frame],
                             env, type_keys))
    want = ("FA 1E 9E 2A 30 B0 AA 1C 9C 3B BB E0 48 E0 C8 E0 1C E0 9C E0 1D E0 9D "
            "E1 1D 45 E1 9D C5 1D 38 B8 9D 1D 38 B8 9D")
    if got != want:
        raise AssertionError("the guest read %r, want %r" % (got, want))
    # Ctrl-Alt-S: the guest's screen in the working directory, said on stderr.
    shot = read_png(os.path.join(ctx.tmp, "pcvm-screenshot-1.png"))
    if ctx.stderr != ctx.screenshot_message:
        raise AssertionError("stderr %r, want %r" % (ctx.stderr, ctx.screenshot_message))
    w = read_png(win)
    f = read_png(frame)
    if (w[0], w[1]) != (1280, 800) or (f[0], f[1]) != (720, 400):
        raise AssertionError("window %dx%d (want 1280x800 fullscreen), frame %dx%d" % (
            w[0], w[1], f[0], f[1]))
    # The same screen, but taken earlier: the cursor (row 6, column 12: 9x16
    # pixels at 108,96) may be in the other phase of its blink.
    cursor = lambda x, y: 108 <= x < 117 and 96 <= y < 112
    if shot[:2] != (720, 400) or any(shot[2][y][x] != f[2][y][x] for y in range(400)
                                     for x in range(720) if not cursor(x, y)):
        raise AssertionError("pcvm-screenshot-1.png is not the guest's screen")
    n = compare_scaled(w, f, (107, 0, 1066, 800))
    return "%d scancodes, %d window pixels, a screenshot" % (len(want.split()) - 1, n)


def case_mouse(ctx):
    """Ctrl-Alt-G grabs the mouse: motion and buttons reach the guest's
    PS/2 mouse as stream-mode packets (y positive upwards), and nothing
    before the grab or after the release does."""
    def use_mouse(xt):
        xt.motion(3, 2)                       # not grabbed: not the guest's
        xt.chord("Control_L", "Alt_L", "g")
        xt.motion(3, 2)
        xt.button(1, True)
        xt.button(1, False)
        xt.button(3, True)
        xt.button(3, False)
        xt.chord("Control_L", "Alt_L", "g")
        xt.motion(3, 2)                       # released: not the guest's

    got = typed_run(ctx, [], ctx.x.env, use_mouse)
    keys = ["1D", "38", "B8", "9D"]           # Ctrl Alt down and up, around G
    if got[:1] != ["FA"] or got[1:5] != keys or got[-4:] != keys:
        raise AssertionError("the guest read %r: want FA, the Ctrl-Alt-G keys, the "
                             "mouse packets, the Ctrl-Alt-G keys" % got)
    packets = [got[i:i + 3] for i in range(5, len(got) - 4, 3)]
    dx = dy = 0
    buttons = []
    for b0, x, y in packets:
        b0, x, y = int(b0, 16), int(x, 16), int(y, 16)
        if not b0 & 0x08:
            raise AssertionError("bad packet %r in %r" % ((b0, x, y), got))
        dx += x - 256 if b0 & 0x10 else x
        dy += y - 256 if b0 & 0x20 else y
        if not buttons or buttons[-1] != b0 & 7:
            buttons.append(b0 & 7)
    if (dx, dy) != (3, -2) or buttons != [0, 1, 0, 2, 0]:
        raise AssertionError("mouse: moved (%d,%d) want (3,-2); buttons %r want "
                             "[0, 1, 0, 2, 0] (packets %r)" % (dx, dy, buttons, packets))
    return "%d packets" % len(packets)


class Ctx:
    screenshot_message = "pcvm: screenshot pcvm-screenshot-1.png (720x400)\n"

    def __init__(self, argv, tmp):
        self.pcvm, self.vga256, self.text, self.optrom = [os.path.abspath(a) for a in argv[:4]]
        self.tmp = tmp

    def path(self, name):
        return os.path.join(self.tmp, name)

    def keep(self, path, name):
        """Leaves a copy in the build directory (for looking at)."""
        shutil.copy(path, os.path.join(os.path.dirname(os.path.abspath(self.pcvm)), name))


def main():
    case = sys.argv[5]
    if not shutil.which("Xvfb"):
        print("SKIP: Xvfb is not installed (Debian package xvfb)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Ctx(sys.argv[1:5], tmp)
        ctx.x = Xvfb()
        try:
            what = globals()["case_" + case](ctx)
        finally:
            ctx.x.close()
    print("ok: %s (%s)" % (case, what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
