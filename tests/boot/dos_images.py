#!/usr/bin/env python3
"""Makes DOS test images from a FreeDOS boot floppy (KERNEL.SYS and
COMMAND.COM on a FAT12 1.44 MB image; FreeDOS is GPL, but no image is
committed here: give one through $PCVM_FREEDOS_IMG).

  floppy: a copy of the floppy with pcvm's CONFIG.SYS, AUTOEXEC.BAT,
          HELLO.TXT and PCVMEXIT.COM (roms/dos/pcvmexit.asm)
  hdd:    the same system on a 16 MiB hard disk: pcvm's own MBR
          (roms/dos/mbr.asm), one active FAT12 partition made with
          mkfs.fat, carrying the floppy's FreeDOS boot code behind the new
          BPB (the FreeDOS FAT12 boot sector reads the geometry, hidden
          sectors and drive number from the BPB, so it boots from a hard
          disk partition as well)

Needs mtools and dosfstools (tools/install-deps.sh installs them).
usage: dos_images.py FLOPPY PCVMEXIT.COM MBR.BIN OUTDIR AUTOEXEC_LINES...
"""
import os
import shutil
import subprocess
import sys

HELLO = b"Hello from pcvm's DOS test.\r\n"
SECTOR = 512
HDD_SECTORS = 32768          # 16 MiB: 32 cylinders of 16 heads x 63 sectors
HEADS, SPT = 16, 63
PART_START = SPT             # the first track holds the MBR, as DOS FDISK does


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="1")
    p = subprocess.run(list(args), capture_output=True, env=env)
    if p.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout


def put(img, name, data, tmp):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    mtools("mcopy", "-o", "-i", img, path, "::" + name)


def dos_files(img, drive, exitcom, autoexec, tmp):
    put(img, "CONFIG.SYS", ("FILES=20\r\nBUFFERS=20\r\nSHELL=%s:\\COMMAND.COM /E:512 /P\r\n"
                            % drive).encode(), tmp)
    put(img, "AUTOEXEC.BAT", ("@ECHO OFF\r\n" + "".join(l + "\r\n" for l in autoexec)).encode(),
        tmp)
    put(img, "HELLO.TXT", HELLO, tmp)
    put(img, "PCVMEXIT.COM", open(exitcom, "rb").read(), tmp)


def chs(lba):
    c, rem = divmod(lba, HEADS * SPT)
    h, s = divmod(rem, SPT)
    c = min(c, 1023)
    return bytes([h, ((c >> 2) & 0xC0) | (s + 1), c & 0xFF])


def make_hdd(floppy, exitcom, mbr, out, autoexec, tmp):
    part_sectors = HDD_SECTORS - PART_START
    part = os.path.join(tmp, "part.img")
    if os.path.exists(part):
        os.remove(part)
    p = subprocess.run(["mkfs.fat", "-C", "-F", "12", "-s", "16", "-S", "512",
                        "-h", str(PART_START), "-D", "0x80", "-g", "%d/%d" % (HEADS, SPT),
                        "-n", "PCVMDOS", "-i", "50435644", part, str(part_sectors // 2)],
                       capture_output=True)
    if p.returncode != 0:
        raise SystemExit("mkfs.fat failed: %s" % p.stderr.decode())
    # The FreeDOS boot code after the new BPB (FAT12/16 BPB: bytes 3-61).
    fboot = open(floppy, "rb").read(SECTOR)
    with open(part, "r+b") as f:
        boot = bytearray(f.read(SECTOR))
        boot[0:3] = fboot[0:3]
        boot[62:510] = fboot[62:510]
        f.seek(0)
        f.write(boot)
    for name in ("KERNEL.SYS", "COMMAND.COM"):
        data = mtools("mtype", "-i", floppy, "::" + name)
        put(part, name, data, tmp)
    dos_files(part, "C", exitcom, autoexec, tmp)
    table = bytearray(64)
    end = HDD_SECTORS - 1
    table[0:16] = (bytes([0x80]) + chs(PART_START) + bytes([0x01]) + chs(end) +
                   PART_START.to_bytes(4, "little") + part_sectors.to_bytes(4, "little"))
    m = bytearray(open(mbr, "rb").read())
    m[0x1BE:0x1FE] = table
    with open(out, "wb") as f:
        f.write(m)
        f.write(bytes((PART_START - 1) * SECTOR))
        f.write(open(part, "rb").read())
        f.truncate(HDD_SECTORS * SECTOR)


def main():
    floppy, exitcom, mbr, outdir = sys.argv[1:5]
    autoexec = sys.argv[5:]
    tmp = os.path.join(outdir, "work")
    os.makedirs(tmp, exist_ok=True)
    fd = os.path.join(outdir, "floppy.img")
    shutil.copy(floppy, fd)
    os.chmod(fd, 0o644)
    dos_files(fd, "A", exitcom, autoexec, tmp)
    make_hdd(floppy, exitcom, mbr, os.path.join(outdir, "hdd.img"),
             [l.replace("A:", "C:") for l in autoexec], tmp)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
