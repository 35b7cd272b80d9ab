#!/usr/bin/env bash
# Installs what the cross builds need (cross/*.ini, run by tools/test.sh):
#   - Debian 12 packages: the aarch64 and i686 Linux cross compilers,
#     qemu-user to run their programs, mingw-w64 with its zlib, and wine
#     to run the Windows programs; only the missing ones (apt-get);
#   - the arm64 and i386 libraries pcvm links (capstone, cJSON, zlib,
#     Criterion and their dependencies), from Debian's arm64 and i386
#     archives, unpacked into a private sysroot per architecture
#     (/opt/pcvm-cross/{arm64,i386}).
# Why a private sysroot and not `dpkg --add-architecture`: the multiarch
# -dev packages must have exactly the native package's version, and the
# foreign-architecture indexes of the mirror lag the amd64 ones (e.g.
# linux-libc-dev, libssl3), so apt refuses the install; and a foreign index
# that fails to download makes every later `apt-get update` exit non-zero.
# Here apt runs with its own state directory for each architecture, so the
# system's apt and dpkg configuration is left untouched.
# Safe to run again: does nothing when everything is in place.
set -euo pipefail

ROOT=/opt/pcvm-cross    # also named in cross/linux-*.ini

PACKAGES=(
  gcc-aarch64-linux-gnu gcc-i686-linux-gnu   # Linux cross compilers
  libc6-dev-arm64-cross libc6-dev-i386-cross # and their C libraries
  qemu-user qemu-user-binfmt                 # runs the aarch64 programs
  gcc-mingw-w64-x86-64 libz-mingw-w64-dev    # Windows x86-64
  wine wine64 wine-binfmt                    # runs the Windows programs
)
# The libraries of each foreign architecture; their dependencies are added.
LIBS=(libcapstone-dev libcjson-dev zlib1g-dev libcriterion-dev libedit-dev)
# Provided by the cross toolchains' own libc (or not needed to link).
PRUNE=" libc6 libc6-dev libgcc-s1 gcc-12-base linux-libc-dev libcrypt1 libcrypt-dev
  pkg-config pkgconf debconf libc-dev-bin libnsl-dev libtirpc-dev rpcsvc-proto "

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-cross-deps: not root and no sudo" >&2
    exit 1
  fi
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-cross-deps: installing ${missing[*]}" >&2
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# sysroot ARCH: unpack LIBS and their dependencies into $ROOT/ARCH.
sysroot() {
  local arch=$1 state=$ROOT/apt-$1 dest=$ROOT/$1
  local apt=(-o APT::Sandbox::User=root -o "Dir::State=$state" -o "Dir::State::Lists=$state/lists"
             -o "Dir::State::status=$state/status" -o "Dir::Cache=$state/cache"
             -o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
  if [ -f "$dest/.pcvm-done" ] && [ "$(cat "$dest/.pcvm-done")" = "${LIBS[*]}" ]; then
    return 0
  fi
  echo "install-cross-deps: unpacking the $arch libraries into $dest" >&2
  "${SUDO[@]}" mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
  "${SUDO[@]}" touch "$state/status"
  # A foreign index that fails to download (the mirror syncing) is
  # ignored by apt; what matters is that the packages below are found.
  "${SUDO[@]}" apt-get "${apt[@]}" update -qq 2>/dev/null ||
    echo "install-cross-deps: some $arch indexes failed to download (ignored)" >&2

  # The dependency closure, first alternative of each "A | B".
  local -A seen=()
  local queue=("${LIBS[@]}") p kind dep alt
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    alt=0
    while read -r kind dep; do
      case $kind in
        Depends: | PreDepends:)
          if [ $alt = 1 ]; then alt=0; continue; fi ;;
        '|Depends:' | '|PreDepends:')
          if [ $alt = 1 ]; then continue; fi
          alt=1 ;;
        *) continue ;;
      esac
      case $dep in '<'*) continue ;; esac
      dep=${dep%%:*}
      case "$PRUNE" in *" $dep "*) continue ;; esac
      queue+=("$dep")
    done < <(apt-cache "${apt[@]}" depends --no-recommends --no-suggests \
               --no-conflicts --no-breaks --no-replaces --no-enhances "$p")
  done

  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"    # apt's _apt user downloads into it
  (cd "$tmp" && apt-get "${apt[@]}" download -qq "${!seen[@]}")
  for deb in "$tmp"/*.deb; do
    "${SUDO[@]}" dpkg-deb -x "$deb" "$dest"
  done
  rm -rf "$tmp"
  echo "${LIBS[*]}" | "${SUDO[@]}" tee "$dest/.pcvm-done" >/dev/null
}

sysroot arm64
sysroot i386

# binfmt_misc: the kernel hands aarch64 and Windows programs to qemu and
# wine, so a test script (or Criterion, which runs its test program again
# for each worker) can start them like native ones.  Debian's packages
# ship the registrations; without systemd nothing loads them, so this does.
# (i686 programs run natively on the x86-64 kernel.)
if [ ! -f /proc/sys/fs/binfmt_misc/register ]; then
  "${SUDO[@]}" mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
register() {   # register NAME 'REGISTRATION LINE'
  [ -e "/proc/sys/fs/binfmt_misc/$1" ] && return 0
  echo "install-cross-deps: registering $1 with binfmt_misc" >&2
  echo "$2" | "${SUDO[@]}" tee /proc/sys/fs/binfmt_misc/register >/dev/null
}
register qemu-aarch64 "$(grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf)"
# wine-binfmt's registration is in update-binfmts format (binfmt-support).
register wine ':wine:M::MZ::/usr/bin/wine:'
