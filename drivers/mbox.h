/*
 * mbox.h - the VideoCore mailbox 0 property channel (channel 8, peripheral base + 0xB880): asks the GPU firmware
 * for board facts (revision, serial, MAC, memory split, clock rates) and to switch power domains and
 * firmware-owned GPIOs.
 *
 * A request is a struct mbox_msg built with mbox_msg_init() and mbox_msg_add_tag(), sent with
 * mbox_property_call(), and read back through the handles mbox_msg_add_tag() returned. The message lives in
 * memory the caller owns (stack or static); it is aligned and padded to whole cache lines because the VideoCore
 * reads and writes it behind the CPU's caches, and the caller must not touch it during the call.
 *
 * Rules: mbox_init() once, after systimer_init(). Calls are not reentrant and wait (with a deadline) for the
 * firmware: main loop or start-up only, never from an interrupt handler.
 */
#ifndef DRIVERS_MBOX_H
#define DRIVERS_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/dma.h"
#include "lib/err.h"

/* Message size: the largest request we build is a few tags; 256 bytes is four 64-byte cache lines. */
#define MBOX_MSG_WORDS 64u

/* How long a property call may take. The firmware answers most tags in microseconds, but powering a domain on
 * with the wait bit set blocks until it is up. */
#ifndef MBOX_TIMEOUT_US
#define MBOX_TIMEOUT_US 1000000u
#endif

/* Error codes, returned negated. */
enum {
    MBOX_EINVAL = ERR_BASE_MBOX + 1, /* not initialised, bad argument, or a message the VideoCore cannot address */
    MBOX_ENOSPC,                     /* the tag does not fit in the message */
    MBOX_ETIMEDOUT,                  /* the mailbox stayed full, or no reply came */
    MBOX_EREPLY,                     /* the firmware did not answer the message with "success" */
    MBOX_ETAG,   /* a tag came back without its response bit, or with more data than its buffer holds */
    MBOX_ENODEV, /* the firmware does not know the device */
    MBOX_EPOWER, /* the power domain did not reach the requested state */
};

/* Property tags (Raspberry Pi firmware wiki, "Mailbox property interface"). */
#define MBOX_TAG_GET_FIRMWARE_REVISION 0x00000001u
#define MBOX_TAG_GET_BOARD_REVISION    0x00010002u
#define MBOX_TAG_GET_MAC_ADDRESS       0x00010003u
#define MBOX_TAG_GET_BOARD_SERIAL      0x00010004u
#define MBOX_TAG_GET_ARM_MEMORY        0x00010005u
#define MBOX_TAG_SET_POWER_STATE       0x00028001u
#define MBOX_TAG_GET_CLOCK_RATE        0x00030002u
#define MBOX_TAG_SET_GPIO_STATE        0x00038041u

/* Clock ids for mbox_get_clock_rate(). */
#define MBOX_CLOCK_EMMC 1u
#define MBOX_CLOCK_UART 2u
#define MBOX_CLOCK_ARM  3u
#define MBOX_CLOCK_CORE 4u

/* Power domain ids for mbox_set_power_state(). */
#define MBOX_POWER_SD    0u
#define MBOX_POWER_UART0 1u
#define MBOX_POWER_USB   3u

/* The VideoCore sees words[] through the bus alias; used_words stays in its own cache line, CPU-side only. */
struct mbox_msg {
    _Alignas(DMA_CACHE_LINE) uint32_t words[MBOX_MSG_WORDS];
    size_t used_words; /* header, tags and end tag, before padding */
};

/* base: peripheral base + 0xB880. bus_alias: ORed into an ARM physical address to give the VideoCore bus address
 * (0x40000000 on BCM2835, 0xC0000000 on BCM2836/7). Returns 0 or -MBOX_EINVAL. */
int mbox_init(uintptr_t base, uint32_t bus_alias);

/* Starts an empty request: header and end tag only. */
void mbox_msg_init(struct mbox_msg *m);

/* Appends a tag with req_words request words (copied from req, may be NULL when req_words is 0) and room for
 * resp_words response words. Returns a handle (> 0) for mbox_msg_value(), or -MBOX_ENOSPC. */
int mbox_msg_add_tag(struct mbox_msg *m, uint32_t tag, const uint32_t *req, size_t req_words, size_t resp_words);

/* The value buffer of the tag behind handle: the response after a successful mbox_property_call(). */
const uint32_t *mbox_msg_value(const struct mbox_msg *m, int handle);

/* Response length in bytes the firmware reported for the tag behind handle. */
size_t mbox_msg_value_len(const struct mbox_msg *m, int handle);

/* Sends m on the property channel and waits for the reply in place, then checks the response code and each
 * tag's response bit and length. Returns 0, -MBOX_EINVAL, -MBOX_ETIMEDOUT, -MBOX_EREPLY or -MBOX_ETAG.
 * After a timeout the firmware may still write its reply into m later, so messages should live in static
 * storage rather than on the stack. */
int mbox_property_call(struct mbox_msg *m);

/* Convenience calls: one tag each, through a message owned by this module. Return 0 or a negative MBOX_E* code;
 * outputs are written only on success. */
int mbox_get_firmware_revision(uint32_t *rev);
int mbox_get_board_revision(uint32_t *rev);
int mbox_get_board_serial(uint64_t *serial);
int mbox_get_mac_address(uint8_t mac[6]);
int mbox_get_arm_memory(uint32_t *base, uint32_t *size);
int mbox_get_clock_rate(uint32_t clock_id, uint32_t *hz);
/* Switches a power domain and waits until the firmware reports it done. */
int mbox_set_power_state(uint32_t device_id, bool on);
/* Drives a GPIO owned by the firmware (e.g. the Pi 3's ACT LED on expander GPIO 130). */
int mbox_set_gpio_state(uint32_t gpio, bool on);

const char *mbox_strerror(int err);

#endif /* DRIVERS_MBOX_H */
