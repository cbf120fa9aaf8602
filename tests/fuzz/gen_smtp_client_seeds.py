#!/usr/bin/python3
"""Writes the seed corpus of fuzz_smtp_client (tests/fuzz/corpus/fuzz_smtp_client/): whole sessions as scripts of
the target's events (see tests/fuzz/fuzz_smtp_client.c), so the fuzzer starts from the states a real server
reaches: STARTTLS with AUTH and a message, implicit TLS, plain SMTP, a lookup that answers late, a reset
mid-session, a timeout, a cancel, a refused close. Run from the repository root after changing the event format."""
import os

DATA, SENT, ERR, FIN, CONNECTED, DNS, TLS_DONE, CLOCK, POLL, CANCEL, SNDBUF, CLOSE_MEM, START = range(13)
OUT = os.path.join("tests", "fuzz", "corpus", "fuzz_smtp_client")


def data(text, split=0):
    raw = text.encode()
    assert len(raw) < 256
    return bytes([DATA, len(raw)]) + raw + bytes([split])


# Byte 0: bits 0-1 the configuration (0 plain, 1 STARTTLS, 2 implicit, 3 STARTTLS + CRAM-MD5 + Debug), bit 2 one
# message (else none), bits 3-4 the lookup (0 at once, 1 later), bit 6 the TLS layer out of memory, bit 7 no network.
EHLO_TLS = "250-mail.example.com\r\n250-STARTTLS\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"
EHLO_AUTH = "250-mail.example.com\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"
MESSAGE = data("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n", 9) + bytes([SENT, 255, SENT, 255, POLL]) + \
    data("250 2.0.0 Ok: queued as 1\r\n") + data("221 2.0.0 Bye\r\n") + bytes([POLL])
SEEDS = {
    "starttls-auth-message": bytes([0x05, CONNECTED]) + data("220 mail ESMTP\r\n") + data(EHLO_TLS, 20) +
    data("220 2.0.0 Ready to start TLS\r\n") + bytes([POLL, TLS_DONE]) + data(EHLO_AUTH) +
    data("235 2.7.0 Authentication successful\r\n") + MESSAGE,
    "implicit-late-dns": bytes([0x0e, DNS, 1, CONNECTED]) + data("220 mail ESMTP\r\n") + data(EHLO_AUTH) +
    data("235 2.7.0 Ok\r\n") + MESSAGE,
    "cram-md5-debug": bytes([0x07, CONNECTED]) + data("220 mail ESMTP\r\n") + data(EHLO_TLS) +
    data("220 2.0.0 Ready\r\n") + bytes([POLL, TLS_DONE]) + data(EHLO_AUTH) +
    data("334 PDQxMjM0NTY3ODkuMTIzNEBtYWlsPg==\r\n") + data("235 2.7.0 Ok\r\n") + MESSAGE,
    "plain-no-auth": bytes([0x04, CONNECTED]) + data("220 mail ESMTP\r\n") +
    data("250-mail.example.com\r\n250 8BITMIME\r\n") + MESSAGE,
    "reset-mid-session": bytes([0x05, CONNECTED]) + data("220 mail ESMTP\r\n") + data(EHLO_TLS) +
    bytes([ERR, 0, START, 0x06, CONNECTED]) + data("220 again\r\n") + bytes([ERR, 0x81]),
    "timeouts-and-full-buffer": bytes([0x0d, CLOCK, 3, DNS, 1, SNDBUF, 0, CONNECTED]) + data("220 mail\r\n") +
    bytes([POLL, SNDBUF, 4, POLL, SENT, 8, CLOCK, 30, CLOCK, 200]),
    "cancel-and-close-fails": bytes([0x05, CONNECTED]) + data("220 mail ESMTP\r\n") +
    bytes([CLOSE_MEM, CANCEL, START, 0x02, CONNECTED]) + data("220 x\r\n") + bytes([FIN, POLL]),
    "tls-refused-then-stale-dns": bytes([0x09, DNS, 3, DNS, 5, START, 0x4a, ERR, 0x81]),
}

os.makedirs(OUT, exist_ok=True)
for name, seed in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(seed)
