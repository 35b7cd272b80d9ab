#!/usr/bin/env bash
# The one command that runs every test:
#   1. installs missing packages (tools/install-deps.sh),
#   2. builds build/ and runs `meson test` there: unit tests, the pcvm-sst
#      SingleStepTests sets (when ../shared holds them), the CLI and ROM tests;
#   3. builds build-asan/ with AddressSanitizer and UBSan and runs the same
#      tests there but the Linux boot, where any sanitizer report fails the
#      test;
#   4. cross builds (cross/*.ini; tools/install-cross-deps.sh installs the
#      toolchains, qemu-user and wine): Linux aarch64 under qemu-aarch64,
#      Linux i686 as 32-bit processes, Windows x86-64 (mingw-w64) under
#      wine; the same `meson test` in each, then tools/cross-compare.py
#      checks each against build/: same test results and counts, same
#      SingleStepTests results, same guest runs (output, exit status,
#      instruction counts); one more test per target.  PCVM_CROSS=0 skips
#      this step;
#   5. prints "N passed, M failed, K skipped" over all builds and exits
#      non-zero on any failure (a build that fails counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh || { echo "test: installing packages failed" >&2; exit 1; }

passed=0
failed=0
skipped=0

# configure DIR [meson options...]
configure() {
  local dir=$1
  shift
  mkdir -p "$dir"
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@" >"$dir/pcvm-setup.log" 2>&1
  else
    meson setup "$dir" "$@" >"$dir/pcvm-setup.log" 2>&1
  fi
}

# run_tests DIR [meson options...]: build DIR and run its tests, adding
# meson's Ok/Fail/Skipped counts to the totals.
run_tests() {
  local dir=$1
  shift
  echo "=== $dir: configure and build" >&2
  if ! configure "$dir" "$@"; then
    cat "$dir/pcvm-setup.log" >&2
    echo "test: configuring $dir failed" >&2
    failed=$((failed + 1))
    return
  fi
  if ! ninja -C "$dir" >"$dir/pcvm-ninja.log" 2>&1; then
    tail -50 "$dir/pcvm-ninja.log" >&2
    echo "test: building $dir failed" >&2
    failed=$((failed + 1))
    return
  fi
  echo "=== $dir: meson test" >&2
  local log
  log=$(mktemp)
  # shellcheck disable=SC2086
  meson test -C "$dir" --print-errorlogs --num-processes 2 ${TEST_ARGS:-} 2>&1 | tee "$log"
  # meson's summary: "Ok: N", "Expected Fail: N", "Fail: N",
  # "Unexpected Pass: N", "Skipped: N", "Timeout: N"
  count() { awk -v k="$1:" '$0 ~ "^"k { n = $NF } END { print n + 0 }' "$log"; }
  local ok xfail fail xpass skip tmo
  ok=$(count "Ok")
  xfail=$(count "Expected Fail")
  fail=$(count "Fail")
  xpass=$(count "Unexpected Pass")
  skip=$(count "Skipped")
  tmo=$(count "Timeout")
  if [ $((ok + xfail + fail + xpass + skip + tmo)) -eq 0 ]; then
    echo "test: no test results from $dir" >&2
    failed=$((failed + 1))
  fi
  passed=$((passed + ok + xfail))
  failed=$((failed + fail + xpass + tmo))
  skipped=$((skipped + skip))
  rm -f "$log"
}

start=$(date +%s)
run_tests build

# Sanitizers: every report is fatal and fails the test that caused it.
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan-suppressions.txt:print_suppressions=0"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The Linux boot (suite linux) runs in build/ only: under the sanitizers
# and under qemu-user it takes minutes, past the suite's time budget; the
# devices it drives are exercised by the boot suite in every build.
TEST_ARGS="--no-suite linux" run_tests build-asan -Db_sanitize=address,undefined -Db_lundef=false

# Cross builds, each compared with build/ (step 4 above).
if [ "${PCVM_CROSS:-1}" != 0 ]; then
  cross_start=$(date +%s)
  if ! tools/install-cross-deps.sh; then
    echo "test: installing the cross toolchains failed" >&2
    failed=$((failed + 1))
  else
    export WINEDEBUG=-all   # wine's own messages would land in the stderr the tests compare
    wineserver -p 2>/dev/null || true   # one wineserver for every Windows program of the run
    for target in linux-aarch64:build-cross-aarch64 linux-i686:build-cross-i686 \
                  windows-x86_64:build-cross-windows; do
      dir=${target#*:}
      ini=cross/${target%%:*}.ini
      t0=$(date +%s)
      # A cross file's options apply when a directory is first set up:
      # start afresh when it changed.
      if ! cmp -s "$ini" "$dir/pcvm-cross.ini"; then
        rm -rf "$dir"
        mkdir -p "$dir"
        cp "$ini" "$dir/pcvm-cross.ini"
      fi
      before=$failed
      TEST_ARGS="--no-suite linux" run_tests "$dir" --cross-file "$ini"
      if [ "$failed" -eq "$before" ]; then
        if python3 tools/cross-compare.py build "$dir"; then
          passed=$((passed + 1))
        else
          failed=$((failed + 1))
        fi
      fi
      echo "=== $dir: $(( $(date +%s) - t0 )) s" >&2
    done
    wineserver -k 2>/dev/null || true
  fi
  echo "=== cross builds: $(( $(date +%s) - cross_start )) s" >&2
fi

echo "=== $(( $(date +%s) - start )) s" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
