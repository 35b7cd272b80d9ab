#!/usr/bin/env python3
"""Runs a VGA test program with -screenshot-on-exit and checks every
pixel of the PNG against the picture the program draws:
  mode13: roms/test/vga13.asm as the BIOS (mode 13h through the VGA
          registers, no VGA BIOS code runs);
  vbe8:   SeaBIOS + SeaVGABIOS, roms/test/vbe8.asm as an option ROM (VBE
          mode 0x101 through INT 10h, drawn through the banked window).

usage: vga_test.py mode13|vbe8 PCVM [--keep=PATH] [--option-rom=ROM]
                   [pcvm options...]
--option-rom= passes ROM with its checksum byte (the last) set.

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
}


def main():
    kind, pcvm = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix='pcvm-vga-')
    png = os.path.join(tmp, 'screen.png')
    keep, rest = None, []
    for a in sys.argv[3:]:
        if a.startswith('--keep='):
            keep = a[7:]
        elif a.startswith('--option-rom='):
            # SeaBIOS checks an option ROM's checksum: set its last byte.
            rom = bytearray(open(a[13:], 'rb').read())
            rom[-1] = (-sum(rom[:-1])) & 255
            path = os.path.join(tmp, 'test.rom')
            open(path, 'wb').write(rom)
            rest += ['-option-rom', path]
        else:
            rest.append(a)
    args = [pcvm] + rest + ['-display', 'none', '-screenshot-on-exit', png]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        print('FAIL: %s exited with %d\n%s' % (' '.join(args), p.returncode, p.stderr.decode()))
        return 1
    want_w, want_h, colour = PICTURES[kind]
    w, h, rows = read_png(png)
    if (w, h) != (want_w, want_h):
        print('FAIL: screenshot is %dx%d, expected %dx%d' % (w, h, want_w, want_h))
        return 1
    bad = 0
    for y in range(h):
        for x in range(w):
            want = dac(colour(x, y))
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
