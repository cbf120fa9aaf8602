#!/usr/bin/python3
"""Boots the firmware from a card made by `make sdcard` and checks what it read from it, and what it wrote to the
card's journal partition (the event log, kept across QEMU being killed, read back by tools/baremail-log)."""
import hashlib
import os
import re
import struct
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


SECTOR = 512


def partitions(image):
    """(type, first LBA, sectors) of the used MBR entries."""
    with open(image, "rb") as f:
        mbr = f.read(SECTOR)
    entries = [mbr[446 + 16 * i:446 + 16 * (i + 1)] for i in range(4)]
    return [(e[4], *struct.unpack("<II", e[8:16])) for e in entries if e[4] != 0]


def region_digest(image, first, count):
    with open(image, "rb") as f:
        f.seek(first * SECTOR)
        return hashlib.sha256(f.read(count * SECTOR)).hexdigest()


def boot_and_log(image):
    """Boots, runs `log`, and leaves by killing QEMU (a power cut). Returns (boot output, log output)."""
    with boot_with_card(image) as c:
        start = c.expect(r"baremail \S+", BOOT_TIMEOUT).start()
        c.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        boot = c.output[start:c.mark]
        return boot, c.command("log")


@case
def journal_partition_in_use():
    """The journal partition: found at boot, each boot written to the event log on the card (SD writes through the
    Arasan controller), kept when QEMU is killed, read back by tools/baremail-log; the FAT partition unchanged."""
    image = make_card(os.path.join(ROOT, "tests", "data", "config", "ssmtp.conf"), "journal.img")
    parts = partitions(image)
    assert [p[0] for p in parts] == [0x0C, 0xDA], parts
    fat = region_digest(image, parts[0][1], parts[0][2])

    boot, log = boot_and_log(image)
    assert "outbox: journal on the SD card: 0 undelivered, room for 256" in boot, boot
    assert re.search(r"event log: 1 of the last 256 events", log), log
    assert re.search(r"^#1 .* boot +power-on", log, re.M), log
    boot, log = boot_and_log(image)
    assert re.search(r"event log: 2 of the last 256 events", log), log
    assert re.search(r"^#2 .* boot +power-on", log, re.M), log

    proc = subprocess.run([os.path.join(ROOT, "tools", "baremail-log"), "--journal", image], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, proc.stdout
    assert len(re.findall(r"^#\d+ .* boot +power-on\b", proc.stdout, re.M)) == 2, proc.stdout
    assert "journal: 0 undelivered (room for 256)" in proc.stdout, proc.stdout
    assert region_digest(image, parts[0][1], parts[0][2]) == fat, "the firmware changed the FAT partition"


@case
def card_without_journal_partition():
    """An older card, with the FAT partition only: the firmware says mails stay in RAM, and `log` says why."""
    image = make_card(os.path.join(ROOT, "tests", "data", "config", "ssmtp.conf"), "no-journal.img")
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", "--delete", image, "2"], check=True,
                   env=dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"))
    assert [p[0] for p in partitions(image)] == [0x0C]
    boot, log = boot_and_log(image)
    assert "journal: no journal partition on the SD card: the outbox keeps mails in RAM only" in boot, boot
    assert "configuration loaded from smtp.conf" in boot, boot
    assert "no event log" in log and "RAM only" in log, log


if __name__ == "__main__":
    run_cases()
