#!/usr/bin/env bash
# From a fresh Debian 12 machine to a running pcvm: installs the missing
# packages, configures and builds build/, then boots the default guest
# (the demo ROM built into pcvm), whose debug console goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

if [ -f build/meson-private/coredata.dat ]; then
  meson setup --reconfigure build
else
  meson setup build
fi
ninja -C build

echo "setup: booting the default guest: build/frontends/pcvm -demo" >&2
build/frontends/pcvm -demo
