#!/usr/bin/python3
"""The console's `pin` on the native board (build/native/baremail), whose inputs are simulated pins of a Pi with the
40-pin header: a level driven with `pin N low|high` reads back, the console's pins and pins off the header are
refused with the reason, an alert's pin is named, and the boot refuses an alert on the console's pin.

usage: tests/integration/test_native_pin.py [BINARY]     (default build/native/baremail; no servers, no root)
Ends with "N passed, M failed".
"""
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_native_net as net  # noqa: E402

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def firmware(tmp, conf):
    path = tempfile.mkdtemp(prefix="sd-", dir=tmp)
    with open(os.path.join(path, "smtp.conf"), "w") as f:
        f.write(conf)
    return net.Firmware(path)


@case
def simulated_levels_read_back(tmp):
    with firmware(tmp, "MailHub=10.0.2.2:2525\nRoot=ops@example.com\nAlert=door: gpio=17 pull=up\n") as fw:
        text = fw.command("pin 17")
        assert re.search(r"^GPIO 17 \(header pin 11\): (low|high); watched by alert 'door'", text, re.M), text
        text = fw.command("pin 17 low")
        assert re.search(r"^GPIO 17 \(header pin 11\): low \(simulated\); watched by alert 'door'", text, re.M), text
        text = fw.command("pin 17")
        assert re.search(r"^GPIO 17 \(header pin 11\): low;", text, re.M), text
        text = fw.command("pin 4 high")
        assert re.search(r"^GPIO 4 \(header pin 7\): high \(simulated\); no alert watches it", text, re.M), text
        text = fw.command("pin 4")
        assert re.search(r"^GPIO 4 \(header pin 7\): high;", text, re.M), text


@case
def refused_pins_say_why(tmp):
    with firmware(tmp, "MailHub=10.0.2.2:2525\nRoot=ops@example.com\n") as fw:
        text = fw.command("pin 14 low")
        assert "pin: GPIO 14 cannot be watched: it carries the serial console's TXD (header pin 8)" in text, text
        text = fw.command("pin 15")
        assert "pin: GPIO 15 cannot be watched: it carries the serial console's RXD (header pin 10)" in text, text
        text = fw.command("pin 40 high")
        assert "pin: GPIO 40 cannot be watched: it is not on the 40-pin header (GPIO 0-27 are)" in text, text
        for bad in ("pin", "pin x", "pin -1", "pin 17 on", "pin 17 low extra"):
            text = fw.command(bad)
            assert "usage: pin N [low|high]" in text, f"{bad}: {text}"


@case
def boot_refuses_an_alert_on_the_console_pin(tmp):
    with firmware(tmp, "MailHub=10.0.2.2:2525\nRoot=ops@example.com\nAlert=door: gpio=14\n") as fw:
        boot = fw.output
        assert ("smtp.conf:3: Alert: error: door: gpio: GPIO 14 cannot be watched: it carries the serial console's "
                "TXD (header pin 8); choose another pin") in boot, boot
        assert "configuration unusable: 1 error" in boot, boot


def main():
    if len(sys.argv) > 1:
        net.BINARY = sys.argv[1]
    if not os.access(net.BINARY, os.X_OK):
        print(f"{net.BINARY} is missing: make BOARD=native first")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="baremail-native-pin-")
    try:
        for fn in CASES:
            start = time.monotonic()
            try:
                fn(tmp)
                passed += 1
                print(f"PASS {fn.__name__} ({time.monotonic() - start:.1f} s)", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
