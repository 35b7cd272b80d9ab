#!/usr/bin/env bash
# The one command that runs every test:
#   1. installs missing packages (tools/install-deps.sh),
#   2. builds build/ and runs `meson test` there: unit tests, the pcvm-sst
#      SingleStepTests sets (when ../shared holds them), the CLI and ROM tests;
#   3. builds build-asan/ with AddressSanitizer and UBSan and runs the same
#      tests there, where any sanitizer report fails the test;
#   4. prints "N passed, M failed, K skipped" over both builds and exits
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
  meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
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
run_tests build-asan -Db_sanitize=address,undefined -Db_lundef=false

echo "=== $(( $(date +%s) - start )) s" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
