"""The servers the network tests run on this machine, and the private network they run them in.

The firmware under test (the native board on libslirp, or QEMU's usb-net on its user network) reaches the host as
10.0.2.2 and slirp's DNS proxy as 10.0.2.3, which forwards to the first nameserver of /etc/resolv.conf. A test
script calls reexec_in_private_network() first: the script runs again under `unshare --net --mount` (root), and
setup_private_network() then brings up the namespace's own loopback and binds a resolv.conf naming 127.0.0.1 over
/etc/resolv.conf, in that mount namespace only. The servers below bind ports 123 and 53 of that loopback, so they
collide with nothing on the machine, and slirp forwards the firmware's DNS queries to them exactly as it would
to the host's resolver.

NtpServer answers SNTP with a date nobody's host clock shows (TEST_UTC), so the firmware can only have it from
this server; DnsServer knows one name (TEST_NAME) and answers NXDOMAIN for every other.
"""
import contextlib
import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

IN_NAMESPACE = "--in-namespace"

TEST_UTC = 1893553445  # 2030-01-02 03:04:05 UTC
TEST_UTC_TEXT = "2030-01-02 03:04"
NTP_UNIX_OFFSET = 2208988800
NTP_FRACTION = 1 << 32

TEST_NAME = "mail.baremail.test"
TEST_NAME_ADDR = "192.0.2.25"


class NtpServer(threading.Thread):
    """Answers SNTP client requests (mode 3), echoing the request's transmit time as the originate time, as
    RFC 4330 servers do (lwIP checks it). Its clock shows utc: stopped there (running=False, so a test can match
    the minute), or starting there when the server starts and running with the host's monotonic clock
    (running=True, so a test can check the client's clock to the second). With answering=False it ignores
requests, as a server out of reach would (they are still counted)."""

    def __init__(self, utc=TEST_UTC, running=False):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 123))
        self.utc = utc
        self.running = running
        self.started_at = time.monotonic()
        self.requests = 0
        # Seconds each answer is held back: a slow server, so that a test can act before the client's clock is set.
        self.delay = 0.0
        # False: silent, as an unreachable server (a test can hold the client's clock back for good).
        self.answering = True

    def now(self):
        """The server's clock: seconds since 1970 (UTC), with a fraction when it runs."""
        return self.utc + (time.monotonic() - self.started_at if self.running else 0)

    def run(self):
        while True:
            data, peer = self.sock.recvfrom(512)
            if len(data) < 48 or data[0] & 7 != 3:
                continue
            self.requests += 1
            if not self.answering:
                continue
            if self.delay:
                time.sleep(self.delay)
            version = (data[0] >> 3) & 7
            now = int((self.now() + NTP_UNIX_OFFSET) * NTP_FRACTION)
            reply = struct.pack("!BBbbII4sQQQQ", (version << 3) | 4, 1, 6, -20, 0, 0, b"TEST",
                                now, struct.unpack("!Q", data[40:48])[0], now, now)
            self.sock.sendto(reply, peer)


class DnsServer(threading.Thread):
    """Answers A queries for TEST_NAME; NXDOMAIN for every other name. queries lists the names asked for."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 53))
        self.queries = []

    def run(self):
        while True:
            data, peer = self.sock.recvfrom(512)
            if len(data) < 12:
                continue
            qid, _flags, qdcount = struct.unpack("!HHH", data[:6])
            labels, pos = [], 12
            while pos < len(data) and data[pos] != 0:
                n = data[pos]
                labels.append(data[pos + 1:pos + 1 + n].decode("ascii", "replace"))
                pos += n + 1
            question_end = pos + 5
            qtype = struct.unpack("!H", data[pos + 1:pos + 3])[0] if pos + 3 <= len(data) else 0
            name = ".".join(labels).lower()
            self.queries.append(name)
            question = data[12:question_end]
            if name == TEST_NAME and qtype == 1:
                answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(TEST_NAME_ADDR)
                header = struct.pack("!HHHHHH", qid, 0x8180, qdcount, 1, 0, 0)
            else:
                answer = b""
                header = struct.pack("!HHHHHH", qid, 0x8183, qdcount, 0, 0, 0)
            self.sock.sendto(header + question + answer, peer)


def reexec_in_private_network(argv):
    """Outside the namespace: runs the script argv[0] again with its arguments under `unshare --net --mount`
    (never returns). Inside: returns the arguments without the marker."""
    if IN_NAMESPACE in argv:
        return [a for a in argv[1:] if a != IN_NAMESPACE]
    os.execvp("unshare", ["unshare", "--net", "--mount", sys.executable, os.path.abspath(argv[0]), IN_NAMESPACE]
              + argv[1:])


def _loopback_up():
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, struct.pack("16sh", b"lo", 0))[:18])[1]
    fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
    s.close()


def setup_private_network(scratch):
    """Inside the namespace: loopback up and /etc/resolv.conf naming 127.0.0.1 (the file is made in scratch).
    teardown_private_network() undoes the mount."""
    _loopback_up()
    fd, path = tempfile.mkstemp(prefix="resolv-", dir=scratch)
    os.write(fd, b"nameserver 127.0.0.1\n")
    os.close(fd)
    subprocess.run(["mount", "--bind", path, "/etc/resolv.conf"], check=True)


def teardown_private_network():
    subprocess.run(["umount", "/etc/resolv.conf"], check=False)


@contextlib.contextmanager
def private_network(prefix):
    """Inside the namespace: setup_private_network() with a new scratch directory, which the block gets; afterwards
    the mount is undone and the directory removed, whatever happened."""
    scratch = tempfile.mkdtemp(prefix=prefix)
    setup_private_network(scratch)
    try:
        yield scratch
    finally:
        teardown_private_network()
        shutil.rmtree(scratch, ignore_errors=True)


def start_servers(ntp_running=False):
    """Starts an NtpServer and a DnsServer on the namespace's loopback; returns them."""
    ntp, dns = NtpServer(running=ntp_running), DnsServer()
    ntp.start()
    dns.start()
    return ntp, dns
