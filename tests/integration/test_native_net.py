#!/usr/bin/python3
"""The native board's network end to end: build/native/baremail on libslirp, against an NTP and a DNS server
that this test runs on the host's loopback (slirp's 10.0.2.2), driven through its console on stdin/stdout.

usage: tests/integration/test_native_net.py [BINARY]     (default build/native/baremail; needs root)

The test re-runs itself in private network and mount namespaces (unshare): its own loopback, so the servers on
ports 53 and 123 collide with nothing else on the machine, and its own /etc/resolv.conf naming 127.0.0.1, so
slirp's DNS proxy (10.0.2.3) forwards to the test's DNS server exactly as QEMU's would to the host's resolver.
Ends with "N passed, M failed".
"""
import fcntl
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from console_text import PROMPT, ConsoleText  # noqa: E402
from fake_servers import (IN_NAMESPACE, TEST_NAME, TEST_NAME_ADDR, TEST_UTC_TEXT, private_network,  # noqa: E402
                          reexec_in_private_network, start_servers)

BINARY = "build/native/baremail"
CASES = []
# Every file the test makes (SD directories and images, resolv.conf) lives here and goes at the end.
SCRATCH = None


def case(fn):
    CASES.append(fn)
    return fn


# ---- the firmware ------------------------------------------------------------------------------------------


class Firmware(ConsoleText):
    """build/native/baremail with a pipe for its console."""
    NEWLINE = "\n"
    COMMAND_TIMEOUT = 20.0

    def __init__(self, sd_dir):
        super().__init__()
        self.proc = subprocess.Popen([BINARY, "--sd", sd_dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        fcntl.fcntl(self.proc.stdout, fcntl.F_SETFL, fcntl.fcntl(self.proc.stdout, fcntl.F_GETFL) | os.O_NONBLOCK)

    def _receive(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return True
        chunk = self.proc.stdout.read()
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace")
        return True

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_for(self, line, pattern, timeout):
        """Repeats a command until its output matches pattern; returns the last output."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.command(line)
            if re.search(pattern, text, re.M):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"`{line}` never showed {pattern!r}; last output:\n{text}")
            time.sleep(0.5)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        self.expect(re.escape(PROMPT), 10)
        return self

    def __exit__(self, *exc):
        self.close()


def sd_dir(conf):
    """A directory standing in for the boot partition, with smtp.conf under an upper-case name (FAT ignores case,
    and so must the native board)."""
    path = tempfile.mkdtemp(prefix="sd-", dir=SCRATCH)
    with open(os.path.join(path, "SMTP.CONF"), "w") as f:
        f.write(conf)
    return path


DHCP_CONF = ("Root=alerts@example.test\nMailHub=" + TEST_NAME + ":465\nUseTLS=YES\nTLS_Fingerprint="
             + "ab" * 32 + "\nIP=dhcp\nNTPServer=10.0.2.2\nHostName=pi-alarm.example.test\n")
STATIC_CONF = ("Root=alerts@example.test\nMailHub=" + TEST_NAME + ":465\nUseTLS=YES\nTLS_Fingerprint="
               + "ab" * 32 + "\nIP=10.0.2.20/24\nGateway=10.0.2.2\nDNS=10.0.2.2\nNTPServer=10.0.2.2\n")


# ---- cases -------------------------------------------------------------------------------------------------


@case
def dhcp_lease_dns_and_clock(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        text = fw.wait_for("net", r"^time: +" + re.escape(TEST_UTC_TEXT), 40)
        assert re.search(r"^address: +10\.0\.2\.15$", text, re.M), text
        assert re.search(r"^netmask: +255\.255\.255\.0$", text, re.M), text
        assert re.search(r"^gateway: +10\.0\.2\.2$", text, re.M), text
        assert re.search(r"^dns: +10\.0\.2\.3$", text, re.M), text
        assert re.search(r"^config: +DHCP, bound, lease \d+ s left$", text, re.M), text
        assert re.search(r"^link: +up", text, re.M), text
        assert re.search(r"^device: +slirp, MAC 52:54:00:12:34:56$", text, re.M), text
        assert re.search(r"^ntp: +10\.0\.2\.2 from the configuration, answered the last poll$", text, re.M), text
        assert ntp.requests > 0


@case
def ping_the_host(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        fw.wait_for("net", r"^address: +10\.0\.2\.15$", 30)
        text = fw.command("ping 10.0.2.2 3")
        replies = re.findall(r"^reply from 10\.0\.2\.2: seq=(\d) ttl=\d+ time=[\d.]+ ms$", text, re.M)
        assert replies == ["0", "1", "2"], text
        assert re.search(r"3 sent, 3 received, 0% loss", text), text


@case
def resolve_through_slirp_dns(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        fw.wait_for("net", r"^address: +10\.0\.2\.15$", 30)
        text = fw.command("resolve " + TEST_NAME)
        assert re.search(re.escape(TEST_NAME) + r" is " + re.escape(TEST_NAME_ADDR), text), text
        assert TEST_NAME in dns.queries, dns.queries
        text = fw.command("resolve nosuch.baremail.test")
        assert "no such name" in text, text
        text = fw.command("ping " + TEST_NAME + " 1")
        assert re.search(r"PING " + re.escape(TEST_NAME) + r" \(" + re.escape(TEST_NAME_ADDR) + r"\)", text), text


@case
def static_address_and_dns_from_config(ntp, dns):
    with Firmware(sd_dir(STATIC_CONF)) as fw:
        text = fw.wait_for("net", r"^time: +" + re.escape(TEST_UTC_TEXT), 40)
        assert re.search(r"^config: +static$", text, re.M), text
        assert re.search(r"^address: +10\.0\.2\.20$", text, re.M), text
        assert re.search(r"^gateway: +10\.0\.2\.2$", text, re.M), text
        assert re.search(r"^dns: +10\.0\.2\.2$", text, re.M), text
        text = fw.command("resolve " + TEST_NAME)
        assert TEST_NAME_ADDR in text, text
        text = fw.command("ping 10.0.2.2 1")
        assert "1 received" in text, text


@case
def usage_errors(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        assert "usage: ping HOST [count]" in fw.command("ping")
        assert "usage: ping HOST [count]" in fw.command("ping 10.0.2.2 0")
        assert "usage: resolve NAME" in fw.command("resolve")
        assert "usage: net" in fw.command("net x")
        assert "usage: iperf [seconds]" in fw.command("iperf 0")
        assert "usage: iperf [seconds]" in fw.command("iperf 1 2")


@case
def iperf_without_a_client(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        fw.wait_for("net", r"^address: +10\.0\.2\.15$", 30)
        text = fw.command("iperf 1")
        assert "iperf: waiting up to 1 s for one test on TCP port 5001 (from a PC: iperf -c 10.0.2.15)" in text, text
        assert "iperf: no test arrived" in text, text
        # The port was closed again: a second run can listen on it.
        assert "iperf: no test arrived" in fw.command("iperf 1")


@case
def ctrl_c_stops_ping(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        fw.wait_for("net", r"^address: +10\.0\.2\.15$", 30)
        # 192.0.2.25 is nowhere (slirp answers only its own addresses): each request waits its full second.
        fw.send("ping " + TEST_NAME_ADDR + " 100\n")
        fw.expect(r"PING ", 10)
        time.sleep(1.5)
        fw.send("\x03")
        fw.expect(r"\^C", 5)
        m = fw.expect(r"--- .*: (\d+) sent, 0 received, 100% loss", 5)
        assert 1 <= int(m.group(1)) <= 3, m.group(0)
        fw.expect(re.escape(PROMPT), 5)


def sd_image(partitioned):
    """An SD card image with smtp.conf on its FAT16 file system: behind an MBR partition table as on a real card,
    or a bare file system ("superfloppy")."""
    path = os.path.join(tempfile.mkdtemp(prefix="img-", dir=SCRATCH), "sd.img")
    conf = os.path.join(os.path.dirname(path), "smtp.conf")
    with open(conf, "w") as f:
        f.write(STATIC_CONF)
    offset = 2048 if partitioned else 0
    with open(path, "wb") as f:
        f.truncate((offset + 32768) * 512)
    if partitioned:
        subprocess.run(["sfdisk", "--quiet", path], input=f"{offset},,0e\n", text=True, check=True)
    subprocess.run(["mkfs.fat", "-F", "16", "--offset", str(offset), path], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["mcopy", "-i", f"{path}@@{offset * 512}", conf, "::SMTP.CONF"], check=True)
    return path


@case
def config_from_sd_images(ntp, dns):
    for partitioned in (True, False):
        fw = Firmware(sd_image(partitioned))
        with fw:
            text = fw.command("net")
            assert re.search(r"^config: +static$", text, re.M), text
            assert re.search(r"^address: +10\.0\.2\.20$", text, re.M), text


@case
def reboot_restarts_with_the_cause(ntp, dns):
    with Firmware(sd_dir(DHCP_CONF)) as fw:
        fw.send("reboot\n")
        fw.expect(r"reset: +console reboot", 10)
        fw.expect(re.escape(PROMPT), 10)
        text = fw.command("status")
        assert "console reboot" in text, text


@case
def end_of_input_exits_cleanly(ntp, dns):
    fw = Firmware(sd_dir(DHCP_CONF))
    try:
        fw.expect(re.escape(PROMPT), 10)
        fw.proc.stdin.close()
        assert fw.proc.wait(timeout=5) == 0
    finally:
        fw.close()


# ---- running -----------------------------------------------------------------------------------------------


def main():
    global BINARY, SCRATCH
    args = [a for a in sys.argv[1:] if a != IN_NAMESPACE]
    if args:
        BINARY = args[0]
    if not os.access(BINARY, os.X_OK):
        print(f"{BINARY} is missing: make BOARD=native first")
        print("0 passed, 1 failed")
        return 1
    reexec_in_private_network(sys.argv)
    passed = failed = 0
    with private_network("baremail-native-net-") as SCRATCH:
        ntp, dns = start_servers()
        for fn in CASES:
            start = time.monotonic()
            try:
                fn(ntp, dns)
                passed += 1
                print(f"PASS {fn.__name__} ({time.monotonic() - start:.1f} s)", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
