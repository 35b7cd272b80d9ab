#!/usr/bin/env python3
"""Debian bookworm's 686 kernel boots on pcvm from the IDE CD-ROM through
SeaBIOS and ISOLINUX, and a busybox initramfs uses the PIIX3 IDE
controller through libata's ata_piix, sd and sr: first by DMA, then, with
ata_piix and libata unloaded and libata loaded again with dma=0, by PIO.
In each phase it reports both drives' transfer mode, reads two sectors of
the disk, writes one (its own in each phase) and reads it back past the
page cache, reads the whole disk for an MD5, mounts the CD-ROM and takes
a file's MD5.  Each line is compared with what the host computes; the
verdict also comes through isa-debug-exit, and the written sectors are
checked in the disk image afterwards.  One boot (-m 64, -display none).

The kernel, its modules, busybox-static and ISOLINUX are Debian packages
that tools/build-guest.sh downloads and unpacks into linux-root/ in its
cache directory.  Exit status 77 (SKIP) only when it cannot download them
(build-guest.sh exits 2).

usage: linux_ide.py PCVM BUILD_GUEST_SH [--keep]

DMA: libata sets both drives to multiword DMA 2 (the PIIX3 has no UDMA).
PIO: PIO 4 with READ/WRITE MULTIPLE (the disk reports multiple mode 16)
and ATAPI PIO data phases.
"""
import glob
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

from linux_boot import build_guest

OK_STATUS = (0x55 << 1) | 1
DISK_SECTORS = 32768
MODULES = ["ata_piix", "sd_mod", "sr_mod", "isofs"]
# Crypto providers the CRC modules look up by name (not in depends=).
PROVIDERS = {"crct10dif_common": "crct10dif_generic", "crc64": "crc64_rocksoft_generic"}
# (phase, libata parameters, sector written, what is written there)
PHASES = [("dma", "", 5, "LINUX-WROTE-DMA."), ("pio", "dma=0", 6, "LINUX-WROTE-PIO.")]

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Only errors on the console: the kernel's probe messages would land in the
# middle of the report lines.  All of them come after the report.
dmesg -n 4
load() {
  for m in $(cat /modlist); do
    [ -e /sys/module/$m ] && continue
    a=; [ $m = libata ] && a="$1"
    insmod /mod/$m.ko $a || echo "LINUX: insmod $m failed"
  done
}
phase() {
  for i in $(seq 30); do
    [ -e /sys/block/sda ] && [ -e /sys/block/sr0 ] && break
    sleep 1
  done
  echo "LINUX: $1 sda $(cat /sys/block/sda/size) sectors, sr0 $(cat /sys/block/sr0/size)"
  for d in dev1.0 dev2.0; do
    echo "LINUX: $1 $d $(cat /sys/class/ata_device/$d/xfer_mode)"
  done
  echo "LINUX: $1 sector 4 $(dd if=/dev/sda bs=512 skip=4 count=1 2>/dev/null | head -c 16)"
  echo "LINUX: $1 sector 1000 $(dd if=/dev/sda bs=512 skip=1000 count=1 2>/dev/null | od -A n -t x4 -N 4 | tr -d " ")"
  printf '%s' "$3" | dd of=/dev/sda bs=512 seek=$2 conv=notrunc,fsync 2>/dev/null
  echo 3 > /proc/sys/vm/drop_caches
  for s in 5 6; do
    echo "LINUX: $1 sector $s $(dd if=/dev/sda bs=512 skip=$s count=1 2>/dev/null | od -A n -t x1 -N 16 | tr -d ' \n')"
  done
  echo "LINUX: $1 disk md5 $(dd if=/dev/sda bs=65536 2>/dev/null | md5sum | cut -d' ' -f1)"
  mount -t iso9660 -o ro /dev/sr0 /mnt && echo "LINUX: $1 cd md5 $(md5sum /mnt/vmlinuz | cut -d' ' -f1)"
  umount /mnt
}
@PHASES@
echo "LINUX: done"
echo "--- dmesg"
dmesg
printf '\x55' | dd of=/dev/port bs=1 seek=244 2>/dev/null
sleep 100
"""


def modinfo_depends(path):
    data = open(path, "rb").read()
    i = data.find(b"\0depends=")
    if i < 0:
        return []
    s = data[i + 9:data.index(b"\0", i + 9)].decode()
    return [m for m in s.split(",") if m]


def module_order(moddir):
    """The modules MODULES need, each after those it depends on (the
    packages have no modules.dep: depmod runs when they are installed)."""
    paths = {os.path.basename(p)[:-3].replace("-", "_"): p
             for p in glob.glob(os.path.join(moddir, "**", "*.ko"), recursive=True)}
    order, seen = [], set()

    def visit(name):
        name = name.replace("-", "_")
        if name in seen:
            return
        seen.add(name)
        if name not in paths:
            raise SystemExit("FAIL: module %s not in %s" % (name, moddir))
        for dep in modinfo_depends(paths[name]):
            visit(dep)
        order.append(paths[name])
        if name in PROVIDERS:
            visit(PROVIDERS[name])

    for m in MODULES:
        visit(m)
    return order


def cpio_newc(files):
    """files: [(name, mode, data)] -> a newc archive."""
    out = bytearray()

    def entry(ino, name, mode, data):
        nm = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0]
        out.extend(b"070701" + b"".join(b"%08X" % f for f in fields) + nm)
        out.extend(b"\0" * (-len(out) % 4))
        out.extend(data)
        out.extend(b"\0" * (-len(out) % 4))

    for ino, (name, mode, data) in enumerate(files, 1):
        entry(ino, name, mode, data)
    entry(0, "TRAILER!!!", 0, b"")
    return bytes(out)


def init_script():
    """INIT with a phase for each of PHASES, ata_piix and libata unloaded
    between them (libata's dma parameter is read when it loads)."""
    steps = []
    for name, args, sector, text in PHASES:
        if steps:
            steps.append('rmmod ata_piix libata || echo "LINUX: rmmod failed"')
        steps += ['load "%s"' % args, "phase %s %d %s" % (name, sector, text)]
    return INIT.replace("@PHASES@", "\n".join(steps))


def make_initrd(root, moddir, path):
    order = module_order(moddir)
    files = [(d, 0o40755, b"") for d in ("bin", "proc", "sys", "dev", "mnt", "mod")]
    files.append(("bin/busybox", 0o100755, open(os.path.join(root, "bin/busybox"), "rb").read()))
    files.append(("init", 0o100755, init_script().encode()))
    # insmod takes the file name; /sys/module and rmmod the name with '_'.
    for p in order:
        name = os.path.basename(p)[:-3].replace("-", "_")
        files.append(("mod/%s.ko" % name, 0o100644, open(p, "rb").read()))
    names = [os.path.basename(p)[:-3].replace("-", "_") for p in order]
    files.append(("modlist", 0o100644, ("\n".join(names) + "\n").encode()))
    with open(path, "wb") as f:
        f.write(gzip.compress(cpio_newc(files), 1))


def expected(image, cd, kernel):
    """The report lines, from the disk image as it starts."""
    disk = bytearray(image)
    want = []
    for name, _, sector, text in PHASES:
        mode = "XFER_MW_DMA_2" if name == "dma" else "XFER_PIO_4"
        disk[sector * 512:sector * 512 + len(text)] = text.encode()
        want += ["%s sda %d sectors, sr0 %d" % (name, DISK_SECTORS, os.path.getsize(cd) // 512),
                 "%s dev1.0 %s" % (name, mode),
                 "%s dev2.0 %s" % (name, mode),
                 "%s sector 4 PATTERN-SECTOR-4" % name,
                 "%s sector 1000 000003e8" % name]
        for s in (5, 6):
            want.append("%s sector %d %s" % (name, s, disk[s * 512:s * 512 + 16].hex()))
        want += ["%s disk md5 %s" % (name, hashlib.md5(disk).hexdigest()),
                 "%s cd md5 %s" % (name, hashlib.md5(open(kernel, "rb").read()).hexdigest())]
    return ["LINUX: " + w for w in want + ["done"]], bytes(disk)


def main():
    pcvm, script = sys.argv[1], sys.argv[2]
    guest = build_guest(script)
    root = os.path.join(guest, "linux-root")
    krel = open(os.path.join(guest, "KERNEL_RELEASE")).read().strip()
    kernel = os.path.join(root, "boot", "vmlinuz-" + krel)
    moddir = os.path.join(root, "lib", "modules", krel)
    isolinux = os.path.join(root, "usr/lib/ISOLINUX/isolinux.bin")
    ldlinux = os.path.join(root, "usr/lib/syslinux/modules/bios/ldlinux.c32")
    for f in (kernel, moddir, isolinux, ldlinux, os.path.join(root, "bin/busybox")):
        if not os.path.exists(f):
            print("FAIL: %s missing: tools/build-guest.sh should have unpacked it" % f)
            return 1
    tmp = tempfile.mkdtemp(prefix="pcvm-linux-ide-")
    try:
        iso = os.path.join(tmp, "iso")
        os.makedirs(iso)
        shutil.copy(kernel, os.path.join(iso, "vmlinuz"))
        shutil.copy(isolinux, iso)
        shutil.copy(ldlinux, iso)
        make_initrd(root, moddir, os.path.join(iso, "initrd.gz"))
        with open(os.path.join(iso, "isolinux.cfg"), "w") as f:
            f.write("SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nLABEL linux\n"
                    "  KERNEL /vmlinuz\n"
                    "  APPEND initrd=/initrd.gz console=ttyS0,115200 cryptomgr.notests\n")
        cd = os.path.join(tmp, "linux.iso")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "PCVMLINUX",
                        "-b", "isolinux.bin", "-c", "boot.cat", "-no-emul-boot",
                        "-boot-load-size", "4", "-boot-info-table", "-o", cd, iso],
                       check=True, capture_output=True)
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            for n in range(DISK_SECTORS):
                f.write(b"PATTERN-SECTOR-4" * 32 if n == 4 else n.to_bytes(4, "little") + bytes(508))
        want, want_image = expected(open(disk, "rb").read(), cd, kernel)
        serial = os.path.join(tmp, "serial.txt")
        cmd = [pcvm, "-m", "64", "-display", "none", "-serial", "file:" + serial,
               "-device", "isa-debug-exit,iobase=0xf4", "-cdrom", cd, "-hda", disk,
               "-boot", "d", "-max-insns", "20000000000"]
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
        secs = time.time() - t0
        out = open(serial, "rb").read().decode("latin-1") if os.path.exists(serial) else ""
        got = [l.strip() for l in out.splitlines() if l.startswith("LINUX: ")]
        problems = []
        if p.returncode != OK_STATUS:
            problems.append("exit status %d, expected %d; stderr %r" %
                            (p.returncode, OK_STATUS, p.stderr.decode("latin-1")))
        if got != want:
            problems.append("COM1 report:\n  %s\nexpected:\n  %s" %
                            ("\n  ".join(got), "\n  ".join(want)))
        if open(disk, "rb").read() != want_image:
            problems.append("the disk image is not the original with sectors 5 and 6 written")
        if problems:
            print("FAIL: " + " ".join(cmd))
            print("\n".join(problems))
            print("--- COM1 (last 6000 characters)\n" + out[-6000:])
            return 1
        print("ok: ata_piix by DMA (MW DMA 2) then by PIO (PIO 4): disk read, written, "
              "MD5 as the host's; CD-ROM mounted; %d report lines as expected (%.1f s)" %
              (len(got), secs))
        return 0
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
