#!/usr/bin/env python3
"""Ctrl-C and run control on a guest that never stops (roms/test/spin.asm:
JMP $ at F000:0000), checked at the protocol level.

usage: interrupt_test.py PCVM SPIN_ROM CASE
  debugger  pcvm -debugger runs the guest; SIGINT stops it and the
            commands on stdin run (the prompt shows where it stopped)
  gdb       the gdb stub without -S: the guest runs until a client
            connects; then raw RSP packets: ?, g, vCont;c + 0x03 (Ctrl-C),
            qRcmd (monitor), Z0/z0, c, s, m, D (detach: the guest runs on)
"""
import signal
import socket
import subprocess
import sys
import time


def fail(msg):
    print("FAILED:", msg)
    sys.exit(1)


def case_debugger(pcvm, rom):
    p = subprocess.Popen([pcvm, "-bios", rom, "-debugger", "-max-insns", "4000000000"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait until pcvm catches SIGINT (Linux: SigCgt in /proc), so a slow
    # start cannot turn the Ctrl-C into a kill; then let the guest run.
    deadline = time.time() + 20
    while time.time() < deadline:
        if p.poll() is not None:
            fail("pcvm exited early: %r" % p.stderr.read())
        try:
            with open("/proc/%d/status" % p.pid) as f:
                caught = [l for l in f if l.startswith("SigCgt:")]
            if caught and int(caught[0].split()[1], 16) & (1 << (signal.SIGINT - 1)):
                break
        except OSError:
            break   # no /proc: fall back to the delay below
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(b"print eip\nquit\n", timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("no stop after SIGINT")
    out = out.decode()
    want = ("interrupted at f000:0000 (0xf0000)\n"
            "=> f000:0000  eb fe                   jmp 0\n"
            "(pcvm) print eip\n"
            "eip = 0x0 (0)\n"
            "(pcvm) quit\n")
    if out != want:
        fail("output %r, want %r" % (out, want))
    if p.returncode != 0:
        fail("exit status %d" % p.returncode)


class Rsp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def send(self, data):
        pkt = b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF)
        self.s.sendall(pkt)

    def recv(self):
        while True:
            start = self.buf.find(b"$")
            if start >= 0:
                end = self.buf.find(b"#", start)
                if end >= 0 and len(self.buf) >= end + 3:
                    data = self.buf[start + 1:end]
                    csum = int(self.buf[end + 1:end + 3], 16)
                    self.buf = self.buf[end + 3:]
                    if csum != sum(data) & 0xFF:
                        fail("bad checksum from the stub")
                    self.s.sendall(b"+")
                    return data.decode()
            chunk = self.s.recv(4096)
            if not chunk:
                fail("connection closed")
            self.buf += chunk

    def cmd(self, data):
        self.send(data)
        return self.recv()


def case_gdb(pcvm, rom):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen([pcvm, "-bios", rom, "-gdb", "tcp::%d" % port],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if b"waiting for gdb" not in p.stderr.readline():
        fail("no stub")
    time.sleep(0.2)
    r = Rsp(port)
    checks = []

    def expect(got, want, what):
        if got != want:
            p.kill()
            fail("%s: got %r, want %r" % (what, got, want))
        checks.append(what)

    expect(r.cmd(b"?"), "S05", "stop reason after connecting")
    regs = r.cmd(b"g")
    expect(regs[8 * 8:9 * 8], "00000000", "EIP (register 8) is 0 at JMP $")
    expect(regs[10 * 8:11 * 8], "00f00000", "CS (register 10) is f000")
    expect(r.cmd(b"p8"), "00000000", "p8 (EIP)")
    r.send(b"vCont;c")
    time.sleep(0.3)
    r.s.sendall(b"\x03")
    expect(r.recv(), "T0208:00000000;", "Ctrl-C stops with SIGINT, PC (EIP) 0")
    mon = bytes.fromhex(r.cmd(b"qRcmd," + b"print eip".hex().encode())).decode()
    expect(mon, "eip = 0x0 (0)\n", "monitor print eip")
    expect(r.cmd(b"Z0,f0000,1"), "OK", "Z0 at the loop")
    expect(r.cmd(b"c"), "T0508:00000000;swbreak:;", "continue hits the breakpoint")
    expect(r.cmd(b"z0,f0000,1"), "OK", "z0")
    expect(r.cmd(b"s"), "T0508:00000000;", "single step (JMP $ stays put)")
    expect(r.cmd(b"m f0000,2".replace(b" ", b"")), "ebfe", "memory read at the linear address")
    expect(r.cmd(b"D"), "OK", "detach")
    r.s.close()
    time.sleep(1.0)
    running = p.poll() is None
    p.kill()
    p.wait()
    expect(running, True, "after detach the guest runs on (JMP $ forever)")
    print("\n".join("ok: " + c for c in checks))


def main():
    pcvm, rom, case = sys.argv[1:4]
    {"debugger": case_debugger, "gdb": case_gdb}[case](pcvm, rom)
    print("ok")


if __name__ == "__main__":
    main()
