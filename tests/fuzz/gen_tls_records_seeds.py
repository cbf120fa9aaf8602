#!/usr/bin/python3
"""Writes the seed corpus of fuzz_tls_records (tests/fuzz/corpus/fuzz_tls_records/): scripts of the target's events
(see tests/fuzz/fuzz_tls_records.c) that reach the states worth mutating: full TLS 1.3 and 1.2 exchanges both
ways, records split across pbufs, a flipped byte, the application refusing, closing or aborting inside its recv
callback, a full send buffer, a server record that waits for room, close_notify, FIN without it, a reset, a close
that fails, and hostile bytes instead of a server. Run from the repository root after changing the event format."""
import os

(SERVER_DATA, DELIVER, PUMP, FLIP, RAW, SERVER_CLOSE, FIN, RESET, SENT, POLL, SNDBUF, APP_WRITE, APP_MODE,
 APP_CLOSE, APP_ABORT, APP_SHUTDOWN, CLOSE_FAILS) = range(17)
TAKE, REFUSE, CLOSE_INSIDE, ABORT_INSIDE = range(4)
OUT = os.path.join("tests", "fuzz", "corpus", "fuzz_tls_records")
TLS13, TLS12, HOSTILE = 0x00, 0x02, 0x01

HANDSHAKE = bytes([PUMP, PUMP, PUMP])
EXCHANGE = bytes([APP_WRITE, 60, PUMP, SERVER_DATA, 200, DELIVER, 3, 5, DELIVER, 40, 100, PUMP,
                  SERVER_DATA, 255, SERVER_DATA, 255, PUMP, APP_WRITE, 255, PUMP])
# 14 writes of 255 * 37 bytes: more than the target's 128 KiB queue towards the client holds.
QUEUE_FULL = bytes([SERVER_DATA, 255]) * 14


def raw(data):
    assert len(data) < 256
    return bytes([RAW, len(data)]) + data


SEEDS = {
    "tls13-exchange-close-notify": bytes([TLS13]) + HANDSHAKE + EXCHANGE + bytes([SERVER_CLOSE, PUMP]),
    "tls12-exchange-fin": bytes([TLS12]) + HANDSHAKE + EXCHANGE + bytes([FIN]),
    "flipped-byte": bytes([TLS13]) + HANDSHAKE + bytes([SERVER_DATA, 50, FLIP, 7, PUMP]),
    "refuse-then-take": bytes([TLS13]) + HANDSHAKE + bytes([APP_MODE, REFUSE, SERVER_DATA, 120, PUMP,
                                                            APP_MODE, TAKE, POLL, PUMP]),
    "close-inside-recv": bytes([TLS13]) + HANDSHAKE + bytes([APP_MODE, CLOSE_INSIDE, SERVER_DATA, 90, PUMP]),
    "abort-inside-recv": bytes([TLS12]) + HANDSHAKE + bytes([APP_MODE, ABORT_INSIDE, SERVER_DATA, 90, PUMP]),
    "small-send-buffer": bytes([TLS13]) + HANDSHAKE + bytes([SNDBUF, 1, APP_WRITE, 200, SENT, 2, POLL, SNDBUF,
                                                            0x81, APP_WRITE, 9, SENT, 200, PUMP]),
    "reset-mid-handshake": bytes([TLS13, PUMP, RESET]),
    # The client's queue fills: the server's last record waits in Mbed TLS, goes out with its next write or
    # close_notify, and the plaintext after it must follow it, not repeat it.
    "server-record-waits": bytes([TLS12, PUMP]) + QUEUE_FULL + bytes([PUMP, SERVER_DATA, 11, SERVER_DATA, 2, PUMP,
                                                                       FIN]),
    "server-close-after-waiting": bytes([TLS13, PUMP]) + QUEUE_FULL + bytes([PUMP, SERVER_CLOSE, SERVER_DATA, 2,
                                                                              PUMP]),
    "shutdown-then-close-fails": bytes([TLS13]) + HANDSHAKE + bytes([APP_SHUTDOWN, CLOSE_FAILS, APP_CLOSE]),
    "hostile-server-hello": bytes([HOSTILE]) +
    raw(b"\x16\x03\x03\x00\x2a\x02\x00\x00\x26\x03\x03" + bytes(32) + b"\x00\x13\x01\x00") +
    bytes([DELIVER, 1, 3]) + raw(b"\x15\x03\x03\x00\x02\x02\x28") + bytes([DELIVER, 1, 0, FIN]),
}

os.makedirs(OUT, exist_ok=True)
for name, seed in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(seed)
