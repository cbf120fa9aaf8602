#!/usr/bin/python3
"""Builds the seed corpus of fuzz_fat (tests/fuzz/corpus/fuzz_fat/): small disk images.

fuzz_fat reads everything past the end of its input as zeros, so each seed is an image with its empty tail cut
off. FAT16 seeds are made by the real tools (mkfs.fat, mtools, sfdisk); FAT32 seeds are built here by hand,
because a FAT32 volume that mtools accepts has at least 65525 clusters, and its FAT alone would be 512 KiB.
All seeds hold the files the firmware reads (long names with spaces and mixed case, a subdirectory, a
fragmented file). Run from the repository root: tests/fuzz/gen_fat_seeds.py
"""
import os
import struct
import subprocess
import sys
import tempfile

OUT = os.path.join("tests", "fuzz", "corpus", "fuzz_fat")
SECTOR = 512
MAX_SEED = 64 * 1024

FILES = {
    "smtp.conf": b"mailhub=smtp.example.com:587\nUseSTARTTLS=YES\nAuthUser=alerts@example.com\n",
    "revaliases": b"root:alerts@example.com:smtp.example.com:587\n",
    "README.TXT": b"8.3 name only\r\n",
}
CA_NAME = "CA Bundle.pem"
CA_DATA = b"-----BEGIN CERTIFICATE-----\n" + b"QUJD" * 300 + b"\n-----END CERTIFICATE-----\n"
FRAGMENTED = bytes((i * 7 + 3) & 0xFF for i in range(5000))


def run(cmd, cwd, stdin=None):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    subprocess.run(cmd, cwd=cwd, env=env, check=True, input=stdin, stdout=subprocess.DEVNULL)


def trim(image):
    """Drops trailing all-zero sectors (fuzz_fat reads them back as zeros)."""
    end = len(image) // SECTOR
    while end > 1 and not any(image[(end - 1) * SECTOR:end * SECTOR]):
        end -= 1
    return bytes(image[:end * SECTOR])


def mbr(partitions):
    """A DOS partition table: partitions is a list of (type, first_lba, sectors)."""
    block = bytearray(SECTOR)
    for i, (ptype, first, count) in enumerate(partitions):
        struct.pack_into("<B3xB3xII", block, 446 + 16 * i, 0x80 if i == 0 else 0, ptype, first, count)
    block[510:512] = b"\x55\xaa"
    return block


def fat16_with_tools(tmp, name, offset_sectors):
    """FAT16 by mkfs.fat + mtools, as a superfloppy (offset 0) or in a partition starting at offset_sectors."""
    img = os.path.join(tmp, name)
    size_kib = 2100  # just above the 4085 clusters FAT16 needs at 512-byte clusters
    if offset_sectors:
        with open(img, "wb") as f:
            f.truncate(offset_sectors * SECTOR + size_kib * 1024)
        run(["sfdisk", img], tmp, stdin=b"label: dos\nstart=%d, type=e\n" % offset_sectors)
        run(["mkfs.fat", "-F", "16", "-s", "1", "--offset", str(offset_sectors), img, str(size_kib)], tmp)
        spec = "%s@@%d" % (img, offset_sectors * SECTOR)
    else:
        run(["mkfs.fat", "-F", "16", "-s", "1", "-C", img, str(size_kib)], tmp)
        spec = img
    for host, data in FILES.items():
        with open(os.path.join(tmp, host), "wb") as f:
            f.write(data)
        run(["mcopy", "-i", spec, host, "::/" + host], tmp)
    with open(os.path.join(tmp, "ca"), "wb") as f:
        f.write(CA_DATA)
    run(["mmd", "-i", spec, "::/Certs"], tmp)
    run(["mcopy", "-i", spec, "ca", "::/Certs/" + CA_NAME], tmp)
    # Holes left by deleted files make the next file's chain fragmented.
    with open(os.path.join(tmp, "filler"), "wb") as f:
        f.write(b"f" * 1024)
    for i in range(6):
        run(["mcopy", "-i", spec, "filler", "::/fill%d.bin" % i], tmp)
    for i in range(0, 6, 2):
        run(["mdel", "-i", spec, "::/fill%d.bin" % i], tmp)
    with open(os.path.join(tmp, "frag"), "wb") as f:
        f.write(FRAGMENTED)
    run(["mcopy", "-i", spec, "frag", "::/fragmented.bin"], tmp)
    with open(img, "rb") as f:
        return trim(f.read())


def short_name(name, taken):
    """An 8.3 alias like Windows makes one (BASE~N.EXT), or the name itself when it already is one."""
    base, _, ext = name.rpartition(".") if "." in name else (name, "", "")
    if name == name.upper() and 0 < len(base) <= 8 and len(ext) <= 3 and " " not in name:
        return (base.ljust(8) + ext.ljust(3)).encode(), False
    clean = lambda s: "".join(c for c in s.upper() if c.isalnum())
    for n in range(1, 10):
        alias = (clean(base)[:6] + "~%d" % n).ljust(8) + clean(ext)[:3].ljust(3)
        if alias not in taken:
            taken.add(alias)
            return alias.encode(), True
    raise ValueError(name)


def lfn_checksum(name11):
    s = 0
    for b in name11:
        s = (((s & 1) << 7) + (s >> 1) + b) & 0xFF
    return s


def dir_entries(name, attr, cluster, size, taken):
    """The long name entries (if needed) and the short entry for one file or directory."""
    sname, needs_lfn = short_name(name, taken)
    out = b""
    if needs_lfn:
        units = name.encode("utf-16-le")
        chars = [units[i:i + 2] for i in range(0, len(units), 2)]
        count = (len(chars) + 12) // 13
        chars += [b"\x00\x00"] + [b"\xff\xff"] * (count * 13)
        csum = lfn_checksum(sname)
        for seq in range(count, 0, -1):
            part = chars[(seq - 1) * 13:seq * 13]
            order = seq | (0x40 if seq == count else 0)
            out += (bytes([order]) + b"".join(part[0:5]) + bytes([0x0F, 0, csum]) + b"".join(part[5:11]) +
                    b"\x00\x00" + b"".join(part[11:13]))
    out += sname + struct.pack("<BBBHHHHHHHI", attr, 0, 0, 0, 0, 0, cluster >> 16, 0, 0, cluster & 0xFFFF, size)
    return out


class Fat32Builder:
    """A small FAT32 volume (FAT32 by layout, as mkfs.fat makes on small devices), 512-byte clusters."""

    def __init__(self, sectors, hidden):
        self.sectors = sectors
        self.hidden = hidden
        self.reserved = 8
        self.fat_sectors = 8
        self.clusters = sectors - self.reserved - 2 * self.fat_sectors
        self.fat = [0x0FFFFFF8, 0x0FFFFFFF] + [0] * self.clusters
        self.data = {}
        self.next_free = 2

    def alloc(self, count, gap=0):
        chain = []
        for _ in range(count):
            chain.append(self.next_free)
            self.next_free += 1 + gap
        for a, b in zip(chain, chain[1:]):
            self.fat[a] = b
        self.fat[chain[-1]] = 0x0FFFFFFF
        return chain

    def put(self, chain, payload):
        for i, cluster in enumerate(chain):
            self.data[cluster] = payload[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\x00")

    def image(self):
        boot = bytearray(SECTOR)
        struct.pack_into("<3s8sHBHBHHBHHHII", boot, 0, b"\xeb\x58\x90", b"MSWIN4.1", SECTOR, 1, self.reserved, 2,
                         0, 0, 0xF8, 0, 32, 64, self.hidden, self.sectors)
        struct.pack_into("<IHHIHH12xBxBI11s8s", boot, 36, self.fat_sectors, 0, 0, 2, 1, 6, 0x80, 0x29, 0x1234ABCD,
                         b"BAREMAIL   ", b"FAT32   ")
        boot[510:512] = b"\x55\xaa"
        fsinfo = bytearray(SECTOR)
        struct.pack_into("<I480xII", fsinfo, 0, 0x41615252, 0x61417272, 0xFFFFFFFF)
        struct.pack_into("<I", fsinfo, 508, 0xAA550000)
        img = bytearray(self.sectors * SECTOR)
        img[0:SECTOR] = boot
        img[SECTOR:2 * SECTOR] = fsinfo
        img[6 * SECTOR:7 * SECTOR] = boot
        fat = b"".join(struct.pack("<I", v) for v in self.fat).ljust(self.fat_sectors * SECTOR, b"\x00")
        for copy in range(2):
            start = (self.reserved + copy * self.fat_sectors) * SECTOR
            img[start:start + len(fat)] = fat
        data_start = self.reserved + 2 * self.fat_sectors
        for cluster, payload in self.data.items():
            at = (data_start + cluster - 2) * SECTOR
            img[at:at + SECTOR] = payload
        return img


def fat32_by_hand(hidden):
    b = Fat32Builder(sectors=1024, hidden=hidden)
    taken = set()
    root = b.alloc(2)
    certs = b.alloc(1)
    entries = b"BAREMAIL   " + struct.pack("<BBBHHHHHHHI", 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)  # volume label
    for name, data in FILES.items():
        chain = b.alloc((len(data) + SECTOR - 1) // SECTOR)
        b.put(chain, data)
        entries += dir_entries(name, 0x20, chain[0], len(data), taken)
    entries += dir_entries("Certs", 0x10, certs[0], 0, taken)
    frag = b.alloc((len(FRAGMENTED) + SECTOR - 1) // SECTOR, gap=1)
    b.put(frag, FRAGMENTED)
    entries += dir_entries("fragmented.bin", 0x20, frag[0], len(FRAGMENTED), taken)
    b.put(root, entries)
    ca = b.alloc((len(CA_DATA) + SECTOR - 1) // SECTOR)
    b.put(ca, CA_DATA)
    sub = (b".          " + struct.pack("<BBBHHHHHHHI", 0x10, 0, 0, 0, 0, 0, certs[0] >> 16, 0, 0, certs[0] & 0xFFFF, 0) +
           b"..         " + struct.pack("<BBBHHHHHHHI", 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) +
           dir_entries(CA_NAME, 0x20, ca[0], len(CA_DATA), set()))
    b.put(certs, sub)
    return b.image()


def main():
    os.makedirs(OUT, exist_ok=True)
    part_lba = 8
    with tempfile.TemporaryDirectory() as tmp:
        seeds = {
            "fat16_superfloppy.img": fat16_with_tools(tmp, "a.img", 0),
            "fat16_mbr.img": fat16_with_tools(tmp, "b.img", part_lba),
            "fat32_superfloppy.img": trim(fat32_by_hand(0)),
            "fat32_mbr.img": trim(mbr([(0x0C, part_lba, 1024)]) + bytes((part_lba - 1) * SECTOR) +
                                  fat32_by_hand(part_lba)),
        }
    for name, data in seeds.items():
        if len(data) > MAX_SEED:
            sys.exit("%s: %d bytes, over the %d-byte seed budget" % (name, len(data), MAX_SEED))
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
