#!/usr/bin/python3
"""Self-test of the real-MTA harness (tests/integration/mta.py) with Debian's own clients, no firmware needed.

Submits tests/data/integration/msg.txt through the STARTTLS and implicit-TLS listeners with Python's smtplib
(test CA, host name checked), msmtp and Debian's ssmtp 2.64 (unpacked by setup-mta), checks what lands in the
Maildir, and checks that every failure listener fails the way the firmware's tests will rely on: wrong password
-> 535, RCPT 4xx/5xx, expired / wrong-name / untrusted certificates refused by a verifying client, and a port
without STARTTLS where the server log and CaptureProxy prove that no AUTH was sent. Also checks that stopping
leaves nothing running.

Run as root after tests/integration/setup-mta (make test-integration does both). Ends with "N passed, M failed".
"""
import hashlib
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mta  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data", "integration")
MSG_FILE = os.path.join(DATA, "msg.txt")
SSMTP = os.path.join(ROOT, "build", "mta", "ssmtp", "usr", "sbin", "ssmtp")
MSMTP = "/usr/bin/msmtp"
RCPT = "you@example.test"

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok or not detail else f": {detail}"), flush=True)
    return ok


def message_bytes():
    with open(MSG_FILE, "rb") as f:
        return f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def header(raw, name):
    """The value of the first header `name` in raw RFC 5322 bytes (unfolded, stripped)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    value = None
    for line in head.split("\r\n"):
        if value is not None and line[:1] in (" ", "\t"):
            value += " " + line.strip()
        elif value is not None:
            break
        elif line.lower().startswith(name.lower() + ":"):
            value = line.split(":", 1)[1].strip()
    return value


def check_delivery(m, label, sender="alerts@example.com", rcpt=RCPT):
    """The next delivered message is msg.txt, from `sender` to `rcpt`, with its headers and 8-bit body
    intact, and came in under TLS."""
    try:
        msg = m.wait_for_message(10)
    except TimeoutError as e:
        return check(f"{label}: delivered", False, str(e).splitlines()[0])
    sent = message_bytes()
    problems = []
    if msg["Return-Path"] != f"<{sender}>":
        problems.append(f"Return-Path {msg['Return-Path']!r}")
    if msg["X-Original-To"] != rcpt or msg["Delivered-To"] != rcpt:
        problems.append(f"X-Original-To {msg['X-Original-To']!r} Delivered-To {msg['Delivered-To']!r}")
    for name in ("To", "From", "Subject"):
        if str(msg[name]) != header(sent, name):
            problems.append(f"{name} {msg[name]!r} != {header(sent, name)!r}")
    body = msg.get_payload(decode=True).replace(b"\r\n", b"\n")
    if body.rstrip(b"\n") != sent.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n").rstrip(b"\n"):
        problems.append("body differs")
    received = " ".join(str(r) for r in msg.get_all("Received", []))
    if "using TLSv1.3" not in received or "ESMTPSA" not in received:
        problems.append("not received over TLS 1.3 with AUTH: " + received[:200])
    return check(f"{label}: delivered with correct envelope and headers", not problems, "; ".join(problems))


# --- smtplib -------------------------------------------------------------------------------------------------

def smtplib_client(m, listener, host_name=mta.HOST_NAME, ca_file=None):
    """A connected smtplib client that verifies the server certificate against the test CA (or ca_file) and
    the name host_name while connecting to 127.0.0.1 (no DNS for mail.baremail.test here)."""
    ctx = ssl.create_default_context(cafile=ca_file or m.ca_file)
    port = m.ports[listener]
    implicit = listener.endswith("implicit")
    client = smtplib.SMTP_SSL(context=ctx, timeout=10) if implicit else smtplib.SMTP(timeout=10)
    # smtplib verifies (and sends as SNI) the name it was constructed with; connect() only opens the socket.
    client._host = host_name
    client.connect("127.0.0.1", port)
    if not implicit:
        client.starttls(context=ctx)
    client.ehlo("client.baremail.test")
    return client


def smtplib_send(m, listener, mechanism):
    client = smtplib_client(m, listener)
    client.user, client.password = m.user, m.password
    client.auth(mechanism, getattr(client, "auth_" + mechanism.lower().replace("-", "_")))
    client.sendmail("alerts@example.com", [RCPT], message_bytes())
    client.quit()


def test_smtplib(m):
    for listener, mechanism in (("starttls", "PLAIN"), ("implicit", "PLAIN"), ("starttls", "LOGIN"),
                                ("starttls", "CRAM-MD5")):
        label = f"smtplib {listener} AUTH {mechanism}"
        try:
            smtplib_send(m, listener, mechanism)
        except (smtplib.SMTPException, OSError) as e:
            check(label, False, repr(e))
            continue
        check_delivery(m, label)
        session = m.wait_for_session(listener)
        check(f"{label}: server log counts one good AUTH", session.get("auth") == "1", str(session))


def test_auth_offered(m):
    client = smtplib_client(m, "starttls")
    auth = client.esmtp_features.get("auth", "").upper().split()
    client.quit()
    check("STARTTLS listener offers PLAIN LOGIN CRAM-MD5 after TLS",
          {"PLAIN", "LOGIN", "CRAM-MD5"} <= set(auth), str(auth))
    plain = smtplib.SMTP("127.0.0.1", m.ports["starttls"], timeout=10)
    plain.ehlo("client.baremail.test")
    features = dict(plain.esmtp_features)
    plain.quit()
    m.wait_for_session("starttls")
    m.wait_for_session("starttls")
    check("STARTTLS listener offers STARTTLS and no AUTH before TLS",
          "starttls" in features and "auth" not in features, str(features))


def test_wrong_password(m):
    for listener in ("starttls", "implicit"):
        # One mechanism only: smtplib's login() would try the same wrong password with each mechanism offered.
        client = smtplib_client(m, listener)
        client.user, client.password = m.user, m.password + "-wrong"
        try:
            client.auth("PLAIN", client.auth_plain)
            check(f"{listener}: wrong password refused with 535", False, "login succeeded")
        except smtplib.SMTPAuthenticationError as e:
            check(f"{listener}: wrong password refused with 535", e.smtp_code == 535, f"{e.smtp_code} {e.smtp_error}")
        finally:
            client.close()
        session = m.wait_for_session(listener)
        check(f"{listener}: server log counts one failed AUTH", session.get("auth") == "0/1", str(session))


def test_rcpt_replies(m):
    client = smtplib_client(m, "starttls")
    client.login(m.user, m.password)
    client.mail("alerts@example.com")
    for rcpt, want in ((mta.TEMPFAIL_RCPT, mta.TEMPFAIL_REPLY), (mta.REJECT_RCPT, mta.REJECT_REPLY)):
        code, text = client.rcpt(rcpt)
        got = f"{code} {text.decode()}"
        want_code, want_enhanced = want.split()[:2]
        check(f"RCPT {rcpt} answered {want_code} {want_enhanced}",
              code == int(want_code) and text.decode().startswith(want_enhanced), got)
    code, _ = client.rcpt(RCPT)
    check("RCPT to an ordinary address accepted", code == 250, str(code))
    client.quit()
    m.wait_for_session("starttls")


def test_certificate_failures(m):
    for variant in ("expired", "wronghost", "untrusted"):
        for mode in ("starttls", "implicit"):
            listener = f"{variant}_{mode}"
            try:
                smtplib_client(m, listener).quit()
                check(f"{listener}: verifying client refuses the certificate", False, "handshake succeeded")
            except ssl.SSLCertVerificationError as e:
                check(f"{listener}: verifying client refuses the certificate", True)
                print(f"      ({e.verify_message})")
            m.wait_for_session(listener)
    # The listeners' certificates are otherwise good: a client that skips the failing check gets through.
    ctx = ssl.create_default_context(cafile=m.ca_file)
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", m.ports["wronghost_implicit"]), 10) as raw:
        with ctx.wrap_socket(raw) as tls:
            names = [v for k, v in tls.getpeercert()["subjectAltName"]]
    check("wronghost certificate is valid except for its name", names == [mta.WRONG_HOST_NAME], str(names))
    m.wait_for_session("wronghost_implicit")
    ctx = ssl.create_default_context(cafile=m.ca_file)
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", m.ports["implicit"]), 10) as raw:
        with ctx.wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
    served = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    check("fingerprint() is the SHA-256 of the certificate served", served == m.fingerprint("valid"),
          f"{served} != {m.fingerprint('valid')}")
    m.wait_for_session("implicit")


def test_no_starttls(m):
    # A client that insists on STARTTLS: smtplib raises before anything else is sent.
    with mta.CaptureProxy(m.ports["plain"]) as proxy:
        client = smtplib.SMTP("127.0.0.1", proxy.port, timeout=10)
        client.ehlo("client.baremail.test")
        offered = dict(client.esmtp_features)
        try:
            client.starttls()
            refused = False
        except smtplib.SMTPNotSupportedError:
            refused = True
        client.quit()
        proxy.wait_closed()
        sent = proxy.client_bytes()
    check("plain listener offers AUTH but not STARTTLS", "auth" in offered and "starttls" not in offered,
          str(offered))
    check("smtplib refuses to go on without STARTTLS", refused)
    check("proxy saw no AUTH from the client", b"AUTH" not in sent.upper(), repr(sent))
    session = m.wait_for_session("plain")
    check("server log: no AUTH in the session", "auth" not in session, str(session))
    # Positive control: a client that does send AUTH in the clear is seen by both detectors.
    with mta.CaptureProxy(m.ports["plain"]) as proxy:
        client = smtplib.SMTP("127.0.0.1", proxy.port, timeout=10)
        client.login(m.user, m.password)
        client.quit()
        proxy.wait_closed()
        sent = proxy.client_bytes()
    session = m.wait_for_session("plain")
    check("control: AUTH in the clear is seen by the proxy and the server log",
          b"AUTH " in sent and session.get("auth") == "1", f"{session} {sent[:80]!r}")


# --- msmtp ---------------------------------------------------------------------------------------------------

def run_msmtp(m, listener, password=None, home=None, port=None):
    """msmtp with AUTH PLAIN against a listener (or a proxy in front of it: port)."""
    implicit = listener.endswith("implicit")
    conf = os.path.join(home, "msmtprc")
    with open(conf, "w") as f:
        f.write(f"""account default
host 127.0.0.1
port {port or m.ports[listener]}
tls on
tls_starttls {"off" if implicit else "on"}
tls_trust_file {m.ca_file}
tls_host_override {mta.HOST_NAME}
auth plain
user {m.user}
password {password or m.password}
from alerts@example.com
""")
    os.chmod(conf, 0o600)  # msmtp refuses a password file others can read
    return subprocess.run([MSMTP, "-C", conf, "--", RCPT], input=message_bytes(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env={"HOME": home, "PATH": "/usr/bin:/bin"}, timeout=30)


def test_msmtp(m, home):
    for listener in ("starttls", "implicit"):
        proc = run_msmtp(m, listener, home=home)
        if check(f"msmtp {listener} AUTH PLAIN: exit 0", proc.returncode == 0, proc.stdout.decode()[-300:]):
            check_delivery(m, f"msmtp {listener}")
        m.wait_for_session(listener)
    proc = run_msmtp(m, "starttls", password="wrong", home=home)
    out = proc.stdout.decode()
    check("msmtp wrong password: fails quoting 535", proc.returncode != 0 and "535" in out, out[-300:])
    m.wait_for_session("starttls")
    for variant in ("expired", "wronghost", "untrusted"):
        proc = run_msmtp(m, variant + "_starttls", home=home)
        session = m.wait_for_session(variant + "_starttls")
        check(f"msmtp {variant}: refused before AUTH", proc.returncode != 0 and "auth" not in session,
              f"{proc.returncode} {session}")
    with mta.CaptureProxy(m.ports["plain"]) as proxy:
        proc = run_msmtp(m, "plain", home=home, port=proxy.port)
        proxy.wait_closed()
        sent = proxy.client_bytes()
    session = m.wait_for_session("plain")
    check("msmtp without STARTTLS offered: fails, no AUTH on the wire or in the log",
          proc.returncode != 0 and b"AUTH" not in sent.upper() and "auth" not in session,
          f"{proc.returncode} {session} {sent!r}")


# --- ssmtp 2.64 ----------------------------------------------------------------------------------------------

def run_ssmtp(m, listener, password=None, home=None):
    """ssmtp with the seed ssmtp.conf, pointed at a listener: STARTTLS or implicit TLS as the seed's
    UseTLS/UseSTARTTLS say. ssmtp saves failed mail to $HOME/dead.letter, hence a scratch HOME."""
    conf = os.path.join(home, "ssmtp.conf")
    with open(conf, "w") as f:
        f.write(mta.seed_conf(m, f"127.0.0.1:{m.ports[listener]}", password,
                              starttls=not listener.endswith("implicit")))
    return subprocess.run([SSMTP, "-C", conf, RCPT], input=message_bytes(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env={"HOME": home, "PATH": "/usr/bin:/bin"}, timeout=30)


def test_ssmtp(m, home):
    if not check("ssmtp 2.64 unpacked by setup-mta", os.access(SSMTP, os.X_OK), SSMTP):
        return
    for listener in ("starttls", "implicit"):
        proc = run_ssmtp(m, listener, home=home)
        if check(f"ssmtp {listener} (seed config, AUTH LOGIN): exit 0", proc.returncode == 0,
                 proc.stdout.decode()[-300:]):
            check_delivery(m, f"ssmtp {listener}")
        session = m.wait_for_session(listener)
        check(f"ssmtp {listener}: one good AUTH in the log", session.get("auth") == "1", str(session))
    proc = run_ssmtp(m, "starttls", password="wrong", home=home)
    out = proc.stdout.decode()
    check("ssmtp wrong password: fails quoting 535", proc.returncode != 0 and "535" in out, out[-300:])
    m.wait_for_session("starttls")
    # Debian's ssmtp 2.64-11 has no TLS_CA_File and never checks the server certificate: it authenticates to
    # a server whose certificate no one trusts. Recorded here because the compatibility test compares against
    # it; baremail must refuse this server.
    proc = run_ssmtp(m, "untrusted_starttls", home=home)
    session = m.wait_for_session("untrusted_starttls")
    check("ssmtp 2.64 does not verify certificates (sends AUTH to an untrusted server)",
          proc.returncode == 0 and session.get("auth") == "1", f"{proc.returncode} {session}")
    m.wait_for_message(10)


# --- the proxy and the harness itself ------------------------------------------------------------------------

def test_proxy_delay(m):
    delay = 0.05
    timings = {}
    for d in (0.0, delay):
        with mta.CaptureProxy(m.ports["implicit"], delay=d) as proxy:
            start = time.monotonic()
            client = smtplib.SMTP_SSL(context=ssl.create_default_context(cafile=m.ca_file), timeout=10)
            client._host = mta.HOST_NAME
            client.connect("127.0.0.1", proxy.port)
            client.ehlo("client.baremail.test")
            client.quit()
            proxy.wait_closed()
            timings[d] = (time.monotonic() - start, proxy.round_trips())
        m.wait_for_session("implicit")
    (t0, n0), (t1, n1) = timings[0.0], timings[delay]
    check("proxy counts the same round trips with and without delay", n0 == n1 and n0 >= 4, f"{n0} vs {n1}")
    extra = t1 - t0
    check(f"proxy delay shows as about {n1} x 2 x {delay * 1000:.0f} ms",
          n1 * 2 * delay * 0.8 <= extra <= n1 * 2 * delay + 1.0, f"extra {extra:.3f} s for {n1} round trips")


def test_second_instance_rsa():
    """RSA keys, moved ports, and a second start/stop in one process."""
    with mta.TestMTA(key_type="rsa", port_offset=1000) as m:
        check("RSA instance listens 1000 ports up", m.ports["implicit"] == mta.LISTENERS["implicit"][0] + 1000,
              str(m.ports))
        client = smtplib_client(m, "implicit")
        rsa_encryption = bytes.fromhex("06092a864886f70d010101")  # the OID rsaEncryption, DER-encoded
        check("RSA instance serves an RSA certificate", rsa_encryption in client.sock.getpeercert(binary_form=True))
        client.login(m.user, m.password)
        client.sendmail("alerts@example.com", [RCPT], message_bytes())
        client.quit()
        check_delivery(m, "RSA instance smtplib implicit")


def main():
    if os.geteuid() != 0:
        print("test_mta_harness: must run as root (make test-integration)")
        print("0 passed, 1 failed")
        return 1
    home = tempfile.mkdtemp(prefix="baremail-clients-")
    directory = None
    try:
        with mta.TestMTA() as m:
            directory = m.dir
            check("servers started (Postfix, Dovecot) on " + ", ".join(f"{k}={v}" for k, v in m.ports.items()),
                  True)
            for test in (test_auth_offered, test_smtplib, test_wrong_password, test_rcpt_replies,
                         test_certificate_failures, test_no_starttls, test_proxy_delay):
                try:
                    test(m)
                except Exception as e:  # a broken case must not stop the others
                    check(test.__name__, False, repr(e))
            for test in (test_msmtp, test_ssmtp):
                try:
                    test(m, home)
                except Exception as e:
                    check(test.__name__, False, repr(e))
            ports = dict(m.ports)
            leftovers = m.unread_messages()
            check("no unexpected deliveries", not leftovers, str([msg["Subject"] for msg in leftovers]))
    except mta.MTAError as e:
        check("servers started", False, str(e))
    try:
        test_second_instance_rsa()
    except Exception as e:
        check("test_second_instance_rsa", False, repr(e))
    finally:
        subprocess.run(["rm", "-rf", home])
    if directory:
        check("stop: no process left, directory removed",
              not mta.processes_using(directory) and not os.path.exists(directory),
              str(mta.processes_using(directory)))
        busy = sorted(set(ports.values()) & mta.listening_ports())
        check("stop: every port closed", not busy, str(busy))
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
