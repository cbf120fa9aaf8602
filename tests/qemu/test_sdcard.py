#!/usr/bin/python3
"""Boots the firmware from a card made by `make sdcard` and checks what it read from it."""
import os
import re
import subprocess

from qemu_console import BOOT_TIMEOUT, CARD_DIR, PROMPT, ROOT, QemuConsole, case, make_card, run_cases

PASSWORD = "abcd efgh ijkl mnop"


def boot_with_card(image):
    return QemuConsole("raspi2b", "build/rpi2/kernel7.img",
                       extra_args=["-drive", f"file={image},if=sd,format=raw"])


@case
def seed_config_from_card():
    """The user's ssmtp.conf, unchanged, read from the card: effective config shown, password masked."""
    image = make_card(os.path.join(ROOT, "tests", "data", "config", "ssmtp.conf"), "seed.img")
    with boot_with_card(image) as c:
        start = c.expect(r"baremail \S+", BOOT_TIMEOUT).start()
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        boot = c.output[start:c.mark]
        assert re.search(r"smtp\.conf:\d+: hostname: warning", boot, re.I), boot
        assert "configuration loaded from smtp.conf" in boot, boot
        text = c.command("config")
        assert re.search(r"^MailHub *= *smtp\.gmail\.com:587", text, re.M | re.I), text
        assert re.search(r"^AuthPass *= *\*{8}", text, re.M | re.I), text
        assert PASSWORD not in c.output, "the password was printed"


@case
def broken_config_keeps_console():
    """A config with errors: file:line and a suggestion at boot, and the console still answers."""
    bad = os.path.join(CARD_DIR, "bad-smtp.conf")
    os.makedirs(CARD_DIR, exist_ok=True)
    # The card tool refuses a config that fails the check, so write a good card and break it with mtools.
    image = make_card(os.path.join(ROOT, "tests", "data", "config", "ssmtp.conf"), "broken.img")
    with open(os.path.join(ROOT, "tests", "data", "config", "ssmtp.conf")) as f:
        text = f.read().replace("mailhub=", "MailHubb=")
    with open(bad, "w") as f:
        f.write(text)
    offset = 4 * 1024 * 1024  # tools/mksdcard puts the partition at 4 MiB
    subprocess.run(["mcopy", "-o", "-i", f"{image}@@{offset}", bad, "::smtp.conf"], check=True)
    with boot_with_card(image) as c:
        start = c.expect(r"baremail \S+", BOOT_TIMEOUT).start()
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        boot = c.output[start:c.mark]
        assert re.search(r"smtp\.conf:\d+: MailHubb: error: unknown key; did you mean MailHub\?", boot), boot
        assert "configuration unusable" in boot, boot
        assert "none loaded" in c.command("config")
        assert "Raspberry Pi 2 Model B" in c.command("version")


if __name__ == "__main__":
    run_cases()
