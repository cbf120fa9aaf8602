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


def make_image(path, table):
    with open(path, "wb") as f:
        f.truncate(8 << 20)
    subprocess.run(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", path], input=table, text=True, check=True,
                   env=ENV, stdout=subprocess.DEVNULL)


def boot_native(image):
    proc = subprocess.run([NATIVE, "--sd", image], input="log\npoweroff\n", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=60)
    return proc.stdout


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
