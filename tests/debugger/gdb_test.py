#!/usr/bin/env python3
"""Debugs pcvm with the real gdb, as a student would, and checks gdb's
output exactly.

usage: gdb_test.py PCVM GDB ROM CASE EXPECTED [--update]

pcvm starts with -gdb tcp:127.0.0.1:PORT -S on a free loopback port; gdb
runs in batch mode with the commands of CASE (COMMANDS below); gdb's
stdout must equal EXPECTED, and pcvm must end with the exit status and
stderr tail the case names.  Everything is bounded by timeouts.
"""
import difflib
import socket
import subprocess
import sys

COMMANDS = {
    # Real mode: a boot sector at 0000:7C00.  The stub describes the target
    # as i8086 while the CPU is in real mode, so gdb disassembles 16-bit code.
    "real": [
        "set disassembly-flavor intel",
        "target remote 127.0.0.1:{port}",
        "show architecture",
        "info registers eip cs",
        "x/2i 0xffff0",
        "break *0x7c00",
        "continue",
        "x/4i $pc",
        "stepi",
        "stepi",
        "stepi",
        "info registers eax ebx eflags",
        "x/2xb 0x7c3f",
        "watch *(unsigned char *)0x7c40",
        "continue",
        "p/x $eax",
        "p/x $pc",
        "delete",
        "hbreak *0x7c3a",
        "continue",
        "info registers esp",
        "x/xh $esp",
        "stepi",
        "stepi",
        "p/x $pc",
        "monitor regs",
        "monitor x/4bx ds:si",
        "set $ecx = 0x1234",
        "p/x $ecx",
        "set {unsigned char}0x7c41 = 0x99",
        "x/xb 0x7c41",
        "kill",
    ],
    # Protected mode: the program enters 32-bit protected mode itself; the
    # description said i8086 at connection time (real mode at reset), so the
    # session switches gdb to i386 by hand, as the README explains.
    "pm": [
        "set disassembly-flavor intel",
        "target remote 127.0.0.1:{port}",
        "break *0xf0030",
        "continue",
        "set architecture i386",
        "x/3i $pc",
        "info registers cs ds ss eflags",
        "stepi",
        "stepi",
        "info registers eax eflags",
        "rwatch *(int *)0x8000",
        "continue",
        "p/x $ecx",
        "x/wx 0x8000",
        "monitor gdt 1 2",
        "monitor cr",
        "detach",
    ],
}
# Exit status and last stderr line pcvm must end with.
ENDING = {
    "real": (0, "pcvm: waiting for gdb on 127.0.0.1:PORT"),
    "pm": (0, "pcvm: guest halted with interrupts disabled"),
}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    pcvm, gdb, rom, case, expected = sys.argv[1:6]
    update = "--update" in sys.argv[6:]
    port = free_port()
    vm = subprocess.Popen([pcvm, "-bios", rom, "-gdb", "tcp:127.0.0.1:%d" % port, "-S",
                           "-max-insns", "10000000"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    line = vm.stderr.readline().decode()
    if "waiting for gdb" not in line:
        vm.kill()
        print("pcvm did not start its stub: %r" % line)
        return 1
    args = [gdb, "-nx", "-batch"]
    for c in COMMANDS[case]:
        args += ["-ex", c.replace("{port}", str(port))]
    try:
        g = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        vm.kill()
        print("gdb timed out")
        return 1
    try:
        vout, verr = vm.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        vm.kill()
        print("pcvm did not exit after gdb finished")
        return 1
    # gdb prints `monitor` output on stderr: compare both streams.
    out = (g.stdout.decode("latin-1") + "--- gdb stderr ---\n" +
           g.stderr.decode("latin-1"))
    verr = (line + verr.decode("latin-1")).replace(str(port), "PORT")
    if update:
        with open(expected, "w") as f:
            f.write(out)
        print("updated", expected)
        print("pcvm status", vm.returncode, "stderr:", verr)
        return 0
    with open(expected) as f:
        want = f.read()
    ok = True
    if out != want:
        ok = False
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), out.splitlines(True), "expected", "got"))
    status, tail = ENDING[case]
    last = verr.strip().splitlines()[-1] if verr.strip() else ""
    if vm.returncode != status or last != tail:
        ok = False
        print("pcvm: exit status %d (want %d), last stderr line %r (want %r)"
              % (vm.returncode, status, last, tail))
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
