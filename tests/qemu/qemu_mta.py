"""The Pi 2 in QEMU against a private Postfix + Dovecot (tests/integration/mta.py's TestMTA) on this machine, for
tests/qemu/test_mail_e2e.py and tools/demo.

mta_card() makes the SD card whose smtp.conf submits to a TestMTA listener as its user; guest_args() are QEMU's
arguments for that card and a usb-net NIC on the user network (slirp), where the host's loopback, and so the
TestMTA, is 10.0.2.2. send_test() waits for the DHCP lease and runs the console's `test`.

The card names the host, 10.0.2.2, as its NTP server, and start_ntp() answers there with this machine's time:
`test` composes a message only once the clock is set (a mail needs a Date), so without an NTP answer it would
wait and fail. The card also pins the listener's certificate (TLS_Fingerprint), as a user would for a local relay,
so it needs no CA file.
"""
import errno
import os
import re
import sys
import time

from qemu_console import BOOT_TIMEOUT, CARD_DIR, PROMPT, ROOT, make_card

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import fake_servers  # noqa: E402
import mta  # noqa: E402

MACHINE = "raspi2b"
IMAGE = "build/rpi2/kernel7.img"
# The firmware's From and envelope sender for the console's `test` are root@HostName.
HOST_NAME = "pi-demo.baremail.test"
SENDER = "root@" + HOST_NAME
RCPT = "you@baremail.test"
# The submission port with STARTTLS, as most providers offer it.
LISTENER = "starttls"
# smtp.conf's TLS keys for each TestMTA listener mode.
TLS_KEYS = {"starttls": ["UseTLS=YES", "UseSTARTTLS=YES"], "implicit": ["UseTLS=YES"],
            "none": ["UseTLS=NO", "AllowAuthWithoutTLS=YES"]}  # the plain listener: a trusted relay, by choice
# slirp's DHCP answers within a second or two of QEMU time; the rest is slack for a loaded machine.
LEASE_TIMEOUT = 30.0
# One submission under emulation: TCP, the TLS handshake (P-256 on an emulated Cortex-A7), AUTH through Dovecot.
SEND_TIMEOUT = 60.0


def mta_conf(server, listener=LISTENER, password=None, alerts=()):
    """smtp.conf submitting to `listener` of the running TestMTA `server` as its user (with `password` instead of
    the right one when given), mail for root going to RCPT. With `alerts` (smtp.conf lines: Alert and the like)
    the boot mail is on too."""
    _, mode, cert = mta.LISTENERS[listener]
    lines = [
        f"Root={RCPT}",
        f"MailHub={mta.SLIRP_HOST_ADDR}:{server.ports[listener]}",
        f"HostName={HOST_NAME}",
        f"AuthUser={server.user}",
        f"AuthPass={password or server.password}",
        *TLS_KEYS[mode],
        "IP=dhcp",
        # The host, where start_ntp() answers: without this the firmware would ask pool.ntp.org, and have the time
        # or not depending on this machine's internet access.
        f"NTPServer={mta.SLIRP_HOST_ADDR}",
    ]
    # Without alerts only the console's `test` sends: the demo and the tests see exactly the messages they asked for.
    lines += list(alerts) or ["BootMail=NO"]
    if cert:
        lines.append(f"TLS_Fingerprint={server.fingerprint(cert)}")
    return "\n".join(lines) + "\n"


def start_ntp():
    """Answers NTP on this machine's loopback port 123 (the guest's 10.0.2.2) with this machine's time; returns the
    server, or None when another NTP server holds the port already (it answers the guest the same way)."""
    try:
        ntp = fake_servers.NtpServer(utc=time.time(), running=True)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            return None
        raise
    ntp.start()
    return ntp


def mta_card(server, name, listener=LISTENER, password=None, alerts=()):
    """CARD_DIR/name, a card holding mta_conf(server, listener, password, alerts); returns its path."""
    os.makedirs(CARD_DIR, exist_ok=True)
    conf = os.path.join(CARD_DIR, os.path.splitext(name)[0] + ".conf")
    with open(conf, "w") as f:
        f.write(mta_conf(server, listener, password, alerts))
    return make_card(conf, name)


def guest_args(card):
    """QEMU's arguments, after the machine and image, for `card` and a usb-net NIC on the user network."""
    return ["-drive", f"file={card},if=sd,format=raw", "-netdev", "user,id=n0", "-device", "usb-net,netdev=n0"]


def send_test(console):
    """On a console just booted with guest_args(): waits for the prompt and the lease, runs `test` and returns
    what it printed, with plain newlines."""
    console.expect(re.escape(PROMPT), BOOT_TIMEOUT)
    console.expect(r"net: lease \S+, \d+ ms after boot", LEASE_TIMEOUT)
    return console.command("test", SEND_TIMEOUT).replace("\r\n", "\n")
