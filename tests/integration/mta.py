"""Real mail servers for the integration tests and bench/submit, on loopback only.

TestMTA runs a private Postfix (the smarthost) with SASL through a private Dovecot, both configured, started,
stopped and deleted inside one temporary directory, with a test CA and server certificates made by openssl when
it starts. It never uses the system's Postfix or Dovecot configuration, queue or services.

    with TestMTA() as mta:
        submit to 127.0.0.1:mta.ports["starttls"] as mta.user / mta.password, trusting mta.ca_file
        msg = mta.wait_for_message(10)          # email.message.EmailMessage, with Return-Path etc.

Rules:
- Run as root (Postfix's master and Dovecot switch to their own users); tests/integration/setup-mta installs the
  packages beforehand. Nothing here installs anything.
- Every listener binds 127.0.0.1. Postfix delivers every recipient of every domain into one Maildir and relays
  nothing (its transports to anywhere else are error:), so no test mail can leave the machine. Under QEMU's or
  libslirp's user networking the guest reaches these ports as 10.0.2.2.
- Postfix does not repair headers (no Date/Message-ID/From added for clients on 127.0.0.1), so a test sees the
  message exactly as the client wrote it, plus Received and the delivery headers (Return-Path, Delivered-To,
  X-Original-To).
- stop() (also run by the context manager and when start fails) ends both servers and every child process they
  started, and removes the directory.

CaptureProxy is a TCP relay on 127.0.0.1 that records every byte each way, can add a fixed delay each way, and
counts the round trips a client waited for. It shows what a client sent on the wire (for "no AUTH before TLS")
and drives the round-trip figures of bench/submit. With refuse_with set it stands for a server that is down: each
new connection gets those bytes (e.g. a 421 greeting) and is closed, and `refused` counts them.
"""
import email.parser
import email.policy
import hashlib
import os
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HOST_NAME = "mail.baremail.test"
WRONG_HOST_NAME = "wrong.baremail.test"
# The address the guest sees the host's loopback at, under QEMU -netdev user and libslirp.
SLIRP_HOST_ADDR = "10.0.2.2"

# name: (port, TLS mode, certificate). Modes: "starttls" (required before MAIL; AUTH offered only after it),
# "implicit" (RFC 8314 submissions), "none" (STARTTLS not offered; AUTH offered in the clear so that a client
# that would send credentials without TLS can be caught doing it).
LISTENERS = {
    "starttls": (10587, "starttls", "valid"),
    "implicit": (10465, "implicit", "valid"),
    "plain": (10525, "none", None),
    "expired_starttls": (10588, "starttls", "expired"),
    "expired_implicit": (10466, "implicit", "expired"),
    "wronghost_starttls": (10589, "starttls", "wronghost"),
    "wronghost_implicit": (10467, "implicit", "wronghost"),
    "untrusted_starttls": (10590, "starttls", "untrusted"),
    "untrusted_implicit": (10468, "implicit", "untrusted"),
}

# RCPT answers chosen by address (Postfix check_recipient_access).
TEMPFAIL_RCPT = "temp@baremail.test"
TEMPFAIL_REPLY = "450 4.2.0 Mailbox busy, try later"
REJECT_RCPT = "reject@baremail.test"
REJECT_REPLY = "550 5.1.1 No such user here"

DEFAULT_USER = "alerts@example.com"
DEFAULT_PASSWORD = "baremail-Test-pass1"
# virtual(8) delivers as this uid/gid; any unprivileged id >= virtual_minimum_uid works ("nobody").
MAILDIR_UID = 65534
MAILDIR_GID = 65534

# How a user stops TestMTAs left running on this run's ports (see stale_instances and the end of this file).
STOP_STALE_COMMAND = "/usr/bin/python3 tests/integration/mta.py --stop-stale"

POSTFIX = "/usr/sbin/postfix"
DOVECOT = "/usr/sbin/dovecot"
OPENSSL = "/usr/bin/openssl"


# The ssmtp.conf of the user this project started from (../shared/samples), copied as the tests' seed.
SEED_CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "integration", "ssmtp.conf")


def seed_conf(server, mailhub, password=None, starttls=True, extra=()):
    """The seed ssmtp.conf pointed at mailhub with server's account (password instead of the right one when given);
    starttls=False for an implicit-TLS port; extra lines appended. Every other line as the user wrote it."""
    with open(SEED_CONF) as f:
        lines = f.read().splitlines()
    values = {"mailhub": mailhub, "AuthUser": server.user, "AuthPass": password or server.password}
    if not starttls:
        values["UseSTARTTLS"] = "NO"
    out = []
    for line in lines:
        key = line.split("=", 1)[0]
        out.append(f"{key}={values[key]}" if key in values else line)
    return "\n".join(out + list(extra)) + "\n"


class MTAError(Exception):
    """The servers could not be set up, started or stopped; the message says which step and why."""


def _run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if proc.returncode != 0:
        raise MTAError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}")
    return proc.stdout


def _listening_sockets():
    """(port, socket inode) of every listening TCP socket, from /proc (no connection made, so no log noise)."""
    sockets = []
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":  # TCP_LISTEN
                        sockets.append((int(fields[1].rsplit(":", 1)[1], 16), fields[9]))
        except FileNotFoundError:
            pass
    return sockets


def listening_ports():
    """The TCP ports something listens on."""
    return {port for port, _ in _listening_sockets()}


def processes_using(path):
    """PIDs of processes whose command line or MAIL_CONFIG environment names path: the servers a TestMTA in
    that directory started (Postfix passes MAIL_CONFIG to every child; Dovecot's children keep -c)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if path.encode() in cmdline or f"MAIL_CONFIG={path}/".encode() in environ:
            pids.append(int(entry))
    return pids


# A TestMTA's directory as its servers name it (tempfile.mkdtemp(prefix="baremail-mta-")).
_INSTANCE_DIR = re.compile(rb"(/[^\0\s]*/baremail-mta-[^/\0\s]+)")


def stale_instances(ports):
    """The directories of TestMTAs whose servers listen on any of `ports`: left running by a run that was killed
    before its stop() could run (SIGKILL, or a demo from before it stopped on signals). Only the processes holding
    those ports count, so a TestMTA another run keeps on other ports is never taken for a stale one."""
    inodes = {f"socket:[{inode}]" for port, inode in _listening_sockets() if port in ports}
    dirs = set()
    for entry in os.listdir("/proc") if inodes else ():
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
            if not any(os.readlink(f"/proc/{entry}/fd/{fd}") in inodes for fd in fds):
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                names = f.read()
            with open(f"/proc/{entry}/environ", "rb") as f:
                names += b"\0" + f.read()
        except OSError:
            continue
        dirs.update(m.decode() for m in _INSTANCE_DIR.findall(names))
    return sorted(d for d in dirs if os.path.isdir(d))


def stop_stale(directory):
    """Stops the servers of the TestMTA left running in `directory` (see stale_instances) and removes it."""
    if not _INSTANCE_DIR.fullmatch(directory.encode()):
        raise MTAError(f"{directory} is not a TestMTA directory")
    if os.path.exists(os.path.join(directory, "spool", "pid", "master.pid")):
        subprocess.run([POSTFIX, "-c", os.path.join(directory, "postfix"), "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    errors = _end_processes_using(directory, signal.SIGTERM)
    shutil.rmtree(directory, ignore_errors=True)
    if errors:
        raise MTAError(errors)


def _end_processes_using(directory, first_signal):
    """Sends first_signal (if any) to every process naming directory, then SIGKILL to those left after a grace
    period. Returns an error text, or "" when none is left."""
    for sig in (first_signal, signal.SIGKILL):
        if sig is None:
            continue
        if sig == signal.SIGKILL and _wait_until(lambda: not processes_using(directory), 10):
            return ""
        for pid in processes_using(directory):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    if _wait_until(lambda: not processes_using(directory), 5):
        return ""
    return f"processes still running: {processes_using(directory)}"


class _Certs:
    """A test CA, a second CA nobody trusts, and the server certificates the listeners present."""

    def __init__(self, directory, key_type):
        self.dir = directory
        self.key_args = (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key_type == "ec"
                         else ["-newkey", "rsa:2048"])
        self.serial = 1
        os.makedirs(directory)
        self.ca_file = self._ca("ca", "baremail test CA")
        self._ca("untrusted-ca", "baremail untrusted CA")
        good_names = f"DNS:{HOST_NAME},IP:127.0.0.1,IP:{SLIRP_HOST_ADDR}"
        # Each listener's file holds the key then the chain (Postfix smtpd_tls_chain_files).
        self.chain = {
            "valid": self._server("valid", "ca", HOST_NAME, good_names),
            "expired": self._server("expired", "ca", HOST_NAME, good_names, ("20200101000000Z", "20210101000000Z")),
            # No IP names either: a client connecting by address must fail the name check too.
            "wronghost": self._server("wronghost", "ca", WRONG_HOST_NAME, f"DNS:{WRONG_HOST_NAME}"),
            "untrusted": self._server("untrusted", "untrusted-ca", HOST_NAME, good_names),
        }

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _ca(self, name, cn):
        _run([OPENSSL, "req", "-x509", "-new", *self.key_args, "-nodes", "-keyout", self._path(name + ".key"),
              "-out", self._path(name + ".pem"), "-days", "30", "-subj", f"/CN={cn}",
              "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        return self._path(name + ".pem")

    def _server(self, name, ca, cn, alt_names, dates=None):
        key, csr, cert = self._path(name + ".key"), self._path(name + ".csr"), self._path(name + ".pem")
        _run([OPENSSL, "req", "-new", *self.key_args, "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}"])
        # `openssl ca` rather than `x509 -req`: only it takes explicit validity dates (the expired certificate).
        db = self._path(name + ".db")
        os.makedirs(db)
        open(os.path.join(db, "index.txt"), "w").close()
        with open(self._path(name + ".cnf"), "w") as f:
            f.write(f"[ca]\ndefault_ca = test\n[test]\ndatabase = {db}/index.txt\nnew_certs_dir = {db}\n"
                    f"serial = {db}/serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                    f"copy_extensions = none\n[any]\ncommonName = supplied\n[server]\n"
                    f"basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\n"
                    f"extendedKeyUsage = serverAuth\nsubjectAltName = {alt_names}\n")
        with open(os.path.join(db, "serial"), "w") as f:
            f.write(f"{self.serial:02X}\n")
        self.serial += 1
        validity = ["-startdate", dates[0], "-enddate", dates[1]] if dates else ["-days", "30"]
        _run([OPENSSL, "ca", "-batch", "-notext", "-config", self._path(name + ".cnf"), "-extensions", "server",
              "-cert", self._path(ca + ".pem"), "-keyfile", self._path(ca + ".key"), "-in", csr, "-out", cert,
              *validity])
        chain = self._path(name + "-chain.pem")
        with open(chain, "w") as out:
            for part in (key, cert):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(chain, 0o600)
        return chain

    def fingerprint(self, variant):
        """SHA-256 of the DER server certificate of a listener variant, as hex with colons (TLS_Fingerprint)."""
        with open(self._path(variant + ".pem")) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


class TestMTA:
    """Private Postfix + Dovecot on 127.0.0.1. See the module comment.

    Attributes after start(): dir, ports (name -> port, see LISTENERS), ca_file, user, password, host_name,
    maildir (the Maildir every message lands in).
    """

    def __init__(self, user=DEFAULT_USER, password=DEFAULT_PASSWORD, port_offset=None, key_type="ec"):
        """port_offset moves every port (default: $BAREMAIL_MTA_PORT_OFFSET or 0), for two runs on one machine.
        key_type: "ec" (P-256, ECDSA) or "rsa" (2048) for the CA and server keys."""
        if port_offset is None:
            port_offset = int(os.environ.get("BAREMAIL_MTA_PORT_OFFSET", "0"))
        self.user = user
        self.password = password
        self.host_name = HOST_NAME
        self.ports = {name: port + port_offset for name, (port, _, _) in LISTENERS.items()}
        self.key_type = key_type
        self.dir = None
        self.ca_file = None
        self.maildir = None
        self._certs = None
        self._dovecot = None
        self._auth_socket = None
        self._config_dir = None
        self._spool_dir = None
        self._seen = set()
        self._log_pos = {}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # --- set-up -------------------------------------------------------------------------------------------

    def start(self):
        if os.geteuid() != 0:
            raise MTAError("TestMTA must run as root (Postfix and Dovecot switch users themselves)")
        for tool in (POSTFIX, DOVECOT, OPENSSL):
            if not os.access(tool, os.X_OK):
                raise MTAError(f"{tool} is missing: run tests/integration/setup-mta")
        busy = sorted(set(self.ports.values()) & listening_ports())
        stale = stale_instances(busy)
        if stale:
            raise MTAError(f"a test mail server left running by an earlier run (killed before it could stop it) "
                           f"holds ports {busy}: {', '.join(stale)}. Stop it with "
                           f"`{STOP_STALE_COMMAND}`")
        if busy:
            raise MTAError(f"ports already in use on this machine: {busy} "
                           "(BAREMAIL_MTA_PORT_OFFSET or TestMTA(port_offset=...) moves them)")
        self.dir = tempfile.mkdtemp(prefix="baremail-mta-")
        try:
            os.chmod(self.dir, 0o755)  # postfix, dovecot and nobody must reach their parts
            self._certs = _Certs(os.path.join(self.dir, "certs"), self.key_type)
            self.ca_file = self._certs.ca_file
            self.maildir = os.path.join(self.dir, "mail", "inbox")
            os.makedirs(os.path.join(self.dir, "mail"))
            os.chown(os.path.join(self.dir, "mail"), MAILDIR_UID, MAILDIR_GID)
            self._start_dovecot()
            self._start_postfix()
        except BaseException:
            self.stop()
            raise

    def _start_dovecot(self):
        d = os.path.join(self.dir, "dovecot")
        os.makedirs(os.path.join(d, "run"))
        os.makedirs(os.path.join(d, "state"))
        users = os.path.join(d, "users")
        with open(users, "w") as f:
            # Plain-text scheme: CRAM-MD5 needs the password itself (or its CRAM-MD5 form) on the server side.
            f.write(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        os.chmod(users, 0o640)
        os.chown(users, 0, _gid("dovecot"))
        conf = os.path.join(d, "dovecot.conf")
        self._auth_socket = os.path.join(d, "auth-postfix")
        with open(conf, "w") as f:
            f.write(f"""# Private Dovecot: SASL for the test Postfix only; no IMAP/POP, no TLS of its own.
base_dir = {d}/run
state_dir = {d}/state
log_path = {self.dir}/dovecot.log
protocols =
ssl = no
# Postfix tells Dovecot whether the SMTP session is under TLS; the "plain" listener offers AUTH without TLS on
# purpose (to catch a client that would use it), so Dovecot must not refuse plaintext mechanisms there itself.
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
auth_verbose = yes
# Tests fail logins on purpose, all from 127.0.0.1: no failure delay, and no per-IP penalty (anvil would delay
# every later login from the address, good ones too, by up to 15 s).
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={MAILDIR_UID} gid={MAILDIR_GID} home={self.dir}/mail
}}
service auth {{
  unix_listener {self._auth_socket} {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
""")
        with open(os.path.join(self.dir, "dovecot.stderr"), "w") as err:
            self._dovecot = subprocess.Popen([DOVECOT, "-F", "-c", conf], stdout=subprocess.DEVNULL, stderr=err)
        _wait_until(lambda: os.path.exists(self._auth_socket) or self._dovecot.poll() is not None, 10)
        if not os.path.exists(self._auth_socket):
            raise MTAError("Dovecot did not start:\n" + _read(os.path.join(self.dir, "dovecot.stderr"))
                           + _read(os.path.join(self.dir, "dovecot.log")))

    def _start_postfix(self):
        # Configuration, queue and data apart, as in /etc, /var/spool and /var/lib: postfix-script checks the
        # configuration tree for files not owned by root, and the queue's are Postfix's own.
        conf = os.path.join(self.dir, "postfix")
        spool = os.path.join(self.dir, "spool")
        data = os.path.join(self.dir, "data")
        for d in (conf, spool, data):
            os.makedirs(d)
        os.chown(data, _uid("postfix"), _gid("postfix"))
        self._config_dir = conf
        self._spool_dir = spool
        access = os.path.join(conf, "rcpt_access")
        with open(access, "w") as f:
            f.write(f"{TEMPFAIL_RCPT} {TEMPFAIL_REPLY}\n{REJECT_RCPT} {REJECT_REPLY}\n")
        log = os.path.join(self.dir, "postfix.log")
        with open(os.path.join(conf, "main.cf"), "w") as f:
            f.write(f"""# Private Postfix for baremail's tests (tests/integration/mta.py).
compatibility_level = 3.6
queue_directory = {spool}
data_directory = {data}
myhostname = {HOST_NAME}
mydomain = baremail.test
myorigin = $myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = $myhostname ESMTP baremail test server
maillog_file = {log}
maillog_file_prefixes = {self.dir}
biff = no
notify_classes =
# Nothing leaves: every domain is delivered here, and the transports to anywhere else are errors.
virtual_mailbox_domains = static:all
virtual_mailbox_base = {self.dir}/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:{MAILDIR_UID}
virtual_gid_maps = static:{MAILDIR_GID}
local_transport = error:local delivery is off in this test server
default_transport = error:this test server relays nothing
relay_transport = error:this test server relays nothing
smtp_dns_support_level = disabled
alias_maps =
alias_database =
# Show the client's message as it sent it: no headers added for "local" clients (all of ours are 127.0.0.1).
local_header_rewrite_clients =
# A submission server: authenticated clients only, then the per-address RCPT answers of the tests.
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access texthash:{access}
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {self._auth_socket}
smtpd_tls_chain_files = {self._certs.chain["valid"]}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
# Failure tests should not wait: Postfix sleeps after each error by default.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
""")
        lines = ["# Listeners: see LISTENERS in tests/integration/mta.py."]
        for name, (_, mode, cert) in LISTENERS.items():
            opts = [f"syslog_name=postfix/{name}"]
            if mode == "starttls":
                opts.append("smtpd_tls_security_level=encrypt")
            elif mode == "implicit":
                opts.append("smtpd_tls_wrappermode=yes")
            else:
                opts += ["smtpd_tls_security_level=none", "smtpd_tls_auth_only=no"]
            if cert:
                opts.append(f"smtpd_tls_chain_files={self._certs.chain[cert]}")
            lines.append(f"127.0.0.1:{self.ports[name]} inet n - n - - smtpd "
                         + " ".join("-o " + o for o in opts))
        # The internal services this configuration uses; no chroot (paths are absolute under self.dir).
        lines += """cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual""".split("\n")
        with open(os.path.join(conf, "master.cf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        _run([POSTFIX, "-c", conf, "start"])
        want = set(self.ports.values())
        if not _wait_until(lambda: want <= listening_ports(), 15):
            raise MTAError(f"Postfix is not listening on {sorted(want - listening_ports())}:\n"
                           + _read(log))

    # --- what tests use -----------------------------------------------------------------------------------

    def fingerprint(self, variant="valid"):
        """SHA-256 fingerprint (hex, colon-separated) of the certificate of variant "valid", "expired",
        "wronghost" or "untrusted"."""
        return self._certs.fingerprint(variant)

    def server_chain(self, variant="valid"):
        """The file holding the key and certificate of a listener variant (for another server on them)."""
        return self._certs.chain[variant]

    def messages(self):
        """Every delivered message so far, oldest first, as (file name, EmailMessage)."""
        new = os.path.join(self.maildir, "new")
        if not os.path.isdir(new):
            return []
        names = sorted(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns)
        out = []
        for name in names:
            with open(os.path.join(new, name), "rb") as f:
                out.append((name, email.parser.BytesParser(policy=email.policy.default).parse(f)))
        return out

    def unread_messages(self):
        """Messages delivered that wait_for_message has not returned (e.g. to check nothing else arrived)."""
        return [msg for name, msg in self.messages() if name not in self._seen]

    def wait_for_message(self, timeout=10.0):
        """The next message delivered that this method has not returned yet (an email.message.EmailMessage;
        msg.as_bytes() or the file itself for the raw form). The envelope is in the delivery headers:
        Return-Path (sender), X-Original-To and Delivered-To (recipient); one file per recipient.
        Raises TimeoutError when none arrives in time."""
        found = []

        def poll():
            for name, msg in self.messages():
                if name not in self._seen:
                    self._seen.add(name)
                    found.append(msg)
                    return True
            return False
        if not _wait_until(poll, timeout):
            raise TimeoutError(f"no message delivered within {timeout} s; Postfix log:\n" + self.log_text()[-3000:])
        return found[0]

    def log_text(self):
        """Postfix's log so far (smtpd lines are tagged postfix/<listener name>/smtpd)."""
        return _read(os.path.join(self.dir, "postfix.log"))

    def dovecot_log_text(self):
        return _read(os.path.join(self.dir, "dovecot.log"))

    def wait_for_session(self, listener, timeout=10.0):
        """Waits for the next finished SMTP session on a listener (the log's "disconnect from" line, which
        Postfix writes once the client has gone) and returns the commands it saw as a dict, e.g.
        {"ehlo": "2", "starttls": "1", "auth": "0/1", "quit": "1", "commands": "3/4"} ("good/total" where some
        failed). A key is absent when the client never sent that command: "auth" not in result means no AUTH
        line reached the server."""
        pattern = re.compile(rf"postfix/{re.escape(listener)}/smtpd\[\d+\]: disconnect from \S+ (.*)$", re.M)
        result = {}

        def poll():
            text = self.log_text()
            pos = self._log_pos.get(listener, 0)
            m = pattern.search(text, pos)
            if not m:
                return False
            self._log_pos[listener] = m.end()
            result.update(item.split("=", 1) for item in m.group(1).split())
            return True
        if not _wait_until(poll, timeout):
            raise TimeoutError(f"no session ended on {listener} within {timeout} s")
        return result

    # --- tear-down ----------------------------------------------------------------------------------------

    def stop(self):
        """Stops Postfix and Dovecot and removes the directory; safe to call twice and after a failed start."""
        if self.dir is None:
            return
        errors = []
        try:
            if self._config_dir and os.path.exists(os.path.join(self._spool_dir, "pid", "master.pid")):
                subprocess.run([POSTFIX, "-c", self._config_dir, "stop"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if self._dovecot is not None and self._dovecot.poll() is None:
                self._dovecot.terminate()
                try:
                    self._dovecot.wait(10)
                except subprocess.TimeoutExpired:
                    self._dovecot.kill()
                    self._dovecot.wait()
            # Postfix's master ends its children itself; whatever is still there after a grace period is ours
            # (it names our directory), so it is killed by pid.
            left = _end_processes_using(self.dir, None)
            if left:
                errors.append(left)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if errors:
            raise MTAError("; ".join(errors))


class CaptureProxy:
    """A TCP relay from 127.0.0.1:port (ephemeral, unless listen_port is given) to 127.0.0.1:target_port, for any
    number of successive connections. Records each connection's traffic as (seconds since accept, "c" or "s",
    bytes) in arrival order, and delays every chunk by `delay` seconds each way (0: none), keeping order in each
    direction.

    round_trips(i): how many times the client waited for the server: each run of server data that follows
    client data (or opens the connection, the greeting) counts one. With a delay d, a session takes about
    round_trips * 2d longer than without.
    """

    def __init__(self, target_port, delay=0.0, listen_port=0):
        self.target_port = target_port
        self.delay = delay
        self.connections = []  # each: list of (t, direction, bytes)
        self.refuse_with = None  # bytes: answer each new connection with them and close it (counted in refused)
        self.refused = 0
        self._threads = []
        self._done = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", listen_port))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._lock = threading.Lock()
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.refuse_with is not None:
                self.refused += 1
                try:
                    client.sendall(self.refuse_with)
                except OSError:
                    pass
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            events = []
            done = threading.Event()
            with self._lock:
                self.connections.append(events)
                self._done.append(done)
            start = time.monotonic()
            pumps = [threading.Thread(target=self._pump, args=(client, server, "c", events, start), daemon=True),
                     threading.Thread(target=self._pump, args=(server, client, "s", events, start), daemon=True)]
            for p in pumps:
                p.start()
            threading.Thread(target=self._finish, args=(pumps, client, server, done), daemon=True).start()

    def _pump(self, src, dst, direction, events, start):
        q = queue.Queue()

        def send():
            while True:
                due, data = q.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    dst.sendall(data)
                except OSError:
                    break
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            now = time.monotonic()
            if not data:
                q.put((now + self.delay, None))
                break
            with self._lock:
                events.append((now - start, direction, data))
            q.put((now + self.delay, data))
        sender.join()

    @staticmethod
    def _finish(pumps, client, server, done):
        for p in pumps:
            p.join()
        client.close()
        server.close()
        done.set()

    def wait_closed(self, index=-1, timeout=10.0):
        """Waits until connection `index` has ended on both sides (call before reading its figures)."""
        if not _wait_until(lambda: len(self._done) > 0, timeout):
            raise TimeoutError("no connection reached the proxy")
        if not self._done[index].wait(timeout):
            raise TimeoutError("the proxied connection did not end")

    def client_bytes(self, index=-1):
        return b"".join(data for _, d, data in self.connections[index] if d == "c")

    def server_bytes(self, index=-1):
        return b"".join(data for _, d, data in self.connections[index] if d == "s")

    def round_trips(self, index=-1):
        count, last = 0, "c"
        for _, d, _ in self.connections[index]:
            if d == "s" and last == "c":
                count += 1
            last = d
        return count

    def close(self):
        # shutdown() first: a close() alone leaves the port listening while _accept() is blocked in accept().
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        for done in self._done:
            done.wait(5)


def _wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _uid(user):
    import pwd
    return pwd.getpwnam(user).pw_uid


def _gid(group):
    import grp
    return grp.getgrnam(group).gr_gid


def main(argv):
    """`mta.py --stop-stale`: stops the TestMTAs left running on this run's ports ($BAREMAIL_MTA_PORT_OFFSET)."""
    if argv != ["--stop-stale"]:
        print(f"usage: {STOP_STALE_COMMAND}", file=sys.stderr)
        return 2
    offset = int(os.environ.get("BAREMAIL_MTA_PORT_OFFSET", "0"))
    stale = stale_instances({port + offset for port, _, _ in LISTENERS.values()})
    for directory in stale:
        stop_stale(directory)
        print(f"stopped the test mail server in {directory}")
    if not stale:
        print("no test mail server left running on this run's ports")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
