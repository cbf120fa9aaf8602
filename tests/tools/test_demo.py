#!/usr/bin/python3
"""Tests of tools/demo's life cycle: without a terminal it points to ARGS=--auto instead of waiting; SIGTERM, SIGINT
and SIGHUP each end it with one line and no traceback, its Postfix and Dovecot stopped and its ports free; a demo
server left running by a killed demo is detected, named, and stopped by `tools/demo --stop`.

Each run is stopped as soon as its mail server is up (no mail is sent: tests/qemu/test_mail_e2e.py does that), so
the whole script takes about half a minute. Needs root, like the demo; builds the images and runs
tests/integration/setup-mta first when they are missing. Ports follow $BAREMAIL_MTA_PORT_OFFSET.
Run from anywhere; last line "N passed, M failed"; exit 1 on failure.
"""
import os
import select
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import mta  # noqa: E402
from tally import check, summary  # noqa: E402

DEMO = os.path.join(ROOT, "tools", "demo")
# The mail server's start and stop, and the card, on a loaded machine.
STEP_TIMEOUT = 60.0


def demo_ports():
    return set(mta.TestMTA().ports.values())


def demo_qemus():
    """PIDs of running QEMUs booting this tree's demo card (a signal must not leave one behind)."""
    card = os.path.join(ROOT, "build", "host", "qemu", "demo.img").encode()
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"qemu-system-arm") and any(card in a for a in argv):
            pids.append(int(pid))
    return pids


def start_demo(*args):
    """tools/demo in a session of its own (so the whole group can be killed), stdout and stderr on one pipe."""
    return subprocess.Popen([DEMO, *args], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def read_until(proc, text, timeout=STEP_TIMEOUT):
    """Reads proc's output until it holds `text`; returns all of it (None on timeout or end of output)."""
    deadline = time.monotonic() + timeout
    out = b""
    while text.encode() not in out:
        ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            return None
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            return None
        out += chunk
    return out.decode(errors="replace")


def finish(proc, timeout=STEP_TIMEOUT):
    """Waits for proc to end; returns (status, rest of its output). Kills its group when it does not end."""
    try:
        rest, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate()
        return None, rest.decode(errors="replace")
    return proc.returncode, rest.decode(errors="replace")


def test_no_terminal():
    start = time.monotonic()
    proc = start_demo()
    status, out = finish(proc)
    check("without a terminal: exit status 2", status == 2, f"status {status}: {out}")
    check("without a terminal: suggests ARGS=--auto", "make demo ARGS=--auto" in out, out)
    check("without a terminal: does not wait", time.monotonic() - start < 10, f"{time.monotonic() - start:.1f} s")


def test_signal(sig, when):
    """Sends sig once the demo printed `when`; the demo must stop everything and say so."""
    name = signal.Signals(sig).name
    proc = start_demo("--auto")
    out = read_until(proc, when)
    if out is None:
        os.killpg(proc.pid, signal.SIGKILL)
        check(f"{name}: the demo got to '{when}'", False, finish(proc)[1])
        return
    os.kill(proc.pid, sig)
    status, rest = finish(proc)
    out += rest
    check(f"{name} after '{when}': exit status {128 + sig}", status == 128 + sig, f"status {status}:\n{out}")
    check(f"{name}: says it stopped", f"demo: stopped by {name}; QEMU and the mail server are stopped" in out, out)
    check(f"{name}: no traceback", "Traceback" not in out, out)
    busy = demo_ports() & mta.listening_ports()
    check(f"{name}: the demo's ports are free", not busy, f"still listening: {sorted(busy)}")
    left = demo_qemus()
    check(f"{name}: no QEMU of the demo's is left running", not left, f"still running: {left}")


def test_stale_server():
    """A demo killed outright (as `kill -9`, or a demo from before it handled signals) leaves Postfix running."""
    proc = start_demo("--auto")
    if read_until(proc, "demo: booting") is None:
        os.killpg(proc.pid, signal.SIGKILL)
        check("stale: the demo got to 'demo: booting'", False, finish(proc)[1])
        return
    os.killpg(proc.pid, signal.SIGKILL)
    finish(proc)
    stale = mta.stale_instances(demo_ports())
    check("stale: a killed demo leaves its server running (the case to detect)", len(stale) == 1, str(stale))

    status, out = finish(start_demo("--auto"))
    check("stale: the next demo stops at once", status == 1, f"status {status}: {out}")
    check("stale: and says how to stop the old server",
          "still running" in out and "tools/demo --stop" in out and all(d in out for d in stale), out)
    try:
        mta.TestMTA().start()
        check("stale: TestMTA names it too", False, "started")
    except mta.MTAError as e:
        check("stale: TestMTA names it too", "left running" in str(e) and mta.STOP_STALE_COMMAND in str(e), str(e))

    status, out = finish(start_demo("--stop"))
    check("stale: tools/demo --stop stops it", status == 0 and "stopped the demo mail server" in out, out)
    busy = demo_ports() & mta.listening_ports()
    check("stale: the ports are free again", not busy, f"still listening: {sorted(busy)}")
    check("stale: its directory is gone", not any(os.path.exists(d) for d in stale), str(stale))
    status, out = finish(start_demo("--stop"))
    check("stale: --stop with nothing to stop says so", status == 0 and "no demo mail server" in out, out)


def main():
    if os.geteuid() != 0:
        check("the demo needs root", False, "run as root")
        return summary()
    subprocess.run(["make", "--no-print-directory", "-C", ROOT, "all-boards", "build/mta/.setup-done"],
                   stdout=subprocess.DEVNULL, check=True)
    busy = demo_ports() & mta.listening_ports()
    if busy:
        check("the demo's ports are free before the test", False, f"in use: {sorted(busy)}")
        return summary()
    test_no_terminal()
    test_signal(signal.SIGHUP, "mksdcard:")  # while the card is made, the server just started
    test_signal(signal.SIGTERM, "demo: booting")
    test_signal(signal.SIGINT, "demo: booting")
    test_stale_server()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
