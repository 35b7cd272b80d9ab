#!/usr/bin/env bash
# Builds pcvm's default Linux guest from Debian bookworm's i386 packages:
#
#   vmlinuz        the 686 kernel (linux-image-6.1.0-*-686)
#   initrd.gz      an initramfs (cpio newc, gzip) with busybox-static; its
#                  /init mounts proc, sys and devtmpfs, prints a banner, runs
#                  the script the kernel command line names, else starts a
#                  shell on the console (see INIT below)
#   disk.img       a BIOS-bootable raw disk: MBR, one FAT partition, SYSLINUX,
#                  the same kernel and initramfs (for -hda)
#   guest.iso      the same on an ISO 9660 image with ISOLINUX (El Torito, -cdrom)
#   linux-root/    the kernel, busybox-static, isolinux and syslinux-common
#                  packages unpacked into one tree (modules included): what
#                  tests/linux/linux_ide.py builds its CD-ROM and initramfs from
#
# The host's dpkg architectures are left alone: apt runs with a private
# configuration (state, cache and sources under the cache directory) that
# only knows bookworm's i386 Packages index, and only downloads the .debs,
# which dpkg-deb -x unpacks.
#
# Output: $PCVM_GUEST_DIR, else $XDG_CACHE_HOME/pcvm/guest (~/.cache/pcvm/guest).
# Built once and reused while the package versions stay the same (the file
# VERSIONS says which); prints the directory on stdout as its last line.
#
#   tools/build-guest.sh            build (or reuse) and print the directory
#   tools/build-guest.sh --offline  no network: reuse what is there, or fail
#
# Exit status: 0 built or reused; 2 the packages could not be downloaded
# (no network, mirror down); 1 anything else.
#
# Host packages (tools/install-deps.sh): apt, dpkg, cpio, gzip, fdisk (sfdisk),
# mtools, syslinux, syslinux-common, isolinux, xorriso; util-linux (flock).
set -euo pipefail

MIRROR=${PCVM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
OUT=${PCVM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pcvm/guest}
offline=false
[ "${1:-}" = --offline ] && offline=true

say() { echo "build-guest: $*" >&2; }
die() { say "$*"; exit 1; }

for t in flock apt-get apt-cache dpkg-deb cpio gzip sfdisk mformat mcopy syslinux xorriso; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found (run tools/install-deps.sh)"
done

mkdir -p "$OUT"
# One run at a time per directory: the tests of the linux suite run in
# parallel and each calls this script; the others wait, then reuse.
exec 9>"$OUT/lock"
flock 9
APT="$OUT/apt"
mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/etc/preferences.d" \
         "$APT/etc/apt.conf.d" "$APT/debs"
touch "$APT/state/status"
echo "deb $MIRROR $SUITE main" > "$APT/etc/sources.list"
APT_OPTS=(
  -o APT::Architecture=i386 -o APT::Architectures::=i386
  -o Dir::State="$APT/state" -o Dir::State::status="$APT/state/status"
  -o Dir::Cache="$APT/cache" -o Dir::Etc::SourceList="$APT/etc/sources.list"
  -o Dir::Etc::SourceParts="$APT/etc/sources.list.d"
  -o Dir::Etc::Preferences="$APT/etc/preferences"
  -o Dir::Etc::PreferencesParts="$APT/etc/preferences.d"
  -o Debug::NoLocking=1 -o APT::Sandbox::User=root
  -o Acquire::Retries=2 -o Acquire::http::Timeout=30
)

if ! $offline; then
  if ! apt-get "${APT_OPTS[@]}" -qq update >"$APT/update.log" 2>&1 ||
     grep -q '^[WE]:' "$APT/update.log"; then
    if [ -f "$OUT/VERSIONS" ] && [ -f "$OUT/vmlinuz" ]; then
      say "cannot reach $MIRROR; reusing the guest built before"
      offline=true
    else
      say "cannot download bookworm's i386 package index from $MIRROR:"
      sed 's/^/  /' "$APT/update.log" >&2
      exit 2
    fi
  fi
fi
if $offline; then
  [ -f "$OUT/VERSIONS" ] && [ -f "$OUT/initrd.gz" ] || { say "no guest built yet in $OUT"; exit 2; }
  echo "$OUT"
  exit 0
fi

# The kernel package the linux-image-686 metapackage points to, and versions.
KPKG=$(apt-cache "${APT_OPTS[@]}" depends linux-image-686 2>/dev/null |
       sed -n 's/^ *Depends: \(linux-image-6[^ ]*-686\)$/\1/p' | head -n1)
[ -n "$KPKG" ] || die "linux-image-686 has no linux-image-*-686 dependency in the index"
ver() { apt-cache "${APT_OPTS[@]}" show "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1; }
KVER=$(ver "$KPKG"); BVER=$(ver busybox-static)
IVER=$(ver isolinux); SVER=$(ver syslinux-common)
[ -n "$KVER" ] && [ -n "$BVER" ] && [ -n "$IVER" ] && [ -n "$SVER" ] ||
  die "no version for $KPKG, busybox-static, isolinux or syslinux-common"
SCRIPT_SUM=$(sha256sum "$0" | cut -c1-16)
VERSIONS="$KPKG $KVER
busybox-static $BVER
isolinux $IVER
syslinux-common $SVER
build-guest.sh $SCRIPT_SUM"

if [ -f "$OUT/VERSIONS" ] && [ "$(cat "$OUT/VERSIONS")" = "$VERSIONS" ] &&
   [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.gz" ] && [ -f "$OUT/disk.img" ] &&
   [ -f "$OUT/guest.iso" ] && [ -d "$OUT/linux-root/boot" ]; then
  say "up to date: $KPKG $KVER, busybox-static $BVER"
  echo "$OUT"
  exit 0
fi
say "building: $KPKG $KVER, busybox-static $BVER"

(cd "$APT/debs" && rm -f ./*.deb &&
 apt-get "${APT_OPTS[@]}" -qq download "$KPKG=$KVER" "busybox-static=$BVER" \
   "isolinux=$IVER" "syslinux-common=$SVER") >"$APT/download.log" 2>&1 || {
  say "cannot download the packages:"; sed 's/^/  /' "$APT/download.log" >&2; exit 2; }

WORK=$(mktemp -d "$OUT/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$APT"/debs/linux-image-*.deb "$WORK/kernel"
dpkg-deb -x "$APT"/debs/busybox-static_*.deb "$WORK/busybox"
VMLINUZ=$(ls "$WORK"/kernel/boot/vmlinuz-* | head -n1)
KREL=${VMLINUZ##*/vmlinuz-}

# ---------------------------------------------------------------- initramfs
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,root,etc/pcvm,usr/bin,usr/sbin}
cp "$WORK/busybox/bin/busybox" "$R/bin/busybox"
# The applets the scripts and the shell use, as links made at build time.
for a in sh ash cat echo ls mount umount mkdir rm cp mv ln sed awk grep md5sum \
         sha256sum uname dmesg sleep seq head tail wc base64 setsid cttyhack \
         poweroff reboot halt ps free df stty tr cut sort date hexdump od vi \
         true false test "[" printf env expr id kill dd sync mknod; do
  ln -sf busybox "$R/bin/$a"
done
mknod -m 600 "$R/dev/console" c 5 1 2>/dev/null || true
cat > "$R/init" <<'INIT'
#!/bin/sh
# pcvm guest /init (tools/build-guest.sh).  Kernel command line words:
#   pcvm.script=NAME   run /etc/pcvm/NAME.sh, then power off
#   pcvm.run=BASE64    run the base64-encoded shell script, then power off
# Without either: an interactive shell on the console.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "pcvm guest: Linux $(uname -r), busybox initramfs"
script=
for w in $(cat /proc/cmdline); do
  case "$w" in
    pcvm.script=*) script="/etc/pcvm/${w#pcvm.script=}.sh" ;;
    pcvm.run=*) echo "${w#pcvm.run=}" | base64 -d > /tmp/run.sh && script=/tmp/run.sh ;;
  esac
done
if [ -n "$script" ]; then
  echo "pcvm guest: running $script"
  sh "$script"
  echo "pcvm guest: script exited with status $?"
  # poweroff -f does not wait for the console: let the UART send what the
  # tty layer still holds (1 s is 11 KB at 115200 baud).
  sleep 1
  poweroff -f
fi
echo "pcvm guest: 'poweroff -f' ends the machine"
while true; do
  setsid cttyhack sh -l
done
INIT
chmod 755 "$R/init"
cat > "$R/etc/pcvm/hello.sh" <<'EOF'
echo hello from the pcvm guest
uname -a
EOF
cat > "$R/etc/profile" <<'EOF'
PS1='pcvm# '
export PS1
EOF
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) > "$WORK/initrd.gz"
cp "$VMLINUZ" "$WORK/vmlinuz"

# ---------------------------------------------------------------- disk image
CFG="DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0"
SERIAL_CFG="SERIAL 0 115200
$CFG"
IMG="$WORK/disk.img"
truncate -s 64M "$IMG"
echo 'start=2048, type=6, bootable' | sfdisk -q "$IMG"
PART_OFF=$((2048 * 512))
mformat -i "$IMG@@$PART_OFF" -T $((64 * 2048 - 2048)) -h 16 -s 63 -H 2048 -v PCVM ::
printf '%s\n' "$SERIAL_CFG" > "$WORK/syslinux.cfg"
mcopy -i "$IMG@@$PART_OFF" "$WORK/vmlinuz" "$WORK/initrd.gz" "$WORK/syslinux.cfg" ::
syslinux --offset "$PART_OFF" --install "$IMG"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$IMG" bs=440 count=1 conv=notrunc status=none

# ---------------------------------------------------------------- ISO image
ISO="$WORK/iso"
mkdir -p "$ISO/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$ISO/isolinux/"
cp "$WORK/vmlinuz" "$WORK/initrd.gz" "$ISO/"
printf '%s\n' "$SERIAL_CFG" | sed 's#KERNEL vmlinuz#KERNEL /vmlinuz#; s#INITRD initrd.gz#INITRD /initrd.gz#' \
  > "$ISO/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -V PCVM -o "$WORK/guest.iso" \
  -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
  -boot-info-table "$ISO" 2>/dev/null

mkdir -p "$WORK/linux-root"
for d in "$APT"/debs/*.deb; do
  dpkg-deb -x "$d" "$WORK/linux-root"
done
for f in vmlinuz initrd.gz disk.img guest.iso; do
  mv -f "$WORK/$f" "$OUT/$f"
done
rm -rf "$OUT/linux-root"
mv "$WORK/linux-root" "$OUT/linux-root"
echo "$KREL" > "$OUT/KERNEL_RELEASE"
printf '%s\n' "$VERSIONS" > "$OUT/VERSIONS"
say "done: $OUT (kernel $KREL)"
echo "$OUT"
