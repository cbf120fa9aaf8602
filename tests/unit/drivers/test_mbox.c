/* Unit tests for drivers/mbox: property message encoding, the mailbox register protocol against a fake
 * VideoCore, reply checking, timeouts, and the convenience calls.
 *
 * Built with -no-pie (see mbox.mk): the VideoCore addresses messages with 32-bit bus addresses, so the messages
 * (the test's and the driver's own) must sit below 1 GiB, where a non-PIE executable's data lives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "drivers/mbox.h"
#include "fake_dma.h"
#include "fake_mmio.h"
#include "fake_systimer.h"

#define BASE       0x3F00B880u
#define READ0      (BASE + 0x00u)
#define STATUS0    (BASE + 0x18u)
#define WRITE1     (BASE + 0x20u)
#define STATUS1    (BASE + 0x38u)
#define FULL       (1u << 31)
#define EMPTY      (1u << 30)
#define ALIAS_2836 0xC0000000u
#define ALIAS_2835 0x40000000u
#define CHANNEL    8u

/* ---- a fake VideoCore: answers property messages written to mailbox 1 ---- */

enum vc_mode {
    VC_OK,
    VC_NEVER_REPLIES,
    VC_BAD_CODE,    /* response code 0x80000001: parse error */
    VC_NO_TAG_BIT,  /* the tag comes back without its response bit */
    VC_TRUNCATED,   /* the tag's response is longer than its buffer */
    VC_OTHER_FIRST, /* a message for another channel sits in front of the reply */
};

static struct {
    enum vc_mode mode;
    uint32_t alias;
    unsigned full_reads;  /* mailbox 1 reads FULL this many times */
    unsigned empty_reads; /* after the write, mailbox 0 reads EMPTY this many times */
    uint32_t replies[4];  /* mailbox 0 FIFO */
    unsigned n_replies;
    unsigned writes;
    uint32_t last_tag_req[8]; /* request words of the last tag seen */
    uint32_t power_reply;     /* state word the fake answers SET_POWER_STATE with */
    uint32_t clock_hz;
} vc;

static uint32_t *vc_buffer(uint32_t mail)
{
    assert_int_equal(mail & 0xFu, CHANNEL);
    assert_int_equal(mail & vc.alias, vc.alias);
    return (uint32_t *)(uintptr_t)(mail & ~0xFu & ~vc.alias);
}

/* Fills one tag's value buffer like the firmware; returns the response length in bytes. */
static uint32_t vc_answer(uint32_t tag, uint32_t *value, uint32_t buf_bytes)
{
    memcpy(vc.last_tag_req, value, buf_bytes < sizeof(vc.last_tag_req) ? buf_bytes : sizeof(vc.last_tag_req));
    switch (tag) {
    case MBOX_TAG_GET_FIRMWARE_REVISION: value[0] = 0x5F0C1A2Bu; return 4;
    case MBOX_TAG_GET_BOARD_REVISION: value[0] = 0x00A21041u; return 4;
    case MBOX_TAG_GET_BOARD_SERIAL:
        value[0] = 0x89ABCDEFu;
        value[1] = 0x01234567u;
        return 8;
    case MBOX_TAG_GET_MAC_ADDRESS: {
        static const uint8_t mac[6] = { 0xB8, 0x27, 0xEB, 0x12, 0x34, 0x56 };
        memcpy(value, mac, sizeof(mac));
        return 6;
    }
    case MBOX_TAG_GET_ARM_MEMORY:
        value[0] = 0;
        value[1] = 0x3B000000u;
        return 8;
    case MBOX_TAG_GET_CLOCK_RATE: value[1] = value[0] == MBOX_CLOCK_UART ? vc.clock_hz : 0; return 8;
    case MBOX_TAG_SET_POWER_STATE: value[1] = vc.power_reply; return 8;
    case MBOX_TAG_SET_GPIO_STATE: value[0] = 0; return 8;
    default: return 0;
    }
}

static void vc_process(uint32_t *msg)
{
    uint32_t size = msg[0];
    assert_int_equal(size % 16u, 0);
    assert_int_equal(msg[1], 0); /* a request */
    size_t words = size / 4u;
    size_t at = 2;
    while (at < words && msg[at] != 0) {
        uint32_t buf_bytes = msg[at + 1];
        assert_int_equal(msg[at + 2] & (1u << 31), 0);
        uint32_t len = vc_answer(msg[at], &msg[at + 3], buf_bytes);
        if (vc.mode == VC_TRUNCATED) {
            len = buf_bytes + 4u;
        }
        msg[at + 2] = (vc.mode == VC_NO_TAG_BIT ? 0u : (1u << 31)) | len;
        at += 3u + buf_bytes / 4u;
    }
    assert_true(at < words); /* the end tag is inside the message */
    msg[1] = vc.mode == VC_BAD_CODE ? 0x80000001u : 0x80000000u;
}

static void vc_write(uintptr_t addr, uint32_t value, void *ctx)
{
    (void)ctx;
    if (addr != WRITE1) {
        return;
    }
    vc.writes++;
    if (vc.mode == VC_NEVER_REPLIES) {
        return;
    }
    vc_process(vc_buffer(value));
    if (vc.mode == VC_OTHER_FIRST) {
        vc.replies[vc.n_replies++] = 0x00001230u | 1u;     /* framebuffer channel */
        vc.replies[vc.n_replies++] = (value & ~0xFu) | 9u; /* same buffer, another channel */
    }
    vc.replies[vc.n_replies++] = value;
}

static uint32_t vc_read(uintptr_t addr, uint32_t stored, void *ctx)
{
    (void)ctx;
    if (addr == STATUS1) {
        if (vc.full_reads > 0) {
            vc.full_reads--;
            return FULL | EMPTY;
        }
        return EMPTY;
    }
    if (addr == STATUS0) {
        if (vc.n_replies == 0) {
            return EMPTY;
        }
        if (vc.empty_reads > 0) {
            vc.empty_reads--;
            return EMPTY;
        }
        return 0;
    }
    if (addr == READ0) {
        assert_true(vc.n_replies > 0); /* the driver reads only when the status says there is mail */
        uint32_t v = vc.replies[0];
        memmove(&vc.replies[0], &vc.replies[1], (vc.n_replies - 1u) * sizeof(vc.replies[0]));
        vc.n_replies--;
        return v;
    }
    return stored;
}

static void vc_reset(uint32_t alias)
{
    memset(&vc, 0, sizeof(vc));
    vc.alias = alias;
    vc.power_reply = 1u;
    vc.clock_hz = 48000000u;
    fake_mmio_reset();
    fake_dma_reset();
    fake_systimer_reset();
    fake_mmio_set_read_hook(vc_read, NULL);
    fake_mmio_set_write_hook(vc_write, NULL);
    assert_int_equal(mbox_init(BASE, alias), 0);
}

static int setup(void **state)
{
    (void)state;
    vc_reset(ALIAS_2836);
    return 0;
}

static struct mbox_msg msg;

/* ---- message encoding ---- */

static void assert_words(const struct mbox_msg *m, const uint32_t *expect, size_t n)
{
    assert_int_equal(m->words[0], n * 4u);
    for (size_t i = 0; i < n; i++) {
        if (m->words[i] != expect[i]) {
            fail_msg("word %zu: 0x%08x, expected 0x%08x", i, m->words[i], expect[i]);
        }
    }
}

static void test_msg_layout_and_alignment(void **state)
{
    (void)state;
    assert_true(_Alignof(struct mbox_msg) >= 16u);
    assert_int_equal(_Alignof(struct mbox_msg) % DMA_CACHE_LINE, 0);
    assert_int_equal(sizeof(msg.words) % DMA_CACHE_LINE, 0);
    assert_int_equal((uintptr_t)msg.words % DMA_CACHE_LINE, 0);
    /* The CPU-side bookkeeping does not share a cache line with what the VideoCore writes. */
    assert_true(offsetof(struct mbox_msg, used_words) >= sizeof(msg.words));
}

static void test_msg_empty(void **state)
{
    (void)state;
    mbox_msg_init(&msg);
    static const uint32_t expect[] = { 16, 0, 0, 0 };
    assert_words(&msg, expect, 4);
}

static void test_msg_one_tag(void **state)
{
    (void)state;
    mbox_msg_init(&msg);
    int h = mbox_msg_add_tag(&msg, MBOX_TAG_GET_BOARD_REVISION, NULL, 0, 1);
    assert_int_equal(h, 5);
    static const uint32_t expect[] = { 32, 0, 0x00010002u, 4, 0, 0, 0, 0 };
    assert_words(&msg, expect, 8);
}

static void test_msg_request_words_and_several_tags(void **state)
{
    (void)state;
    mbox_msg_init(&msg);
    const uint32_t clock = MBOX_CLOCK_UART;
    const uint32_t power[2] = { MBOX_POWER_USB, 3u };
    int h1 = mbox_msg_add_tag(&msg, MBOX_TAG_GET_CLOCK_RATE, &clock, 1, 2);
    int h2 = mbox_msg_add_tag(&msg, MBOX_TAG_SET_POWER_STATE, power, 2, 2);
    int h3 = mbox_msg_add_tag(&msg, MBOX_TAG_GET_MAC_ADDRESS, NULL, 0, 2);
    assert_int_equal(h1, 5);
    assert_int_equal(h2, 10);
    assert_int_equal(h3, 15);
    static const uint32_t expect[] = {
        80, 0, 0x00030002u, 8, 0, 2, 0, 0x00028001u, 8, 0, 3, 3, 0x00010003u, 8, 0, 0, 0, 0, /* end tag */
        0,  0,                                                                               /* padding to 16 bytes */
    };
    assert_words(&msg, expect, sizeof(expect) / sizeof(expect[0]));
    assert_ptr_equal(mbox_msg_value(&msg, h2), &msg.words[10]);
    assert_null(mbox_msg_value(&msg, 1));
    assert_null(mbox_msg_value(&msg, 1000));
}

static void test_msg_full(void **state)
{
    (void)state;
    mbox_msg_init(&msg);
    /* 2 header + 3 tag header + 58 value + end tag = 64 words: fits exactly. */
    assert_int_equal(mbox_msg_add_tag(&msg, 0x00050001u, NULL, 0, 58), 5);
    assert_int_equal(msg.words[0], 256);
    assert_int_equal(mbox_msg_add_tag(&msg, MBOX_TAG_GET_BOARD_REVISION, NULL, 0, 0), -MBOX_ENOSPC);
    assert_int_equal(msg.words[0], 256);
    assert_int_equal(msg.words[63], 0);

    mbox_msg_init(&msg);
    assert_int_equal(mbox_msg_add_tag(&msg, 0x00050001u, NULL, 0, 59), -MBOX_ENOSPC);
    assert_int_equal(mbox_msg_add_tag(&msg, 0x00050001u, NULL, 0, SIZE_MAX), -MBOX_ENOSPC);
    assert_int_equal(mbox_msg_add_tag(&msg, 0x00050001u, NULL, 3, 0), -MBOX_ENOSPC);
    static const uint32_t expect[] = { 16, 0, 0, 0 };
    assert_words(&msg, expect, 4);
}

/* ---- register protocol ---- */

static void check_call_sequence(uint32_t alias)
{
    vc_reset(alias);
    vc.full_reads = 3;
    vc.empty_reads = 2;
    mbox_msg_init(&msg);
    int h = mbox_msg_add_tag(&msg, MBOX_TAG_GET_BOARD_REVISION, NULL, 0, 1);
    assert_int_equal(mbox_property_call(&msg), 0);
    assert_int_equal(mbox_msg_value(&msg, h)[0], 0x00A21041u);
    assert_int_equal(mbox_msg_value_len(&msg, h), 4);

    uint32_t mail = (uint32_t)(uintptr_t)msg.words | alias | CHANNEL;
    assert_int_equal(fake_mmio_count_writes(WRITE1), 1);
    long w = fake_mmio_find_write(WRITE1, 0);
    assert_int_equal(fake_mmio_log_at((size_t)w)->value, mail);

    /* Before the write: mailbox 1 was polled while full, and the last poll saw room. */
    unsigned full_seen = 0;
    for (long i = 0; i < w; i++) {
        const struct fake_mmio_access *a = fake_mmio_log_at((size_t)i);
        full_seen += a->addr == STATUS1 && (a->value & FULL);
    }
    assert_int_equal(full_seen, 3);
    assert_int_equal(fake_mmio_log_at((size_t)w - 1)->addr, STATUS1);
    assert_int_equal(fake_mmio_log_at((size_t)w - 1)->value & FULL, 0);

    /* After it: mailbox 0 read only after its status showed mail. */
    size_t reads = 0;
    for (size_t i = (size_t)w; i < fake_mmio_log_count(); i++) {
        const struct fake_mmio_access *a = fake_mmio_log_at(i);
        if (a->addr == READ0) {
            const struct fake_mmio_access *prev = fake_mmio_log_at(i - 1);
            assert_int_equal(prev->addr, STATUS0);
            assert_int_equal(prev->value & EMPTY, 0);
            reads++;
        }
    }
    assert_int_equal(reads, 1);

    /* The buffer is cleaned before the VideoCore is told, and invalidated after it answered. */
    assert_int_equal(fake_dma_clean_count(), 1);
    assert_int_equal(fake_dma_invalidate_count(), 1);
    assert_ptr_equal(fake_dma_last_clean().addr, msg.words);
    assert_int_equal(fake_dma_last_clean().len, sizeof(msg.words));
    assert_true(fake_dma_last_clean().mmio_log_index <= (size_t)w);
    assert_ptr_equal(fake_dma_last_invalidate().addr, msg.words);
    assert_int_equal(fake_dma_last_invalidate().len, sizeof(msg.words));
    assert_true(fake_dma_last_invalidate().mmio_log_index == fake_mmio_log_count());
}

static void test_call_sequence_bcm2836(void **state)
{
    (void)state;
    check_call_sequence(ALIAS_2836);
}

static void test_call_sequence_bcm2835(void **state)
{
    (void)state;
    check_call_sequence(ALIAS_2835);
}

static void test_call_skips_other_channels(void **state)
{
    (void)state;
    vc.mode = VC_OTHER_FIRST;
    uint32_t rev = 0;
    assert_int_equal(mbox_get_board_revision(&rev), 0);
    assert_int_equal(rev, 0x00A21041u);
    assert_int_equal(vc.n_replies, 0);
}

static void test_call_discards_stale_replies(void **state)
{
    (void)state;
    /* A reply to an earlier call that gave up is waiting: it must not be taken for this call's reply. */
    mbox_msg_init(&msg);
    mbox_msg_add_tag(&msg, MBOX_TAG_GET_BOARD_REVISION, NULL, 0, 1);
    vc.replies[vc.n_replies++] = (uint32_t)(uintptr_t)msg.words | ALIAS_2836 | CHANNEL;
    assert_int_equal(mbox_property_call(&msg), 0);
    assert_int_equal(vc.writes, 1);
    assert_int_equal(msg.words[1], 0x80000000u);
    assert_int_equal(vc.n_replies, 0);
}

/* ---- replies and errors ---- */

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        enum vc_mode mode;
        unsigned full_reads;
        int expect;
    } cases[] = {
        { VC_OK, 0, 0 },
        { VC_BAD_CODE, 0, -MBOX_EREPLY },
        { VC_NO_TAG_BIT, 0, -MBOX_ETAG },
        { VC_TRUNCATED, 0, -MBOX_ETAG },
        { VC_NEVER_REPLIES, 0, -MBOX_ETIMEDOUT },
        { VC_OK, 0xFFFFFFFFu, -MBOX_ETIMEDOUT }, /* mailbox 1 never has room */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vc_reset(ALIAS_2836);
        vc.mode = cases[i].mode;
        vc.full_reads = cases[i].full_reads;
        fake_systimer_set_step(1000); /* keeps the log of a timed-out wait short */
        uint32_t rev = 0xAAAAAAAAu;
        assert_int_equal(mbox_get_board_revision(&rev), cases[i].expect);
        if (cases[i].expect != 0) {
            assert_int_equal(rev, 0xAAAAAAAAu);
            assert_string_not_equal(mbox_strerror(cases[i].expect), mbox_strerror(0));
        }
        if (cases[i].full_reads != 0) {
            assert_int_equal(fake_mmio_count_writes(WRITE1), 0);
        }
    }
}

static void test_timeout_is_bounded_by_deadline(void **state)
{
    (void)state;
    vc.mode = VC_NEVER_REPLIES;
    fake_systimer_set_step(100);
    uint64_t t0 = fake_systimer_peek();
    uint32_t rev;
    assert_int_equal(mbox_get_board_revision(&rev), -MBOX_ETIMEDOUT);
    uint64_t spent = fake_systimer_peek() - t0;
    assert_true(spent >= MBOX_TIMEOUT_US);
    assert_true(spent < MBOX_TIMEOUT_US + 1000u); /* one deadline for the call, not one per poll */
}

static void test_unaddressable_message(void **state)
{
    (void)state;
    /* Above what the alias leaves free: the VideoCore could not reach it. */
    assert_int_equal(mbox_init(BASE, 0xFFFF0000u), 0);
    mbox_msg_init(&msg);
    assert_int_equal(mbox_property_call(&msg), -MBOX_EINVAL);
    assert_int_equal(fake_mmio_count_writes(WRITE1), 0);
    assert_int_equal(mbox_init(0, ALIAS_2836), -MBOX_EINVAL);
}

/* ---- convenience calls ---- */

static void test_board_facts(void **state)
{
    (void)state;
    uint32_t v32 = 0, base = 1, size = 0;
    uint64_t serial = 0;
    uint8_t mac[6] = { 0 };
    static const uint8_t expect_mac[6] = { 0xB8, 0x27, 0xEB, 0x12, 0x34, 0x56 };

    assert_int_equal(mbox_get_firmware_revision(&v32), 0);
    assert_int_equal(v32, 0x5F0C1A2Bu);
    assert_int_equal(mbox_get_board_revision(&v32), 0);
    assert_int_equal(v32, 0x00A21041u);
    assert_int_equal(mbox_get_board_serial(&serial), 0);
    assert_int_equal(serial, 0x0123456789ABCDEFull);
    assert_int_equal(mbox_get_mac_address(mac), 0);
    assert_memory_equal(mac, expect_mac, 6);
    assert_int_equal(mbox_get_arm_memory(&base, &size), 0);
    assert_int_equal(base, 0);
    assert_int_equal(size, 0x3B000000u);
}

static void test_clock_rate(void **state)
{
    (void)state;
    uint32_t hz = 0;
    assert_int_equal(mbox_get_clock_rate(MBOX_CLOCK_UART, &hz), 0);
    assert_int_equal(vc.last_tag_req[0], MBOX_CLOCK_UART);
    assert_int_equal(hz, 48000000u);
    hz = 7;
    assert_int_equal(mbox_get_clock_rate(MBOX_CLOCK_EMMC, &hz), -MBOX_ENODEV);
    assert_int_equal(hz, 7);
}

static void test_power_state(void **state)
{
    (void)state;
    vc.power_reply = 1u;
    assert_int_equal(mbox_set_power_state(MBOX_POWER_USB, true), 0);
    assert_int_equal(vc.last_tag_req[0], MBOX_POWER_USB);
    assert_int_equal(vc.last_tag_req[1], 3u); /* on, wait */

    vc.power_reply = 0u;
    assert_int_equal(mbox_set_power_state(MBOX_POWER_SD, false), 0);
    assert_int_equal(vc.last_tag_req[1], 2u); /* off, wait */

    vc.power_reply = 0u;
    assert_int_equal(mbox_set_power_state(MBOX_POWER_USB, true), -MBOX_EPOWER);
    vc.power_reply = 2u; /* no such device */
    assert_int_equal(mbox_set_power_state(42, true), -MBOX_ENODEV);
}

static void test_gpio_state(void **state)
{
    (void)state;
    assert_int_equal(mbox_set_gpio_state(130, true), 0);
    assert_int_equal(vc.last_tag_req[0], 130);
    assert_int_equal(vc.last_tag_req[1], 1);
    assert_int_equal(mbox_set_gpio_state(130, false), 0);
    assert_int_equal(vc.last_tag_req[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_msg_layout_and_alignment, setup),
        cmocka_unit_test_setup(test_msg_empty, setup),
        cmocka_unit_test_setup(test_msg_one_tag, setup),
        cmocka_unit_test_setup(test_msg_request_words_and_several_tags, setup),
        cmocka_unit_test_setup(test_msg_full, setup),
        cmocka_unit_test_setup(test_call_sequence_bcm2836, setup),
        cmocka_unit_test_setup(test_call_sequence_bcm2835, setup),
        cmocka_unit_test_setup(test_call_skips_other_channels, setup),
        cmocka_unit_test_setup(test_call_discards_stale_replies, setup),
        cmocka_unit_test_setup(test_errors, setup),
        cmocka_unit_test_setup(test_timeout_is_bounded_by_deadline, setup),
        cmocka_unit_test_setup(test_unaddressable_message, setup),
        cmocka_unit_test_setup(test_board_facts, setup),
        cmocka_unit_test_setup(test_clock_rate, setup),
        cmocka_unit_test_setup(test_power_state, setup),
        cmocka_unit_test_setup(test_gpio_state, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
