#!/usr/bin/python3
"""SMTP submission end to end on the native board: build/native/baremail's `test` and `sendmail` commands and
tools/pi-sendmail, against a real Postfix + Dovecot (tests/integration/mta.py) on the host's loopback, which the
firmware reaches through libslirp as 10.0.2.2.

usage: tests/integration/test_native_smtp.py [BINARY [CASE...]]   (default build/native/baremail, every case;
       needs root and tests/integration/setup-mta run once)

Like test_native_net.py (whose firmware driver, NTP and DNS servers it uses), the test re-runs itself in private
network and mount namespaces, so Postfix, Dovecot and the test's servers collide with nothing on the machine. The
DNS server gives the Postfix host name (mta.HOST_NAME) as 10.0.2.2, so the firmware checks the certificates
against the name they were made for; the NTP server gives the host's own time, so the certificates made a moment
ago are within their dates. Each case boots the firmware with its own smtp.conf on an SD directory that also
holds the test CA (TLS_CA_File). Ends with "N passed, M failed".
"""
import contextlib
import email.utils
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import fake_servers  # noqa: E402
import mta  # noqa: E402
import test_native_net as net  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
PI_SENDMAIL = os.path.join(ROOT, "tools", "pi-sendmail")
HOST_NAME = "pi-alarm.baremail.test"
SENDER = "root@" + HOST_NAME
RCPT = "you@baremail.test"
CA_NAME = "testca.pem"
# Longest a submission to the local Postfix may take (TLS, AUTH through Dovecot, delivery).
SEND_TIMEOUT = 30
DATE_SLACK_S = 600

CASES = []
# run_cases()' NTP server: a case may slow it down (delay) or silence it (answering).
ntp = None


def case(fn):
    CASES.append(fn)
    return fn


# ---- set-up ------------------------------------------------------------------------------------------------


def conf(server, listener, tls, password=None, debug=False, port=None, boot_mail=False):
    """smtp.conf for a listener of the TestMTA: tls is "starttls", "implicit", "none" (UseTLS=NO with
    AllowAuthWithoutTLS=YES, the user's explicit choice of credentials in clear for a trusted relay) or "clear"
    (UseTLS=NO alone, which the firmware refuses). The boot mail is off unless asked for: these cases count the
    messages their commands send."""
    lines = [
        "Root=admin@baremail.test",
        f"MailHub={mta.HOST_NAME}:{port or server.ports[listener]}",
        f"HostName={HOST_NAME}",
        f"AuthUser={server.user}",
        f"AuthPass={password or server.password}",
        f"TLS_CA_File={CA_NAME}",
        "IP=10.0.2.20/24", "Gateway=10.0.2.2", "DNS=10.0.2.2", "NTPServer=10.0.2.2",
    ]
    lines += {"starttls": ["UseTLS=YES", "UseSTARTTLS=YES"], "implicit": ["UseTLS=YES"],
              "none": ["UseTLS=NO", "AllowAuthWithoutTLS=YES"], "clear": ["UseTLS=NO"]}[tls]
    if debug:
        lines.append("Debug=YES")
    if not boot_mail:
        lines.append("BootMail=NO")
    return "\n".join(lines) + "\n"


def sd_dir(server, text):
    path = net.sd_dir(text)
    shutil.copy(server.ca_file, os.path.join(path, CA_NAME))
    return path


@contextlib.contextmanager
def firmware(server, text):
    """The firmware booted with smtp.conf `text`, once it has its address and the time (certificate dates and
    the Date header need it)."""
    with net.Firmware(sd_dir(server, text)) as fw:
        fw.wait_for("net", r"^time: +\d{4}-", 40)
        yield fw


def run_command(fw, line, timeout=SEND_TIMEOUT):
    return fw.command(line, timeout).replace("\r", "")


def skip_old_sessions(server, listener):
    """Makes the server's next wait_for_session(listener) return a session that starts after this call."""
    while True:
        try:
            server.wait_for_session(listener, 0.3)
        except TimeoutError:
            return


def failure_pattern(step, reply, kind):
    """The firmware's one-line error for a harness reply such as "450 4.2.0 Mailbox busy, try later": Postfix puts
    the address before the text."""
    code, enhanced, text = reply.split(" ", 2)
    return rf"^{step} failed: {code} {re.escape(enhanced)} .*{re.escape(text)}; {kind} failure$"


def check_headers(msg, subject=None):
    """Date near the NTP time, a Message-ID under HostName, From and the envelope sender as ssmtp makes them."""
    date = email.utils.parsedate_to_datetime(msg["Date"]).timestamp()
    assert abs(date - time.time()) < DATE_SLACK_S, msg["Date"]
    assert re.fullmatch(r"<[0-9a-f.]+@" + re.escape(HOST_NAME) + ">", msg["Message-ID"].strip()), msg["Message-ID"]
    assert msg["Return-Path"] == f"<{SENDER}>", msg["Return-Path"]
    assert msg["X-Original-To"] == RCPT, msg["X-Original-To"]
    if subject is not None:
        assert msg["Subject"] == subject, msg["Subject"]


def submit_test(server, listener, tls):
    with firmware(server, conf(server, listener, tls)) as fw:
        text = run_command(fw, "test " + RCPT)
        assert re.search(r"^sent: 250 2\.0\.0 Ok: .*queued as \w+$", text, re.M), text
        assert re.search(rf"^connected to {re.escape(mta.HOST_NAME)}:\d+ \(10\.0\.2\.2\)$", text, re.M), text
        msg = server.wait_for_message(10)
        check_headers(msg)
        assert "baremail test from native" in msg["Subject"], msg["Subject"]
        assert msg["From"] == SENDER, msg["From"]
        assert "Address:  10.0.2.20" in msg.get_content(), msg.get_content()
        return text


SENDMAIL_MESSAGE = ("From: Alarm Panel <panel@baremail.test>\nTo: Someone <you@baremail.test>\n"
                    "Bcc: hidden@baremail.test\nSubject: sendmail over {mode}\n\nfirst line\n.\n..\n.leading dot\n")
SENDMAIL_BODY = "first line\n.\n..\n.leading dot\n"


def console_lines(message):
    """The message as mail_cmd.h's input rule wants it: a line made only of dots gets one more."""
    return "".join((line + "." if line and set(line) == {"."} else line) + "\n"
                   for line in message.rstrip("\n").split("\n"))


def submit_sendmail(server, listener, tls):
    with firmware(server, conf(server, listener, tls)) as fw:
        message = SENDMAIL_MESSAGE.format(mode=listener)
        fw.send("sendmail " + RCPT + "\n")
        fw.expect(r"type or paste the message", 10)
        fw.send(console_lines(message) + ".\n")
        m = fw.expect(r"(sent: .*|\S+ failed: .*)\r?\n", SEND_TIMEOUT)
        assert m.group(1).startswith("sent: 250 2.0.0 Ok"), m.group(0)
        msg = server.wait_for_message(10)
        check_headers(msg, f"sendmail over {listener}")
        assert msg["From"] == "Alarm Panel <panel@baremail.test>", msg["From"]
        assert msg["Bcc"] is None, "Bcc was sent"
        assert msg.get_content().replace("\r\n", "\n") == SENDMAIL_BODY, repr(msg.get_content())
        assert re.search(r"by " + re.escape(HOST_NAME) + r" \(baremail sendmail emulation\)",
                         msg.as_string()), msg.as_string()


# ---- cases -------------------------------------------------------------------------------------------------


@case
def test_over_starttls(server):
    text = submit_test(server, "starttls", "starttls")
    assert re.search(r"^STARTTLS$", text, re.M), text
    assert re.search(r"^TLS: TLSv1\.[23], \S+", text, re.M), text
    assert re.search(r"^AUTH (PLAIN|LOGIN|CRAM-MD5)$", text, re.M), text
    assert text.index("TLS: ") < text.index("AUTH "), text


@case
def test_over_implicit_tls(server):
    text = submit_test(server, "implicit", "implicit")
    assert "STARTTLS" not in text, text
    assert text.index("TLS: ") < text.index("server: "), text


@case
def test_over_plain_tcp_when_the_config_says_so(server):
    # AllowAuthWithoutTLS=YES: of what Dovecot offers (PLAIN LOGIN CRAM-MD5), the one that keeps the password.
    text = submit_test(server, "plain", "none")
    assert "TLS: " not in text, text
    assert re.search(r"^AUTH CRAM-MD5$", text, re.M), text


@case
def no_credential_in_clear_without_the_key(server):
    """UseTLS=NO with AuthUser and no AllowAuthWithoutTLS, pointed at the listener that offers AUTH in the clear
    (through a proxy that records every byte): the boot names the error and its fix, `test` sends nothing, and
    nothing, let alone the password, reaches the server."""
    with mta.CaptureProxy(server.ports["plain"]) as proxy:
        with net.Firmware(sd_dir(server, conf(server, "plain", "clear", debug=True, port=proxy.port))) as fw:
            skip_old_sessions(server, "plain")
            assert re.search(r"^smtp\.conf:\d+: AuthUser: error: TLS is off \(UseTLS=NO\), so the password would go "
                             r"in clear text, which baremail refuses: set UseSTARTTLS=YES \(port 587\) or "
                             r"UseTLS=YES \(port 465\)", fw.output, re.M), fw.output
            assert re.search(r"^configuration unusable: 1 error", fw.output, re.M), fw.output
            text = run_command(fw, "test " + RCPT)
            assert re.search(r"^test: no usable configuration", text, re.M), text
            assert server.password not in fw.output, "the password reached the console"
        assert proxy.connections == [], "the firmware connected to the server"
    try:
        session = server.wait_for_session("plain", 2)
        raise AssertionError(f"the server saw a session: {session}")
    except TimeoutError:
        pass


@case
def root_commented_out_mails_auth_user(server):
    """A real ssmtp.conf shape: no Root, a key of another program. The configuration loads with a warning for the
    key, and `test` mails AuthUser, where alert and boot mail go too."""
    text = conf(server, "starttls", "starttls").replace("Root=admin@baremail.test\n", "#root=postmaster\n")
    with firmware(server, text + "SERVER=someone@gmail.com\n") as fw:
        assert re.search(r"^smtp\.conf:\d+: SERVER: warning: unknown key, ignored, as ssmtp does", fw.output,
                         re.M), fw.output
        assert ": error: " not in fw.output, fw.output
        assert re.search(r"^AlertTo = " + re.escape(server.user) + "$", run_command(fw, "config"), re.M)
        out = run_command(fw, "test")
        assert re.search(rf"^sending a test message to {re.escape(server.user)} \(Ctrl-C cancels\)$", out, re.M), out
        assert re.search(r"^sent: 250 ", out, re.M), out
    assert server.wait_for_message(10)["X-Original-To"] == server.user


@case
def test_right_after_boot_waits_for_the_clock(server):
    """`test` typed as soon as the prompt shows, before NTP has answered (the server holds its answers back 2 s):
    the command waits for the clock through the main loop, saying so, then sends a message with a Date (RFC 5322
    makes it mandatory), over implicit TLS, which needs the clock for the certificate's dates too."""
    ntp.delay = 2.0
    try:
        with net.Firmware(sd_dir(server, conf(server, "implicit", "implicit"))) as fw:
            fw.send("test " + RCPT + "\n")
            text = fw.expect(r"(?s)test " + re.escape(RCPT) + r"\r?\n(.*?)" + re.escape(net.PROMPT),
                             SEND_TIMEOUT).group(1).replace("\r", "")
    finally:
        ntp.delay = 0.0
    assert re.search(r"^waiting for the clock \(NTP server 10\.0\.2\.2\)$", text, re.M), text
    assert text.index("waiting for the clock") < text.index("sending a test message"), text
    assert re.search(r"^sent: 250 2\.0\.0 Ok: .*queued as \w+$", text, re.M), text
    msg = server.wait_for_message(10)
    assert msg["Date"], "no Date header"
    check_headers(msg)
    assert "Time:     unknown" not in msg.get_content(), msg.get_content()


@case
def sendmail_over_starttls(server):
    submit_sendmail(server, "starttls", "starttls")


@case
def sendmail_over_implicit_tls(server):
    submit_sendmail(server, "implicit", "implicit")


@case
def every_auth_mechanism(server):
    # CRAM-MD5 takes its HMAC-MD5 from Mbed TLS (net/smtp_client.c): Dovecot checks it here.
    for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
        with firmware(server, conf(server, "starttls", "starttls") + f"AuthMethod={mech}\n") as fw:
            text = run_command(fw, "test " + RCPT)
            assert re.search(rf"^AUTH {mech}$", text, re.M), text
            assert re.search(r"^sent: 250 ", text, re.M), text
        assert server.wait_for_message(10)["X-Original-To"] == RCPT


@case
def sendmail_typed_on_a_terminal(server):
    """A terminal sends CR for Enter (and some CRLF); the text arrives with CRLF line ends all the same."""
    with firmware(server, conf(server, "starttls", "starttls")) as fw:
        fw.send(f"sendmail {RCPT}\r")
        fw.expect(r"type or paste the message", 10)
        fw.send("Subject: typed\r\rfirst\r\n..\rlast\r.\r")
        m = fw.expect(r"(sent: .*|\S+ failed: .*)\r?\n", SEND_TIMEOUT)
        assert m.group(1).startswith("sent: 250 "), m.group(0)
    msg = server.wait_for_message(10)
    assert msg["Subject"] == "typed", msg["Subject"]
    assert msg.get_content().replace("\r\n", "\n") == "first\n.\nlast\n", repr(msg.get_content())


@case
def wrong_password_is_quoted_and_not_retried(server):
    for listener, tls in (("starttls", "starttls"), ("implicit", "implicit")):
        with firmware(server, conf(server, listener, tls, password="wrong-pass")) as fw:
            skip_old_sessions(server, listener)
            text = run_command(fw, "test " + RCPT)
            assert re.search(r"^AUTH failed: 535 5\.7\.8 .*; permanent failure$", text, re.M), text
            session = server.wait_for_session(listener)
            assert session.get("auth") == "0/1", session


@case
def bad_certificates_are_refused_before_auth(server):
    for variant in ("untrusted", "wronghost", "expired"):
        for tls in ("starttls", "implicit"):
            listener = f"{variant}_{tls}"
            with firmware(server, conf(server, listener, tls)) as fw:
                skip_old_sessions(server, listener)
                text = run_command(fw, "test " + RCPT)
                assert re.search(r"^TLS failed: .+; permanent failure$", text, re.M), f"{listener}:\n{text}"
                assert "AUTH" not in text, f"{listener}:\n{text}"
                session = server.wait_for_session(listener)
                assert "auth" not in session, (listener, session)


@case
def no_starttls_offered_means_no_auth_line(server):
    with mta.CaptureProxy(server.ports["plain"]) as proxy:
        fw_conf = conf(server, "plain", "starttls", debug=True, port=proxy.port)
        with firmware(server, fw_conf) as fw:
            skip_old_sessions(server, "plain")
            text = run_command(fw, "test " + RCPT)
            assert re.search(r"^STARTTLS failed: .*; permanent failure$", text, re.M), text
        proxy.wait_closed()
        sent = proxy.client_bytes()
        commands = [line.split(b" ")[0].upper() for line in sent.split(b"\r\n") if line]
        assert commands == [b"EHLO", b"QUIT"], sent
    session = server.wait_for_session("plain")
    assert "auth" not in session, session


@case
def refused_recipients_are_temporary_or_permanent(server):
    with firmware(server, conf(server, "starttls", "starttls")) as fw:
        text = run_command(fw, "test " + mta.TEMPFAIL_RCPT)
        assert re.search(failure_pattern("RCPT", mta.TEMPFAIL_REPLY, "temporary"), text, re.M), text
        text = run_command(fw, "test " + mta.REJECT_RCPT)
        assert re.search(failure_pattern("RCPT", mta.REJECT_REPLY, "permanent"), text, re.M), text
        fw.send(f"sendmail {RCPT} {mta.REJECT_RCPT}\n")
        fw.expect(r"type or paste the message", 10)
        fw.send("Subject: partly refused\n\nbody\n.\n")
        fw.expect(r"RCPT <" + re.escape(mta.REJECT_RCPT) + r"> refused: 550 .*permanent failure\r?\n", 30)
        fw.expect(r"sent: 250 ", 10)
    assert server.wait_for_message(10)["Subject"] == "partly refused"


class PtyFirmware:
    """The firmware on one pty and pi-sendmail on another, with this relay between them: the way a PC sees a Pi
    behind a USB serial adapter (a tty device on each side)."""

    def __init__(self, sd):
        self.master, slave = pty.openpty()
        self.user_master, user_slave = pty.openpty()
        tty.setraw(user_slave)
        self.user_path = os.ttyname(user_slave)
        self.user_slave = user_slave
        self.proc = subprocess.Popen([net.BINARY, "--sd", sd], stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True)
        os.close(slave)
        self.seen = b""
        # One thread per direction: a relay blocked writing one way must not stop the other (both ends echo).
        threading.Thread(target=self._relay, args=(self.master, self.user_master, True), daemon=True).start()
        threading.Thread(target=self._relay, args=(self.user_master, self.master, False), daemon=True).start()

    def _relay(self, src, dst, from_firmware):
        while True:
            try:
                data = os.read(src, 4096)
            except OSError:
                return
            if not data:
                return
            if from_firmware:
                self.seen += data
            os.write(dst, data)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for fd in (self.master, self.user_master, self.user_slave):
            os.close(fd)


def wait_for_clock_on_pty(fw):
    deadline = time.monotonic() + 40
    while not re.search(rb"time: +\d{4}-", fw.seen):
        assert time.monotonic() < deadline, fw.seen[-500:]
        os.write(fw.master, b"net\n")
        time.sleep(1)


@case
def pi_sendmail_over_a_pty(server):
    fw = PtyFirmware(sd_dir(server, conf(server, "implicit", "implicit")))
    try:
        wait_for_clock_on_pty(fw)
        message = SENDMAIL_MESSAGE.format(mode="pty").replace("\n", "\r\n")
        proc = subprocess.run([PI_SENDMAIL, fw.user_path, RCPT], input=message.encode(), capture_output=True,
                              timeout=60)
        out = proc.stdout.decode()
        assert proc.returncode == 0, (proc.returncode, out, proc.stderr.decode())
        assert re.fullmatch(r"sent: 250 2\.0\.0 Ok: .*queued as \w+\n", out), out
        msg = server.wait_for_message(10)
        check_headers(msg, "sendmail over pty")
        assert msg.get_content().replace("\r\n", "\n") == SENDMAIL_BODY, repr(msg.get_content())
        proc = subprocess.run([PI_SENDMAIL, fw.user_path, mta.REJECT_RCPT], input=b"Subject: x\n\nx\n",
                              capture_output=True, timeout=60)
        assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
        assert re.search(r"^RCPT failed: 550 ", proc.stdout.decode(), re.M), proc.stdout
        big = b"Subject: too big\n\n" + b"x" * 100 + b"\n" + (b"y" * 998 + b"\n") * 140
        proc = subprocess.run([PI_SENDMAIL, fw.user_path, RCPT], input=big, capture_output=True, timeout=120)
        assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
        assert re.fullmatch(r"sendmail: the message is larger than \d+ bytes, nothing sent\n",
                            proc.stdout.decode()), proc.stdout
    finally:
        fw.close()


@case
def usage_and_cancelled_input(server):
    with firmware(server, conf(server, "starttls", "starttls")) as fw:
        assert "usage: test [rcpt]" in run_command(fw, "test a@b.test c@d.test")
        assert "usage: sendmail [-t] [rcpt...]" in run_command(fw, "sendmail")
        assert "usage: sendmail [-t] [rcpt...]" in run_command(fw, "sendmail -t " + RCPT)
        fw.send("sendmail " + RCPT + "\n")
        fw.expect(r"type or paste the message", 10)
        fw.send("Subject: never sent\n\nhalf a mess")
        fw.expect(r"half a mess", 5)
        fw.send("\x03")
        fw.expect(r"\^C\r?\nsendmail: cancelled, nothing sent\r?\n", 5)
        fw.expect(re.escape(net.PROMPT), 5)
    try:
        server.wait_for_message(1)
        raise AssertionError("a cancelled message was delivered")
    except TimeoutError:
        pass


def newest_raw_message(server):
    """The file of the message delivered last, as bytes: the form the server got, not Python's re-serialisation."""
    new = os.path.join(server.maildir, "new")
    name = max(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns)
    with open(os.path.join(new, name), "rb") as f:
        return f.read()


def sendmail_typed(server, message):
    """Types `message` into the console's sendmail for RCPT; returns the delivered message and its raw bytes."""
    with firmware(server, conf(server, "starttls", "starttls")) as fw:
        fw.send("sendmail " + RCPT + "\n")
        fw.expect(r"type or paste the message", 10)
        fw.send(message + ".\n")
        m = fw.expect(r"(sent: .*|\S+ failed: .*|sendmail: .*nothing sent)\r?\n", SEND_TIMEOUT * 2)
        assert m.group(1).startswith("sent: 250 2.0.0 Ok"), m.group(0)
        return server.wait_for_message(10), newest_raw_message(server)


@case
def long_and_utf8_subjects_are_folded_and_encoded(server):
    """A 20,000-character Subject is folded (RFC 5322 allows 998 octets a line; the server got one line before)
    and a UTF-8 Comments field goes as encoded-words, with no SMTPUTF8. The reader gets back what was typed."""
    subject = " ".join(f"w{i:05d}" for i in range(20000 // 7))
    msg, raw = sendmail_typed(server, f"Subject: {subject}\nComments: caf\u00e9\n\nshort body\n")
    assert msg["Subject"] == subject, msg["Subject"][:200]
    assert msg["Comments"] == "caf\u00e9", msg["Comments"]
    header = raw.split(b"\n\n", 1)[0]
    assert max(len(line.rstrip(b"\r")) for line in header.split(b"\n")) <= 998
    assert b"=?UTF-8?" in header and max(header) < 0x80, header[-300:]


@case
def a_100_kb_one_line_utf8_body_is_accepted(server):
    """100 KB of UTF-8 on one line, under the 128 KiB input limit: re-encoded as quoted-printable (3.12 octets
    per octet at worst, which the old buffer of 3 + 1/16 did not hold) and accepted, and decoded back intact."""
    body = "\u00e9" * 50000
    msg, _ = sendmail_typed(server, f"Subject: long line\n\n{body}\n")
    assert msg["Content-Transfer-Encoding"] == "quoted-printable", msg["Content-Transfer-Encoding"]
    assert msg.get_content().rstrip("\r\n") == body, msg.get_content()[:200]


@case
def ctrl_c_cancels_a_submission(server):
    # Every chunk arrives 1 s late each way: the session is still in the handshake when Ctrl-C comes.
    with mta.CaptureProxy(server.ports["implicit"], delay=1.0) as proxy:
        with firmware(server, conf(server, "implicit", "implicit", port=proxy.port)) as fw:
            fw.send("test " + RCPT + "\n")
            fw.expect(r"connecting to ", 10)
            time.sleep(0.5)
            fw.send("\x03")
            fw.expect(r"\^C\r?\n", 5)
            m = fw.expect(r"(\S+) failed: cancelled; temporary failure\r?\n", 5)
            assert m.group(1) in ("CONNECT", "TLS", "GREETING"), m.group(0)
            fw.expect(re.escape(net.PROMPT), 5)
            # The console works on, and the next submission goes through.
            text = run_command(fw, "test " + RCPT, SEND_TIMEOUT * 2)
            assert re.search(r"^sent: 250 ", text, re.M), text
    assert server.wait_for_message(10)["X-Original-To"] == RCPT


DATA = os.path.join(ROOT, "tests", "data", "integration")
SSMTP = os.path.join(ROOT, "build", "mta", "ssmtp", "usr", "sbin", "ssmtp")
# What each adds that the other does not, by design (mail/mail_submit.h): baremail adds a Message-ID, and each
# names itself in its Received line.
OWN_HEADERS = {"received", "message-id"}


def headers_and_body(msg):
    fields = [(k.lower(), str(v)) for k, v in msg.items() if k.lower() not in OWN_HEADERS]
    return fields, msg.get_payload(decode=True)


@case
def same_envelope_and_headers_as_ssmtp(server):
    """`ssmtp -C smtp.conf rcpt < msg.txt` (Debian's 2.64) and baremail's sendmail with the same smtp.conf and
    message, both through the STARTTLS listener: same envelope, same header fields (values too, but for the
    dates), same body."""
    assert os.access(SSMTP, os.X_OK), f"{SSMTP} is missing: run tests/integration/setup-mta"
    with open(os.path.join(DATA, "msg.txt"), "rb") as f:
        message = f.read()
    home = tempfile.mkdtemp(prefix="ssmtp-", dir=net.SCRATCH)
    with open(os.path.join(home, "ssmtp.conf"), "w") as f:
        f.write(mta.seed_conf(server, f"127.0.0.1:{server.ports['starttls']}"))
    proc = subprocess.run([SSMTP, "-C", os.path.join(home, "ssmtp.conf"), RCPT], input=message,
                          capture_output=True, env={"HOME": home, "PATH": "/usr/bin:/bin"}, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    theirs = server.wait_for_message(10)

    ours_conf = mta.seed_conf(server, f"{mta.HOST_NAME}:{server.ports['starttls']}",
                              extra=[f"TLS_CA_File={CA_NAME}", "IP=10.0.2.20/24", "Gateway=10.0.2.2",
                                     "DNS=10.0.2.2", "NTPServer=10.0.2.2", "BootMail=NO"])
    with firmware(server, ours_conf) as fw:
        fw.send("sendmail " + RCPT + "\n")
        fw.expect(r"type or paste the message", 10)
        fw.send(console_lines(message.decode()) + ".\n")
        m = fw.expect(r"(sent: .*|\S+ failed: .*)\r?\n", SEND_TIMEOUT)
        assert m.group(1).startswith("sent: 250 "), m.group(0)
    ours = server.wait_for_message(10)

    for name in ("Return-Path", "X-Original-To", "Delivered-To"):
        assert ours[name] == theirs[name], (name, ours[name], theirs[name])
    our_fields, our_body = headers_and_body(ours)
    their_fields, their_body = headers_and_body(theirs)
    assert [k for k, _ in our_fields] == [k for k, _ in their_fields], (our_fields, their_fields)
    for (name, ours_value), (_, theirs_value) in zip(our_fields, their_fields):
        if name == "date":
            assert abs(email.utils.parsedate_to_datetime(ours_value).timestamp()
                       - email.utils.parsedate_to_datetime(theirs_value).timestamp()) < DATE_SLACK_S
        else:
            assert ours_value == theirs_value, (name, ours_value, theirs_value)
    assert our_body == their_body, (our_body, their_body)
    assert re.fullmatch(r"<[0-9a-f.]+@[\w.-]+>", ours["Message-ID"]), ours["Message-ID"]


# ---- running -----------------------------------------------------------------------------------------------


def run_cases(cases, scratch_prefix, make_server=mta.TestMTA):
    """The command line's binary and case names, the private network, the NTP and DNS servers, one mail server
    (make_server(): a context manager giving a TestMTA or what has its wait_for_message and wait_for_session),
    and each case of `cases` (functions taking the server) in turn; prints the counts and returns the exit
    status."""
    args = [a for a in sys.argv[1:] if a != fake_servers.IN_NAMESPACE]
    if args:
        net.BINARY = os.path.abspath(args[0])
    if not os.access(net.BINARY, os.X_OK):
        print(f"{net.BINARY} is missing: make BOARD=native first")
        print("0 passed, 1 failed")
        return 1
    fake_servers.reexec_in_private_network(sys.argv)
    net.SCRATCH = tempfile.mkdtemp(prefix=scratch_prefix)
    fake_servers.setup_private_network(net.SCRATCH)
    # The DNS server's one name is the Postfix host, at the host's loopback as slirp shows it; NTP gives the
    # host's time, which the certificates made by TestMTA are valid for.
    fake_servers.TEST_NAME, fake_servers.TEST_NAME_ADDR = mta.HOST_NAME, mta.SLIRP_HOST_ADDR
    global ntp
    ntp, dns = fake_servers.NtpServer(utc=time.time(), running=True), fake_servers.DnsServer()
    ntp.start()
    dns.start()

    only = args[1:]  # case names after the binary: run only those
    passed = failed = 0
    try:
        with make_server() as server:
            for fn in cases:
                if only and fn.__name__ not in only:
                    continue
                start = time.monotonic()
                try:
                    fn(server)
                    passed += 1
                    print(f"PASS {fn.__name__} ({time.monotonic() - start:.1f} s)", flush=True)
                except Exception:
                    failed += 1
                    print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
                # A failed case may leave messages and sessions behind; the next one must see only its own.
                while True:
                    try:
                        server.wait_for_message(0.2)
                    except TimeoutError:
                        break
                skip_old_sessions(server, "starttls")
    except mta.MTAError as e:
        failed += 1
        print(f"FAIL mail servers: {e}")
    fake_servers.teardown_private_network()
    shutil.rmtree(net.SCRATCH, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_cases(CASES, "baremail-native-smtp-"))
