#!/usr/bin/env python3
"""The device options of pcvm (-serial, -rtc, -boot, -nographic): good
spellings are accepted, bad ones give exactly one line on stderr
("pcvm: ...") and exit status 1.  usage: options_test.py PCVM HALT_ROM"""
import subprocess
import sys


def run(pcvm, args):
    p = subprocess.run([pcvm] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stderr.decode(errors='replace')


def main():
    pcvm, rom = sys.argv[1], sys.argv[2]
    base = ['-bios', rom, '-max-insns', '1000000']
    bad = [
        ['-serial', 'tcp:1234'],
        ['-serial', 'file:'],
        ['-serial', 'null'] * 5,
        ['-rtc', 'base=yesterday'],
        ['-rtc', 'base=2024-13-01'],
        ['-rtc', 'clock=fast'],
        ['-rtc', 'colour=blue'],
        ['-boot', 'x'],
        ['-boot', 'cc'],
        ['-boot', 'order=acdn'],
        ['-serial', 'file:/nonexistent-dir/x'],
    ]
    good = [
        ['-serial', 'null', '-serial', 'null', '-serial', 'none', '-serial', 'null'],
        ['-rtc', 'base=2000-01-01T12:30:00,clock=vm'],
        ['-rtc', 'base=localtime'],
        ['-rtc', 'base=utc,clock=host'],
        ['-boot', 'd'],
        ['-boot', 'order=ca,menu=on'],
        ['-boot', 'menu=on'],
    ]
    failures = []
    for a in bad:
        code, err = run(pcvm, base + a)
        lines = err.strip().split('\n')
        if code != 1 or len(lines) != 1 or not lines[0].startswith('pcvm: '):
            failures.append('%s: status %d, stderr %r' % (' '.join(a), code, err))
    for a in good:
        code, err = run(pcvm, base + a)
        if code != 0:  # the halt ROM halts with IF=1: status 0
            failures.append('%s: status %d, stderr %r' % (' '.join(a), code, err))
    if failures:
        print('FAIL:\n  ' + '\n  '.join(failures))
        return 1
    print('ok: %d bad and %d good option sets' % (len(bad), len(good)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
