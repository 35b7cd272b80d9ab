#!/usr/bin/env python3
"""Checks that a cross build behaves exactly like the native one.

usage: cross-compare.py NATIVE_DIR CROSS_DIR

Both build directories must have run `meson test` already.  Compared:
  1. every test both builds ran: the same result (OK, FAIL, SKIP...);
     the tests only one build has are listed (a Windows build has no
     sst-cli or debugger tests);
  2. the Criterion totals ("Tested: N | Passing: N ...") of each test; for
     pcvm-unit, the tests it lists (--list) and that all of them passed.
     A build without Capstone (Windows) has no Capstone suites
     (CAPSTONE_SUITES): they are named, with their count, not compared;
     a build without the Criterion package runs pcvm-unit on minicrit
     (tests/unit/minicrit), which prints the same list and totals;
  3. the SingleStepTests runs: the same "FILE: passed/total" lines and
     totals (the timing line left out); a build without the cJSON package
     reads the data with minijson (tests/sst/minijson);
  4. the same guest runs under both pcvm programs (and the benchmark
     driver): exit status, stdout byte for byte, stderr with only the host
     seconds and MIPS of -stats masked: the guest instruction counts must
     be equal.
Programs of a foreign architecture are run directly: binfmt_misc hands
them to qemu or wine (tools/install-cross-deps.sh).
Prints one line per difference and "cross-compare: DIR: same as native"
or "... N differences"; exit status 0 when identical, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys


def load_tests(build):
    path = os.path.join(build, "meson-logs", "testlog.json")
    tests = {}
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            d["out"] = d.get("stdout", "") + d.get("stderr", "")
            tests[d["name"]] = d
    return tests


SYNTH = re.compile(r"Synthesis: Tested: \d+ \| Passing: \d+ \| Failing: \d+ \| Crashing: \d+")


def synthesis(out):
    return SYNTH.findall(out)


def sst_lines(out):
    return [l for l in out.splitlines() if not l.startswith("time:")]


def short(name):
    return name.split(" / ")[-1]        # "pcvm:sst / sst-8086" -> "sst-8086"


def is_sst_set(name):
    return short(name).startswith("sst-") and short(name) != "sst-cli"


# Unit tests that only an x86 host can run (they compare the ALU handlers
# and the x87 with the host CPU; fpu_insn needs x86-64); elsewhere the suite
# is one skipped test.
# screenshot: built only with libpng, which the cross sysroots lack.
HOST_ONLY_SUITES = {"hostdiff", "screenshot", "fpu_host", "fpu_insn"}


def unit_list(build):
    """The Criterion tests of pcvm-unit, as {"suite::name"} (--list)."""
    p = subprocess.run([exe(build, "tests/pcvm-unit"), "--list"], capture_output=True,
                       timeout=300)
    tests, suite = set(), None
    for line in (p.stdout + p.stderr).decode("utf-8", "replace").splitlines():
        m = re.match(r"^(\S+): \d+ tests?$", line)
        if m:
            suite = m.group(1)
        elif suite and line[:1] in ("\u251c", "\u2514"):   # tree branches
            tests.add(suite + "::" + line.split(" ", 1)[1].strip())
    return tests


# Unit test suites checked against Capstone (tests/unit/meson.build:
# unit_capstone_names); a build without Capstone leaves them out.
CAPSTONE_SUITES = {"decoder"}


def dependencies(build):
    """The names of the dependencies meson found for `build`."""
    with open(os.path.join(build, "meson-info", "intro-dependencies.json")) as f:
        return {d["name"] for d in json.load(f)}


def compare_unit(native, cross, sa, sb):
    """Same unit tests, all passing, but for the host-only suites and, in a
    build without Capstone, the Capstone suites."""
    la, lb = unit_list(native), unit_list(cross)
    out = []
    deps = dependencies(cross)
    if "criterion" not in deps:
        print("cross-compare: %s: pcvm-unit runs on minicrit (no Criterion package)" % cross)
    la_cmp = la
    if "capstone" not in deps:
        for suite in sorted(CAPSTONE_SUITES):
            n = len([t for t in la if t.split("::")[0] == suite])
            if [t for t in lb if t.split("::")[0] == suite]:
                out.append("unit suite %s is in %s, which has no Capstone" % (suite, cross))
            else:
                print("cross-compare: %s: unit suite %s (%d tests) not built: it needs Capstone"
                      % (cross, suite, n))
                la_cmp = {t for t in la_cmp if t.split("::")[0] != suite}
    for t in sorted(la_cmp ^ lb):
        if t.split("::")[0] not in HOST_ONLY_SUITES:
            out.append("unit test %s only in %s" % (t, native if t in la else cross))
    nums = [[int(x) for x in re.findall(r"\d+", v[-1])] if v else None for v in (sa, sb)]
    if not nums[0] or not nums[1]:
        return out + ["unit: no Criterion totals (%r, %r)" % (sa, sb)]
    # Tested, Passing, Failing, Crashing: everything that ran passed, and
    # it is every test outside the host-only suites plus at most those (a
    # skipped test is not "Tested").
    for (tested, passing, failing, crashing), l, b in zip(nums, (la, lb), (native, cross)):
        host = len([t for t in l if t.split("::")[0] in HOST_ONLY_SUITES])
        core = len(l) - host
        if passing != tested or failing or crashing or not 0 <= tested - core <= host:
            out.append("unit in %s: tested/passing/failing/crashing %s, %d tests listed "
                       "(%d host-only)" % (b, (tested, passing, failing, crashing), len(l), host))
    return out


def exe(build, rel):
    for suffix in ("", ".exe"):
        p = os.path.join(build, rel + suffix)
        if os.path.exists(p):
            return p
    return None


STATS = re.compile(r"(guest instructions) in [0-9.]+ s = [0-9.]+ MIPS")
BENCH = re.compile(r"in [0-9.]+ s = [0-9.]+ MIPS.*")


def runs(build):
    """(name, argv) of the guest runs, for the programs of `build`."""
    pcvm = exe(build, "frontends/pcvm")
    bench = exe(build, "tests/bench/pcvm-bench-cpu")
    roms = os.path.join(build, "roms")
    pm = os.path.join(build, "tests", "pm")
    out = []
    for cpu in ("8086", "80286", "80386", "pentium2"):
        out.append(("demo-" + cpu, [pcvm, "-demo", "-cpu", cpu, "-stats", "-max-insns", "5000000"]))
    for rom, extra in (("test-hello", ["-max-insns", "5000000"]),
                       ("test-triple", ["-max-insns", "5000000"]),
                       ("test-spin", ["-max-insns", "250000"]),
                       ("test-pictimer", ["-device", "isa-debug-exit,iobase=0xf4",
                                          "-max-insns", "100000000"])):
        path = os.path.join(roms, rom + ".bin")
        if os.path.exists(path):
            out.append((rom, [pcvm, "-bios", path, "-debugcon", "stdio", "-stats"] + extra))
    for name in sorted(os.listdir(pm)) if os.path.isdir(pm) else []:
        if name.startswith("pm-") and name.endswith(".bin"):
            out.append((name[:-4], [pcvm, "-cpu", "80386", "-bios", os.path.join(pm, name),
                                    "-debugcon", "stdio", "-device", "isa-debug-exit",
                                    "-max-insns", "50000000", "-stats"]))
    smoke = os.path.join(build, "tests", "bench", "bench-smoke.bin")
    if bench and os.path.exists(smoke):
        out.append(("bench-smoke", [bench, smoke, "3000"]))
    return out


def run(argv):
    env = dict(os.environ, WINEDEBUG="-all")
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=300, env=env)
    err = p.stderr.decode("latin-1")
    err = STATS.sub(r"\1 in S s = M MIPS", err)
    out = BENCH.sub("in S s = M MIPS", p.stdout.decode("latin-1"))
    return p.returncode, out, err


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    native, cross = argv[1], argv[2]
    diffs = []
    a, b = load_tests(native), load_tests(cross)
    only_native = sorted(set(a) - set(b))
    only_cross = sorted(set(b) - set(a))
    both = sorted(set(a) & set(b))
    if only_native:
        print("cross-compare: %s has no %s" % (cross, " ".join(only_native)))
    if only_cross:
        diffs.append("tests only in %s: %s" % (cross, " ".join(only_cross)))
    if "libcjson" not in dependencies(cross) and any(is_sst_set(n) for n in both):
        print("cross-compare: %s: pcvm-sst reads JSON with minijson (no cJSON package)" % cross)
    for name in both:
        ta, tb = a[name], b[name]
        if ta["result"] == "OK" and tb["result"] == "SKIP":
            # the test itself says it cannot run on this host (exit 77)
            print("cross-compare: %s: %s skipped on this host" % (cross, name))
        elif ta["result"] != tb["result"]:
            diffs.append("%s: %s natively, %s in %s" % (name, ta["result"], tb["result"], cross))
        sa, sb = synthesis(ta["out"]), synthesis(tb["out"])
        if short(name) == "unit":
            diffs += compare_unit(native, cross, sa, sb)
        elif sa != sb:
            diffs.append("%s: %s natively, %s in %s" % (name, sa, sb, cross))
        if is_sst_set(name):
            if sst_lines(ta["stdout"]) != sst_lines(tb["stdout"]):
                diffs.append("%s: the per-file results differ" % name)
    counts = []
    for n in both:
        if short(n) == "unit" and synthesis(b[n]["out"]):
            counts.append("unit: " + synthesis(b[n]["out"])[-1] + " (natively: " +
                          (synthesis(a[n]["out"]) or ["none"])[-1] + ")")
        elif is_sst_set(n) and b[n]["stdout"].strip():
            counts.append(short(n) + ": " + b[n]["stdout"].strip().splitlines()[-1])
    print("cross-compare: %s: %d tests compared%s" % (
        cross, len(both), "".join("; " + c for c in counts)))

    ra, rb = runs(native), runs(cross)
    if [n for n, _ in ra] != [n for n, _ in rb]:
        diffs.append("guest runs: %s natively, %s in %s" % (
            [n for n, _ in ra], [n for n, _ in rb], cross))
    else:
        for (name, xa), (_, xb) in zip(ra, rb):
            ga, gb = run(xa), run(xb)
            if ga != gb:
                diffs.append("guest run %s: native (status, stdout, stderr) %r, %s %r" %
                             (name, ga, cross, gb))
        print("cross-compare: %s: %d guest runs compared" % (cross, len(ra)))

    for d in diffs:
        print("cross-compare: DIFFERENT: " + d)
    if diffs:
        print("cross-compare: %s: %d differences from %s" % (cross, len(diffs), native))
        return 1
    print("cross-compare: %s: same as native (%s)" % (cross, native))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
