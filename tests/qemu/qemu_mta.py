"""The Pi 2 in QEMU against a private Postfix + Dovecot (tests/integration/mta.py's TestMTA) on this machine, for
tests/qemu/test_mail_e2e.py and tools/demo.

mta_card() makes the SD card whose smtp.conf submits to a TestMTA listener as its user; guest_args() are QEMU's
arguments for that card and a usb-net NIC on the user network (slirp), where the host's loopback, and so the
TestMTA, is 10.0.2.2. send_test() waits for the DHCP lease and runs the console's `test`.

No NTP server runs here (the card names the host, 10.0.2.2, where nothing answers unless the caller runs one
there, fake_servers.NtpServer on the loopback), and without the clock the firmware refuses every TLS server whose
certificate is not pinned, since it cannot check the dates. So the card pins the listener's certificate
(TLS_Fingerprint): the firmware accepts a pinned certificate before its clock is set. A card for alerts
(mta_conf's `alerts`) needs the clock: no mail leaves without a Date.
"""
import os
import re
import sys

from qemu_console import BOOT_TIMEOUT, CARD_DIR, PROMPT, ROOT, make_card

sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
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
    the boot mail is on too, and the caller runs an NTP server on the host's loopback."""
    _, mode, cert = mta.LISTENERS[listener]
    lines = [
        f"Root={RCPT}",
        f"MailHub={mta.SLIRP_HOST_ADDR}:{server.ports[listener]}",
        f"HostName={HOST_NAME}",
        f"AuthUser={server.user}",
        f"AuthPass={password or server.password}",
        *TLS_KEYS[mode],
        "IP=dhcp",
        # The host, where nothing answers NTP: without this the firmware would ask pool.ntp.org, and have the time
        # or not depending on this machine's internet access. This way it has it only from the caller's server.
        f"NTPServer={mta.SLIRP_HOST_ADDR}",
    ]
    # Without alerts only the console's `test` sends: the demo and the tests see exactly the messages they asked for.
    lines += list(alerts) or ["BootMail=NO"]
    if cert:
        lines.append(f"TLS_Fingerprint={server.fingerprint(cert)}")
    return "\n".join(lines) + "\n"


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
