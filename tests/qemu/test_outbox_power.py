#!/usr/bin/python3
"""Power loss loses no alert (issue 11), end to end in QEMU: the Pi 2 image with a card `make sdcard` built (its
journal partition), alerts raised with `pin 17 low` / `pin 17 high` while the mail server refuses (nothing listens
on the card's MailHub port) or after it came back (a relay to a real Postfix + Dovecot, tests/integration/mta.py),
QEMU killed with SIGKILL at a random moment, ROUNDS times on the same image; then a last boot with the server
there: every alert whose "queued" line the console printed arrives, with the Date of the moment its pin changed
(NtpServer's running clock), and a mail that arrives twice does so with the same Message-ID.

The clock comes from tests/lib/fake_servers.py's NtpServer (QEMU's user network forwards the guest's 10.0.2.2:123
to this namespace's loopback); alerts are raised once the console says the clock is set, so each has its Date at
once (an event from before the clock, cut by a power loss, is dated at the next boot: tests/unit/
firmware/test_outbox_journal.c covers it). One Postfix serves every round. Needs root and tests/integration/setup-mta,
like test_mail_e2e.py. Ends with "N passed, M failed". BAREMAIL_POWER_SEED repeats a run's kill points.
"""
import email.utils
import os
import random
import re
import sys
import time

from qemu_console import BOOT_TIMEOUT, CARD_DIR, PROMPT, ROOT, QemuConsole, case, make_card, run_cases
from qemu_mta import IMAGE, MACHINE, guest_args, mta, mta_conf

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from fake_servers import IN_NAMESPACE, NtpServer, private_network, reexec_in_private_network  # noqa: E402

ROUNDS = 20
# Where the card's MailHub points: nothing listens there while the server "refuses"; a relay to Postfix
# (mta.CaptureProxy) after.
HUB_PORT = 2600 + int(os.environ.get("BAREMAIL_MTA_PORT_OFFSET", "0")) % 1000
# A kill lands anywhere from just after the first pin change to well into a delivery session.
KILL_WINDOW_S = 8.0
# The second pin change follows the first after this (the default debounce is 50 ms).
PIN_GAP_S = 0.5
# The lease and NTP's first answer under emulation, with slack for a loaded machine.
CLOCK_TIMEOUT = 45.0
# The last boot delivers everything left: a TLS session or two under emulation.
DELIVERY_TIMEOUT = 180.0
# An event's Date is the second its pin changed; the host's time of the command is within this of it.
DATE_SLACK_S = 3

server = None
ntp = None


def card():
    conf = mta_conf(server).replace(f"MailHub={mta.SLIRP_HOST_ADDR}:{server.ports['starttls']}",
                                    f"MailHub={mta.SLIRP_HOST_ADDR}:{HUB_PORT}")
    conf += "Alert=door: gpio=17 pull=up edge=both\nRateLimit=1000/hour\n"
    os.makedirs(CARD_DIR, exist_ok=True)
    path = os.path.join(CARD_DIR, "outbox-power.conf")
    with open(path, "w") as f:
        f.write(conf)
    return make_card(path, "outbox-power.img")


def drain(c, until):
    """Reads the console until the monotonic time `until` (or QEMU's end)."""
    while time.monotonic() < until:
        if not c._receive(min(0.2, max(0.0, until - time.monotonic()))):
            return


def one_round(image, rng, server_up, expected):
    """Boots, waits for the clock, raises two events and kills QEMU at a random moment; adds each event the console
    said was queued to `expected` as (state, UTC of its pin change). Returns how many pin changes were typed."""
    kill_after = rng.uniform(0.0, KILL_WINDOW_S)
    with QemuConsole(MACHINE, IMAGE, extra_args=guest_args(image)) as c:
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        c.expect(r"net: clock set by NTP", CLOCK_TIMEOUT)
        sent = []
        start = time.monotonic()
        for level, at in (("low", 0.0), ("high", PIN_GAP_S)):
            if kill_after < at:
                break
            drain(c, start + at)
            sent.append(ntp.now())
            c.send(f"pin 17 {level}\r")
        drain(c, start + kill_after)
        c.proc.kill()  # SIGKILL: no chance to finish a block write or anything else
        c.proc.wait(timeout=10)
        drain(c, time.monotonic() + 2.0)  # what the guest wrote before it died is still in the socket
        text = c.output.replace("\r\n", "\n")
    assert "merged" not in text, text
    assert "outbox: journal:" not in text, text
    assert "kept in RAM" not in text and "RAM only" not in text, text
    # The line may follow the prompt the pin command left.
    queued = re.findall(r"outbox: mail \d+ \(door (triggered|recovered)\) queued$", text, re.M)
    # The first pin change is "triggered" (the pull-up holds the pin high), the second "recovered".
    assert len(queued) <= len(sent), (queued, sent)
    for state in queued:
        expected.append((state, sent[0] if state == "triggered" else sent[1]))
    delivered = len(re.findall(r"\) delivered: .*\b250\b", text))
    print(f"  server {'up' if server_up else 'refusing'}, killed {kill_after:.2f} s after the first pin change: "
          f"{len(queued)} queued, {delivered} delivered")
    assert server_up or delivered == 0, f"delivered while the server refused:\n{text}"
    if not queued:
        print("    console:\n" + "\n".join("    " + line for line in text.splitlines()[-12:]))
    return len(sent)


def received_groups():
    """Delivered messages grouped by Message-ID: {id: [(Date as UTC seconds, state), ...]}."""
    groups = {}
    for _, msg in server.messages():
        state = "recovered" if "recovered" in msg["Subject"] else "triggered"
        date = int(email.utils.parsedate_to_datetime(msg["Date"]).timestamp())
        groups.setdefault(msg["Message-ID"], []).append((date, state))
    return groups


def unmatched(expected, groups):
    """The expected events that no distinct message accounts for (each message accounts for one event)."""
    free = {mid: copies[0] for mid, copies in groups.items()}
    missing = []
    for state, utc in expected:
        match = next((mid for mid, (date, st) in free.items() if st == state and abs(date - utc) <= DATE_SLACK_S),
                     None)
        if match is None:
            missing.append((state, utc))
        else:
            del free[match]
    return missing


@case
def alerts_survive_sigkill_at_random_points():
    seed = int(os.environ.get("BAREMAIL_POWER_SEED", str(random.randrange(1 << 30))))
    print(f"  seed {seed} (BAREMAIL_POWER_SEED repeats it)")
    rng = random.Random(seed)
    image = card()
    expected = []
    typed = 0
    relay = None
    for i in range(ROUNDS):
        # The server refuses in the first half and in every other round after: mails wait on the card, and some
        # kills land during a delivery.
        server_up = i >= ROUNDS // 2 and i % 2 == 1
        if server_up and relay is None:
            relay = mta.CaptureProxy(server.ports["starttls"], listen_port=HUB_PORT)
        elif not server_up and relay is not None:
            relay.close()
            relay = None
        typed += one_round(image, rng, server_up, expected)
    if relay is None:
        relay = mta.CaptureProxy(server.ports["starttls"], listen_port=HUB_PORT)
    try:
        with QemuConsole(MACHINE, IMAGE, extra_args=guest_args(image)) as c:
            c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
            deadline = time.monotonic() + DELIVERY_TIMEOUT
            while unmatched(expected, received_groups()) and time.monotonic() < deadline:
                drain(c, time.monotonic() + 1.0)
            where = c.command("outbox").replace("\r\n", "\n")
    finally:
        relay.close()
    assert "kept in journal on the SD card" in where, where
    groups = received_groups()
    missing = unmatched(expected, groups)
    assert not missing, f"{len(missing)} of {len(expected)} alerts never arrived: {missing}\n{where}"
    # A copy only with the same Message-ID: every copy of a message is the same mail (Date and state).
    for mid, copies in groups.items():
        assert len(set(copies)) == 1, (mid, copies)
    # No mail for an event that never happened (at most one per pin change typed), and no event sent again under
    # another Message-ID (two messages with the same state and Date would be one event twice).
    assert len(groups) <= typed, (len(groups), typed)
    firsts = [copies[0] for copies in groups.values()]
    assert len(set(firsts)) == len(firsts), sorted(firsts)
    copies = sum(len(c) for c in groups.values())
    print(f"  {len(expected)} alerts queued, {len(groups)} distinct mails, {copies - len(groups)} duplicate copies "
          f"(same Message-ID)")


def main():
    global server, ntp
    if IN_NAMESPACE not in sys.argv:
        make_card(os.path.join(ROOT, "tests", "data", "config", "net-dhcp.conf"), "outbox-power-warm-up.img")
    sys.argv[1:] = reexec_in_private_network(sys.argv)
    with private_network("baremail-qemu-power-"), mta.TestMTA() as server:
        ntp = NtpServer(running=True)
        ntp.start()
        run_cases()


if __name__ == "__main__":
    main()
