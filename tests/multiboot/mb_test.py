#!/usr/bin/env python3
"""Runs pcvm's Multiboot test kernels (mbelf.asm, mbaout.asm) through
-kernel/-initrd/-append and SeaBIOS, and checks what they report on COM1
(see mbtest.inc), or checks that a bad -kernel is refused in one line.

usage: mb_test.py PCVM CASE BUILD_DIR

Cases: elf (ELF kernel, -append, two modules with arguments, ',,' in one),
aout (a.out kludge kernel at 2 MiB, no modules, no -append), and the
refusals video, notakernel, toobig, linux_old, initrd_without_kernel."""
import os
import re
import subprocess
import sys
import tempfile


def run(args, timeout=120):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')


def check_report(out, ram_mib, kernel, cmdline, mods, flags):
    """Returns a list of problems with the kernel's report."""
    problems = []
    lines = out.replace('\r', '').split('\n')
    def want(line):
        if line not in lines:
            problems.append('missing line %r' % line)
    want('magic 2BADB002')
    want('flags %08X' % flags)
    want('cpu pe=1 pg=0 if=0 a20=1 cs=0008 ds=0010 ss=0010')
    want('mem_lower 639')        # SeaBIOS keeps 1 KiB below 640 KiB for its EBDA
    want('cmdline ' + cmdline)
    want('loader pcvm')
    want('end')
    mmap = [l.split()[1:] for l in lines if l.startswith('mmap ')]
    entries = [(int(b, 16), int(n, 16), int(t)) for b, n, t in mmap]
    if not entries or entries[0][0] != 0 or entries[0][2] != 1 or entries[0][1] < 0x9F000:
        problems.append('mmap: no RAM entry at 0 of 636 KiB or more: %r' % entries)
    high = [e for e in entries if e[0] == 0x100000 and e[2] == 1]
    if len(high) != 1:
        problems.append('mmap: no RAM entry at 1 MiB: %r' % entries)
    else:
        want('mem_upper %d' % (high[0][1] // 1024))
        end = high[0][0] + high[0][1]
        if not ram_mib * 2**20 - 2**20 <= end <= ram_mib * 2**20:
            problems.append('mmap: RAM at 1 MiB ends at %#x, not in the last MiB of %d MiB' %
                            (end, ram_mib))
    for b, n, t in entries:
        if t == 1 and b + n > ram_mib * 2**20:
            problems.append('mmap: RAM %#x+%#x beyond the %d MiB' % (b, n, ram_mib))
    if mods:
        want('mods %d' % len(mods))
        for i, (mcmd, data) in enumerate(mods):
            shown = data.split(b'\n')[0][:32].decode()
            want('mod %d len %d aligned Y cmdline %s data %s' % (i, len(data), mcmd, shown))
    elif any(l.startswith('mods ') for l in lines):
        problems.append('modules reported without -initrd')
    return problems


def main():
    pcvm, case, build = sys.argv[1], sys.argv[2], sys.argv[3]
    tmp = tempfile.mkdtemp(prefix='pcvm-mb-')
    elf = os.path.join(build, 'mbelf.bin')
    aout = os.path.join(build, 'mbaout.bin')
    base = [pcvm, '-display', 'none', '-serial', 'stdio', '-device',
            'isa-debug-exit,iobase=0xf4', '-max-insns', '4000000000']
    problems = []
    if case in ('elf', 'aout'):
        if case == 'elf':
            m1 = os.path.join(tmp, 'one.txt')
            m2 = os.path.join(tmp, 'two,x.txt')
            d1, d2 = b'module one\nsecond line\n', b'module two: ' + bytes(range(65, 91)) * 200
            open(m1, 'wb').write(d1)
            open(m2, 'wb').write(d2)
            mods = [(m1 + ' arg1 arg2', d1), (m2 + ' a,b', d2)]
            spec = '%s arg1 arg2,%s a,,b' % (m1, m2.replace(',', ',,'))
            args = base + ['-m', '32', '-kernel', elf, '-append', 'hello  world -x=1',
                           '-initrd', spec]
            ram, cmdline, flags = 32, elf + ' hello  world -x=1', 0x24D
        else:
            args = base + ['-m', '16', '-kernel', aout]
            mods, ram, cmdline, flags = [], 16, aout, 0x245
        rc, out, err = run(args)
        if rc != 33:
            problems.append('exit status %d, expected 33 (the kernel writes 0x10 to '
                            'isa-debug-exit when done)' % rc)
        problems += check_report(out, ram, case == 'elf' and elf or aout, cmdline, mods, flags)
    else:
        bad = {
            'video': ([pcvm, '-kernel', os.path.join(build, 'mbvideo.bin')],
                      r'^pcvm: .*mbvideo\.bin: the Multiboot header requires flags 0x4 that '
                      r'pcvm cannot meet'),
            'notakernel': ([pcvm, '-kernel', __file__],
                           r'^pcvm: .*: not a Linux kernel \(no "HdrS" boot header at 0x202\) '
                           r'nor a Multiboot kernel'),
            'toobig': ([pcvm, '-m', '4', '-kernel', elf, '-initrd',
                        os.path.join(tmp, 'big.bin')],
                       r'^pcvm: -initrd: the modules end at 0x[0-9a-f]+, above the usable RAM'),
            'linux_old': ([pcvm, '-kernel', os.path.join(tmp, 'old.bin')],
                          r'^pcvm: .*old\.bin: Linux boot protocol 2\.01 is too old'),
            'initrd_without_kernel': ([pcvm, '-initrd', elf], r'^pcvm: -initrd needs -kernel$'),
        }
        if case not in bad:
            print('unknown case %r' % case)
            return 2
        open(os.path.join(tmp, 'big.bin'), 'wb').write(bytes(4 << 20))
        old = bytearray(4096)
        old[0x1F1] = 4
        old[0x202:0x206] = b'HdrS'
        old[0x206:0x208] = b'\x01\x02'           # protocol 2.01
        old[0x211] = 1
        open(os.path.join(tmp, 'old.bin'), 'wb').write(bytes(old))
        args, pattern = bad[case]
        rc, out, err = run(args)
        if rc != 1:
            problems.append('exit status %d, expected 1' % rc)
        if err.count('\n') != 1 or not re.match(pattern, err):
            problems.append('stderr %r does not match %r in one line' % (err, pattern))
        if out:
            problems.append('stdout not empty: %r' % out)
    if problems:
        print('FAIL: ' + ' '.join(args))
        for x in problems:
            print('  ' + x)
        print('--- stdout\n' + out + '--- stderr\n' + err)
        return 1
    print('ok: %s\n%s' % (case, out or err))
    return 0


if __name__ == '__main__':
    sys.exit(main())
