#!/usr/bin/python3
"""Tests of tools/flash: each refusal and its exit status, the confirmation, and the write+verify path.

File targets (--allow-file) cover the size check, the prompt and the write+verify path. Where the machine lets
root use losetup (and mount ext2), loop devices show the block-device refusals: a loop device is not removable,
and a mounted one is in use. The disk under "/" shows the running-system refusal. Cases the machine cannot set up
are reported as "skip" and not counted. Nothing here ever answers the prompt for a real block device: those runs
have no --yes and an empty stdin, so even a broken check could not write.
Run from anywhere; last line "N passed, M failed"; exit 1 on failure.
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tally import check, skip, summary  # noqa: E402

FLASH = os.path.join(ROOT, "tools", "flash")

EXIT_NOT_BLOCK, EXIT_IN_USE, EXIT_SYSTEM_DISK, EXIT_NOT_REMOVABLE = 3, 5, 6, 7
EXIT_TOO_SMALL, EXIT_NOT_CONFIRMED = 8, 9


def flash(*args, answer=None):
    return subprocess.run([FLASH] + list(args), input=answer if answer is not None else "",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def expect_refusal(name, proc, status, text):
    check(name, proc.returncode == status and text in proc.stdout,
          f"exit {proc.returncode} (want {status}), output: {proc.stdout.strip()}")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_files(tmp):
    image = os.path.join(tmp, "sdcard.img")
    payload = os.urandom(3 * 1024 * 1024 + 123)  # not a multiple of the tool's chunk size
    write(image, payload)
    card = os.path.join(tmp, "card.bin")
    blank = b"\xa5" * (8 * 1024 * 1024)
    write(card, blank)

    expect_refusal("a regular file is refused without --allow-file",
                   flash(image, card, "--yes"), EXIT_NOT_BLOCK, "not a block device")
    check("... and left untouched", read(card) == blank, "target changed")
    expect_refusal("a character device (/dev/null) is refused", flash(image, "/dev/null", "--yes"),
                   EXIT_NOT_BLOCK, "character device")
    expect_refusal("a directory is refused", flash(image, tmp, "--yes", "--allow-file"), EXIT_NOT_BLOCK,
                   "not a block device")
    expect_refusal("a missing target is refused", flash(image, os.path.join(tmp, "nope"), "--yes"),
                   EXIT_NOT_BLOCK, "No such file")

    small = os.path.join(tmp, "small.bin")
    write(small, b"\0" * (1024 * 1024))
    expect_refusal("an image larger than the target is refused", flash(image, small, "--allow-file", "--yes"),
                   EXIT_TOO_SMALL, "larger than")
    check("... and the target left untouched", read(small) == b"\0" * (1024 * 1024), "target changed")

    proc = flash(image, card, "--allow-file", answer="sdb\n")
    expect_refusal("a wrong answer to the prompt aborts", proc, EXIT_NOT_CONFIRMED, "nothing was written")
    check("... and nothing was written", read(card) == blank, "target changed")
    check("the prompt asks for the target's name", "Type the device name (card.bin)" in proc.stdout, proc.stdout)
    expect_refusal("no answer (end of input) aborts", flash(image, card, "--allow-file"), EXIT_NOT_CONFIRMED,
                   "not confirmed")

    proc = flash(image, card, "--allow-file", answer="card.bin\n")
    check("the right answer writes and verifies", proc.returncode == 0 and "verified" in proc.stdout,
          f"exit {proc.returncode}: {proc.stdout.strip()}")
    data = read(card)
    check("the target holds the image, the rest untouched",
          data[:len(payload)] == payload and data[len(payload):] == blank[len(payload):], "contents differ")

    write(card, blank)
    proc = flash(image, card, "--allow-file", "--yes")
    check("--yes writes without asking", proc.returncode == 0 and "Type the device name" not in proc.stdout
          and read(card)[:len(payload)] == payload, proc.stdout.strip())


def losetup(path):
    proc = subprocess.run(["losetup", "-f", "--show", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def test_loop_devices(tmp):
    if os.geteuid() != 0 or shutil.which("losetup") is None:
        skip("loop device cases", "need root and losetup")
        return
    image = os.path.join(tmp, "small.img")
    write(image, b"\x5a" * 4096)
    backing = os.path.join(tmp, "loop-backing.bin")
    write(backing, b"\0" * (8 * 1024 * 1024))
    loop = losetup(backing)
    if loop is None:
        skip("loop device cases", "losetup does not work here")
        return
    try:
        expect_refusal("a loop device is refused as not removable", flash(image, loop), EXIT_NOT_REMOVABLE,
                       "not a removable disk")
        check("... and left untouched", read(backing) == b"\0" * (8 * 1024 * 1024), "backing file changed")
    finally:
        subprocess.run(["losetup", "-d", loop])

    fs = os.path.join(tmp, "loop-ext2.bin")
    write(fs, b"\0" * (8 * 1024 * 1024))
    if subprocess.run(["mkfs.ext2", "-q", "-F", fs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                      ).returncode != 0:
        skip("a mounted device is refused", "mkfs.ext2 failed")
        return
    loop = losetup(fs)
    if loop is None:
        skip("a mounted device is refused", "losetup does not work here")
        return
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    try:
        if subprocess.run(["mount", loop, mnt], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            skip("a mounted device is refused", "cannot mount here")
            return
        try:
            expect_refusal("a mounted device is refused", flash(image, loop), EXIT_IN_USE, "mounted on " + mnt)
        finally:
            subprocess.run(["umount", mnt])
    finally:
        subprocess.run(["losetup", "-d", loop])


def root_disk():
    """/dev path of the whole disk under "/", or None (e.g. "/" on an overlay)."""
    st = os.stat("/")
    sysdir = os.path.realpath(f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}")
    if not os.path.exists(os.path.join(sysdir, "dev")):
        return None
    if os.path.exists(os.path.join(sysdir, "partition")):
        sysdir = os.path.dirname(sysdir)
    dev = "/dev/" + os.path.basename(sysdir)  # a whole disk, or the device-mapper device itself
    return dev if os.path.exists(dev) else None


def test_system_disk(tmp):
    disk = root_disk()
    if disk is None:
        skip("the disk holding the running system is refused", "no block device under / here")
        return
    image = os.path.join(tmp, "tiny.img")
    write(image, b"\0" * 512)
    proc = flash(image, disk)
    check(f"the disk holding the running system ({disk}) is refused",
          proc.returncode == EXIT_SYSTEM_DISK and "Type the device name" not in proc.stdout,
          f"exit {proc.returncode}: {proc.stdout.strip()}")


def main():
    with tempfile.TemporaryDirectory(prefix="test-flash-") as tmp:
        test_files(tmp)
        test_loop_devices(tmp)
        test_system_disk(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
