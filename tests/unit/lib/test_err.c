/*
 * lib/err.h: every module's codes lie in the range the table gives it, and no two modules share a range, so a code
 * names its module wherever it travels. Lists each module's first and last code: a code defined outside its range
 * (or a range given twice) fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "board/board.h"
#include "board/common/bootinfo.h"
#include "board/native/slirp_netdev.h"
#include "config/config.h"
#include "config/pem.h"
#include "drivers/actled.h"
#include "drivers/blockdev.h"
#include "drivers/gpio.h"
#include "drivers/intc.h"
#include "drivers/mbox.h"
#include "drivers/netdev.h"
#include "drivers/pl011.h"
#include "drivers/rng.h"
#include "drivers/sdhci.h"
#include "drivers/storage/fat.h"
#include "drivers/storage/mbr.h"
#include "drivers/usb/dwc2.h"
#include "drivers/usb/usb_core.h"
#include "drivers/usb/usb_desc.h"
#include "drivers/wdog.h"
#include "firmware/alert_engine.h"
#include "firmware/alerts.h"
#include "firmware/config_load.h"
#include "firmware/console.h"
#include "firmware/journal.h"
#include "mail/mail.h"
#include "firmware/outbox.h"
#include "lib/err.h"
#include "lib/units.h"
#include "net/net_stack.h"
#include "net/smtp.h"
#include "net/smtp_auth.h"
#include "net/smtp_client.h"
#include "net/smtp_body.h"
#include "net/smtp_reply.h"
#include "net/tls.h"

struct module_codes {
    const char *name;
    int base;
    int first, last; /* the codes nearest to and farthest from 0 */
};

#define MODULE(name, base, first, last) \
    {                                   \
        name, base, first, last         \
    }

/* clang-format off */
static const struct module_codes modules[] = {
    MODULE("tls", ERR_BASE_TLS, TLS_ERR_ARG, TLS_ERR_CLIENT_KEY),
    MODULE("board", ERR_BASE_BOARD, BOARD_ERR_NO_MEDIA, BOARD_ERR_READ_ONLY),
    MODULE("board_net", ERR_BASE_BOARD_NET, BOARD_NET_ERR_CONTROLLER, BOARD_NET_ERR_NOT_STARTED),
    MODULE("bootinfo", ERR_BASE_BOOTINFO, BOOTINFO_ERR_NO_BLOB, BOOTINFO_ERR_ARG),
    MODULE("slirp_netdev", ERR_BASE_SLIRP_NETDEV, SLIRP_NETDEV_ERR_INIT, SLIRP_NETDEV_ERR_REGISTER),
    MODULE("actled", ERR_BASE_ACTLED, -ACTLED_ENOINIT, -ACTLED_EFIRMWARE),
    MODULE("blockdev", ERR_BASE_BLOCKDEV, BLOCKDEV_ERR_INVALID_ARG, BLOCKDEV_ERR_READ_ONLY),
    MODULE("dwc2", ERR_BASE_DWC2, -DWC2_EINVAL, -DWC2_EHALT),
    MODULE("fat", ERR_BASE_FAT, FAT_ERR_INVALID_ARG, FAT_ERR_NOT_MOUNTED),
    MODULE("gpio", ERR_BASE_GPIO, -GPIO_EINVAL, -GPIO_ENOINIT),
    MODULE("intc", ERR_BASE_INTC, -INTC_EINVAL, -INTC_EBUSY),
    MODULE("mbox", ERR_BASE_MBOX, -MBOX_EINVAL, -MBOX_EPOWER),
    MODULE("mbr", ERR_BASE_MBR, MBR_ERR_INVALID_ARG, MBR_ERR_NOT_FOUND),
    MODULE("netdev", ERR_BASE_NETDEV, -NETDEV_EINVAL, -NETDEV_EFULL),
    MODULE("pl011", ERR_BASE_PL011, -PL011_EINVAL, -PL011_ETIMEDOUT),
    MODULE("rng", ERR_BASE_RNG, -RNG_EINVAL, -RNG_ETIMEDOUT),
    MODULE("sdhci", ERR_BASE_SDHCI, SDHCI_ERR_INVALID_ARG, SDHCI_ERR_PROGRAMMING),
    MODULE("usb_core", ERR_BASE_USB, -USB_EINVAL, -USB_ENODRIVER),
    MODULE("usb_desc", ERR_BASE_USB_DESC, -USB_DESC_ETRUNC, -USB_DESC_ENOTFOUND),
    MODULE("wdog", ERR_BASE_WDOG, -WDOG_EINVAL, -WDOG_ENOINIT),
    MODULE("net_stack", ERR_BASE_NET_STACK, NET_STACK_ERR_CRYPTO, NET_STACK_ERR_RANDOM),
    MODULE("smtp", ERR_BASE_SMTP, SMTP_ERR_ARG, SMTP_ERR_NO_EXTENSIONS),
    MODULE("smtp_auth", ERR_BASE_SMTP_AUTH, SMTP_AUTH_ERR_SPACE, SMTP_AUTH_ERR_NONE),
    MODULE("smtp_client", ERR_BASE_SMTP_CLIENT, SMTP_CLIENT_ERR_BUSY, SMTP_CLIENT_ERR_NO_MEM),
    MODULE("smtp_reply", ERR_BASE_SMTP_REPLY, SMTP_REPLY_ERR_SYNTAX, SMTP_REPLY_ERR_TOO_LONG),
    MODULE("smtp_body", ERR_BASE_SMTP_BODY, SMTP_BODY_ERR_READER, SMTP_BODY_ERR_ROOM),
    MODULE("config", ERR_BASE_CONFIG, CONFIG_ERR_ARG, CONFIG_ERR_OVERFLOW),
    MODULE("pem", ERR_BASE_PEM, PEM_ERR_NO_BLOCK, PEM_ERR_BASE64_LENGTH),
    MODULE("alert_engine", ERR_BASE_ALERT_ENGINE, ALERT_ENGINE_ERR_ARG, ALERT_ENGINE_ERR_ARG),
    MODULE("alerts", ERR_BASE_ALERTS, ALERTS_ERR_ARG, ALERTS_ERR_PINS),
    MODULE("config_load", ERR_BASE_CONFIG_LOAD, CONFIG_LOAD_ERR_NOT_LOADED, CONFIG_LOAD_ERR_INVALID),
    MODULE("console", ERR_BASE_CONSOLE, CONSOLE_ERR_INVALID, CONSOLE_ERR_FAILED),
    MODULE("journal", ERR_BASE_JOURNAL, JOURNAL_ERR_INVALID_ARG, JOURNAL_ERR_NOT_OPEN),
    MODULE("mail", ERR_BASE_MAIL, MAIL_ERR_ARG, MAIL_ERR_HEADER),
    MODULE("outbox", ERR_BASE_OUTBOX, OUTBOX_ERR_FULL, OUTBOX_ERR_ORDER),
};
/* clang-format on */

static void test_codes_lie_in_their_modules_range(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
        const struct module_codes *m = &modules[i];
        if (m->base % ERR_RANGE != 0 || m->first < m->last || !err_in_range(m->first, m->base) ||
            !err_in_range(m->last, m->base)) {
            fail_msg("%s: codes %d..%d are not in its range below -0x%x", m->name, m->first, m->last, m->base);
        }
    }
}

static void test_no_two_modules_share_a_range(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
        for (size_t j = 0; j < i; j++) {
            if (modules[i].base == modules[j].base || err_in_range(modules[i].first, modules[j].base) ||
                err_in_range(modules[i].last, modules[j].base)) {
                fail_msg("%s and %s share a range", modules[i].name, modules[j].name);
            }
        }
    }
}

/* lwIP's err_t and Mbed TLS's codes pass through our layers unchanged: none of them may fall in a range of ours. */
static void test_foreign_codes_are_in_no_range(void **state)
{
    (void)state;
    static const int foreign[] = { 0, -1, ERR_ARG, -0x0001, -0x2700, -0x7FFF, -0xFFFF };
    for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
        for (size_t k = 0; k < ARRAY_SIZE(foreign); k++) {
            assert_false(err_in_range(foreign[k], modules[i].base));
        }
        /* The range's ends: -base itself and -(base + ERR_RANGE) belong to no module. */
        assert_false(err_in_range(-modules[i].base, modules[i].base));
        assert_false(err_in_range(-modules[i].base - ERR_RANGE, modules[i].base));
        assert_true(err_in_range(-modules[i].base - ERR_RANGE + 1, modules[i].base));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_lie_in_their_modules_range),
        cmocka_unit_test(test_no_two_modules_share_a_range),
        cmocka_unit_test(test_foreign_codes_are_in_no_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
