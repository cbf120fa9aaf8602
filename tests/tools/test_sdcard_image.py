#!/usr/bin/python3
"""Tests of `make sdcard` (tools/sdcard.mk, tools/mksdcard): the card image's layout and contents.

Builds a card image from tests/data/sdcard/smtp.conf the way a user does, into build/host/sdcard-test/ (never
over the user's build/sdcard.img), then reads it back without root: the MBR, the FAT32 boot sector and the journal
partition directly, the files through mtools. Last, configs that tools/mksdcard must refuse: `make sdcard` fails
and the previous image stays as it was (issue 10, item 17), with no temporary file left beside it.
Run from anywhere; last line "N passed, M failed"; exit 1 on failure. $MAKE overrides the make command.
"""
import hashlib
import os
import shlex
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tally import check, summary  # noqa: E402

DATA = os.path.join("tests", "data", "sdcard")
CONFIG = os.path.join(DATA, "smtp.conf")
CA = os.path.join(DATA, "example-test-ca-bundle.pem")
REVALIASES = os.path.join("tests", "data", "config", "revaliases")
BAD_CONFIG = os.path.join(DATA, "bad.conf")
# Not build/sdcard.img: running the tests must not replace the user's own card image.
IMAGE_REL = os.path.join("build", "host", "sdcard-test", "sdcard.img")
IMAGE = os.path.join(ROOT, IMAGE_REL)
LOCK = os.path.join(ROOT, "tools", "raspi-firmware.lock")

SECTOR = 512
PARTITION_START_LBA = 4 * 1024 * 1024 // SECTOR
JOURNAL_SECTORS = 4 * 1024 * 1024 // SECTOR  # PERSIST_PARTITION_MIB in firmware/persist_layout.h
JOURNAL_TYPE = 0xDA
BOARD_IMAGES = {"kernel.img": "build/rpi1/kernel.img", "kernel7.img": "build/rpi2/kernel7.img"}
FIRMWARE = ["bootcode.bin", "start.elf", "fixup.dat", "start_cd.elf", "fixup_cd.dat"]
MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLSRC="/dev/null")

def make_sdcard(config, files):
    cmd = shlex.split(os.environ.get("MAKE", "make")) + ["--no-print-directory", "sdcard", f"CONFIG={config}",
                                                          f"FILES={' '.join(files)}", f"SDCARD_IMG={IMAGE_REL}"]
    return subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")


def mtools(*args):
    return subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=MTOOLS_ENV)


def card_file(name):
    """Bytes of a file on the card, or None."""
    proc = mtools("mtype", "-i", f"{IMAGE}@@{PARTITION_START_LBA * SECTOR}", f"::{name}")
    return proc.stdout if proc.returncode == 0 else None


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def lock_value(key):
    with open(LOCK) as f:
        for line in f:
            if line.startswith(key + "="):
                return line.split("=", 1)[1].strip()
    return None


def test_layout(img):
    size = len(img)
    check("image size is a power of two of at least 64 MiB", size >= 64 << 20 and size & (size - 1) == 0,
          f"{size} bytes")
    check("MBR signature 55 AA", img[510:512] == b"\x55\xaa", img[510:512].hex())
    entries = [img[446 + 16 * i:446 + 16 * (i + 1)] for i in range(4)]
    used = [e for e in entries if e[4] != 0]
    check("two partitions", len(used) == 2, f"{len(used)} partitions")
    if len(used) != 2:
        return None
    ptype, lba, count = used[0][4], *struct.unpack("<II", used[0][8:16])
    check("partition 1 type 0x0C (FAT32, LBA)", ptype == 0x0C, f"type 0x{ptype:02x}")
    check("partition 1 starts at 4 MiB", lba == PARTITION_START_LBA, f"LBA {lba}")
    jtype, jlba, jcount = used[1][4], *struct.unpack("<II", used[1][8:16])
    check("partition 2 type 0xDA (non-FS data: the journal)", jtype == JOURNAL_TYPE, f"type 0x{jtype:02x}")
    check("partition 2 follows the FAT one", jlba == lba + count, f"FAT ends at {lba + count}, journal at {jlba}")
    check("partition 2 is 4 MiB and ends the image", jcount == JOURNAL_SECTORS and jlba + jcount == size // SECTOR,
          f"LBA {jlba} + {jcount} of {size // SECTOR}")
    check("the journal partition is all zeros (an empty journal)",
          img[jlba * SECTOR:(jlba + jcount) * SECTOR].count(0) == jcount * SECTOR, "non-zero bytes")
    boot = img[lba * SECTOR:(lba + 1) * SECTOR]
    check("FAT32 boot sector", boot[510:512] == b"\x55\xaa" and boot[82:90] == b"FAT32   ", boot[82:90])
    hidden = struct.unpack("<I", boot[28:32])[0]
    check("boot sector's hidden sectors = partition start", hidden == lba, f"{hidden}")
    return lba, count


def test_fsck(img, lba, count):
    with tempfile.NamedTemporaryFile(suffix=".fat") as part:
        part.write(img[lba * SECTOR:(lba + count) * SECTOR])
        part.flush()
        proc = subprocess.run(["fsck.fat", "-n", part.name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    check("fsck.fat finds the file system clean", proc.returncode == 0, proc.stdout.strip())


def test_contents():
    listing = mtools("mdir", "-b", "-i", f"{IMAGE}@@{PARTITION_START_LBA * SECTOR}", "::")
    names = {line.decode(errors="replace")[3:] for line in listing.stdout.splitlines() if line.startswith(b"::/")}
    want = FIRMWARE + ["config.txt", "LICENCE.raspi-firmware", "smtp.conf", "revaliases",
                       os.path.basename(CA)] + list(BOARD_IMAGES)
    missing = sorted(set(want) - names)
    check("every file on the card, long names kept", not missing, f"missing {missing}; card has {sorted(names)}")
    check("no Pi 4 firmware on the card", not any(n.startswith("start4") for n in names), sorted(names))

    for card_name, built in BOARD_IMAGES.items():
        check(f"{card_name} is {built}", card_file(card_name) == read(built), "contents differ")
    check("smtp.conf is the CONFIG", card_file("smtp.conf") == read(CONFIG), "contents differ")
    check("revaliases kept", card_file("revaliases") == read(REVALIASES), "contents differ")
    check(f"{os.path.basename(CA)} kept", card_file(os.path.basename(CA)) == read(CA), "contents differ")

    deb = os.path.join(ROOT, "third_party", "raspi-firmware", f"raspi-firmware_{lock_value('version')}_all.deb")
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(["dpkg-deb", "-x", deb, tree], check=False)
        for name in FIRMWARE:
            src = os.path.join(tree, "usr", "lib", "raspi-firmware", name)
            ok = os.path.exists(src) and card_file(name) == open(src, "rb").read()
            check(f"{name} is the pinned raspi-firmware's", ok, f"differs from {deb}")
    check("the cached .deb matches the lock's sha256",
          os.path.exists(deb) and hashlib.sha256(read(deb)).hexdigest() == lock_value("sha256"), deb)

    text = (card_file("config.txt") or b"").decode(errors="replace")
    settings = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in ("enable_uart=1", "arm_64bit=0", "init_uart_clock=48000000", "gpu_mem=16", "kernel_address=0x8000"):
        check(f"config.txt sets {line}", line in settings, f"settings: {settings}")
    check("config.txt names both images", "kernel.img" in text and "kernel7.img" in text, "image names missing")
    check("config.txt has no model sections ([pi4] excluded)", not any(s.startswith("[") for s in settings),
          f"settings: {settings}")
    check("config.txt picks no other kernel", not any(s.startswith("kernel=") for s in settings),
          f"settings: {settings}")


def leftovers():
    folder = os.path.dirname(IMAGE)
    return sorted(n for n in os.listdir(folder) if n.startswith(".sdcard-")) if os.path.isdir(folder) else []


def test_refusals():
    before = read(IMAGE_REL) if os.path.exists(IMAGE) else None
    check("a good image exists before the refusals", before is not None, IMAGE)

    def unchanged(what):
        now = read(IMAGE_REL) if os.path.exists(IMAGE) else None
        check(f"the previous image is left as it was after {what}", now == before,
              "deleted" if now is None else "changed")
        check(f"no temporary image left behind after {what}", not leftovers(), leftovers())

    proc = make_sdcard(BAD_CONFIG, [])
    check("a config with an error fails make sdcard", proc.returncode != 0, "make succeeded")
    check("its message names the file and line", f"{BAD_CONFIG}:3: MailHubb" in proc.stdout,
          proc.stdout[-2000:])
    unchanged("a config error")

    proc = make_sdcard(CONFIG, [REVALIASES])
    check("a file the config names but FILES lacks is refused",
          proc.returncode != 0 and f"{CONFIG}:6: TLS_CA_File" in proc.stdout, proc.stdout[-2000:])

    proc = make_sdcard("", [])
    check("make sdcard without CONFIG prints usage", proc.returncode != 0 and "usage: make sdcard" in proc.stdout,
          proc.stdout[-500:])

    proc = make_sdcard(CONFIG, [CA, os.path.join(DATA, "..", "sdcard", os.path.basename(CA))])
    check("two FILES with one name are refused", proc.returncode != 0 and "same name" in proc.stdout,
          proc.stdout[-500:])
    unchanged("a refusal")


def main():
    proc = make_sdcard(CONFIG, [CA, REVALIASES])
    check("make sdcard succeeds with a valid config", proc.returncode == 0, proc.stdout[-3000:])
    if proc.returncode == 0 and os.path.exists(IMAGE):
        with open(IMAGE, "rb") as f:
            img = f.read()
        part = test_layout(img)
        if part:
            test_fsck(img, *part)
        test_contents()
    test_refusals()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
