#!/usr/bin/env python3
"""Runs pcvm on one of pcvm's own guest test programs and checks its exit
status: usage run_guest.py PCVM ROM EXPECTED_STATUS [pcvm options...].
The guest reports through isa-debug-exit, so the status says which check
failed: (n << 1) | 1 for a guest write of n."""
import subprocess
import sys


def main():
    pcvm, rom, expected = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    args = [pcvm, '-bios', rom, '-display', 'none'] + sys.argv[4:]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != expected:
        code = p.returncode
        hint = ''
        if code & 1 and code not in (1, 125):
            hint = ' (guest wrote %#x to isa-debug-exit)' % (code >> 1)
        print('FAIL: %s exited with %d%s, expected %d' % (' '.join(args), code, hint, expected))
        sys.stdout.write(p.stdout.decode(errors='replace'))
        sys.stdout.write(p.stderr.decode(errors='replace'))
        return 1
    print('ok: %s -> %d' % (rom, expected))
    return 0


if __name__ == '__main__':
    sys.exit(main())
