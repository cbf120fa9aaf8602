#!/usr/bin/python3
"""The console's `pin` under QEMU: QEMU's GPIO model has no inputs, so levels are simulated there (board_input_simulate)
and read back; the console's own pins are refused with the reason; an alert's pin is named, and the boot refuses an
alert on the console's pin, as the board decides."""
import os
import re
import subprocess
import sys
import tempfile

from qemu_console import BOOT_TIMEOUT, PROMPT, ROOT, QemuConsole, case, make_card, run_cases

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from pin_checks import check_refused_pins, check_simulated_levels  # noqa: E402

RPI2 = "build/rpi2/kernel7.img"
RPI1 = "build/rpi1/kernel.img"
CONF = "MailHub=10.0.2.2:2525\nRoot=ops@example.com\n"


@case
def pin_on_raspi2b():
    with QemuConsole("raspi2b", RPI2) as c:
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        check_simulated_levels(c)
        check_refused_pins(c)
        assert "no alert watches it" in c.command("pin 17")


@case
def pin_on_raspi0():
    with QemuConsole("raspi0", RPI1) as c:
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        check_simulated_levels(c, gpio=4, header_pin=7)
        check_refused_pins(c)


@case
def pin_names_the_alert_and_boot_refuses_the_console_pin():
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "smtp.conf")
        with open(conf, "w") as f:
            f.write(CONF + "Alert=door: gpio=17 pull=up\n")
        image = make_card(conf, "pin-alert.img")
        with QemuConsole("raspi2b", RPI2, extra_args=["-drive", f"file={image},if=sd,format=raw"]) as c:
            c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
            assert "watched by alert 'door'" in c.command("pin 17")
        # The card tool refuses the console's pin as the firmware does, so break the good card with mtools.
        with open(conf, "w") as f:
            f.write(CONF + "Alert=door: gpio=15\n")
        offset = 4 * 1024 * 1024  # tools/mksdcard puts the partition at 4 MiB
        subprocess.run(["mcopy", "-o", "-i", f"{image}@@{offset}", conf, "::smtp.conf"], check=True)
        with QemuConsole("raspi2b", RPI2, extra_args=["-drive", f"file={image},if=sd,format=raw"]) as c:
            start = c.expect(r"baremail \S+", BOOT_TIMEOUT).start()
            c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
            banner = c.output[start:c.mark]
            assert ("smtp.conf:3: Alert: error: door: gpio: GPIO 15 cannot be watched: it carries the serial "
                    "console's RXD (header pin 10); choose another pin") in banner, banner


if __name__ == "__main__":
    run_cases()
