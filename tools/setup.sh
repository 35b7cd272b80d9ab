#!/usr/bin/env bash
# From a fresh Debian 12 machine to a running pcvm: installs the missing
# packages, configures and builds build/, then boots the default guest
# (Debian's 32-bit Linux with a busybox shell on this terminal).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

if [ -f build/meson-private/coredata.dat ]; then
  meson setup --reconfigure build
else
  meson setup build
fi
ninja -C build

# The default guest: Debian's 686 kernel with a busybox initramfs, built
# from Debian's i386 packages once (tools/build-guest.sh caches it), booted
# through SeaBIOS with its console on this terminal.  Ctrl-A X quits, as in
# QEMU's -nographic; `poweroff -f` in the guest ends pcvm too.
guest=$(tools/build-guest.sh | tail -1)
echo "setup: booting the default guest (Ctrl-A X quits):" >&2
echo "  build/frontends/pcvm -m 128 -nographic -kernel $guest/vmlinuz -initrd $guest/initrd.gz -append 'console=ttyS0 quiet cryptomgr.notests'" >&2
exec build/frontends/pcvm -m 128 -nographic -kernel "$guest/vmlinuz" -initrd "$guest/initrd.gz" \
  -append 'console=ttyS0 quiet cryptomgr.notests'
