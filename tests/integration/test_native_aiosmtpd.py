#!/usr/bin/python3
"""Alerts against a second, independent SMTP server: Debian's python3-aiosmtpd (not Postfix, not Dovecot's SASL),
with STARTTLS required and AUTH offered only under TLS, so that the firmware is shown to follow the protocol and
not one server's habits.

usage: tests/integration/test_native_aiosmtpd.py [BINARY [CASE...]]   (default build/native/baremail, every case;
       needs root, /usr/bin/python3 and python3-aiosmtpd: tests/integration/setup-mta installs it)

The set-up is test_native_smtp.py's (private namespaces, NTP and DNS servers on the loopback, the test CA made as
TestMTA makes it); the server runs in this process and keeps every message it accepted with its envelope and the
session it came in. Ends with "N passed, M failed".
"""
import email.parser
import email.policy
import logging
import os
import queue
import re
import shutil
import ssl
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import mta  # noqa: E402
import test_native_alerts as alerts  # noqa: E402
import test_native_smtp as smtp  # noqa: E402

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
    # aiosmtpd 1.4 logs a warning about its own use of a deprecated attribute on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
except ImportError:
    Controller = None

# The submission port, moved like TestMTA's by BAREMAIL_MTA_PORT_OFFSET (in the test's own network namespace
# anyway).
PORT = 10600 + int(os.environ.get("BAREMAIL_MTA_PORT_OFFSET", "0"))
USER = mta.DEFAULT_USER
PASSWORD = mta.DEFAULT_PASSWORD
# lwIP's SNTP client asks again 15 s after a request that got no answer (SNTP_RETRY_TIMEOUT), then later.
CLOCK_TIMEOUT = 45

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Handler:
    """aiosmtpd's handler: every accepted message goes to `messages` as (SMTP session id, envelope sender,
    recipients, EmailMessage); `auth` lists each AUTH as (mechanism, accepted)."""

    def __init__(self):
        self.messages = queue.Queue()
        self.auth = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(envelope.original_content)
        self.messages.put((id(session), envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 2.0.0 Message accepted for delivery"


class AioServer:
    """aiosmtpd on 127.0.0.1:PORT with STARTTLS required and AUTH (PLAIN, LOGIN) after it, presenting the test
    CA's certificate for mta.HOST_NAME. Looks enough like a TestMTA for test_native_smtp's conf() and sd_dir()."""

    def __init__(self, directory):
        certs = mta._Certs(os.path.join(directory, "certs"), "ec")
        self.ca_file = certs.ca_file
        self.user, self.password = USER, PASSWORD
        self.ports = {"starttls": PORT}
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(certs._path("valid.pem"), certs._path("valid.key"))
        self.handler = Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=PORT, tls_context=ctx,
                                     require_starttls=True, auth_required=True, auth_require_tls=True,
                                     authenticator=self._authenticate, ident="aiosmtpd (baremail test)")

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        self.handler.auth.append((mechanism, ok))
        return AuthResult(success=ok)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
        return False

    def wait_for_session(self, listener, timeout):
        """No session log here (TestMTA's has one): there is never a session to skip."""
        raise TimeoutError("aiosmtpd keeps no session log")

    def wait_for_message(self, timeout):
        try:
            return self.handler.messages.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"aiosmtpd accepted no message within {timeout} s") from None


# ---- cases -------------------------------------------------------------------------------------------------


@case
def boot_mail_and_alert(server):
    """The boot mail, then `pin 17 low`: the alert, dated at the edge, over STARTTLS with AUTH."""
    with smtp.firmware(server, alerts.alert_conf(server, alerts.DOOR)) as fw:
        _, sender, rcpt, boot = server.wait_for_message(alerts.DELIVERY_TIMEOUT)
        assert boot["Subject"] == f"[{smtp.HOST_NAME}] baremail started", boot["Subject"]
        assert sender == "root@" + smtp.HOST_NAME and rcpt == [alerts.ALERT_RCPT], (sender, rcpt)
        at = alerts.pin(fw, "low")
        _, sender, rcpt, alert = server.wait_for_message(alerts.DELIVERY_TIMEOUT)
        alerts.printed(fw, r"outbox: mail 2 \(door triggered\) delivered: 250 2\.0\.0 Message accepted",
                       10)
    # No revaliases entry for the alert's account: the envelope sender is the console's (ssmtp's root@HostName).
    assert sender == "root@" + smtp.HOST_NAME == alert["From"], (sender, alert["From"])
    assert rcpt == [alerts.ALERT_RCPT], rcpt
    assert alert["Subject"] == "Door triggered", alert["Subject"]
    assert abs(alerts.date_of(alert) - at) <= alerts.DATE_SLACK_S, alert["Date"]
    assert alert["Auto-Submitted"] == "auto-generated", alert["Auto-Submitted"]
    assert server.handler.auth and all(ok for _, ok in server.handler.auth), server.handler.auth


@case
def alerts_before_the_clock_share_one_session(server):
    """Edges while the NTP server does not answer: the alerts wait for the clock with the boot mail (`outbox`
    says so), and once it is set all three go in one session (RSET between them), each dated at its event."""
    sd = smtp.sd_dir(server, alerts.alert_conf(server, alerts.DOOR))
    smtp.ntp.answering = False
    booted = time.time()
    try:
        with smtp.net.Firmware(sd) as fw:
            triggered = alerts.pin(fw, "low")
            time.sleep(1.2)
            recovered = alerts.pin(fw, "high")
            alerts.printed(fw, r"outbox: mail 3 \(door recovered\) queued", 5)
            text = smtp.run_command(fw, "outbox")
            assert len(re.findall(r"next: waiting for the clock$", text, re.M)) == 3, text
            smtp.ntp.answering = True
            got = [server.wait_for_message(CLOCK_TIMEOUT) for _ in range(3)]
            for i in (1, 2, 3):
                alerts.printed(fw, rf"outbox: mail {i} \(.*\) delivered: ", 10)
    finally:
        smtp.ntp.answering = True
    subjects = [msg["Subject"] for _, _, _, msg in got]
    assert subjects == [f"[{smtp.HOST_NAME}] baremail started", "Door triggered", "Door recovered"], subjects
    # Each dated at its event, not when the clock came: the boot mail at the boot.
    assert abs(alerts.date_of(got[0][3]) - booted) <= alerts.DATE_SLACK_S, got[0][3]["Date"]
    assert abs(alerts.date_of(got[1][3]) - triggered) <= alerts.DATE_SLACK_S, got[1][3]["Date"]
    assert abs(alerts.date_of(got[2][3]) - recovered) <= alerts.DATE_SLACK_S, got[2][3]["Date"]
    assert len({session for session, _, _, _ in got}) == 1, "the three mails took more than one session"


# ---- running -----------------------------------------------------------------------------------------------


class _ServerWithCerts:
    """An AioServer with its certificates in a directory of their own, removed when it stops."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="baremail-aiosmtpd-")
        self.server = AioServer(self.dir)
        return self.server.__enter__()

    def __exit__(self, *exc):
        self.server.__exit__(*exc)
        shutil.rmtree(self.dir, ignore_errors=True)
        return False


def main():
    if Controller is None:
        print("python3-aiosmtpd is missing under /usr/bin/python3: run tests/integration/setup-mta")
        print("0 passed, 1 failed")
        return 1
    return smtp.run_cases(CASES, "baremail-native-aiosmtpd-", make_server=_ServerWithCerts)


if __name__ == "__main__":
    sys.exit(main())
