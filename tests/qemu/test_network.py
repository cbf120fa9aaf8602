#!/usr/bin/python3
"""The Pi images' network in QEMU: the DWC2 host controller with QEMU's usb-net (its CDC-ECM configuration) on the
user network (slirp), against the NTP and DNS servers of tests/lib/fake_servers.py.

Each case boots a card whose smtp.conf (tests/data/config/net-dhcp.conf) asks for DHCP and names 10.0.2.2 (the
host, for slirp) as NTP server, then checks the lease (10.0.2.15 and slirp's DNS server), the clock (the test
server's, to within CLOCK_TOLERANCE_S), `ping 10.0.2.2`, `resolve` of the name the test's DNS server answers, and
`usb` (the CDC device bound to cdc_ecm), and a TCP stream into `iperf` (every byte counted; twice, so the port must have
been closed after the first). The NIC sits behind QEMU's own hub, behind two hubs given on the command
line, and on a Zero (raspi0 with the rpi1 image). One more case plugs the NIC in through QEMU's QMP socket seconds
after boot: the main loop must enumerate it, start it and get a lease.

Needs root: the script runs itself again in private network and mount namespaces (see fake_servers.py), so its
servers on ports 123 and 53 collide with nothing on the machine and slirp's DNS forwards to the test's server.
Ends with "N passed, M failed".
"""
import calendar
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

from qemu_console import (BOOT_TIMEOUT, CARD_DIR, IPERF_HOST_PORT, PROMPT, ROOT, USER_NET_WITH_IPERF, QemuConsole,
                          case, iperf_receive, make_card, run_cases)

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from fake_servers import (IN_NAMESPACE, TEST_NAME, TEST_NAME_ADDR, private_network,  # noqa: E402
                          reexec_in_private_network, start_servers)

CONFIG = os.path.join(ROOT, "tests", "data", "config", "net-dhcp.conf")
CARD = os.path.join(CARD_DIR, "network.img")
RPI2 = "build/rpi2/kernel7.img"
RPI1 = "build/rpi1/kernel.img"
# slirp's fixed addresses: the guest's lease, the host, the DNS proxy.
GUEST_ADDR = "10.0.2.15"
HOST_ADDR = "10.0.2.2"
SLIRP_DNS = "10.0.2.3"
# QEMU's usb-net: a Linux gadget's ids.
USB_NET_ID = "0525:a4a2"
# The firmware's DHCP and SNTP need a few seconds of QEMU time at most; the rest is slack for a loaded machine.
NET_TIMEOUT = 30.0
# `net` shows whole seconds; the console round trip adds a little more.
CLOCK_TOLERANCE_S = 2.0
# The TCP stream into `iperf`: a few hundred segments, and an odd length, so that a lost or doubled segment, or a
# partial last one miscounted, shows in the byte count.
TCP_TEST_BYTES = 1024 * 1024 + 7

ntp = dns = None


def boot_with_nic(machine, image, usb_args):
    return QemuConsole(machine, image, extra_args=["-drive", f"file={CARD},if=sd,format=raw",
                                                   "-netdev", USER_NET_WITH_IPERF] + usb_args)


def shown_utc(text):
    """The `time:` line of `net` as seconds since 1970, or None when the clock is not set."""
    m = re.search(r"^time: +(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC$", text, re.M)
    return calendar.timegm(tuple(int(g) for g in m.groups())) if m else None


def command(c, line):
    """A console command's output with plain newlines (the console ends lines with CR LF)."""
    return c.command(line).replace("\r\n", "\n")


def send_tcp_stream():
    with socket.create_connection(("127.0.0.1", IPERF_HOST_PORT), timeout=NET_TIMEOUT) as s:
        s.sendall(bytes(i & 0xFF for i in range(TCP_TEST_BYTES)))
        s.shutdown(socket.SHUT_WR)
        # The firmware closes its side once it has the FIN: wait for that, so its report is complete.
        s.settimeout(NET_TIMEOUT)
        assert s.recv(1) == b""


def check_network(c, nic_port):
    """The acceptance checks on a booted console whose NIC is at USB port path nic_port."""
    c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
    print(c.expect(r"net: lease " + re.escape(GUEST_ADDR) + r", \d+ ms after boot", NET_TIMEOUT).group(0))
    print(c.expect(r"net: clock set by NTP, \d+ ms after boot", NET_TIMEOUT).group(0))

    text = command(c, "net")
    served = ntp.now()
    print(text.rstrip())
    assert re.search(r"^device: +cdc_ecm, MAC ([0-9a-f]{2}:){5}[0-9a-f]{2}$", text, re.M), text
    assert re.search(r"^link: +up", text, re.M), text
    assert re.search(r"^config: +DHCP, bound, lease \d+ s left$", text, re.M), text
    assert re.search(r"^address: +" + re.escape(GUEST_ADDR) + "$", text, re.M), text
    assert re.search(r"^gateway: +" + re.escape(HOST_ADDR) + "$", text, re.M), text
    assert re.search(r"^dns: +" + re.escape(SLIRP_DNS) + "$", text, re.M), text
    assert re.search(r"^ntp: +" + re.escape(HOST_ADDR) + r" from the configuration, answered", text, re.M), text
    shown = shown_utc(text)
    assert shown is not None, text
    assert abs(served - shown) <= CLOCK_TOLERANCE_S, f"clock {shown}, NTP server {served:.1f}:\n{text}"

    text = command(c, f"ping {HOST_ADDR} 3")
    replies = re.findall(r"^reply from " + re.escape(HOST_ADDR) + r": seq=(\d) ttl=\d+ time=[\d.]+ ms$", text, re.M)
    assert replies == ["0", "1", "2"], text
    assert "3 sent, 3 received, 0% loss" in text, text

    text = command(c, f"resolve {TEST_NAME}")
    assert re.search(re.escape(TEST_NAME) + r" is " + re.escape(TEST_NAME_ADDR), text), text
    assert TEST_NAME in dns.queries, dns.queries

    text = command(c, "usb")
    assert re.search(r"^ *" + re.escape(nic_port) + r" +addr +\d+ +full +" + USB_NET_ID + r" +class 02/00 +cfg \d+ +"
                     r"cdc_ecm\b", text, re.M), text
    assert re.search(r"^net0: cdc_ecm ([0-9a-f]{2}:){5}[0-9a-f]{2}, started, link up", text, re.M), text
    usb_text = text

    # Twice: the second run binds the port again, which fails unless the first closed its listener.
    for _ in range(2):
        received, seconds, mbit_s = iperf_receive(c, send_tcp_stream, NET_TIMEOUT)
        print(f"iperf: {received} bytes in {seconds} s, {mbit_s} Mbit/s")
        assert received == TCP_TEST_BYTES, received
    return usb_text


def check_iperf_incomplete_tests(c):
    """A client that resets its connection part-way, and one still sending when the wait ends: each is reported as
    such with what arrived, and the command fails."""
    c.send("iperf 10\r")
    c.expect(r"iperf: waiting up to", NET_TIMEOUT)
    with socket.create_connection(("127.0.0.1", IPERF_HOST_PORT), timeout=NET_TIMEOUT) as s:
        s.sendall(bytes(10000))
        time.sleep(1)  # for all of it to reach the firmware before the reset
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    print(c.expect(r"iperf: connection lost; received from \S+ port \d+: 10000 bytes in [\d.]+ s, [\d.]+ Mbit/s",
                   NET_TIMEOUT).group(0))
    c.expect(re.escape(PROMPT), NET_TIMEOUT)

    c.send("iperf 2\r")
    c.expect(r"iperf: waiting up to", NET_TIMEOUT)
    with socket.create_connection(("127.0.0.1", IPERF_HOST_PORT), timeout=NET_TIMEOUT) as s:
        s.sendall(bytes(1000))
        print(c.expect(r"iperf: stopped before the client finished; received from \S+ port \d+: 1000 bytes",
                       NET_TIMEOUT).group(0))
    c.expect(re.escape(PROMPT), NET_TIMEOUT)


@case
def raspi2b_usb_net():
    """usb-net alone: QEMU puts it behind a hub of its own on the controller's one root port (1.1)."""
    with boot_with_nic("raspi2b", RPI2, ["-device", "usb-net,netdev=n0"]) as c:
        text = check_network(c, "1.1")
        assert re.search(r"^1 +addr +\d+ +full +\S+ +class 09/00 .* hub\b", text, re.M), text
        check_iperf_incomplete_tests(c)


@case
def raspi2b_usb_net_behind_two_hubs():
    """Hubs given on the command line (QEMU then adds none): hub1 on the root port, hub2 on its port 2, the NIC on
    hub2's port 3. Port paths are QEMU's `port=` syntax for devices behind a usb-hub."""
    usb = ["-device", "usb-hub,id=hub1,bus=usb-bus.0,port=1",
           "-device", "usb-hub,id=hub2,bus=usb-bus.0,port=1.2",
           "-device", "usb-net,netdev=n0,bus=usb-bus.0,port=1.2.3"]
    with boot_with_nic("raspi2b", RPI2, usb) as c:
        text = check_network(c, "1.2.3")
        assert len(re.findall(r"class 09/00 .* hub\b", text)) == 2, text


class Qmp:
    """QEMU's machine protocol on a Unix socket: commands in, their results out (events are skipped)."""

    def __init__(self, path, timeout=NET_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rw")
        json.loads(self.file.readline())  # the greeting
        self.execute("qmp_capabilities")

    def execute(self, command, **arguments):
        self.file.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")
            if "return" in reply:
                return reply["return"]

    def close(self):
        self.file.close()
        self.sock.close()


@case
def raspi2b_usb_net_plugged_after_boot():
    """Nothing on the root port at boot: the bring-up stops waiting after a second and the main loop goes on
    looking. usb-net plugged in 3 s later (QEMU puts a hub of its own on the root port with it) is enumerated,
    started and given a lease. Unplugging is left to the register model's tests (tests/unit/drivers/test_usb_hotplug.c): QEMU
    7.2 aborts (usb_ep_get: dev != NULL) when a device with a transfer in flight is unplugged."""
    tmp = tempfile.mkdtemp(prefix="baremail-qmp-")
    path = os.path.join(tmp, "qmp.sock")
    args = ["-drive", f"file={CARD},if=sd,format=raw", "-netdev", USER_NET_WITH_IPERF,
            "-qmp", f"unix:{path},server=on,wait=off"]
    try:
        with QemuConsole("raspi2b", RPI2, extra_args=args) as c:
            c.expect(r"network device: no device connected", BOOT_TIMEOUT)
            c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
            qmp = Qmp(path)
            try:
                time.sleep(3)
                qmp.execute("device_add", driver="usb-net", netdev="n0", id="nic")
            finally:
                qmp.close()
            lease = c.expect(r"net: lease " + re.escape(GUEST_ADDR) + r", (\d+) ms after boot", NET_TIMEOUT)
            print(lease.group(0))
            assert int(lease.group(1)) > 3000, lease.group(0)
            text = command(c, "usb")
            assert re.search(r"^ *1\.1 +addr +\d+ +full +" + USB_NET_ID + r" .* cdc_ecm\b", text, re.M), text
            assert re.search(r"^net0: cdc_ecm ([0-9a-f]{2}:){5}[0-9a-f]{2}, started", text, re.M), text
            text = command(c, f"ping {HOST_ADDR} 1")
            assert "1 sent, 1 received" in text, text
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@case
def raspi0_usb_net():
    """A Zero's OTG port with a USB Ethernet adapter: the rpi1 image (ARM1176)."""
    with boot_with_nic("raspi0", RPI1, ["-device", "usb-net,netdev=n0"]) as c:
        check_network(c, "1.1")


def read_until(proc, pattern, timeout, text=""):
    """Reads proc's stdout (a pipe) until `pattern` matches text and what came since; returns all of it. Fails on
    timeout or EOF."""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, text):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([proc.stdout], [], [], max(left, 0))
        assert ready, f"no {pattern!r} within {timeout}s; output so far:\n{text}"
        data = os.read(proc.stdout.fileno(), 65536)
        assert data, f"QEMU ended before {pattern!r}; output:\n{text}"
        text += data.decode(errors="replace")
    return text


@case
def make_qemu_with_a_card():
    """`make qemu CARD=...`, as a user boots their own card: the card's smtp.conf is read and the usb-net NIC on
    QEMU's user network gets its lease; `poweroff` ends QEMU with status 0."""
    cmd = ["make", "--no-print-directory", "-C", ROOT, "qemu", f"CARD={CARD}"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        text = read_until(proc, re.escape(PROMPT), BOOT_TIMEOUT)
        assert "usb-net" in text and f"file={CARD}" in text, text
        read_until(proc, r"net: lease " + re.escape(GUEST_ADDR), NET_TIMEOUT, text)
        proc.stdin.write(b"poweroff\r")
        proc.stdin.flush()
        assert proc.wait(timeout=BOOT_TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    missing = subprocess.run(cmd[:-1] + ["CARD=/nonexistent/card.img"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=60)
    assert missing.returncode != 0 and "no card image /nonexistent/card.img" in missing.stdout, missing.stdout


def main():
    global ntp, dns
    # The card outside the namespace: `make sdcard` may have to fetch the Pi's firmware package first.
    if IN_NAMESPACE not in sys.argv:
        make_card(CONFIG, os.path.basename(CARD))
    sys.argv[1:] = reexec_in_private_network(sys.argv)
    with private_network("baremail-qemu-net-"):
        ntp, dns = start_servers(ntp_running=True)
        run_cases()


if __name__ == "__main__":
    main()
