#!/usr/bin/env bash
# Installs the Debian 12 packages pcvm needs to build and test, but only
# the ones that are missing (checked with dpkg).  Uses sudo when not root.
# Used by tools/setup.sh and tools/test.sh; safe to run again.
set -euo pipefail

PACKAGES=(
  meson ninja-build pkg-config gcc python3   # build
  nasm                                       # our own ROMs and test programs
  libcapstone-dev                            # disassembly: debugger, traces, decoder cross-check
  libcriterion-dev                           # unit tests
  libcjson-dev zlib1g-dev                    # SingleStepTests runner: JSON, gzip
  libsdl2-dev                                # the window frontend (optional for now)
  libncurses-dev                             # -display curses
  xvfb libxtst6 tmux                         # display tests: Xvfb (and XTEST keys), tmux
  libedit-dev gdb                            # debugger line editing; gdb stub tests
  seabios                                    # the default firmware: SeaBIOS and SeaVGABIOS
  xorriso mtools dosfstools                  # boot tests: CD-ROM and FAT disk images
  libpng-dev                                 # PNG screenshots
  seabios                                    # SeaBIOS + SeaVGABIOS (/usr/share/seabios): the VGA guest tests
  cpio fdisk syslinux syslinux-common isolinux  # tools/build-guest.sh: initramfs, SYSLINUX disk, ISOLINUX ISO
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found: install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root and no sudo: install these packages as root: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
