/*
 * bootinfo.c - ATAG list walker and device-tree reader (through libfdt). See bootinfo.h for the rules.
 */
#include "board/common/bootinfo.h"

#include <string.h>

#include <libfdt.h>

#include "drivers/byteorder.h"

/* ATAG identifiers and sizes, from Linux's Documentation/arch/arm/booting.rst and asm/setup.h. Sizes count 32-bit
 * words, header included. */
#define ATAG_NONE    0x00000000u
#define ATAG_CORE    0x54410001u
#define ATAG_MEM     0x54410002u
#define ATAG_INITRD2 0x54420005u
#define ATAG_CMDLINE 0x54410009u

#define ATAG_WORD_BYTES      4u
#define ATAG_HEADER_WORDS    2u /* size, tag */
#define ATAG_CORE_WORDS_BARE 2u /* ATAG_CORE may carry no data at all ... */
#define ATAG_CORE_WORDS_FULL 5u /* ... or flags, page size, root device */
#define ATAG_MEM_WORDS       4u /* header, size, start: size comes first */
#define ATAG_INITRD2_WORDS   4u /* header, start, size */

#define BOOTINFO_4GIB (UINT64_C(1) << 32)

/* Root cell counts this reader can turn into 32-bit addresses: one cell, or two for 64-bit trees. */
#define FDT_CELLS_MIN    1
#define FDT_CELLS_MAX    2
#define FDT_CELL_BYTES   4
#define FDT_RSVMAP_ALIGN 8 /* the reservation map holds 64-bit pairs */

static void bootinfo_reset(struct bootinfo *out)
{
    memset(out, 0, sizeof *out);
    out->source = BOOTINFO_SOURCE_NONE;
}

static int bootinfo_fail(struct bootinfo *out, int err, const char *why)
{
    bootinfo_reset(out);
    out->problem = why;
    return err;
}

/* Keeps the first remark: it is the one closest to the cause, later ones tend to be consequences. */
static void bootinfo_note(struct bootinfo *out, const char *why)
{
    if (out->problem == NULL) {
        out->problem = why;
    }
}

static void bootinfo_add_bank(struct bootinfo *out, uint64_t base, uint64_t size)
{
    if (size == 0) {
        return;
    }
    if (base >= BOOTINFO_4GIB) {
        bootinfo_note(out, "memory above 4 GiB ignored");
        return;
    }
    if (size > BOOTINFO_4GIB - base) {
        bootinfo_note(out, "memory above 4 GiB ignored");
        size = BOOTINFO_4GIB - base;
    }
    if (!out->has_mem) {
        out->mem_base = (uint32_t)base;
        out->mem_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
        out->has_mem = true;
        return;
    }
    if (base == (uint64_t)out->mem_base + out->mem_size) {
        uint64_t total = (uint64_t)out->mem_size + size;
        out->mem_size = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
    }
}

static void bootinfo_set_initrd(struct bootinfo *out, uint64_t start, uint64_t size)
{
    out->has_initrd = false;
    out->initrd_start = 0;
    out->initrd_size = 0;
    if (size == 0) {
        return;
    }
    if (start >= BOOTINFO_4GIB || size > BOOTINFO_4GIB - start) {
        bootinfo_note(out, "initrd above 4 GiB ignored");
        return;
    }
    out->initrd_start = (uint32_t)start;
    out->initrd_size = (uint32_t)size;
    out->has_initrd = true;
}

/* text holds at most len bytes and need not be terminated within them. */
static void bootinfo_set_cmdline(struct bootinfo *out, const char *text, size_t len)
{
    const char *nul = memchr(text, '\0', len);
    size_t n = nul != NULL ? (size_t)(nul - text) : len;
    if (nul == NULL) {
        bootinfo_note(out, "command line not NUL-terminated; cut at the end of its entry");
    }
    if (n >= sizeof out->cmdline) {
        bootinfo_note(out, "command line too long; cut");
        n = sizeof out->cmdline - 1;
    }
    memcpy(out->cmdline, text, n);
    out->cmdline[n] = '\0';
    out->has_cmdline = true;
}

/* ATAGs are written in the CPU's byte order and are word aligned on a real loader; memcpy keeps a misaligned
 * blob (the fuzzer's) well defined. */
static uint32_t atag_word(const uint8_t *tag, size_t index)
{
    uint32_t v;
    memcpy(&v, tag + index * ATAG_WORD_BYTES, sizeof v);
    return v;
}

static bool atag_is_list(const uint8_t *blob, size_t max_len)
{
    if (max_len < ATAG_HEADER_WORDS * ATAG_WORD_BYTES) {
        return false;
    }
    uint32_t words = atag_word(blob, 0);
    return atag_word(blob, 1) == ATAG_CORE && (words == ATAG_CORE_WORDS_BARE || words == ATAG_CORE_WORDS_FULL);
}

static int atag_parse(const uint8_t *blob, size_t max_len, struct bootinfo *out)
{
    size_t off = 0;

    for (unsigned count = 0; count < BOOTINFO_ATAG_MAX_TAGS; count++) {
        if (max_len - off < ATAG_HEADER_WORDS * ATAG_WORD_BYTES) {
            return bootinfo_fail(out, BOOTINFO_ERR_TRUNCATED, "ATAG list runs past the readable area");
        }
        const uint8_t *tag = blob + off;
        uint32_t words = atag_word(tag, 0);
        uint32_t id = atag_word(tag, 1);

        /* The list ends at ATAG_NONE whatever its size: QEMU writes it with size 0, Linux's docs with size 2. */
        if (id == ATAG_NONE) {
            out->source = BOOTINFO_SOURCE_ATAGS;
            return 0;
        }
        if (words < ATAG_HEADER_WORDS) {
            return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "ATAG smaller than its own header");
        }
        if (words > (max_len - off) / ATAG_WORD_BYTES) {
            return bootinfo_fail(out, BOOTINFO_ERR_TRUNCATED, "ATAG runs past the readable area");
        }

        switch (id) {
        case ATAG_MEM:
            if (words < ATAG_MEM_WORDS) {
                return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "ATAG_MEM too short");
            }
            bootinfo_add_bank(out, atag_word(tag, 3), atag_word(tag, 2));
            break;
        case ATAG_INITRD2:
            if (words < ATAG_INITRD2_WORDS) {
                return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "ATAG_INITRD2 too short");
            }
            bootinfo_set_initrd(out, atag_word(tag, 2), atag_word(tag, 3));
            break;
        case ATAG_CMDLINE:
            bootinfo_set_cmdline(out, (const char *)tag + ATAG_HEADER_WORDS * ATAG_WORD_BYTES,
                                 (words - ATAG_HEADER_WORDS) * ATAG_WORD_BYTES);
            break;
        default:
            /* ATAG_CORE, video, serial number, revision, board-specific: nothing the firmware needs. */
            break;
        }
        off += (size_t)words * ATAG_WORD_BYTES;
    }
    return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "ATAG list has no end within the tag limit");
}

/* Device-tree cells are big-endian and only 4-byte aligned. */
static uint64_t fdt_read_cells(const uint8_t *p, int cells)
{
    uint64_t v = 0;
    for (int i = 0; i < cells; i++) {
        v = (v << 32) | byteorder_get_be32(p + i * FDT_CELL_BYTES);
    }
    return v;
}

/* The spec names memory nodes "memory@<unit address>"; QEMU writes a plain "/memory". */
static bool fdt_is_memory_node(const char *name, int len)
{
    static const char stem[] = "memory";
    const int stem_len = (int)sizeof stem - 1;
    if (len < stem_len || memcmp(name, stem, (size_t)stem_len) != 0) {
        return false;
    }
    return len == stem_len || name[stem_len] == '@';
}

static void fdt_read_memory(const void *fdt, struct bootinfo *out)
{
    /* Absent counts default to 2 and 1 (Devicetree Specification v0.4, 2.3.5); libfdt applies that. */
    int acells = fdt_address_cells(fdt, 0);
    int scells = fdt_size_cells(fdt, 0);
    if (acells < FDT_CELLS_MIN || acells > FDT_CELLS_MAX || scells < FDT_CELLS_MIN || scells > FDT_CELLS_MAX) {
        bootinfo_note(out, "device tree root has unsupported #address-cells/#size-cells; memory ignored");
        return;
    }
    const int entry_len = (acells + scells) * FDT_CELL_BYTES;

    /* libfdt's offsets only move forward through a block fdt_check_full() has bounded, so this ends. */
    int node;
    fdt_for_each_subnode(node, fdt, 0)
    {
        int len;
        const char *name = fdt_get_name(fdt, node, &len);
        if (name == NULL || !fdt_is_memory_node(name, len)) {
            continue;
        }
        const uint8_t *reg = fdt_getprop(fdt, node, "reg", &len);
        if (reg == NULL) {
            continue;
        }
        if (len % entry_len != 0) {
            bootinfo_note(out, "device tree memory reg has a partial entry; ignored");
        }
        for (int at = 0; at + entry_len <= len; at += entry_len) {
            bootinfo_add_bank(out, fdt_read_cells(reg + at, acells),
                              fdt_read_cells(reg + at + acells * FDT_CELL_BYTES, scells));
        }
    }
}

/* linux,initrd-start/-end are one or two cells each, whatever the root's #address-cells says (Linux reads them by
 * their length too). Returns false when the property is missing or has another size. */
static bool fdt_read_address_prop(const void *fdt, int node, const char *name, uint64_t *value)
{
    int len;
    const uint8_t *p = fdt_getprop(fdt, node, name, &len);
    if (p == NULL || (len != FDT_CELL_BYTES && len != 2 * FDT_CELL_BYTES)) {
        return false;
    }
    *value = fdt_read_cells(p, len / FDT_CELL_BYTES);
    return true;
}

static void fdt_read_chosen(const void *fdt, struct bootinfo *out)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0) {
        return;
    }
    int len;
    const char *args = fdt_getprop(fdt, chosen, "bootargs", &len);
    if (args != NULL) {
        bootinfo_set_cmdline(out, args, (size_t)len);
    }

    uint64_t start, end;
    bool has_start = fdt_read_address_prop(fdt, chosen, "linux,initrd-start", &start);
    bool has_end = fdt_read_address_prop(fdt, chosen, "linux,initrd-end", &end);
    if (has_start != has_end) {
        bootinfo_note(out, "initrd start or end missing or malformed; initrd ignored");
    } else if (has_start && end < start) {
        bootinfo_note(out, "initrd ends before it starts; ignored");
    } else if (has_start) {
        bootinfo_set_initrd(out, start, end - start);
    }
}

static bool fdt_is_tree(const void *blob, size_t max_len)
{
    return max_len >= sizeof(fdt32_t) && fdt_magic(blob) == FDT_MAGIC;
}

static int fdt_parse(const void *fdt, size_t max_len, struct bootinfo *out)
{
    /* fdt_check_header() reads every field of the newest header, whatever version the blob claims. */
    if (max_len < FDT_V17_SIZE) {
        return bootinfo_fail(out, BOOTINFO_ERR_TRUNCATED, "device tree header runs past the readable area");
    }
    int err = fdt_check_header(fdt);
    if (err == -FDT_ERR_ALIGNMENT) {
        return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "device tree not 8-byte aligned");
    }
    if (err != 0) {
        return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "device tree header invalid");
    }
    /* libfdt reads the reservation map and the structure block with plain aligned loads and relies on the
     * alignment the spec demands of them (5.2, 5.3: 8 and 4 bytes) without checking it. */
    if (fdt_off_mem_rsvmap(fdt) % FDT_RSVMAP_ALIGN != 0 || fdt_off_dt_struct(fdt) % FDT_TAGSIZE != 0) {
        return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "device tree blocks misaligned");
    }
    if (fdt_totalsize(fdt) > max_len) {
        return bootinfo_fail(out, BOOTINFO_ERR_TRUNCATED, "device tree runs past the readable area");
    }
    /* One linear pass at boot buys the guarantee that the lookups below see a well-formed tree (balanced nodes,
     * valid name offsets) rather than relying on each libfdt call to notice damage on its own. */
    if (fdt_check_full(fdt, max_len) != 0) {
        return bootinfo_fail(out, BOOTINFO_ERR_CORRUPT, "device tree structure corrupt");
    }
    fdt_read_memory(fdt, out);
    fdt_read_chosen(fdt, out);
    out->source = BOOTINFO_SOURCE_DTB;
    return 0;
}

int bootinfo_parse(const void *blob, size_t max_len, struct bootinfo *out)
{
    if (out == NULL) {
        return BOOTINFO_ERR_ARG;
    }
    bootinfo_reset(out);
    if (blob == NULL || max_len == 0) {
        return bootinfo_fail(out, BOOTINFO_ERR_NO_BLOB, "loader passed no ATAGs or device tree");
    }
    if (fdt_is_tree(blob, max_len)) {
        return fdt_parse(blob, max_len, out);
    }
    if (atag_is_list(blob, max_len)) {
        return atag_parse(blob, max_len, out);
    }
    return bootinfo_fail(out, BOOTINFO_ERR_FORMAT, "no ATAG list or device tree where the loader pointed");
}

const char *bootinfo_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case BOOTINFO_ERR_NO_BLOB: return "no boot information";
    case BOOTINFO_ERR_FORMAT: return "not an ATAG list or a device tree";
    case BOOTINFO_ERR_TRUNCATED: return "boot information truncated";
    case BOOTINFO_ERR_CORRUPT: return "boot information corrupt";
    case BOOTINFO_ERR_ARG: return "invalid argument";
    default: return "unknown boot information error";
    }
}

const char *bootinfo_source_name(enum bootinfo_source source)
{
    switch (source) {
    case BOOTINFO_SOURCE_ATAGS: return "ATAGs";
    case BOOTINFO_SOURCE_DTB: return "device tree";
    case BOOTINFO_SOURCE_NONE:
    default: return "none";
    }
}
