/* Unit tests for board/common/pi_nic: every model gets every USB network driver (an adapter may carry any of the
 * chips, or speak CDC-ECM), the hub driver first and the class driver last; the model's NIC puts its own chip's
 * driver first among the chips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "board/common/pi_models.h"
#include "board/common/pi_nic.h"
#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_hub.h"

/* The hub driver's calls into the enumeration half of usb_core (tests/unit/fakes/fake_usb.c is the transfer half): only
 * linked, never reached, since no driver here is probed. */
int usb_core_enumerate(struct usb_device *parent, uint8_t port, uint8_t speed, struct usb_device **out)
{
    (void)parent, (void)port, (void)speed, (void)out;
    fail();
    return -USB_EIO;
}

void usb_core_remove(struct usb_device *dev)
{
    (void)dev;
    fail();
}

/* The drivers for a revision code, as a string of letters in matching order: h hub, s smsc95xx, l lan78xx,
 * e cdc_ecm, ? anything else. */
static const char *drivers_of(uint32_t revision)
{
    static char letters[8];
    size_t count = 0;
    const struct usb_driver *const *drivers = pi_nic_usb_drivers(pi_model_lookup(revision), &count);
    assert_non_null(drivers);
    assert_true(count < sizeof letters);
    for (size_t i = 0; i < count; i++) {
        const struct usb_driver *d = drivers[i];
        letters[i] = d == &usb_hub_driver    ? 'h'
                     : d == &smsc95xx_driver ? 's'
                     : d == &lan78xx_driver  ? 'l'
                     : d == &cdc_ecm_driver  ? 'e'
                                             : '?';
    }
    letters[count] = '\0';
    return letters;
}

static void test_lan951x_models_try_the_smsc_driver_first(void **state)
{
    (void)state;
    assert_string_equal(drivers_of(0xa21041), "hsle"); /* Pi 2 Model B (QEMU raspi2b) */
    assert_string_equal(drivers_of(0xa02082), "hsle"); /* Pi 3 Model B */
    assert_string_equal(drivers_of(0x900032), "hsle"); /* Pi 1 Model B+ */
    assert_string_equal(drivers_of(0x000e), "hsle");   /* Pi 1 Model B, old-style code */
}

static void test_lan7515_model_tries_the_lan78xx_driver_first(void **state)
{
    (void)state;
    assert_string_equal(drivers_of(0xa020d3), "hlse"); /* Pi 3 Model B+ */
}

/* A model without a NIC still takes a LAN9500 or LAN78xx adapter, not only a CDC-ECM one. */
static void test_models_without_a_nic_take_every_adapter(void **state)
{
    (void)state;
    assert_string_equal(drivers_of(0x900092), "hsle"); /* Zero (QEMU raspi0) */
    assert_string_equal(drivers_of(0x9000c1), "hsle"); /* Zero W */
    assert_string_equal(drivers_of(0x900021), "hsle"); /* Model A+ */
    assert_string_equal(drivers_of(0x900061), "hsle"); /* Compute Module 1 */
}

static void test_unknown_model_gets_every_driver(void **state)
{
    (void)state;
    assert_string_equal(drivers_of(0), "hsle");
    assert_string_equal(drivers_of(0x00abcdef), "hsle");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lan951x_models_try_the_smsc_driver_first),
        cmocka_unit_test(test_lan7515_model_tries_the_lan78xx_driver_first),
        cmocka_unit_test(test_models_without_a_nic_take_every_adapter),
        cmocka_unit_test(test_unknown_model_gets_every_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
