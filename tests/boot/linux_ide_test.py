#!/usr/bin/env python3
"""A 32-bit Linux (Debian 12's 686 kernel) boots on pcvm from an IDE CD-ROM
through SeaBIOS and isolinux, loads libata's ata_piix, sd and sr, and in a
busybox initrd reads a disk image by sector, writes a sector, mounts the
CD-ROM and checks a file's MD5 against the host's; the verdict comes on
COM1 and through isa-debug-exit, and the written sector is checked in the
image on the host afterwards.

The kernel and tools are Debian i386 packages, not in the repository:
extract them into one directory and give it in $PCVM_LINUX_ROOT
(without it: SKIP, exit 77):
    dpkg --add-architecture i386 && apt-get update
    apt-get download linux-image-6.1.0-50-686-unsigned busybox-static:i386 \\
        isolinux syslinux-common
    for f in *.deb; do dpkg-deb -x "$f" "$PCVM_LINUX_ROOT"; done

usage: linux_ide_test.py PCVM [dma|pio] [--keep]
dma (default): libata configures both drives for multiword DMA 2;
pio: libata loaded with dma=0, so PIO 4 with READ/WRITE MULTIPLE (the disk
reports multiple mode 16) and ATAPI PIO data phases.
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

OK_STATUS = (0x55 << 1) | 1
DISK_SECTORS = 32768
MODULES = ["ata_piix", "sd_mod", "sr_mod", "isofs"]
# Crypto providers the CRC modules look up by name (not in depends=).
PROVIDERS = {"crct10dif_common": "crct10dif_generic", "crc64": "crc64_rocksoft_generic"}

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modlist); do
  a=; [ $m = libata ] && a="$(cat /libata_args)"
  insmod /mod/$m.ko $a || echo "LINUX: insmod $m failed"
done
sleep 3
echo "LINUX: sda $(cat /sys/block/sda/size) sectors, sr0 $(cat /sys/block/sr0/size)"
for d in /sys/class/ata_device/dev1.0 /sys/class/ata_device/dev2.0; do
  echo "LINUX: $(basename $d) $(cat $d/xfer_mode)"
done
echo "LINUX: sector 4 $(dd if=/dev/sda bs=512 skip=4 count=1 2>/dev/null | head -c 16)"
echo "LINUX: sector 1000 $(dd if=/dev/sda bs=512 skip=1000 count=1 2>/dev/null | od -A n -t x4 -N 4 | tr -d " ")"
printf 'LINUX-WROTE-THIS' | dd of=/dev/sda bs=512 seek=5 conv=notrunc,fsync 2>/dev/null
echo 3 > /proc/sys/vm/drop_caches
echo "LINUX: sector 5 $(dd if=/dev/sda bs=512 skip=5 count=1 2>/dev/null | head -c 16)"
echo "LINUX: disk md5 $(dd if=/dev/sda bs=65536 2>/dev/null | md5sum | cut -d' ' -f1)"
mount -t iso9660 -o ro /dev/sr0 /mnt && echo "LINUX: cd md5 $(md5sum /mnt/vmlinuz | cut -d' ' -f1)"
umount /mnt
echo "LINUX: done"
printf '\x55' | dd of=/dev/port bs=1 seek=244 2>/dev/null
sleep 100
"""


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def modinfo_depends(path):
    data = open(path, "rb").read()
    i = data.find(b"\0depends=")
    if i < 0:
        return []
    s = data[i + 9:data.index(b"\0", i + 9)].decode()
    return [m for m in s.split(",") if m]


def module_order(moddir):
    paths = {os.path.basename(p)[:-3].replace("-", "_"): p
             for p in glob.glob(os.path.join(moddir, "**", "*.ko"), recursive=True)}
    order, seen = [], set()

    def visit(name):
        name = name.replace("-", "_")
        if name in seen:
            return
        seen.add(name)
        if name not in paths:
            raise SystemExit("module %s not in %s" % (name, moddir))
        for dep in modinfo_depends(paths[name]):
            visit(dep)
        order.append(paths[name])
        if name in PROVIDERS and PROVIDERS[name] in paths:
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


def make_initrd(root, path, libata_args):
    moddir = glob.glob(os.path.join(root, "lib/modules/*-686"))
    busybox = os.path.join(root, "bin/busybox")
    if not moddir or not os.path.isfile(busybox):
        skip("PCVM_LINUX_ROOT=%s lacks the 686 kernel's modules or busybox" % root)
    order = module_order(moddir[0])
    files = [(d, 0o40755, b"") for d in ("bin", "proc", "sys", "dev", "mnt", "mod")]
    files.append(("bin/busybox", 0o100755, open(busybox, "rb").read()))
    files.append(("init", 0o100755, INIT.encode()))
    names = [os.path.basename(p)[:-3] for p in order]
    files.append(("modlist", 0o100644, ("\n".join(names) + "\n").encode()))
    files.append(("libata_args", 0o100644, libata_args.encode()))
    for p in order:
        files.append(("mod/" + os.path.basename(p), 0o100644, open(p, "rb").read()))
    import gzip
    with open(path, "wb") as f:
        f.write(gzip.compress(cpio_newc(files), 1))


def main():
    pcvm = sys.argv[1]
    pio = "pio" in sys.argv[2:]
    mode = "XFER_PIO_4" if pio else "XFER_MW_DMA_2"
    root = os.environ.get("PCVM_LINUX_ROOT")
    if not root:
        skip("no Linux packages: set PCVM_LINUX_ROOT (see this script's docstring)")
    if not shutil.which("xorriso"):
        skip("xorriso not installed (Debian package xorriso)")
    kernels = glob.glob(os.path.join(root, "boot/vmlinuz-*-686"))
    isolinux = os.path.join(root, "usr/lib/ISOLINUX/isolinux.bin")
    ldlinux = os.path.join(root, "usr/lib/syslinux/modules/bios/ldlinux.c32")
    if not kernels or not os.path.isfile(isolinux) or not os.path.isfile(ldlinux):
        skip("PCVM_LINUX_ROOT=%s lacks vmlinuz-*-686, isolinux.bin or ldlinux.c32" % root)
    tmp = tempfile.mkdtemp(prefix="pcvm-linux-")
    try:
        iso = os.path.join(tmp, "iso")
        os.makedirs(iso)
        shutil.copy(kernels[0], os.path.join(iso, "vmlinuz"))
        shutil.copy(isolinux, iso)
        shutil.copy(ldlinux, iso)
        make_initrd(root, os.path.join(iso, "initrd.gz"), "dma=0" if pio else "")
        # clearcpuid=24 (FXSR): the kernel then saves the FPU with FSAVE.
        with open(os.path.join(iso, "isolinux.cfg"), "w") as f:
            f.write("SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nLABEL linux\n"
                    "  KERNEL /vmlinuz\n"
                    "  APPEND initrd=/initrd.gz console=ttyS0,115200 clearcpuid=24\n")
        cd = os.path.join(tmp, "linux.iso")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "PCVMLINUX",
                        "-b", "isolinux.bin", "-c", "boot.cat", "-no-emul-boot",
                        "-boot-load-size", "4", "-boot-info-table", "-o", cd, iso],
                       check=True, capture_output=True)
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            for n in range(DISK_SECTORS):
                f.write(b"PATTERN-SECTOR-4" * 32 if n == 4 else n.to_bytes(4, "little") + bytes(508))
        serial = os.path.join(tmp, "serial.txt")
        cmd = [pcvm, "-m", "128", "-display", "none", "-serial", "file:" + serial,
               "-device", "isa-debug-exit,iobase=0xf4", "-cdrom", cd, "-hda", disk,
               "-boot", "d", "-max-insns", "20000000000"]
        p = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
        out = open(serial, "rb").read().decode("latin-1") if os.path.exists(serial) else ""
        got = [l.strip() for l in out.splitlines() if l.startswith("LINUX: ")]
        image = open(disk, "rb").read()
        want = [
            "LINUX: sda %d sectors, sr0 %d" % (DISK_SECTORS, os.path.getsize(cd) // 512),
            "LINUX: dev1.0 " + mode,
            "LINUX: dev2.0 " + mode,
            "LINUX: sector 4 PATTERN-SECTOR-4",
            "LINUX: sector 1000 000003e8",
            "LINUX: sector 5 LINUX-WROTE-THIS",
            "LINUX: disk md5 " + hashlib.md5(image).hexdigest(),
            "LINUX: cd md5 " + hashlib.md5(open(kernels[0], "rb").read()).hexdigest(),
            "LINUX: done",
        ]
        problems = []
        if p.returncode != OK_STATUS:
            problems.append("exit status %d, expected %d; stderr %r" %
                            (p.returncode, OK_STATUS, p.stderr.decode("latin-1")))
        if got != want:
            problems.append("COM1 report:\n  %s\nexpected:\n  %s" %
                            ("\n  ".join(got), "\n  ".join(want)))
        if not image[5 * 512:].startswith(b"LINUX-WROTE-THIS"):
            problems.append("the write did not reach the image")
        if problems:
            print(" ".join(cmd))
            print("\n".join(problems))
            print("--- COM1 (last 4000 characters)\n" + out[-4000:])
            return 1
        print("Linux: ata_piix found the disk and the CD-ROM (%s), read, wrote, "
              "mounted the CD; %d report lines as expected" % (mode, len(got)))
        return 0
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
