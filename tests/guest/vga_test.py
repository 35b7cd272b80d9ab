#!/usr/bin/env python3
"""Runs roms/test/vga13.asm (mode 13h set through the VGA registers, a
palette and a picture) with a VGA and -screenshot-on-exit, then checks
every pixel of the PNG against the picture the program draws.

usage: vga_test.py PCVM VGA13_ROM VGA_OPTION_ROM [--keep=PATH]

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


def main():
    pcvm, rom, stub = sys.argv[1:4]
    keep = next((a[7:] for a in sys.argv[4:] if a.startswith('--keep=')), None)
    tmp = tempfile.mkdtemp(prefix='pcvm-vga-')
    png = os.path.join(tmp, 'mode13.png')
    args = [pcvm, '-bios', rom, '-vga-bios', stub, '-display', 'none',
            '-screenshot-on-exit', png, '-max-insns', '50000000']
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        print('FAIL: %s exited with %d\n%s' % (' '.join(args), p.returncode, p.stderr.decode()))
        return 1
    w, h, rows = read_png(png)
    if (w, h) != (320, 200):
        print('FAIL: screenshot is %dx%d, expected 320x200' % (w, h))
        return 1
    bad = 0
    for y in range(h):
        for x in range(w):
            want = dac(((x >> 4) + ((y >> 4) << 4)) & 255)
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
    print('ok: mode 13h picture, %dx%d, every pixel' % (w, h))
    return 0


if __name__ == '__main__':
    sys.exit(main())
