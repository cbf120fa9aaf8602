/*
 * test_bootinfo.c - ATAG and device-tree parsing: valid blobs as QEMU and the Pi firmware write them, every
 * truncation of them, byte damage, and hand-made corruption.
 *
 * ATAG lists are built word by word in QEMU's layout (hw/arm/boot.c, set_kernel_args); device trees with
 * libfdt's sequential-write API. Every blob handed to the parser sits in a heap block of exactly max_len bytes,
 * so AddressSanitizer catches a read past the bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "board/common/bootinfo.h"

#define ATAG_NONE    0x00000000u
#define ATAG_CORE    0x54410001u
#define ATAG_MEM     0x54410002u
#define ATAG_SERIAL  0x54410006u
#define ATAG_INITRD2 0x54420005u
#define ATAG_CMDLINE 0x54410009u

#define MiB (1024u * 1024u)

/* What a parse should produce; cmdline NULL means has_cmdline false. */
struct expect {
    int rc;
    bool has_mem;
    uint32_t mem_base, mem_size;
    const char *cmdline;
    bool has_initrd;
    uint32_t initrd_start, initrd_size;
    bool problem;
};

/* A copy of len bytes in its own heap block (malloc aligns it for libfdt), so any over-read trips ASan. */
static void *blob_dup(const void *src, size_t len)
{
    void *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, src, len);
    return p;
}

static int parse_exact(const void *src, size_t len, struct bootinfo *out)
{
    void *copy = blob_dup(src, len);
    memset(out, 0xA5, sizeof *out); /* the parser must fill everything */
    int rc = bootinfo_parse(copy, len, out);
    free(copy);
    return rc;
}

static void check_defaults(const struct bootinfo *bi)
{
    assert_int_equal(bi->source, BOOTINFO_SOURCE_NONE);
    assert_false(bi->has_mem);
    assert_false(bi->has_cmdline);
    assert_false(bi->has_initrd);
    assert_string_equal(bi->cmdline, "");
    assert_non_null(bi->problem);
}

static void check_expect(const struct bootinfo *bi, int rc, const struct expect *e, enum bootinfo_source src)
{
    assert_int_equal(rc, e->rc);
    if (rc < 0) {
        check_defaults(bi);
        return;
    }
    assert_int_equal(bi->source, src);
    assert_int_equal(bi->has_mem, e->has_mem);
    if (e->has_mem) {
        assert_int_equal(bi->mem_base, e->mem_base);
        assert_int_equal(bi->mem_size, e->mem_size);
    }
    assert_int_equal(bi->has_cmdline, e->cmdline != NULL);
    assert_string_equal(bi->cmdline, e->cmdline ? e->cmdline : "");
    assert_int_equal(bi->has_initrd, e->has_initrd);
    if (e->has_initrd) {
        assert_int_equal(bi->initrd_start, e->initrd_start);
        assert_int_equal(bi->initrd_size, e->initrd_size);
    }
    assert_int_equal(bi->problem != NULL, e->problem);
}

/* A shorter blob may yield an error or fewer facts, but never a wrong one. */
static void check_subset(const struct bootinfo *part, int rc, const struct bootinfo *full)
{
    if (rc < 0) {
        check_defaults(part);
        return;
    }
    assert_int_equal(part->source, full->source);
    if (part->has_mem) {
        assert_true(full->has_mem);
        assert_int_equal(part->mem_base, full->mem_base);
        assert_int_equal(part->mem_size, full->mem_size);
    }
    if (part->has_cmdline) {
        assert_string_equal(part->cmdline, full->cmdline);
    }
    if (part->has_initrd) {
        assert_int_equal(part->initrd_start, full->initrd_start);
        assert_int_equal(part->initrd_size, full->initrd_size);
    }
}

/* Every prefix of a valid blob, and every single byte of it replaced, must parse safely. */
static void check_damage(const void *blob, size_t len)
{
    struct bootinfo full, part;
    assert_int_equal(parse_exact(blob, len, &full), 0);

    for (size_t cut = 0; cut < len; cut++) {
        int rc = parse_exact(blob, cut, &part);
        check_subset(&part, rc, &full);
    }

    uint8_t *copy = blob_dup(blob, len);
    static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
    for (size_t at = 0; at < len; at++) {
        uint8_t saved = copy[at];
        for (size_t v = 0; v < sizeof values; v++) {
            copy[at] = values[v];
            int rc = bootinfo_parse(copy, len, &part);
            if (rc < 0) {
                check_defaults(&part);
            } else {
                assert_int_equal(part.cmdline[sizeof part.cmdline - 1], '\0');
            }
        }
        copy[at] = saved;
    }
    free(copy);
}

/* ---- ATAG lists ---- */

struct atag_list {
    uint32_t w[512];
    size_t n;
};

static void atag_put(struct atag_list *l, uint32_t word)
{
    assert_true(l->n < sizeof l->w / sizeof l->w[0]);
    l->w[l->n++] = word;
}

/* QEMU's ATAG_CMDLINE: the string and its NUL, padded to whole words, (strlen / 4) + 1 data words. */
static void atag_put_cmdline(struct atag_list *l, const char *s)
{
    size_t len = strlen(s);
    size_t data_words = (len >> 2) + 1;
    atag_put(l, (uint32_t)(data_words + 2));
    atag_put(l, ATAG_CMDLINE);
    assert_true(l->n + data_words <= sizeof l->w / sizeof l->w[0]);
    memset(&l->w[l->n], 0, data_words * 4);
    memcpy(&l->w[l->n], s, len + 1);
    l->n += data_words;
}

struct atag_case {
    const char *name;
    uint32_t core_words;                /* 5 as QEMU writes it, 2 for the bare form */
    uint32_t mem[3][2];                 /* size, start; size 0 ends the list */
    uint32_t initrd_start, initrd_size; /* size 0: no ATAG_INITRD2 */
    const char *cmdline;                /* NULL: no ATAG_CMDLINE */
    bool serial;                        /* an ATAG_SERIAL the parser must skip */
    uint32_t none_words;                /* ATAG_NONE size: QEMU writes 0, Linux's documentation 2 */
    struct expect expect;
};

/* clang-format off */
static const struct atag_case atag_cases[] = {
    { "qemu raspi2b", 5, { { 1024 * MiB, 0 } }, 0, 0, NULL, false, 0,
      { 0, true, 0, 1024 * MiB, NULL, false, 0, 0, false } },
    { "qemu with -append and -initrd", 5, { { 512 * MiB, 0 } }, 0x2000000, 0x12345, "console=ttyAMA0 baremail.qemu=1",
      false, 0, { 0, true, 0, 512 * MiB, "console=ttyAMA0 baremail.qemu=1", true, 0x2000000, 0x12345, false } },
    { "cmdline of 4 chars fills a word", 5, { { 256 * MiB, 0 } }, 0, 0, "abcd", false, 0,
      { 0, true, 0, 256 * MiB, "abcd", false, 0, 0, false } },
    { "cmdline of 3 chars", 5, { { 256 * MiB, 0 } }, 0, 0, "abc", false, 0,
      { 0, true, 0, 256 * MiB, "abc", false, 0, 0, false } },
    { "empty cmdline", 5, { { 256 * MiB, 0 } }, 0, 0, "", false, 0,
      { 0, true, 0, 256 * MiB, "", false, 0, 0, false } },
    { "bare core, none of size 2", 2, { { 448 * MiB, 0 } }, 0, 0, "x=1", false, 2,
      { 0, true, 0, 448 * MiB, "x=1", false, 0, 0, false } },
    { "unknown tag skipped", 5, { { 448 * MiB, 0 } }, 0, 0, "a b", true, 0,
      { 0, true, 0, 448 * MiB, "a b", false, 0, 0, false } },
    { "contiguous banks add up", 5, { { 256 * MiB, 0 }, { 256 * MiB, 256 * MiB } }, 0, 0, NULL, false, 0,
      { 0, true, 0, 512 * MiB, NULL, false, 0, 0, false } },
    { "a bank with a gap is not counted", 5, { { 256 * MiB, 0 }, { 256 * MiB, 768 * MiB } }, 0, 0, NULL, false, 0,
      { 0, true, 0, 256 * MiB, NULL, false, 0, 0, false } },
    { "empty bank skipped", 5, { { 0, 0 } }, 0, 0, NULL, false, 0,
      { 0, false, 0, 0, NULL, false, 0, 0, false } },
    { "bank past 4 GiB clipped", 5, { { 0x20000000, 0xF0000000 } }, 0, 0, NULL, false, 0,
      { 0, true, 0xF0000000, 0x10000000, NULL, false, 0, 0, true } },
    { "initrd past 4 GiB ignored", 5, { { 1024 * MiB, 0 } }, 0xFFFFF000, 0x2000, NULL, false, 0,
      { 0, true, 0, 1024 * MiB, NULL, false, 0, 0, true } },
};
/* clang-format on */

static void atag_build(const struct atag_case *c, struct atag_list *l)
{
    memset(l, 0, sizeof *l);
    atag_put(l, c->core_words);
    atag_put(l, ATAG_CORE);
    if (c->core_words == 5) {
        atag_put(l, 1);      /* flags: read-only root */
        atag_put(l, 0x1000); /* page size */
        atag_put(l, 0);      /* root device */
    }
    /* The "empty bank" case lists one bank of size 0, so the first row is always written. */
    for (size_t i = 0; i < 3 && (i == 0 || c->mem[i][0] != 0); i++) {
        atag_put(l, 4);
        atag_put(l, ATAG_MEM);
        atag_put(l, c->mem[i][0]);
        atag_put(l, c->mem[i][1]);
    }
    if (c->initrd_size != 0) {
        atag_put(l, 4);
        atag_put(l, ATAG_INITRD2);
        atag_put(l, c->initrd_start);
        atag_put(l, c->initrd_size);
    }
    if (c->cmdline != NULL) {
        atag_put_cmdline(l, c->cmdline);
    }
    if (c->serial) {
        atag_put(l, 4);
        atag_put(l, ATAG_SERIAL);
        atag_put(l, 0x1234);
        atag_put(l, 0x5678);
    }
    atag_put(l, c->none_words);
    atag_put(l, ATAG_NONE);
}

static void test_atag_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof atag_cases / sizeof atag_cases[0]; i++) {
        struct atag_list l;
        struct bootinfo bi;
        print_message("  %s\n", atag_cases[i].name);
        atag_build(&atag_cases[i], &l);
        int rc = parse_exact(l.w, l.n * 4, &bi);
        check_expect(&bi, rc, &atag_cases[i].expect, BOOTINFO_SOURCE_ATAGS);

        /* The board passes a generous bound (the whole ATAG area); trailing memory must not matter. */
        struct atag_list roomy = l;
        memset(&roomy.w[l.n], 0xEE, sizeof roomy.w - l.n * 4);
        rc = parse_exact(roomy.w, sizeof roomy.w, &bi);
        check_expect(&bi, rc, &atag_cases[i].expect, BOOTINFO_SOURCE_ATAGS);
    }
}

static void test_atag_damage(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof atag_cases / sizeof atag_cases[0]; i++) {
        struct atag_list l;
        atag_build(&atag_cases[i], &l);
        check_damage(l.w, l.n * 4);
    }
}

/* Hand-made lists that must be refused, each as raw words. */
struct atag_bad {
    const char *name;
    uint32_t w[16];
    size_t n;
    int rc;
};

/* clang-format off */
static const struct atag_bad atag_bad_cases[] = {
    { "zero-size tag before the end", { 5, ATAG_CORE, 1, 0x1000, 0, 0, ATAG_MEM, 0, 0, 0, 0 }, 11,
      BOOTINFO_ERR_CORRUPT },
    { "size-1 tag", { 2, ATAG_CORE, 1, ATAG_SERIAL, 0, 0 }, 6, BOOTINFO_ERR_CORRUPT },
    { "tag runs past max_len", { 5, ATAG_CORE, 1, 0x1000, 0, 200, ATAG_CMDLINE, 0x41414141 }, 8,
      BOOTINFO_ERR_TRUNCATED },
    { "huge tag size", { 2, ATAG_CORE, 0xFFFFFFFF, ATAG_MEM, 0, 0 }, 6, BOOTINFO_ERR_TRUNCATED },
    { "no ATAG_NONE before max_len", { 2, ATAG_CORE, 4, ATAG_MEM, 0x1000, 0 }, 6, BOOTINFO_ERR_TRUNCATED },
    { "ATAG_MEM too short", { 2, ATAG_CORE, 3, ATAG_MEM, 0x1000, 0, 0 }, 7, BOOTINFO_ERR_CORRUPT },
    { "ATAG_INITRD2 too short", { 2, ATAG_CORE, 2, ATAG_INITRD2, 0, 0 }, 6, BOOTINFO_ERR_CORRUPT },
    { "core of size 3 is not an ATAG list", { 3, ATAG_CORE, 0, 0, 0 }, 5, BOOTINFO_ERR_FORMAT },
    { "core not first", { 4, ATAG_MEM, 0x1000, 0, 2, ATAG_CORE, 0, 0 }, 8, BOOTINFO_ERR_FORMAT },
    { "all zeros (r2 at empty memory)", { 0 }, 16, BOOTINFO_ERR_FORMAT },
    { "garbage", { 0xDEADBEEF, 0x01234567, 0x89ABCDEF, 0xFFFFFFFF }, 4, BOOTINFO_ERR_FORMAT },
    { "only half a header", { 2 }, 1, BOOTINFO_ERR_FORMAT },
};
/* clang-format on */

static void test_atag_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof atag_bad_cases / sizeof atag_bad_cases[0]; i++) {
        const struct atag_bad *c = &atag_bad_cases[i];
        struct bootinfo bi;
        print_message("  %s\n", c->name);
        assert_int_equal(parse_exact(c->w, c->n * 4, &bi), c->rc);
        check_defaults(&bi);
    }
}

static void test_atag_endless(void **state)
{
    (void)state;
    struct atag_list l = { .n = 0 };
    atag_put(&l, 2);
    atag_put(&l, ATAG_CORE);
    while (l.n + 2 <= sizeof l.w / sizeof l.w[0] - 2) {
        atag_put(&l, 2);
        atag_put(&l, ATAG_SERIAL);
    }
    atag_put(&l, 0);
    atag_put(&l, ATAG_NONE);
    struct bootinfo bi;
    assert_int_equal(parse_exact(l.w, l.n * 4, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);
}

static void test_atag_cmdline_unterminated(void **state)
{
    (void)state;
    /* Eight characters filling the tag's two data words exactly, then the end tag: the parser must stop at the
     * tag's end and not run on into the next header. */
    struct atag_list l = { .n = 0 };
    atag_put(&l, 2);
    atag_put(&l, ATAG_CORE);
    atag_put(&l, 4);
    atag_put(&l, ATAG_CMDLINE);
    memcpy(&l.w[l.n], "ABCDEFGH", 8);
    l.n += 2;
    atag_put(&l, 0);
    atag_put(&l, ATAG_NONE);
    struct bootinfo bi;
    assert_int_equal(parse_exact(l.w, l.n * 4, &bi), 0);
    assert_true(bi.has_cmdline);
    assert_string_equal(bi.cmdline, "ABCDEFGH");
    assert_non_null(bi.problem);
}

static void test_atag_cmdline_oversize(void **state)
{
    (void)state;
    char line[600];
    for (size_t i = 0; i < sizeof line - 1; i++) {
        line[i] = (char)('a' + i % 26);
    }
    line[sizeof line - 1] = '\0';
    struct atag_list l = { .n = 0 };
    atag_put(&l, 2);
    atag_put(&l, ATAG_CORE);
    atag_put_cmdline(&l, line);
    atag_put(&l, 0);
    atag_put(&l, ATAG_NONE);
    struct bootinfo bi;
    assert_int_equal(parse_exact(l.w, l.n * 4, &bi), 0);
    assert_int_equal(strlen(bi.cmdline), sizeof bi.cmdline - 1);
    assert_memory_equal(bi.cmdline, line, sizeof bi.cmdline - 1);
    assert_non_null(bi.problem);
}

/* ---- device trees ---- */

#define DTB_CAP 4096

struct dtb_case {
    const char *name;
    uint32_t acells, scells; /* 0: property absent */
    const char *mem_node;    /* NULL: no memory node */
    uint32_t reg[8];
    int reg_cells;
    const char *mem_node2; /* a second memory node, or NULL */
    uint32_t reg2[4];
    int reg2_cells;
    const char *bootargs; /* NULL: no /chosen bootargs */
    int initrd_cells;     /* 0: no initrd properties; 1 or 2 cells each */
    uint64_t initrd_start, initrd_end;
    bool initrd_end_missing;
    struct expect expect;
};

/* clang-format off */
static const struct dtb_case dtb_cases[] = {
    { "qemu -dtb with -append and -initrd", 1, 1, "memory", { 0, 0x40000000 }, 2, NULL, { 0 }, 0,
      "console=ttyAMA0,115200 baremail.qemu=1", 1, 0x8000000, 0x8100000, false,
      { 0, true, 0, 0x40000000, "console=ttyAMA0,115200 baremail.qemu=1", true, 0x8000000, 0x100000, false } },
    { "pi firmware memory@0", 1, 1, "memory@0", { 0, 0x3b400000 }, 2, NULL, { 0 }, 0,
      "coherent_pool=1M 8250.nr_uarts=1 console=ttyAMA0,115200", 0, 0, 0, false,
      { 0, true, 0, 0x3b400000, "coherent_pool=1M 8250.nr_uarts=1 console=ttyAMA0,115200", false, 0, 0, false } },
    { "64-bit cells", 2, 2, "memory@0", { 0, 0, 0, 0x3b400000 }, 4, NULL, { 0 }, 0, "a=1", 2, 0x2000000, 0x2400000,
      false, { 0, true, 0, 0x3b400000, "a=1", true, 0x2000000, 0x400000, false } },
    { "64-bit: a second bank above 4 GiB is ignored", 2, 2, "memory@0",
      { 0, 0, 0, 0x40000000, 1, 0, 0, 0x40000000 }, 8, NULL, { 0 }, 0, NULL, 0, 0, 0, false,
      { 0, true, 0, 0x40000000, NULL, false, 0, 0, true } },
    { "64-bit: a bank crossing 4 GiB is clipped", 2, 2, "memory@c0000000", { 0, 0xC0000000, 1, 0 }, 4, NULL, { 0 },
      0, NULL, 0, 0, 0, false, { 0, true, 0xC0000000, 0x40000000, NULL, false, 0, 0, true } },
    { "cell counts absent: 2 and 1 by the spec", 0, 0, "memory@0", { 0, 0x1000000, 0x20000000 }, 3, NULL, { 0 }, 0,
      NULL, 0, 0, 0, false, { 0, true, 0x1000000, 0x20000000, NULL, false, 0, 0, false } },
    { "two memory nodes, contiguous", 1, 1, "memory@0", { 0, 0x10000000 }, 2, "memory@10000000",
      { 0x10000000, 0x8000000 }, 2, NULL, 0, 0, 0, false, { 0, true, 0, 0x18000000, NULL, false, 0, 0, false } },
    { "several banks in one reg, with a gap", 1, 1, "memory@0", { 0, 0x10000000, 0x20000000, 0x10000000 }, 4, NULL,
      { 0 }, 0, NULL, 0, 0, 0, false, { 0, true, 0, 0x10000000, NULL, false, 0, 0, false } },
    { "upstream tree before the firmware fills in memory", 1, 1, "memory@0", { 0, 0 }, 2, NULL, { 0 }, 0, NULL, 0,
      0, 0, false, { 0, false, 0, 0, NULL, false, 0, 0, false } },
    { "a node merely starting with memory", 1, 1, "memoryx", { 0, 0x1000 }, 2, NULL, { 0 }, 0, NULL, 0, 0, 0, false,
      { 0, false, 0, 0, NULL, false, 0, 0, false } },
    { "no memory, no chosen", 1, 1, NULL, { 0 }, 0, NULL, { 0 }, 0, NULL, 0, 0, 0, false,
      { 0, false, 0, 0, NULL, false, 0, 0, false } },
    { "reg with a partial entry", 1, 1, "memory@0", { 0, 0x10000000, 0x20000000 }, 3, NULL, { 0 }, 0, NULL, 0, 0, 0,
      false, { 0, true, 0, 0x10000000, NULL, false, 0, 0, true } },
    { "#address-cells 3 is not supported", 3, 1, "memory@0", { 0, 0, 0, 0x1000 }, 4, NULL, { 0 }, 0, "x", 0, 0, 0,
      false, { 0, false, 0, 0, "x", false, 0, 0, true } },
    { "initrd end before start", 1, 1, "memory@0", { 0, 0x10000000 }, 2, NULL, { 0 }, 0, NULL, 1, 0x3000000,
      0x2000000, false, { 0, true, 0, 0x10000000, NULL, false, 0, 0, true } },
    { "initrd end missing", 1, 1, "memory@0", { 0, 0x10000000 }, 2, NULL, { 0 }, 0, NULL, 1, 0x3000000, 0, true,
      { 0, true, 0, 0x10000000, NULL, false, 0, 0, true } },
    { "initrd above 4 GiB", 2, 1, "memory@0", { 0, 0, 0x10000000 }, 3, NULL, { 0 }, 0, NULL, 2, 0x100000000,
      0x100001000, false, { 0, true, 0, 0x10000000, NULL, false, 0, 0, true } },
    { "empty initrd", 1, 1, "memory@0", { 0, 0x10000000 }, 2, NULL, { 0 }, 0, NULL, 1, 0x3000000, 0x3000000, false,
      { 0, true, 0, 0x10000000, NULL, false, 0, 0, false } },
};
/* clang-format on */

#define SW(call) assert_int_equal((call), 0)

static void dtb_put_reg(void *fdt, const char *node, const uint32_t *cells, int n)
{
    fdt32_t be[8];
    for (int i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    SW(fdt_begin_node(fdt, node));
    SW(fdt_property_string(fdt, "device_type", "memory"));
    SW(fdt_property(fdt, "reg", be, n * (int)sizeof be[0]));
    SW(fdt_end_node(fdt));
}

static void dtb_put_cells(void *fdt, const char *name, uint64_t v, int cells)
{
    if (cells == 1) {
        SW(fdt_property_u32(fdt, name, (uint32_t)v));
    } else {
        SW(fdt_property_u64(fdt, name, v));
    }
}

/* Builds the tree into buf (DTB_CAP bytes) and returns its size. raw_bootargs, when not NULL, replaces the
 * bootargs string with raw_len bytes that need not end in a NUL. */
static size_t dtb_build(const struct dtb_case *c, void *buf, const void *raw_bootargs, int raw_len)
{
    SW(fdt_create(buf, DTB_CAP));
    SW(fdt_finish_reservemap(buf));
    SW(fdt_begin_node(buf, ""));
    SW(fdt_property_string(buf, "compatible", "raspberrypi,2-model-b"));
    if (c->acells != 0) {
        SW(fdt_property_u32(buf, "#address-cells", c->acells));
    }
    if (c->scells != 0) {
        SW(fdt_property_u32(buf, "#size-cells", c->scells));
    }
    SW(fdt_begin_node(buf, "soc"));
    SW(fdt_property_u32(buf, "#address-cells", 1));
    SW(fdt_end_node(buf));
    if (c->mem_node != NULL) {
        dtb_put_reg(buf, c->mem_node, c->reg, c->reg_cells);
    }
    if (c->mem_node2 != NULL) {
        dtb_put_reg(buf, c->mem_node2, c->reg2, c->reg2_cells);
    }
    if (c->bootargs != NULL || raw_bootargs != NULL || c->initrd_cells != 0) {
        SW(fdt_begin_node(buf, "chosen"));
        if (raw_bootargs != NULL) {
            SW(fdt_property(buf, "bootargs", raw_bootargs, raw_len));
        } else if (c->bootargs != NULL) {
            SW(fdt_property_string(buf, "bootargs", c->bootargs));
        }
        if (c->initrd_cells != 0) {
            dtb_put_cells(buf, "linux,initrd-start", c->initrd_start, c->initrd_cells);
            if (!c->initrd_end_missing) {
                dtb_put_cells(buf, "linux,initrd-end", c->initrd_end, c->initrd_cells);
            }
        }
        SW(fdt_end_node(buf));
    }
    SW(fdt_end_node(buf));
    SW(fdt_finish(buf));
    assert_int_equal(fdt_check_full(buf, DTB_CAP), 0);
    return fdt_totalsize(buf);
}

static void test_dtb_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dtb_cases / sizeof dtb_cases[0]; i++) {
        uint64_t buf[DTB_CAP / 8];
        struct bootinfo bi;
        print_message("  %s\n", dtb_cases[i].name);
        size_t len = dtb_build(&dtb_cases[i], buf, NULL, 0);
        int rc = parse_exact(buf, len, &bi);
        check_expect(&bi, rc, &dtb_cases[i].expect, BOOTINFO_SOURCE_DTB);

        rc = parse_exact(buf, DTB_CAP, &bi);
        check_expect(&bi, rc, &dtb_cases[i].expect, BOOTINFO_SOURCE_DTB);
    }
}

static void test_dtb_damage(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dtb_cases / sizeof dtb_cases[0]; i++) {
        uint64_t buf[DTB_CAP / 8];
        size_t len = dtb_build(&dtb_cases[i], buf, NULL, 0);
        check_damage(buf, len);
    }
}

static void test_dtb_truncated_header(void **state)
{
    (void)state;
    uint64_t buf[DTB_CAP / 8];
    size_t len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    struct bootinfo bi;
    assert_int_equal(parse_exact(buf, 16, &bi), BOOTINFO_ERR_TRUNCATED);
    check_defaults(&bi);
    assert_int_equal(parse_exact(buf, len - 1, &bi), BOOTINFO_ERR_TRUNCATED);
    check_defaults(&bi);
}

static void test_dtb_corrupt(void **state)
{
    (void)state;
    uint64_t buf[DTB_CAP / 8];
    struct bootinfo bi;

    /* The root node's FDT_BEGIN_NODE token overwritten: the structure no longer parses. */
    size_t len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    fdt32_t bad = cpu_to_fdt32(0x12345678);
    memcpy((uint8_t *)buf + fdt_off_dt_struct(buf), &bad, sizeof bad);
    assert_int_equal(parse_exact(buf, len, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);

    /* A strings block pointing past the end of the blob. */
    len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    fdt_set_off_dt_strings(buf, (uint32_t)len + 64);
    assert_int_equal(parse_exact(buf, len, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);

    /* A structure block off its 4-byte alignment: libfdt would load its tokens misaligned. */
    len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    fdt_set_off_dt_struct(buf, fdt_off_dt_struct(buf) + 1);
    assert_int_equal(parse_exact(buf, len, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);

    /* A version libfdt does not know. */
    len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    fdt_set_last_comp_version(buf, 99);
    assert_int_equal(parse_exact(buf, len, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);

    /* totalsize claiming more than the loader gave. */
    len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    fdt_set_totalsize(buf, 0x7FFFFFF0);
    assert_int_equal(parse_exact(buf, len, &bi), BOOTINFO_ERR_TRUNCATED);
    check_defaults(&bi);
}

static void test_dtb_misaligned(void **state)
{
    (void)state;
    uint64_t buf[DTB_CAP / 8];
    size_t len = dtb_build(&dtb_cases[0], buf, NULL, 0);
    uint8_t *shifted = malloc(len + 4);
    assert_non_null(shifted);
    memcpy(shifted + 4, buf, len);
    struct bootinfo bi;
    assert_int_equal(bootinfo_parse(shifted + 4, len, &bi), BOOTINFO_ERR_CORRUPT);
    check_defaults(&bi);
    free(shifted);
}

static void test_dtb_bootargs_unterminated(void **state)
{
    (void)state;
    uint64_t buf[DTB_CAP / 8];
    size_t len = dtb_build(&dtb_cases[0], buf, "console=ttyAMA0", 15);
    struct bootinfo bi;
    assert_int_equal(parse_exact(buf, len, &bi), 0);
    assert_true(bi.has_cmdline);
    assert_string_equal(bi.cmdline, "console=ttyAMA0");
    assert_non_null(bi.problem);
}

static void test_dtb_bootargs_oversize(void **state)
{
    (void)state;
    char line[1000];
    for (size_t i = 0; i < sizeof line - 1; i++) {
        line[i] = (char)('A' + i % 26);
    }
    line[sizeof line - 1] = '\0';
    uint64_t buf[DTB_CAP / 8];
    size_t len = dtb_build(&dtb_cases[0], buf, line, (int)sizeof line);
    struct bootinfo bi;
    assert_int_equal(parse_exact(buf, len, &bi), 0);
    assert_int_equal(strlen(bi.cmdline), sizeof bi.cmdline - 1);
    assert_memory_equal(bi.cmdline, line, sizeof bi.cmdline - 1);
    assert_non_null(bi.problem);
}

/* ---- arguments and names ---- */

static void test_no_blob(void **state)
{
    (void)state;
    struct bootinfo bi;
    memset(&bi, 0xA5, sizeof bi);
    assert_int_equal(bootinfo_parse(NULL, 16384, &bi), BOOTINFO_ERR_NO_BLOB);
    check_defaults(&bi);

    static const uint32_t words[] = { 2, ATAG_CORE, 0, ATAG_NONE };
    memset(&bi, 0xA5, sizeof bi);
    assert_int_equal(bootinfo_parse(words, 0, &bi), BOOTINFO_ERR_NO_BLOB);
    check_defaults(&bi);

    assert_int_equal(bootinfo_parse(words, sizeof words, NULL), BOOTINFO_ERR_ARG);
}

static void test_names(void **state)
{
    (void)state;
    static const int codes[] = {
        0, BOOTINFO_ERR_NO_BLOB, BOOTINFO_ERR_FORMAT, BOOTINFO_ERR_TRUNCATED, BOOTINFO_ERR_CORRUPT, BOOTINFO_ERR_ARG
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = bootinfo_strerror(codes[i]);
        assert_non_null(s);
        assert_string_not_equal(s, bootinfo_strerror(-1000));
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(s, bootinfo_strerror(codes[j]));
        }
    }
    assert_string_equal(bootinfo_source_name(BOOTINFO_SOURCE_NONE), "none");
    assert_string_equal(bootinfo_source_name(BOOTINFO_SOURCE_ATAGS), "ATAGs");
    assert_string_equal(bootinfo_source_name(BOOTINFO_SOURCE_DTB), "device tree");
    assert_string_equal(bootinfo_source_name((enum bootinfo_source)42), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atag_valid),
        cmocka_unit_test(test_atag_damage),
        cmocka_unit_test(test_atag_bad),
        cmocka_unit_test(test_atag_endless),
        cmocka_unit_test(test_atag_cmdline_unterminated),
        cmocka_unit_test(test_atag_cmdline_oversize),
        cmocka_unit_test(test_dtb_valid),
        cmocka_unit_test(test_dtb_damage),
        cmocka_unit_test(test_dtb_truncated_header),
        cmocka_unit_test(test_dtb_corrupt),
        cmocka_unit_test(test_dtb_misaligned),
        cmocka_unit_test(test_dtb_bootargs_unterminated),
        cmocka_unit_test(test_dtb_bootargs_oversize),
        cmocka_unit_test(test_no_blob),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
