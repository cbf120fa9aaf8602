#!/usr/bin/python3
"""The main job end to end in QEMU: the Pi 2 image, its usb-net NIC on QEMU's user network, and the console's
`test` submitting to a real Postfix + Dovecot (tests/integration/mta.py's TestMTA) on the host's loopback, which
the firmware reaches as 10.0.2.2. The cards come from qemu_mta.py, as tools/demo's does: DHCP, the host as NTP
server (qemu_mta.start_ntp() answers there), the server's certificate pinned.

Cases: the message arrives with the From, To and Subject the firmware wrote, and the console shows Postfix's 250
reply with the queue ID the message was delivered under; with a wrong AuthPass the console quotes the server's
535 and nothing is delivered; with an Alert line the boot mail arrives (once lease and clock are there), and
so does the alert for `pin 17 low`, dated at the edge.

Needs root and tests/integration/setup-mta run once (`make test-qemu` does both): like test_network.py the script
runs itself again in private network and mount namespaces, so the TestMTA's ports collide with nothing on the
machine. Ends with "N passed, M failed".
"""
import email.utils
import os
import re
import sys
import time

from qemu_console import BOOT_TIMEOUT, PROMPT, ROOT, QemuConsole, case, make_card, run_cases
from qemu_mta import (HOST_NAME, IMAGE, LEASE_TIMEOUT, MACHINE, RCPT, SENDER, SEND_TIMEOUT, guest_args, mta,
                      mta_card, send_test, start_ntp)

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from fake_servers import IN_NAMESPACE, private_network, reexec_in_private_network  # noqa: E402

# Any valid card, made before the namespace cuts the network off, so that `make sdcard` has fetched the Pi's
# firmware package by the time the cases make theirs.
WARM_UP_CONFIG = os.path.join(ROOT, "tests", "data", "config", "net-dhcp.conf")
# Postfix delivers within a second of its 250; a message that has not arrived after this is lost.
DELIVERY_TIMEOUT = 10.0
ALERT = 'Alert = door: gpio=17 subject="Door {state}" recovery=yes'
# The guest's clock comes from the NTP server, which gives the host's time: an alert's Date is its edge's second,
# give or take the command's way through the emulated console.
DATE_SLACK_S = 5

server = None


def boot(card):
    return QemuConsole(MACHINE, IMAGE, extra_args=guest_args(card))


@case
def test_message_delivered():
    """`test` over STARTTLS with AUTH: Postfix's 250 on the console, and the message in the mailbox under the
    queue ID it names."""
    with boot(mta_card(server, "mail-e2e.img")) as c:
        text = send_test(c)
    print(text.rstrip())
    assert re.search(rf"^connected to {re.escape(mta.SLIRP_HOST_ADDR)}:{server.ports['starttls']}\b", text,
                     re.M), text
    assert re.search(r"^TLS: ", text, re.M), text
    assert re.search(r"^AUTH (PLAIN|LOGIN|CRAM-MD5)$", text, re.M), text
    m = re.search(r"^sent: 250 2\.0\.0 Ok: .*queued as (\w+)$", text, re.M)
    assert m, text
    msg = server.wait_for_message(DELIVERY_TIMEOUT)
    assert msg["From"] == SENDER, msg["From"]
    assert msg["To"] == RCPT, msg["To"]
    assert msg["Return-Path"] == f"<{SENDER}>", msg["Return-Path"]
    assert msg["X-Original-To"] == RCPT, msg["X-Original-To"]
    assert msg["Subject"].startswith("baremail test from Raspberry Pi 2 Model B"), msg["Subject"]
    assert re.search(rf"\bid {m.group(1)}\b", msg["Received"]), msg["Received"]
    assert "This is a test message from baremail." in msg.get_content(), msg.get_content()
    # Composed once the clock was set: dated, and the body says when.
    assert msg["Date"], "no Date header"
    assert "Time:     unknown" not in msg.get_content(), msg.get_content()
    # Each case takes its own session off the log, so the next one sees its own.
    session = server.wait_for_session("starttls", DELIVERY_TIMEOUT)
    assert session.get("auth") == "1" and session.get("quit") == "1", session
    assert server.unread_messages() == [], "more than one message delivered"


@case
def wrong_password_quotes_535():
    """A wrong AuthPass: the AUTH step fails quoting the server's 535, the session ends, and nothing is
    delivered."""
    with boot(mta_card(server, "mail-e2e-badpass.img", password="wrong-pass")) as c:
        text = send_test(c)
    print(text.rstrip())
    assert re.search(r"^AUTH failed: 535 5\.7\.8 .*; permanent failure$", text, re.M), text
    assert "sent: " not in text, text
    session = server.wait_for_session("starttls", DELIVERY_TIMEOUT)
    assert session.get("auth") == "0/1" and "data" not in session, session
    assert server.unread_messages() == [], "a message was delivered after a failed AUTH"


@case
def boot_mail_and_alert():
    """An Alert line, NTPServer=10.0.2.2 answered by the host: once lease and clock are there the boot mail
    arrives (address, the alert with its pin and state), then `pin 17 low` brings "Door triggered"."""
    card = mta_card(server, "mail-e2e-alert.img", alerts=[ALERT])
    with boot(card) as c:
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        c.expect(r"net: lease \S+, \d+ ms after boot", LEASE_TIMEOUT)
        c.expect(r"outbox: mail 1 \(boot mail\) delivered: ", SEND_TIMEOUT)
        boot_mail = server.wait_for_message(DELIVERY_TIMEOUT)
        at = time.time()
        text = c.command("pin 17 low")
        assert "watched by alert 'door'" in text, text
        c.expect(r"outbox: mail 2 \(door triggered\) delivered: ", SEND_TIMEOUT)
        alert = server.wait_for_message(DELIVERY_TIMEOUT)
    assert boot_mail["Subject"] == f"[{HOST_NAME}] baremail started", boot_mail["Subject"]
    assert boot_mail["From"] == SENDER and boot_mail["To"] == RCPT, (boot_mail["From"], boot_mail["To"])
    body = boot_mail.get_content()
    assert "on Raspberry Pi 2 Model B" in body, body
    assert re.search(r"^Address: 10\.0\.2\.15\r?$", body, re.M), body
    assert re.search(r"^  door: GPIO 17 \(header pin 11\), pull up, edge falling: normal \(high\)", body, re.M), body
    assert alert["Subject"] == "Door triggered", alert["Subject"]
    assert alert["To"] == RCPT, alert["To"]
    date = email.utils.parsedate_to_datetime(alert["Date"]).timestamp()
    assert abs(date - at) <= DATE_SLACK_S, (alert["Date"], time.ctime(at))
    assert server.unread_messages() == [], "more messages than the boot mail and the alert"


def main():
    global server
    if IN_NAMESPACE not in sys.argv:
        make_card(WARM_UP_CONFIG, "mail-e2e-warm-up.img")
    sys.argv[1:] = reexec_in_private_network(sys.argv)
    with private_network("baremail-qemu-mail-"), mta.TestMTA() as server:
        start_ntp()
        run_cases()


if __name__ == "__main__":
    main()
