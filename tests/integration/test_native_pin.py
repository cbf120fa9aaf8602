#!/usr/bin/python3
"""The console's `pin` on the native board (build/native/baremail), whose inputs are simulated pins of a Pi with the
40-pin header: a level driven with `pin N low|high` reads back, the console's pins and pins off the header are
refused with the reason, an alert's pin is named, and the boot refuses an alert on the console's pin.

usage: tests/integration/test_native_pin.py [BINARY]     (default build/native/baremail; no servers, no root)
Ends with "N passed, M failed".
"""
import os
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import test_native_net as net  # noqa: E402
from pin_checks import check_refused_pins, check_simulated_levels  # noqa: E402
from tally import check, summary  # noqa: E402

CONF = "MailHub=10.0.2.2:2525\nRoot=ops@example.com\n"


def firmware(tmp, conf):
    path = tempfile.mkdtemp(prefix="sd-", dir=tmp)
    with open(os.path.join(path, "smtp.conf"), "w") as f:
        f.write(conf)
    return net.Firmware(path)


def simulated_levels_read_back(tmp):
    with firmware(tmp, CONF + "Alert=door: gpio=17 pull=up\n") as fw:
        check_simulated_levels(fw)
        assert "watched by alert 'door'" in fw.command("pin 17")
        check_simulated_levels(fw, gpio=4, header_pin=7)
        assert "no alert watches it" in fw.command("pin 4")


def refused_pins_say_why(tmp):
    with firmware(tmp, CONF) as fw:
        check_refused_pins(fw)


def boot_refuses_an_alert_on_the_console_pin(tmp):
    with firmware(tmp, CONF + "Alert=door: gpio=14\n") as fw:
        assert ("smtp.conf:3: Alert: error: door: gpio: GPIO 14 cannot be watched: it carries the serial console's "
                "TXD (header pin 8); choose another pin") in fw.output, fw.output
        assert "configuration unusable: 1 error" in fw.output, fw.output


def main():
    if len(sys.argv) > 1:
        net.BINARY = sys.argv[1]
    if not os.access(net.BINARY, os.X_OK):
        check("native binary", False, f"{net.BINARY} is missing: make BOARD=native first")
        return summary()
    tmp = tempfile.mkdtemp(prefix="baremail-native-pin-")
    try:
        for fn in (simulated_levels_read_back, refused_pins_say_why, boot_refuses_an_alert_on_the_console_pin):
            try:
                fn(tmp)
                check(fn.__name__, True)
            except Exception:
                check(fn.__name__, False, traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
