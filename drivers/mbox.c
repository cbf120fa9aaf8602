#include "drivers/mbox.h"

#include <string.h>

#include "drivers/mmio.h"
#include "drivers/systimer.h"

/* Mailbox registers, offsets from peripheral base + 0xB880. The ARM reads replies from mailbox 0 and writes
 * requests to mailbox 1, whose status register tells whether it has room. */
/* clang-format off */
#define MBOX0_READ    0x00
#define MBOX0_STATUS  0x18
#define MBOX1_WRITE   0x20
#define MBOX1_STATUS  0x38
#define   MBOX_STATUS_FULL  (1u << 31)
#define   MBOX_STATUS_EMPTY (1u << 30)
#define MBOX_CHANNEL_MASK 0xFu
#define MBOX_CHANNEL_PROPERTY 8u
/* Depth of the mailbox FIFO: the most stale replies there can be to discard. */
#define MBOX_FIFO_DEPTH 8u

/* Property message framing. */
#define MBOX_HDR_SIZE        0 /* word index: buffer size in bytes */
#define MBOX_HDR_CODE        1 /* word index: request code / response code */
#define MBOX_HDR_WORDS       2u
#define MBOX_CODE_REQUEST    0x00000000u
#define MBOX_CODE_SUCCESS    0x80000000u
#define MBOX_TAG_END         0x00000000u
#define MBOX_TAG_HDR_WORDS   3u /* tag id, value buffer size in bytes, request/response code */
#define MBOX_TAG_RESPONSE    (1u << 31)
#define MBOX_TAG_LEN_MASK    0x7FFFFFFFu
/* The total size is kept a multiple of 16 bytes, the granularity of mailbox addresses. */
#define MBOX_MSG_ALIGN_WORDS 4u

#define MBOX_POWER_STATE_ON     (1u << 0)
#define MBOX_POWER_STATE_WAIT   (1u << 1) /* request: return only when the domain has switched */
#define MBOX_POWER_STATE_NO_DEV (1u << 1) /* response: no such device */
/* clang-format on */

_Static_assert(sizeof(((struct mbox_msg *)0)->words) % DMA_CACHE_LINE == 0, "the message must fill whole cache lines");

static uintptr_t mbox_base;
static uint32_t mbox_bus_alias;
static struct mbox_msg mbox_scratch;

int mbox_init(uintptr_t base, uint32_t bus_alias)
{
    if (base == 0) {
        return -MBOX_EINVAL;
    }
    mbox_base = base;
    mbox_bus_alias = bus_alias;
    return 0;
}

static size_t mbox_round_words(size_t words)
{
    return (words + MBOX_MSG_ALIGN_WORDS - 1u) / MBOX_MSG_ALIGN_WORDS * MBOX_MSG_ALIGN_WORDS;
}

static void mbox_msg_close(struct mbox_msg *m)
{
    m->words[m->used_words - 1u] = MBOX_TAG_END;
    m->words[MBOX_HDR_SIZE] = (uint32_t)(mbox_round_words(m->used_words) * sizeof(uint32_t));
}

void mbox_msg_init(struct mbox_msg *m)
{
    memset(m->words, 0, sizeof(m->words));
    m->words[MBOX_HDR_CODE] = MBOX_CODE_REQUEST;
    m->used_words = MBOX_HDR_WORDS + 1u;
    mbox_msg_close(m);
}

int mbox_msg_add_tag(struct mbox_msg *m, uint32_t tag, const uint32_t *req, size_t req_words, size_t resp_words)
{
    if (req_words >= MBOX_MSG_WORDS || resp_words >= MBOX_MSG_WORDS || (req_words != 0 && req == NULL)) {
        return -MBOX_ENOSPC;
    }
    size_t value_words = req_words > resp_words ? req_words : resp_words;
    size_t at = m->used_words - 1u; /* the tag replaces the end tag */
    size_t used = at + MBOX_TAG_HDR_WORDS + value_words + 1u;
    if (mbox_round_words(used) > MBOX_MSG_WORDS) {
        return -MBOX_ENOSPC;
    }
    m->words[at] = tag;
    m->words[at + 1u] = (uint32_t)(value_words * sizeof(uint32_t));
    m->words[at + 2u] = MBOX_CODE_REQUEST;
    size_t value = at + MBOX_TAG_HDR_WORDS;
    for (size_t i = 0; i < value_words; i++) {
        m->words[value + i] = i < req_words ? req[i] : 0;
    }
    m->used_words = used;
    mbox_msg_close(m);
    return (int)value;
}

const uint32_t *mbox_msg_value(const struct mbox_msg *m, int handle)
{
    if (handle < (int)(MBOX_HDR_WORDS + MBOX_TAG_HDR_WORDS) || (size_t)handle >= m->used_words) {
        return NULL;
    }
    return &m->words[handle];
}

size_t mbox_msg_value_len(const struct mbox_msg *m, int handle)
{
    if (mbox_msg_value(m, handle) == NULL) {
        return 0;
    }
    return m->words[handle - 1] & MBOX_TAG_LEN_MASK;
}

/* Walks the tags by the sizes we wrote (the firmware keeps tag ids and buffer sizes) and checks the reply. */
static int mbox_msg_check_reply(const struct mbox_msg *m)
{
    if (m->words[MBOX_HDR_CODE] != MBOX_CODE_SUCCESS) {
        return -MBOX_EREPLY;
    }
    size_t end = m->used_words - 1u;
    size_t at = MBOX_HDR_WORDS;
    while (at < end) {
        uint32_t buf_bytes = m->words[at + 1u];
        uint32_t code = m->words[at + 2u];
        if ((code & MBOX_TAG_RESPONSE) == 0 || (code & MBOX_TAG_LEN_MASK) > buf_bytes) {
            return -MBOX_ETAG;
        }
        at += MBOX_TAG_HDR_WORDS + buf_bytes / sizeof(uint32_t);
    }
    return 0;
}

/* Waits until the status register at off has none of the bits in busy, or the deadline passes. */
static int mbox_wait_clear(uintptr_t off, uint32_t busy, uint64_t deadline)
{
    while ((mmio_read32(mbox_base + off) & busy) != 0) {
        if (systimer_expired(deadline)) {
            return -MBOX_ETIMEDOUT;
        }
    }
    return 0;
}

int mbox_property_call(struct mbox_msg *m)
{
    uintptr_t addr = (uintptr_t)m->words;

    if (mbox_base == 0 || (addr & MBOX_CHANNEL_MASK) != 0) {
        return -MBOX_EINVAL;
    }
#if UINTPTR_MAX > UINT32_MAX
    if (addr > UINT32_MAX) {
        return -MBOX_EINVAL;
    }
#endif
    if (((uint32_t)addr & mbox_bus_alias) != 0) {
        return -MBOX_EINVAL;
    }
    uint32_t mail = ((uint32_t)addr | mbox_bus_alias) | MBOX_CHANNEL_PROPERTY;

    dma_cache_clean(m->words, sizeof(m->words));
    mmio_barrier();

    /* A reply that arrived after an earlier call gave up would otherwise be taken for this call's reply. */
    for (unsigned n = 0; n < MBOX_FIFO_DEPTH; n++) {
        if ((mmio_read32(mbox_base + MBOX0_STATUS) & MBOX_STATUS_EMPTY) != 0) {
            break;
        }
        (void)mmio_read32(mbox_base + MBOX0_READ);
    }

    uint64_t deadline = systimer_deadline_us(MBOX_TIMEOUT_US);
    int err = mbox_wait_clear(MBOX1_STATUS, MBOX_STATUS_FULL, deadline);
    if (err != 0) {
        return err;
    }
    mmio_write32(mbox_base + MBOX1_WRITE, mail);

    for (;;) {
        err = mbox_wait_clear(MBOX0_STATUS, MBOX_STATUS_EMPTY, deadline);
        if (err != 0) {
            return err;
        }
        /* Replies on other channels (or to other buffers) are not ours: drop them and keep waiting. */
        if (mmio_read32(mbox_base + MBOX0_READ) == mail) {
            break;
        }
        if (systimer_expired(deadline)) {
            return -MBOX_ETIMEDOUT;
        }
    }
    mmio_barrier();
    dma_cache_invalidate(m->words, sizeof(m->words));
    return mbox_msg_check_reply(m);
}

/* One-tag call through the module's own message. On success *value points at the response, which the firmware
 * reported to be at least resp_bytes long. */
static int mbox_call_one(uint32_t tag, const uint32_t *req, size_t req_words, size_t resp_bytes, const uint32_t **value)
{
    struct mbox_msg *m = &mbox_scratch;

    mbox_msg_init(m);
    int handle = mbox_msg_add_tag(m, tag, req, req_words, (resp_bytes + sizeof(uint32_t) - 1u) / sizeof(uint32_t));
    if (handle < 0) {
        return handle;
    }
    int err = mbox_property_call(m);
    if (err != 0) {
        return err;
    }
    if (mbox_msg_value_len(m, handle) < resp_bytes) {
        return -MBOX_ETAG;
    }
    *value = mbox_msg_value(m, handle);
    return 0;
}

int mbox_get_firmware_revision(uint32_t *rev)
{
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_FIRMWARE_REVISION, NULL, 0, sizeof(uint32_t), &v);
    if (err == 0) {
        *rev = v[0];
    }
    return err;
}

int mbox_get_board_revision(uint32_t *rev)
{
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_BOARD_REVISION, NULL, 0, sizeof(uint32_t), &v);
    if (err == 0) {
        *rev = v[0];
    }
    return err;
}

int mbox_get_board_serial(uint64_t *serial)
{
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_BOARD_SERIAL, NULL, 0, 2 * sizeof(uint32_t), &v);
    if (err == 0) {
        *serial = ((uint64_t)v[1] << 32) | v[0];
    }
    return err;
}

int mbox_get_mac_address(uint8_t mac[6])
{
    enum { MAC_BYTES = 6 };
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_MAC_ADDRESS, NULL, 0, MAC_BYTES, &v);
    if (err == 0) {
        /* Six bytes in network order, packed into the value buffer as they are. */
        memcpy(mac, v, MAC_BYTES);
    }
    return err;
}

int mbox_get_arm_memory(uint32_t *base, uint32_t *size)
{
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_ARM_MEMORY, NULL, 0, 2 * sizeof(uint32_t), &v);
    if (err == 0) {
        *base = v[0];
        *size = v[1];
    }
    return err;
}

int mbox_get_clock_rate(uint32_t clock_id, uint32_t *hz)
{
    const uint32_t *v;
    int err = mbox_call_one(MBOX_TAG_GET_CLOCK_RATE, &clock_id, 1, 2 * sizeof(uint32_t), &v);
    if (err != 0) {
        return err;
    }
    /* The firmware answers an unknown clock with a rate of 0. */
    if (v[0] != clock_id || v[1] == 0) {
        return -MBOX_ENODEV;
    }
    *hz = v[1];
    return 0;
}

int mbox_set_power_state(uint32_t device_id, bool on)
{
    const uint32_t *v;
    const uint32_t req[2] = { device_id, (on ? MBOX_POWER_STATE_ON : 0u) | MBOX_POWER_STATE_WAIT };
    int err = mbox_call_one(MBOX_TAG_SET_POWER_STATE, req, 2, 2 * sizeof(uint32_t), &v);
    if (err != 0) {
        return err;
    }
    if (v[0] != device_id || (v[1] & MBOX_POWER_STATE_NO_DEV) != 0) {
        return -MBOX_ENODEV;
    }
    if (((v[1] & MBOX_POWER_STATE_ON) != 0) != on) {
        return -MBOX_EPOWER;
    }
    return 0;
}

int mbox_set_gpio_state(uint32_t gpio, bool on)
{
    const uint32_t *v;
    const uint32_t req[2] = { gpio, on ? 1u : 0u };
    /* Nothing in the reply is needed beyond the tag's response bit, so no minimum length is asked for. */
    return mbox_call_one(MBOX_TAG_SET_GPIO_STATE, req, 2, 0, &v);
}

const char *mbox_strerror(int err)
{
    switch (err < 0 ? -err : err) {
    case 0: return "ok";
    case MBOX_EINVAL: return "mailbox not initialised, or message not addressable by the VideoCore";
    case MBOX_ENOSPC: return "mailbox message too small for the tag";
    case MBOX_ETIMEDOUT: return "no reply from the VideoCore firmware";
    case MBOX_EREPLY: return "firmware rejected the property message";
    case MBOX_ETAG: return "firmware did not answer a property tag";
    case MBOX_ENODEV: return "firmware does not know the device or clock";
    case MBOX_EPOWER: return "power domain did not reach the requested state";
    default: return "unknown mailbox error";
    }
}
