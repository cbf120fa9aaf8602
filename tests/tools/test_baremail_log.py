#!/usr/bin/python3
"""Tests of tools/baremail-log: it prints the event log the native board wrote to a card image's journal
partition, skips a damaged event, and refuses what is not a baremail card with a message and exit status 1.

The native board (make BOARD=native, built here if missing) boots twice on a small image partitioned like the
card tools/mksdcard makes (FAT partition, then the 0xDA journal partition), so the tool reads what the firmware
really wrote. Run from anywhere; last line "N passed, M failed"; exit 1 on failure. $MAKE overrides make.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tally import check, summary  # noqa: E402

TOOL = os.path.join(ROOT, "tools", "baremail-log")
NATIVE = os.path.join(ROOT, "build", "native", "baremail")
SECTOR = 512
JOURNAL_START = 6144        # LBA of the journal partition in the test image
LOG_FIRST = 1024            # PERSIST_LOG_FIRST in firmware/persist_layout.h
ENV = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def tool(*args):
    return subprocess.run([TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")


def make_image(path, table, size=8 << 20):
    with open(path, "wb") as f:
        f.truncate(size)
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", path], input=table, text=True, check=True,
                   env=ENV, stdout=subprocess.DEVNULL)


def boot_native(image, lines=("log",)):
    """Boots the native board on image, types each line (a second apart, so that an alert's debounce passes),
    then `poweroff`; returns what it printed."""
    proc = subprocess.Popen([NATIVE, "--sd", image], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace")
    for line in lines:
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        time.sleep(1.0)
    out, _ = proc.communicate("poweroff\n", timeout=60)
    return out


def make_card_with_config(path, conf):
    """A card like tools/mksdcard's, smaller: a FAT32 partition (the smallest FAT32 takes about 33 MiB: 65525
    clusters of 512 bytes) holding smtp.conf, then the journal partition."""
    fat_sectors = 36 << 11
    make_image(path, f"label: dos\nstart=2048, size={fat_sectors}, type=c\nstart={2048 + fat_sectors}, type=da\n",
               size=48 << 20)
    subprocess.run(["mkfs.fat", "-F", "32", "-s", "1", "--offset", "2048", path, str(fat_sectors // 2)], check=True,
                   env=ENV, stdout=subprocess.DEVNULL)
    conf_path = path + ".conf"
    with open(conf_path, "w") as f:
        f.write(conf)
    subprocess.run(["mcopy", "-i", f"{path}@@{2048 * SECTOR}", conf_path, "::smtp.conf"], check=True, env=ENV)


def main():
    make = shlex.split(os.environ.get("MAKE", "make"))
    build = subprocess.run(make + ["--no-print-directory", "-C", ROOT, "BOARD=native", "all"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    check("the native board builds", build.returncode == 0, build.stdout[-2000:])
    with tempfile.TemporaryDirectory(prefix="baremail-log-test-") as tmp:
        card = os.path.join(tmp, "card.img")
        make_image(card, f"label: dos\nstart=2048, size=4096, type=c\nstart={JOURNAL_START}, type=da\n")
        first = boot_native(card)
        check("the native board opens the image's journal partition",
              "outbox: journal on the SD card: 0 undelivered, room for 256" in first, first[-1500:])
        boot_native(card)

        proc = tool(card)
        boots = re.findall(r"^#(\d+) .* boot +power-on$", proc.stdout, re.M)
        check("both boots are printed, in order", proc.returncode == 0 and boots == ["1", "2"], proc.stdout)
        check("the header counts them", "event log: 2 of the last 256 events" in proc.stdout, proc.stdout)
        proc = tool("--journal", card)
        check("--journal lists the undelivered mails (none)",
              proc.returncode == 0 and "journal: 0 undelivered (room for 256)" in proc.stdout, proc.stdout)

        # A power cut in the middle of the second event's block: it no longer passes its CRC.
        with open(card, "r+b") as f:
            f.seek((JOURNAL_START + LOG_FIRST + 1) * SECTOR + 40)
            f.write(b"\xff\x00\xff")
        proc = tool(card)
        boots = re.findall(r"^#(\d+) .* boot", proc.stdout, re.M)
        check("a damaged event is skipped, the others printed", proc.returncode == 0 and boots == ["1"],
              proc.stdout)

        # A mail queued on one boot is on the card, comes back at the next, and --journal shows it as a mail.
        mail = os.path.join(tmp, "mail.img")
        make_card_with_config(mail, "MailHub=10.0.2.2:2525\nRoot=ops@example.com\nBootMail=NO\n"
                                    "Alert=door: gpio=17 pull=up\n")
        first = boot_native(mail, ["pin 17 low", "outbox"])
        check("an alert is queued on the card", "outbox: mail 1 (door triggered) queued" in first and
              "outbox: kept in journal on the SD card: 1 undelivered" in first, first[-1500:])
        proc = tool("--journal", mail)
        check("--journal shows it as a mail, with its Message-ID part",
              re.search(r"^#1 +mail 1: alert 0 triggered, 1 event, .*, Message-ID part [0-9a-f]{16}$", proc.stdout,
                        re.M) is not None and "journal: 1 undelivered" in proc.stdout, proc.stdout)
        second = boot_native(mail, ["outbox"])
        check("the next boot puts it back into the outbox", "outbox: 1 mail back from the journal" in second and
              re.search(r"mail 1: door triggered, 1 event", second) is not None, second[-1500:])
        proc = tool(mail)
        check("the event log has the alert queued", re.search(r" alert +mail 1 \(door triggered\) queued$",
                                                             proc.stdout, re.M) is not None, proc.stdout)

        old = os.path.join(tmp, "old.img")
        make_image(old, "label: dos\nstart=2048, type=c\n")
        proc = tool(old)
        check("a card without a journal partition: exit 1 and why",
              proc.returncode == 1 and "no journal partition (type 0xDA)" in proc.stdout, proc.stdout)
        small = os.path.join(tmp, "small.img")
        make_image(small, "label: dos\nstart=2048, size=4096, type=c\nstart=6144, size=100, type=da\n")
        proc = tool(small)
        check("a journal partition smaller than the layout is refused",
              proc.returncode == 1 and "fewer than the 1280" in proc.stdout, proc.stdout)
        proc = tool(tmp)
        check("a directory is refused", proc.returncode == 1 and "is a directory" in proc.stdout, proc.stdout)
        proc = tool(os.path.join(tmp, "missing.img"))
        check("a missing file: exit 1 and the system's words",
              proc.returncode == 1 and "No such file" in proc.stdout, proc.stdout)
        proc = tool()
        check("no argument: usage, exit 2", proc.returncode == 2 and "usage: baremail-log" in proc.stdout,
              proc.stdout)
        proc = tool("--bogus", card)
        check("an unknown option: usage, exit 2", proc.returncode == 2, proc.stdout)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
