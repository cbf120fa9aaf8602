/* Unit tests for board/common/pi_models: revision codes (both styles, as the firmware and QEMU report them) to
 * model, SoC, LED wiring, NIC, Bluetooth and RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "board/common/pi_models.h"

#define UNKNOWN "Unknown Raspberry Pi"
#define GPIO(pin, low)            \
    {                             \
        PI_LED_GPIO, (pin), (low) \
    }
#define FW(gpio)                       \
    {                                  \
        PI_LED_FIRMWARE, (gpio), false \
    }
#define NOLED                 \
    {                         \
        PI_LED_NONE, 0, false \
    }

static const struct vector {
    uint32_t revision;
    const char *name;
    const char *soc;
    struct pi_led led;
    enum pi_nic nic;
    bool bluetooth;
    uint32_t ram_mb;
} vectors[] = {
    /* What QEMU's machines report. */
    { 0xa21041, "Raspberry Pi 2 Model B", "BCM2836", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 }, /* raspi2b */
    { 0x920092, "Raspberry Pi Zero", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },            /* raspi0 */
    { 0xa02082, "Raspberry Pi 3 Model B", "BCM2837", FW(130), PI_NIC_SMSC951X, true, 1024 },          /* raspi3b */
    { 0x900021, "Raspberry Pi Model A+", "BCM2835", GPIO(47, false), PI_NIC_NONE, false, 512 },       /* raspi1ap */
    { 0x9020e0, "Raspberry Pi 3 Model A+", "BCM2837B0", GPIO(29, false), PI_NIC_NONE, true, 512 },    /* raspi3ap */
    /* New-style codes from the Raspberry Pi documentation. */
    { 0xa01040, "Raspberry Pi 2 Model B", "BCM2836", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 },
    { 0xa01041, "Raspberry Pi 2 Model B", "BCM2836", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 },
    { 0xa02042, "Raspberry Pi 2 Model B", "BCM2837", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 },
    { 0xa22042, "Raspberry Pi 2 Model B", "BCM2837", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 },
    { 0xa22082, "Raspberry Pi 3 Model B", "BCM2837", FW(130), PI_NIC_SMSC951X, true, 1024 },
    { 0xa32082, "Raspberry Pi 3 Model B", "BCM2837", FW(130), PI_NIC_SMSC951X, true, 1024 },
    { 0xa52082, "Raspberry Pi 3 Model B", "BCM2837", FW(130), PI_NIC_SMSC951X, true, 1024 },
    { 0xa020d3, "Raspberry Pi 3 Model B+", "BCM2837B0", GPIO(29, false), PI_NIC_LAN78XX, true, 1024 },
    { 0xa020d4, "Raspberry Pi 3 Model B+", "BCM2837B0", GPIO(29, false), PI_NIC_LAN78XX, true, 1024 },
    { 0x9020e1, "Raspberry Pi 3 Model A+", "BCM2837B0", GPIO(29, false), PI_NIC_NONE, true, 512 },
    { 0x900092, "Raspberry Pi Zero", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },
    { 0x900093, "Raspberry Pi Zero", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },
    { 0x9000c1, "Raspberry Pi Zero W", "BCM2835", GPIO(47, true), PI_NIC_NONE, true, 512 },
    { 0x902120, "Raspberry Pi Zero 2 W", "RP3A0", GPIO(29, true), PI_NIC_NONE, true, 512 },
    { 0x900032, "Raspberry Pi Model B+", "BCM2835", GPIO(47, false), PI_NIC_SMSC951X, false, 512 },
    { 0x900061, "Raspberry Pi Compute Module 1", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },
    { 0xa020a0, "Raspberry Pi Compute Module 3", "BCM2837", NOLED, PI_NIC_NONE, false, 1024 },
    { 0xa220a0, "Raspberry Pi Compute Module 3", "BCM2837", NOLED, PI_NIC_NONE, false, 1024 },
    { 0xa02100, "Raspberry Pi Compute Module 3+", "BCM2837B0", NOLED, PI_NIC_NONE, false, 1024 },
    /* New-style with the warranty and OTP flag bits set. */
    { 0x02a02082, "Raspberry Pi 3 Model B", "BCM2837", FW(130), PI_NIC_SMSC951X, true, 1024 },
    { 0xe0a21041, "Raspberry Pi 2 Model B", "BCM2836", GPIO(47, false), PI_NIC_SMSC951X, false, 1024 },
    /* Memory field 7 is unassigned: the model is still named, the RAM is not. */
    { 0xf00000, "Raspberry Pi Model A", "BCM2835", GPIO(16, true), PI_NIC_NONE, false, 0 },
    /* Old-style codes. */
    { 0x0002, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 256 },
    { 0x0003, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 256 },
    { 0x0004, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 256 },
    { 0x0006, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 256 },
    { 0x0007, "Raspberry Pi Model A", "BCM2835", GPIO(16, true), PI_NIC_NONE, false, 256 },
    { 0x0009, "Raspberry Pi Model A", "BCM2835", GPIO(16, true), PI_NIC_NONE, false, 256 },
    { 0x000d, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 512 },
    { 0x000f, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 512 },
    { 0x0010, "Raspberry Pi Model B+", "BCM2835", GPIO(47, false), PI_NIC_SMSC951X, false, 512 },
    { 0x0011, "Raspberry Pi Compute Module 1", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },
    { 0x0012, "Raspberry Pi Model A+", "BCM2835", GPIO(47, false), PI_NIC_NONE, false, 256 },
    { 0x0013, "Raspberry Pi Model B+", "BCM2835", GPIO(47, false), PI_NIC_SMSC951X, false, 512 },
    { 0x0014, "Raspberry Pi Compute Module 1", "BCM2835", GPIO(47, true), PI_NIC_NONE, false, 512 },
    { 0x0015, "Raspberry Pi Model A+", "BCM2835", GPIO(47, false), PI_NIC_NONE, false, 256 },
    /* Old-style with the warranty bit. */
    { 0x1000002, "Raspberry Pi Model B", "BCM2835", GPIO(16, true), PI_NIC_SMSC951X, false, 256 },
    { 0x1000010, "Raspberry Pi Model B+", "BCM2835", GPIO(47, false), PI_NIC_SMSC951X, false, 512 },
    /* Unknown: no answer, unassigned old codes, models this firmware does not run on, inconsistent fields. */
    { 0x000000, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
    { 0x000001, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
    { 0x00000a, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
    { 0x000016, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
    { 0x2000002, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
    { 0xa03111, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 1024 }, /* Pi 4 Model B */
    { 0xc03111, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 4096 }, /* Pi 4 Model B 4 GB */
    { 0xd04170, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 8192 }, /* Pi 5 */
    { 0xa01082, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 1024 }, /* a 3B type with a BCM2836 */
    { 0xa000f0, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 1024 }, /* type 0x0f: internal use */
    { 0xffffffff, UNKNOWN, "unknown", NOLED, PI_NIC_NONE, false, 0 },
};

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vector *v = &vectors[i];
        const struct pi_model *m = pi_model_lookup(v->revision);
        uint32_t ram = pi_model_ram_mb(v->revision);
        assert_non_null(m);
        if (strcmp(m->name, v->name) != 0 || strcmp(m->soc, v->soc) != 0 || m->led.kind != v->led.kind ||
            m->led.pin != v->led.pin || m->led.active_low != v->led.active_low || m->nic != v->nic ||
            m->has_bluetooth != v->bluetooth || m->known != (strcmp(v->name, UNKNOWN) != 0) || ram != v->ram_mb) {
            fail_msg("revision 0x%06x: got %s / %s / led %d pin %u%s / nic %d / bt %d / known %d / %u MiB; "
                     "expected %s / %s / led %d pin %u%s / nic %d / bt %d / %u MiB",
                     (unsigned)v->revision, m->name, m->soc, (int)m->led.kind, (unsigned)m->led.pin,
                     m->led.active_low ? " low" : "", (int)m->nic, m->has_bluetooth, m->known, (unsigned)ram, v->name,
                     v->soc, (int)v->led.kind, (unsigned)v->led.pin, v->led.active_low ? " low" : "", (int)v->nic,
                     v->bluetooth, (unsigned)v->ram_mb);
        }
    }
}

/* Every unknown code gives the same static entry, so the caller can tell it apart and print the revision. */
/* The pins set back to inputs at boot: the radio's UART and SDIO lines on models with the WLAN/Bluetooth chip,
 * nothing on the others (GPIO 35 is the Pi 2's power LED). */
static void test_stray_pins(void **state)
{
    (void)state;
    static const unsigned radio[] = { 32, 33, 34, 35, 36, 37, 38, 39 };
    static const uint32_t with_radio[] = { 0xa02082u /* 3 B */, 0xa020d3u /* 3 B+ */, 0x9000c1u /* Zero W */,
                                           0x902120u /* Zero 2 W */ };
    static const uint32_t without[] = { 0xa01041u /* 2 B */, 0x900093u /* Zero */, 0x0010u /* B+ */, 0 };
    unsigned pins[PI_MODEL_STRAY_PINS_MAX + 2];
    for (size_t i = 0; i < sizeof with_radio / sizeof with_radio[0]; i++) {
        const struct pi_model *m = pi_model_lookup(with_radio[i]);
        assert_true(m->has_bluetooth);
        assert_int_equal(pi_model_stray_pins(m, pins, sizeof pins / sizeof pins[0]), PI_MODEL_STRAY_PINS_MAX);
        assert_memory_equal(pins, radio, sizeof radio);
        assert_int_equal(pi_model_stray_pins(m, pins, 3), 3); /* never more than the room given */
    }
    for (size_t i = 0; i < sizeof without / sizeof without[0]; i++) {
        assert_int_equal(pi_model_stray_pins(pi_model_lookup(without[i]), pins, PI_MODEL_STRAY_PINS_MAX), 0);
    }
}

static void test_unknown_is_one_static_entry(void **state)
{
    (void)state;
    const struct pi_model *a = pi_model_lookup(0);
    const struct pi_model *b = pi_model_lookup(0xdeadbeef);
    assert_ptr_equal(a, b);
    assert_false(a->known);
    assert_ptr_not_equal(pi_model_lookup(0xa21041), a);
}

/* Which header each model has (board/pi_header.h): P1 in two layouts on the first Pi 1 A and B, none on the compute
 * modules, J8 on everything else, and J8 assumed for models the table does not know. */
static void test_headers(void **state)
{
    (void)state;
    static const struct {
        uint32_t revision;
        enum pi_header header;
    } headers[] = {
        { 0x0002, PI_HEADER_26_REV1 }, { 0x0003, PI_HEADER_26_REV1 }, { 0x1000003, PI_HEADER_26_REV1 },
        { 0x0004, PI_HEADER_26_REV2 }, { 0x0006, PI_HEADER_26_REV2 }, { 0x0007, PI_HEADER_26_REV2 },
        { 0x0009, PI_HEADER_26_REV2 }, { 0x000d, PI_HEADER_26_REV2 }, { 0x000f, PI_HEADER_26_REV2 },
        { 0x0010, PI_HEADER_40 },      { 0x0012, PI_HEADER_40 },      { 0x0013, PI_HEADER_40 },
        { 0x0015, PI_HEADER_40 },      { 0x900021, PI_HEADER_40 },    { 0x900032, PI_HEADER_40 },
        { 0xa21041, PI_HEADER_40 },    { 0xa02042, PI_HEADER_40 },    { 0xa02082, PI_HEADER_40 },
        { 0xa020d3, PI_HEADER_40 },    { 0x9020e0, PI_HEADER_40 },    { 0x920092, PI_HEADER_40 },
        { 0x9000c1, PI_HEADER_40 },    { 0x902120, PI_HEADER_40 },    { 0x0011, PI_HEADER_NONE },
        { 0x0014, PI_HEADER_NONE },    { 0x900061, PI_HEADER_NONE },  { 0xa020a0, PI_HEADER_NONE },
        { 0xa02100, PI_HEADER_NONE },  { 0x000000, PI_HEADER_40 },    { 0xd04170, PI_HEADER_40 },
    };
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        const struct pi_model *m = pi_model_lookup(headers[i].revision);
        if (m->header != headers[i].header) {
            fail_msg("revision 0x%06x (%s): header %d, expected %d", (unsigned)headers[i].revision, m->name,
                     (int)m->header, (int)headers[i].header);
        }
    }
    /* The rev 1 Model B is the same model under another header. */
    assert_string_equal(pi_model_lookup(0x0002)->name, pi_model_lookup(0x0004)->name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_unknown_is_one_static_entry),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_stray_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
