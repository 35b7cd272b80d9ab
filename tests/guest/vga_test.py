#!/usr/bin/env python3
"""Runs a VGA test program with -screenshot-on-exit and checks every
pixel of the PNG against the picture the program draws:
  mode13: roms/test/vga13.asm as the BIOS (mode 13h through the VGA
          registers, no VGA BIOS code runs);
  vbe8:   SeaBIOS + SeaVGABIOS, roms/test/vbe8.asm as an option ROM (VBE
          mode 0x101 through INT 10h, drawn through the banked window);
  vbe24:  the same with roms/test/vbe24.asm (VBE mode 0x112, 24 bpp, drawn
          through the linear frame buffer from unreal mode);
  modes:  SeaBIOS + SeaVGABIOS, roms/test/vgamodes.asm as an option ROM,
          once per standard mode (--modes=): INT 10h sets it, the teletype
          writes text, write-pixel draws a block of colour 4.

usage: vga_test.py mode13|vbe8|vbe24|modes PCVM [--keep=PATH] [--option-rom=ROM]
                   [--modes=M,M...] [pcvm options...]
--option-rom= passes ROM with its checksum byte (the last) set (and for
modes, the mode byte at offset 6).

The PNG is decoded here with zlib alone (8-bit RGB, the five filter
types), so the check does not depend on the writer's library."""
import os
import struct
import subprocess
import sys
import tempfile
import zlib


def read_png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, w, h = 8, b'', 0, 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError('bad CRC in %r' % kind)
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if (depth, ctype, interlace) != (8, 2, 0):
                raise ValueError('not 8-bit RGB without interlace')
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * 3, [], bytearray(w * 3)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def dac(i):
    c6 = (i & 63, (i >> 2) & 63, 63 - (i & 63))
    return tuple((c << 2) | (c >> 4) for c in c6)


# The pictures the test programs draw: size and colour index of (x, y).
PICTURES = {
    'mode13': (320, 200, lambda x, y: ((x >> 4) + ((y >> 4) << 4)) & 255),
    'vbe8': (640, 480, lambda x, y: x // 40 + (y // 30) * 16),
    # direct colour: (r, g, b) itself
    'vbe24': (640, 480, lambda x, y: (x & 255, y & 255, (x + y) & 255)),
}


# Standard modes: size, and whether colour 4 is the BIOS's red there.
MODES = {
    0x00: (360, 400, False), 0x02: (720, 400, False), 0x05: (320, 200, False),
    0x01: (360, 400, False), 0x03: (720, 400, False), 0x07: (720, 400, False), 0x04: (320, 200, False),
    0x06: (640, 200, False), 0x0D: (320, 200, True), 0x0E: (640, 200, True),
    0x0F: (640, 350, False), 0x10: (640, 350, True), 0x11: (640, 480, False),
    0x12: (640, 480, True), 0x13: (320, 200, True),
}


def run(pcvm, rest, tmp, rom_path, mode):
    """Runs pcvm; returns the screenshot's path or None (after saying why)."""
    png = os.path.join(tmp, 'screen.png')
    args = [pcvm] + rest
    if rom_path:
        # SeaBIOS checks an option ROM's checksum: set its last byte.
        rom = bytearray(open(rom_path, 'rb').read())
        if mode is not None:
            rom[6] = mode
        rom[-1] = (-sum(rom[:-1])) & 255
        path = os.path.join(tmp, 'test.rom')
        open(path, 'wb').write(rom)
        args += ['-option-rom', path]
    args += ['-display', 'none', '-screenshot-on-exit', png]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        print('FAIL: %s exited with %d\n%s' % (' '.join(args), p.returncode, p.stderr.decode()))
        return None
    return png


def check_mode(png, mode):
    want_w, want_h, red = MODES[mode]
    w, h, rows = read_png(png)
    px = lambda x, y: tuple(rows[y][3 * x:3 * x + 3])
    problems = []
    if (w, h) != (want_w, want_h):
        return ['mode %02X: %dx%d, expected %dx%d' % (mode, w, h, want_w, want_h)]
    lit = sum(1 for y in range(16) for x in range(w) if px(x, y) != (0, 0, 0))
    if lit < 200:
        problems.append('mode %02X: only %d lit pixels in the text line' % (mode, lit))
    if red:
        for x, y in [(100, 50), (109, 59), (105, 55)]:
            if px(x, y) != (0xAA, 0, 0):
                problems.append('mode %02X: pixel (%d, %d) is %r, not colour 4 (0xAA0000)'
                                % (mode, x, y, px(x, y)))
        for x, y in [(99, 55), (110, 55), (105, 49), (105, 60)]:
            if px(x, y) != (0, 0, 0):
                problems.append('mode %02X: pixel (%d, %d) is %r, not black' % (mode, x, y, px(x, y)))
    return problems


def main():
    kind, pcvm = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix='pcvm-vga-')
    keep, rest, rom, modes = None, [], None, []
    for a in sys.argv[3:]:
        if a.startswith('--keep='):
            keep = a[7:]
        elif a.startswith('--option-rom='):
            rom = a[13:]
        elif a.startswith('--modes='):
            modes = [int(m, 16) for m in a[8:].split(',')]
        else:
            rest.append(a)
    if kind == 'modes':
        problems = []
        for m in modes:
            png = run(pcvm, rest, tmp, rom, m)
            if not png:
                return 1
            problems += check_mode(png, m)
        for p in problems:
            print('FAIL: ' + p)
        if not problems:
            print('ok: modes %s' % ', '.join('%02X' % m for m in modes))
        return 1 if problems else 0
    png = run(pcvm, rest, tmp, rom, None)
    if not png:
        return 1
    want_w, want_h, colour = PICTURES[kind]
    w, h, rows = read_png(png)
    if (w, h) != (want_w, want_h):
        print('FAIL: screenshot is %dx%d, expected %dx%d' % (w, h, want_w, want_h))
        return 1
    bad = 0
    for y in range(h):
        for x in range(w):
            want = colour(x, y)
            want = want if isinstance(want, tuple) else dac(want)
            got = tuple(rows[y][3 * x:3 * x + 3])
            if got != want:
                if bad < 5:
                    print('pixel (%d, %d): %r, expected %r' % (x, y, got, want))
                bad += 1
    if bad:
        print('FAIL: %d of %d pixels differ' % (bad, w * h))
        return 1
    if keep:
        with open(keep, 'wb') as f:
            f.write(open(png, 'rb').read())
    print('ok: %s picture, %dx%d, every pixel' % (kind, w, h))
    return 0


if __name__ == '__main__':
    sys.exit(main())
