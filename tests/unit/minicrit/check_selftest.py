#!/usr/bin/env python3
"""Checks minicrit (tests/unit/minicrit) with its self-test program.

usage: check_selftest.py MINICRIT-SELFTEST-EXE

Runs the program (see selftest.c) and checks what the runner printed: the
--list tree, the failures with file:line and message, a failed cr_assert
ending its test and a failed cr_expect not, the .init/.fini order, skips
not counted, a crash ending the run, the Synthesis line and the exit
statuses.  Prints each mismatch; exit status 0 when there is none.
"""
import subprocess
import sys

LIST = """fail: 6 tests
\u251c\u2500\u2500 arr_eq
\u251c\u2500\u2500 assert_ends_the_test
\u251c\u2500\u2500 assert_fail
\u251c\u2500\u2500 expect_goes_on
\u251c\u2500\u2500 not_null
\u2514\u2500\u2500 str_eq_shows_both
fixture: 3 tests
\u251c\u2500\u2500 fini_after_a_failure
\u251c\u2500\u2500 init_ran
\u2514\u2500\u2500 test_init_after_suite_init
pass: 2 tests
\u251c\u2500\u2500 each_test_counts_once
\u2514\u2500\u2500 every_assertion_holds
skip: 2 tests
\u251c\u2500\u2500 skipped
\u2514\u2500\u2500 without_a_reason
zcrash: 2 tests
\u251c\u2500\u2500 crashes
\u2514\u2500\u2500 never_runs
"""


def run(exe, *args):
    p = subprocess.run([exe] + list(args), capture_output=True, timeout=120)
    text = lambda b: b.decode("utf-8", "replace").replace("\r\n", "\n")
    return p.returncode, text(p.stdout), text(p.stderr)


def main(argv):
    exe = argv[1]
    bad = []

    def check(cond, what):
        if not cond:
            bad.append(what)

    status, out, err = run(exe, "--list")
    check(status == 0 and out == LIST, "--list: status %d, output:\n%s" % (status, out))

    status, out, err = run(exe, "--jobs", "2")
    lines = err.splitlines()

    def has(line):
        return line in lines

    def after(first, then):
        return has(first) and has(then) and lines.index(then) > lines.index(first)

    check(status == 2, "a crashing run: exit status %d, not 2" % status)
    check(lines[-1:] == ["[====] Synthesis: Tested: 12 | Passing: 4 | Failing: 8 | Crashing: 1"],
          "the Synthesis line: %r" % lines[-1:])
    # failures: file:line, the message (or the expression), the test named
    for msg, test in (("one and one make 2", "assert_ends_the_test"),
                      ("The expression 1 > 2 is false.", "expect_goes_on"),
                      ('The expression (as strings) ("left side") == ("right side") is false.',
                       "str_eq_shows_both"),
                      ("arrays differ", "arr_eq"),
                      ("multi", "assert_fail"),
                      ("line", "assert_fail")):
        check(has("[----]   " + msg), "no message %r" % msg)
        check(any(l.startswith("[FAIL] fail::%s: (" % test) for l in lines),
              "no [FAIL] line for fail::%s" % test)
    check(any(l.startswith("[----] ") and "selftest.c:" in l and l.endswith(": Assertion Failed")
              for l in lines), "no '[----] .../selftest.c:N: Assertion Failed' line")
    check(any(l.startswith("[----]   The expression (") and l.endswith(") != NULL is false.")
              for l in lines), "cr_assert_not_null: no message")
    check(has('[----]   left:  "left side"') and has('[----]   right: "right side"'),
          "cr_assert_str_eq does not show the strings")
    check("NOT REACHED" not in err, "a test went on after a failed cr_assert or a skip")
    check(has("[ERR ] selftest: reached after a failed cr_expect"),
          "a test did not go on after a failed cr_expect")
    # fixtures: both .fini after a failure, the test's inside the suite's
    check(has("[----]   fails on purpose"), "fixture::fini_after_a_failure did not fail")
    check(after("[----]   fails on purpose", "[WARN] selftest: test fini (suite_ready 1)") and
          after("[WARN] selftest: test fini (suite_ready 1)", "[WARN] selftest: suite fini (suite_ready 1)"),
          "the .fini functions did not run (test's, then suite's) after a failed cr_assert")
    check(not any(l.startswith("[FAIL] fixture::init") or l.startswith("[FAIL] fixture::test_init")
                  for l in lines), "a suite or test .init did not run")
    check(has("[SKIP] skip::skipped: skipped on purpose (7)") and
          has("[SKIP] skip::without_a_reason: Test was skipped"), "no [SKIP] lines")
    check("info is shown only with --verbose" not in err, "cr_log_info shown without --verbose")
    check(has("[FAIL] zcrash::crashes: CRASH!"), "the crash is not reported")
    check(not any("never_runs" in l for l in lines), "a test ran after a crash")

    status, out, err = run(exe, "--filter", "pass/*", "-j2", "--verbose")
    lines = err.splitlines()
    check(status == 0, "passing tests only: exit status %d" % status)
    check(lines[-1:] == ["[====] Synthesis: Tested: 2 | Passing: 2 | Failing: 0 | Crashing: 0"],
          "passing tests only: %r" % lines[-1:])
    check("[----] info is shown only with --verbose" in lines, "--verbose: no cr_log_info")

    status, out, err = run(exe, "--filter=skip/*")
    check(status == 0 and err.splitlines()[-1:] ==
          ["[====] Synthesis: Tested: 0 | Passing: 0 | Failing: 0 | Crashing: 0"],
          "skipped tests only: status %d, %r" % (status, err.splitlines()[-1:]))

    status, out, err = run(exe, "--filter", "fail/expect_goes_on")
    check(status == 1, "one failing test: exit status %d, not 1" % status)

    status, out, err = run(exe, "--no-such-option")
    check(status == 1 and "unknown option '--no-such-option'" in err,
          "a bad option: status %d, %r" % (status, err))

    for b in bad:
        print("minicrit-selftest: " + b)
    print("minicrit-selftest: %s" % ("%d problems" % len(bad) if bad else "all checks passed"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
