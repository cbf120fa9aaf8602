"""Drives the firmware's serial console in QEMU for the tests in this folder.

QemuConsole starts qemu-system-arm with the PL011 on a Unix socket, reads what the firmware prints and types
commands. Every wait has a timeout, and QEMU is always ended when the `with` block is left, whatever happened.
Cases are registered with @case and run by run_cases(), which prints "N passed, M failed" last. make_card() makes
the SD card images they boot with (`-drive file=IMAGE,if=sd,format=raw`). USER_NET_WITH_IPERF and iperf_receive()
run the firmware's `iperf` TCP receive test through a port QEMU forwards from the host's loopback.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from console_text import PROMPT, ConsoleText, ConsoleTimeout  # noqa: E402,F401 (PROMPT, ConsoleTimeout: for users)

BOOT_TIMEOUT = 30.0
COMMAND_TIMEOUT = 15.0
# SD card images the tests make; the user's build/sdcard.img is never touched.
CARD_DIR = os.path.join(ROOT, "build", "host", "qemu")
# QEMU's user network, with the host's 127.0.0.1:IPERF_HOST_PORT forwarded to the firmware's `iperf` port.
IPERF_HOST_PORT = 15001
USER_NET_WITH_IPERF = f"user,id=n0,hostfwd=tcp:127.0.0.1:{IPERF_HOST_PORT}-:5001"


class QemuConsole(ConsoleText):
    COMMAND_TIMEOUT = COMMAND_TIMEOUT

    def __init__(self, machine, image, load="kernel", extra_args=()):
        super().__init__()
        self.machine = machine
        self.image = os.path.join(ROOT, image)
        self.load = load
        self.extra_args = list(extra_args)
        self.sock = None
        self.tmp = None

    def __enter__(self):
        if not os.path.exists(self.image):
            raise FileNotFoundError(f"{self.image} is missing: run 'make all-boards' first")
        self.tmp = tempfile.mkdtemp(prefix="baremail-qemu-")
        path = os.path.join(self.tmp, "console.sock")
        cmd = ["qemu-system-arm", "-M", self.machine, "-display", "none", "-monitor", "none",
               "-chardev", f"socket,id=console,path={path},server=on,wait=on",
               "-serial", "chardev:console", f"-{self.load}", self.image] + self.extra_args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # __exit__ only runs once __enter__ has returned: anything raised before (a signal the demo turns into an
        # exception, a socket error) must stop QEMU here, or it is left waiting for its console forever.
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(path):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    out = self.proc.stdout.read().decode(errors="replace") if self.proc.poll() is not None else ""
                    raise RuntimeError(f"QEMU did not start: {' '.join(cmd)}\n{out}")
                time.sleep(0.05)
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(path)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait(timeout=10)
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _receive(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        if not data:
            return False
        self.output += data.decode("utf-8", errors="replace")
        return True

    def send(self, text):
        self.sock.sendall(text.encode())

    def wait_exit(self, timeout=COMMAND_TIMEOUT):
        """Waits for QEMU to end by itself and returns its exit status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise ConsoleTimeout(f"QEMU still running after {timeout}s")
            self._receive(0.2)
        return self.proc.returncode


IDLE_STATUS = re.compile(r"idle: +(\d+) passes, (\d+) of them slept, at (\d+) ms")


def idle_status(console, timeout=COMMAND_TIMEOUT):
    """The firmware's main-loop passes, the sleeps among them and its uptime in ms, from `status`."""
    text = console.command("status", timeout)
    m = IDLE_STATUS.search(text)
    if not m:
        raise ConsoleTimeout(f"`status` printed no idle line:\n{text}")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def idle_wakeups(console, seconds, timeout=COMMAND_TIMEOUT, guest_wait=False):
    """Main-loop passes and sleeps per second of guest time while the board is left alone for `seconds`: every
    wake-up of the idle (a timer deadline or an interrupt) is a pass. Read from `status` before and after; the wait
    between is the host's (guest_wait False: for QEMU without -icount, whose guest time is real time) or the
    firmware's own (`iperf SECONDS`, which idles through the main loop until no test arrived; needs the network up),
    which under -icount sleep=off is the only way to know the guest's seconds passed, since the virtual clock jumps
    across idle sleeps. The figure includes the typed commands' own passes, at most one per byte ("iperf 10" and
    "status" with their ends of line: 16 bytes, 1.6 per second over 10 s). Returns (passes/s, sleeps/s, seconds).
    """
    passes0, sleeps0, start_ms = idle_status(console, timeout)
    if guest_wait:
        console.command(f"iperf {seconds}", timeout)
    else:
        time.sleep(seconds)
    passes, sleeps, end_ms = idle_status(console, timeout)
    elapsed = (end_ms - start_ms) / 1000.0
    return (passes - passes0) / elapsed, (sleeps - sleeps0) / elapsed, elapsed


def iperf_receive(console, send, timeout=COMMAND_TIMEOUT):
    """Runs `iperf` on a console booted with USER_NET_WITH_IPERF, calls send() to connect to 127.0.0.1:
    IPERF_HOST_PORT and send the test once the firmware listens, and returns the firmware's report as
    (bytes received, seconds, Mbit/s), all as it measured them."""
    console.send(f"iperf {int(timeout)}\r")
    console.expect(r"iperf: waiting up to", timeout)
    send()
    m = console.expect(r"iperf: received from \S+ port \d+: (\d+) bytes in ([\d.]+) s, ([\d.]+) Mbit/s", timeout)
    console.expect(re.escape(PROMPT), timeout)
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


def make_card(config, name, files=""):
    """An SD card image made by `make sdcard` from config (and FILES) as CARD_DIR/name; returns its path."""
    os.makedirs(CARD_DIR, exist_ok=True)
    image = os.path.join(CARD_DIR, name)
    make = os.environ.get("MAKE", "make")
    subprocess.run([make, "--no-print-directory", "-C", ROOT, "sdcard", f"CONFIG={config}", f"FILES={files}",
                    f"SDCARD_IMG={image}"], check=True, stdout=subprocess.DEVNULL)
    return image


_cases = []


def case(fn):
    _cases.append(fn)
    return fn


def run_cases():
    passed = failed = 0
    only = sys.argv[1:]
    for fn in _cases:
        if only and fn.__name__ not in only:
            continue
        start = time.monotonic()
        try:
            fn()
        except Exception:  # a failed case must not stop the others
            failed += 1
            print(f"FAIL {fn.__name__} ({time.monotonic() - start:.1f}s)")
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"ok   {fn.__name__} ({time.monotonic() - start:.1f}s)")
        sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
