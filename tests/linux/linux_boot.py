#!/usr/bin/env python3
"""Boots the default Linux guest (Debian bookworm's 686 kernel and a busybox
initramfs, built by tools/build-guest.sh) with -kernel/-initrd/-append and
a script on the kernel command line, checks what the script prints, and
that the guest's ACPI power-off ends pcvm with status 0.

usage: linux_boot.py PCVM BUILD_GUEST_SH [--mode=script|hda|cdrom|shell]

  script  (the test) uname -a, /proc/cpuinfo, an md5sum of a generated
          file and an awk floating-point loop, each compared with what the
          host computes or the packages say; the clocksource is the TSC
          (not marked unstable), and the kernel's uptime over ~10 s
          agrees with the CMOS RTC (both run on pcvm's virtual time) to
          within 0.05 s.  cryptomgr.notests: the
          kernel's crypto self-tests are 3.7e9 of the boot's 6.6e9 guest
          instructions, half of the test's time on pcvm
  hda     the same script typed at the shell of the SYSLINUX disk (-hda)
  cdrom   the same from the ISOLINUX ISO (-cdrom)
  shell   (a measurement) time from start to the interactive shell's
          prompt, then 'poweroff -f'; prints the seconds

Exit status 77 (SKIP) only when the guest cannot be built because the
Debian packages cannot be downloaded (tools/build-guest.sh exits 2)."""
import base64
import hashlib
import os
import re
import subprocess
import sys
import time

SCRIPT = r'''echo "== uname"
uname -a
echo "== cpuinfo"
cat /proc/cpuinfo
echo "== md5"
seq 1 20000 | awk '{ print $1 * $1 }' > /tmp/squares
md5sum /tmp/squares
echo "== awk"
awk 'BEGIN { s = 0; for (i = 1; i <= 20000; i++) s += 1 / (i * i); printf "%.12f\n", s;
  x = 1; for (i = 0; i < 30; i++) x = x / 2 + 1 / x; printf "%.15f\n", x;
  e = 1; t = 1; for (i = 1; i < 25; i++) { t /= i; e += t }; printf "%.15f\n", e }'
echo "== clock"
cat /sys/devices/system/clocksource/clocksource0/current_clocksource
dmesg | grep -ciE 'unstable|skew'
tick() { read a < /sys/class/rtc/rtc0/since_epoch; r=$a
  while [ "$r" = "$a" ]; do read r < /sys/class/rtc/rtc0/since_epoch; done; read u x < /proc/uptime; }
tick; r0=$r u0=$u
sleep 10
tick; echo $r0 $u0 $r $u
echo "== end"
'''


def expected_awk():
    s = 0.0
    for i in range(1, 20001):
        s += 1 / (i * i)
    x = 1.0
    for _ in range(30):
        x = x / 2 + 1 / x
    e, t = 1.0, 1.0
    for i in range(1, 25):
        t /= i
        e += t
    return ['%.12f' % s, '%.15f' % x, '%.15f' % e]


def build_guest(script):
    p = subprocess.run([script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    err = p.stderr.decode(errors='replace')
    if p.returncode == 2:
        print('SKIP: the Debian packages cannot be downloaded:\n' + err)
        sys.exit(77)
    if p.returncode != 0:
        print('FAIL: tools/build-guest.sh exited %d:\n%s' % (p.returncode, err))
        sys.exit(1)
    return p.stdout.decode().strip().splitlines()[-1]


def section(out, name):
    m = re.search(r'== %s\r?\n(.*?)(?=\r?\n== )' % re.escape(name), out, re.S)
    return m.group(1).replace('\r', '').split('\n') if m else None


def run_script(pcvm, guest, medium='kernel'):
    """medium 'kernel': -kernel/-initrd with the script on the command line;
    'hda' / 'cdrom': the SYSLINUX disk or the ISOLINUX ISO, whose boot
    loaders start the same kernel with console=ttyS0 and the shell: the
    script is typed at the shell's prompt on the serial console."""
    run = base64.b64encode(SCRIPT.encode()).decode()
    args = [pcvm, '-m', '64', '-display', 'none', '-serial', 'stdio', '-max-insns', '60000000000']
    if medium == 'kernel':
        args += ['-kernel', os.path.join(guest, 'vmlinuz'),
                 '-initrd', os.path.join(guest, 'initrd.gz'),
                 '-append', 'console=ttyS0 quiet cryptomgr.notests pcvm.run=' + run]
    elif medium == 'hda':
        args += ['-hda', os.path.join(guest, 'disk.img'), '-snapshot']
    else:
        args += ['-cdrom', os.path.join(guest, 'guest.iso'), '-boot', 'd']
    t0 = time.time()
    if medium == 'kernel':
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        rc, out, err = p.returncode, p.stdout.decode(errors='replace'), p.stderr
    else:
        rc, out, err = type_script(args, run)
    secs = time.time() - t0
    problems = []
    if rc != 0:
        problems.append('pcvm exited %s (ACPI power-off should give 0)' % rc)
    if err:
        problems.append('pcvm wrote on stderr: %r' % err.decode(errors='replace'))
    versions = open(os.path.join(guest, 'VERSIONS')).read().split('\n')
    kpkg, kver = versions[0].split()
    krel = kpkg[len('linux-image-'):]
    uname = section(out, 'uname')
    want = re.compile(r'^Linux \S+ %s #1 SMP PREEMPT_DYNAMIC Debian %s \(\d{4}-\d\d-\d\d\) '
                      r'i686 GNU/Linux$' % (re.escape(krel), re.escape(kver)))
    if not uname or not want.match(uname[0]):
        problems.append('uname -a: %r does not match %s' % (uname, want.pattern))
    cpu = section(out, 'cpuinfo')
    fields = {}
    for line in cpu or []:
        k, sep, v = line.partition(':')
        if sep:
            fields.setdefault(k.strip(), v.strip())
    # pcvm's default CPU, -cpu pentium2: CPUID family 6 model 5 stepping 2.
    for k, v in [('processor', '0'), ('vendor_id', 'GenuineIntel'), ('cpu family', '6'),
                 ('model', '5'), ('stepping', '2'), ('fpu', 'yes'), ('fpu_exception', 'yes'),
                 ('wp', 'yes')]:
        if fields.get(k) != v:
            problems.append('/proc/cpuinfo %s: %r, expected %r' % (k, fields.get(k), v))
    flags = fields.get('flags', '').split()
    for f in ['fpu', 'tsc', 'cx8', 'cmov', 'fxsr', 'pge']:
        if f not in flags:
            problems.append('/proc/cpuinfo flags lack %s: %r' % (f, flags))
    squares = ''.join('%d\n' % (i * i) for i in range(1, 20001)).encode()
    md5 = section(out, 'md5')
    if not md5 or md5[0] != '%s  /tmp/squares' % hashlib.md5(squares).hexdigest():
        problems.append('md5sum: %r, expected %s' % (md5, hashlib.md5(squares).hexdigest()))
    awk = section(out, 'awk')
    if awk != expected_awk():
        problems.append('awk: %r, expected %r' % (awk, expected_awk()))
    # The clock check needs the quiet console of the -kernel command line
    # (README: a verbose 115200-baud console loses PIT ticks, and Linux's
    # jiffies watchdog then calls the TSC unstable, as on a PC without HPET).
    if medium == 'kernel':
        clock = section(out, 'clock')
        if not clock or len(clock) < 3:
            problems.append('clock: %r' % clock)
        else:
            if clock[0] != 'tsc':
                problems.append('clocksource %r, expected tsc' % clock[0])
            if clock[1] != '0':
                problems.append('dmesg reports an unstable clocksource or skew (%s lines)' % clock[1])
            try:
                r0, u0, r1, u1 = [float(x) for x in clock[2].split()]
            except ValueError:
                problems.append('clock: RTC/uptime line %r' % clock[2])
            else:
                # Both samples are taken just after an RTC seconds edge.
                if r1 - r0 < 10 or abs((u1 - u0) - (r1 - r0)) > 0.05:
                    problems.append('uptime advanced %.2f s while the RTC advanced %d s' %
                                    (u1 - u0, r1 - r0))
    if medium == 'kernel' and 'pcvm guest: script exited with status 0' not in out:
        problems.append('the script did not end with status 0')
    if medium != 'kernel' and 'SCRIPT-STATUS-0' not in out:
        problems.append('the typed script did not end with status 0')
    if problems:
        print('FAIL: ' + ' '.join(args))
        for x in problems:
            print('  ' + x)
        print('--- output\n' + out)
        return 1
    print('ok: Linux %s booted (%s), script output as expected, ACPI power-off -> 0 (%.1f s)' %
          (krel, medium, secs))
    print(out)
    return 0


def type_script(args, run):
    """Boots to the shell's prompt on the serial console, types the script
    (as base64 into a file, so the typed lines cannot be mistaken for its
    output), runs it and powers off; returns (status, output, stderr)."""
    import select
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    buf, typed, t0 = b'', False, time.time()
    while time.time() - t0 < 600:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if not r:
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        if not typed and b'pcvm# ' in buf:
            typed = True
            p.stdin.write(('base64 -d > /tmp/s.sh <<EOF\n%s\nEOF\n'
                           'sh /tmp/s.sh; echo SCRIPT-STATUS-$?; sleep 2; poweroff -f\n' % run).encode())
            p.stdin.flush()
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return p.returncode, buf.decode(errors='replace'), p.stderr.read()


def run_shell(cmd):
    """Starts cmd with the guest's console on stdio; returns the seconds until
    the shell prompt, then powers the guest off."""
    import select
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    buf = b''
    t = None
    while time.time() - t0 < 600:
        r, _, _ = select.select([p.stdout], [], [], 1)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            if t is None and b'pcvm# ' in buf:
                t = time.time() - t0
                p.stdin.write(b'poweroff -f\n')
                p.stdin.flush()
    p.wait(timeout=60)
    return t, p.returncode


def main():
    pcvm, script = sys.argv[1], sys.argv[2]
    mode = 'script'
    for a in sys.argv[3:]:
        if a.startswith('--mode='):
            mode = a[7:]
    guest = build_guest(script)
    if mode == 'script':
        return run_script(pcvm, guest)
    if mode in ('hda', 'cdrom'):
        return run_script(pcvm, guest, mode)
    k, i = os.path.join(guest, 'vmlinuz'), os.path.join(guest, 'initrd.gz')
    for name, cmd in [('pcvm', [pcvm, '-m', '64', '-display', 'none', '-serial', 'stdio']),
                      ('qemu-system-i386 -accel tcg -cpu pentium2',
                       ['qemu-system-i386', '-accel', 'tcg', '-cpu', 'pentium2', '-m', '64',
                        '-display', 'none', '-serial', 'stdio', '-no-reboot'])]:
        for append in ['console=ttyS0 quiet', 'console=ttyS0 quiet cryptomgr.notests']:
            t, rc = run_shell(cmd + ['-kernel', k, '-initrd', i, '-append', append])
            print('%s, -append "%s": shell prompt after %s s, exit status %s' %
                  (name, append, '%.1f' % t if t is not None else 'never', rc))
    return 0


if __name__ == '__main__':
    sys.exit(main())
