#!/usr/bin/env python3
"""Runs pcvm on one of pcvm's own guest test programs and checks its exit
status.

usage: run_guest.py PCVM ROM EXPECTED_STATUS [--stdin=TEXT] [--stdout=TEXT]
                    [--file=PATH:TEXT] [--disk=PATH:SECTORS] [--image=PATH:BYTES]
                    [pcvm options...]

The guest reports through isa-debug-exit, so the status says which check
failed: (n << 1) | 1 for a guest write of n.  --stdin feeds TEXT to pcvm;
--stdout requires TEXT in its standard output; --file requires TEXT in
the file PATH after the run (for -serial file:PATH); --disk makes a disk
image PATH of SECTORS 512-byte sectors, each holding its own number in its
first 4 bytes (little-endian), for -hda @TMP@/PATH; --image makes a
zero-filled disk image PATH of BYTES bytes first (for -fda @TMP@/PATH).
PATHs are in the run's temporary directory."""
import os
import subprocess
import sys
import tempfile


def main():
    pcvm, rom, expected = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    stdin, want_out, files, rest = b'', [], [], []
    tmp = tempfile.mkdtemp(prefix='pcvm-guest-')
    for a in sys.argv[4:]:
        if a.startswith('--stdin='):
            stdin = a[8:].encode()
        elif a.startswith('--stdout='):
            want_out.append(a[9:])
        elif a.startswith('--disk='):
            path, _, count = a[7:].partition(':')
            with open(os.path.join(tmp, path), 'wb') as f:
                for n in range(int(count)):
                    f.write(n.to_bytes(4, 'little') + bytes(508))
        elif a.startswith('--image='):
            path, _, size = a[8:].partition(':')
            with open(os.path.join(tmp, path), 'wb') as f:
                f.truncate(int(size, 0))
        elif a.startswith('--file='):
            path, _, text = a[7:].partition(':')
            files.append((os.path.join(tmp, path), text))
        else:
            rest.append(a.replace('@TMP@', tmp))
    # -display none unless -nographic (which QEMU and pcvm refuse beside -display)
    args = [pcvm, '-bios', rom] + ([] if '-nographic' in rest else ['-display', 'none']) + rest
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    out = p.stdout.decode(errors='replace')
    problems = []
    if p.returncode != expected:
        code = p.returncode
        hint = ''
        if code & 1 and code not in (1, 125):
            hint = ' (guest wrote %#x to isa-debug-exit)' % (code >> 1)
        problems.append('exited with %d%s, expected %d' % (code, hint, expected))
    for w in want_out:
        if w.replace('\\n', '\n') not in out:
            problems.append('stdout lacks %r' % w)
    for path, text in files:
        try:
            got = open(path, 'rb').read().decode(errors='replace')
        except OSError as e:
            got = ''
            problems.append('%s: %s' % (path, e))
        if text.replace('\\n', '\n') not in got:
            problems.append('%s lacks %r (has %r)' % (path, text, got[:200]))
    if problems:
        print('FAIL: %s' % ' '.join(args))
        for x in problems:
            print('  ' + x)
        print('--- stdout\n' + out + '--- stderr\n' + p.stderr.decode(errors='replace'))
        return 1
    print('ok: %s -> %d' % (rom, expected))
    return 0


if __name__ == '__main__':
    sys.exit(main())
