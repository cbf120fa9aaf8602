#!/usr/bin/python3
"""A submission server on Python's ssl that sends several TLS 1.3 session tickets per handshake, for bench/submit.

Python's ssl (OpenSSL) sends its NewSessionTickets together with the first data, here the SMTP greeting: the case
where a client that handles one record per network event stalls (issue 13). Postfix sends fewer, so bench/submit
measures both servers.

    with TicketSMTPD(mta) as t:      # mta: a started tests/integration/mta.TestMTA, for its certificate and user
        submit to 127.0.0.1:t.ports["implicit"] (RFC 8314) or t.ports["starttls"], AUTH as t.user / t.password
        t.wait_for_message(10)

It has the attributes of TestMTA that bench/submit uses (ports, user, password, fingerprint(), wait_for_message()).
Messages are counted, not delivered. It listens on 127.0.0.1 only, on free ports, and runs as a child process
(aiosmtpd's event loop in a thread of the bench kept the native firmware's connections from reaching the proxy).
Run as a program it is that child: `ticket_smtpd.py CHAIN USER PASSWORD TICKETS` prints "ports IMPLICIT STARTTLS",
then "message" per message received, until its standard input closes.
"""
import os
import socket
import subprocess
import sys
import threading

# OpenSSL's default is 2; more tickets mean more records in front of the greeting.
TICKETS = 4


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TicketSMTPD:
    def __init__(self, mta, tickets=TICKETS):
        self.user = mta.user
        self.password = mta.password
        self.fingerprint = mta.fingerprint
        self.tickets = tickets
        self._argv = ["/usr/bin/python3", os.path.abspath(__file__), mta.server_chain(), mta.user, mta.password,
                      str(tickets)]
        self._proc = None
        self._received = threading.Semaphore(0)
        self.ports = {}

    def __enter__(self):
        self._proc = subprocess.Popen(self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        words = self._proc.stdout.readline().split()
        if len(words) != 3 or words[0] != "ports":
            self.__exit__()
            raise RuntimeError("the ticket server did not start")
        self.ports = {"implicit": int(words[1]), "starttls": int(words[2])}
        threading.Thread(target=self._follow, daemon=True).start()
        return self

    def _follow(self):
        for line in self._proc.stdout:
            if line.strip() == "message":
                self._received.release()

    def __exit__(self, *exc):
        self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        return False

    def wait_for_message(self, timeout=10.0):
        if not self._received.acquire(timeout=timeout):
            raise TimeoutError("no message reached the ticket server")


def serve(chain, user, password, tickets):
    import logging
    import ssl
    import warnings

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            print("message", flush=True)
            return "250 2.0.0 Ok: queued"

    def auth(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=ok)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.num_tickets = tickets
    ctx.load_cert_chain(chain)  # the key and the certificate in one file
    # Expected here (see below), and aiosmtpd's deprecation notes are not this bench's business.
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    common = dict(hostname="127.0.0.1", authenticator=auth, auth_required=True, ident="bench ticket server")
    handler = Handler()
    # aiosmtpd counts only STARTTLS as TLS (auth_require_tls): on the implicit port every byte is under TLS.
    controllers = [Controller(handler, port=_free_port(), ssl_context=ctx, auth_require_tls=False, **common),
                   Controller(handler, port=_free_port(), tls_context=ctx, require_starttls=True, **common)]
    for c in controllers:
        c.start()
    print("ports", *(c.port for c in controllers), flush=True)
    sys.stdin.read()
    for c in controllers:
        c.stop()


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
