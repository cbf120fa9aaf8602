/*
 * err - the one error encoding: where each module's error codes lie.
 *
 * Every function of ours that can fail returns 0 (or a count) on success and a negative code on failure, and every
 * module that has codes has one `*_strerror` that names them. The codes of module M are -(ERR_BASE_M + 1) down to
 * -(ERR_BASE_M + ERR_RANGE - 1), so a code tells which module it came from even after it has been passed up
 * through other layers, and no module's code equals another's. The ranges start at 0x10000 because two foreign
 * encodings pass through our layers unchanged and must never be mistaken for ours: lwIP's err_t (-1 to -16, at the
 * lwIP boundary, named by net_strerror) and Mbed TLS's codes (-0x0001 to -0x7FFF, named by tls_strerror).
 *
 * A module spells its codes in one of two ways, both giving the same values: negative constants
 * (`#define SDHCI_ERR_RESET (-ERR_BASE_SDHCI - 2)`, returned as they are), or, in drivers/ that follow errno's
 * habit, positive magnitudes (`USB_EIO = ERR_BASE_USB + 2`, returned as `-USB_EIO`).
 *
 * Rules: a new module takes the next free base of its layer below and says so in its header; codes are never
 * renumbered within a range (a test or a log may quote them). lib/ includes nothing of ours.
 */
#ifndef LIB_ERR_H
#define LIB_ERR_H

#include <stdbool.h>

/* Codes per module: 255 is far more than any module needs, and a base in hex reads as "module, then code". */
#define ERR_RANGE 0x100

/* net/ (the TLS layer's range predates this table and stays where its codes were). */
#define ERR_BASE_TLS 0x10000 /* net/tls.h TLS_ERR_*: above Mbed TLS's codes, which tls_strerror also names */
/* board/ */
#define ERR_BASE_BOARD          0x10100 /* board/board.h BOARD_ERR_* (board_strerror) */
#define ERR_BASE_BOOTINFO       0x10200 /* board/common/bootinfo.h BOOTINFO_ERR_* */
#define ERR_BASE_SLIRP_NETDEV   0x10300 /* board/native/slirp_netdev.h SLIRP_NETDEV_ERR_* */
#define ERR_BASE_NATIVE_STORAGE 0x10400 /* board/native/native_storage.c: the image file's I/O */
#define ERR_BASE_BOARD_NET      0x10500 /* board/board.h BOARD_NET_ERR_* (board_net_strerror) */
/* drivers/ */
#define ERR_BASE_ACTLED   0x11000 /* drivers/actled.h ACTLED_E* */
#define ERR_BASE_BLOCKDEV 0x11100 /* drivers/blockdev.h BLOCKDEV_ERR_* */
#define ERR_BASE_DWC2     0x11200 /* drivers/usb/dwc2.h DWC2_E* */
#define ERR_BASE_FAT      0x11300 /* drivers/storage/fat.h FAT_ERR_* */
#define ERR_BASE_GPIO     0x11400 /* drivers/gpio.h GPIO_E* */
#define ERR_BASE_INTC     0x11500 /* drivers/intc.h INTC_E* */
#define ERR_BASE_MBOX     0x11600 /* drivers/mbox.h MBOX_E* */
#define ERR_BASE_MBR      0x11700 /* drivers/storage/mbr.h MBR_ERR_* */
#define ERR_BASE_NETDEV   0x11800 /* drivers/netdev.h NETDEV_E* */
#define ERR_BASE_PL011    0x11900 /* drivers/pl011.h PL011_E* */
#define ERR_BASE_RNG      0x11A00 /* drivers/rng.h RNG_E* */
#define ERR_BASE_SDHCI    0x11B00 /* drivers/sdhci.h SDHCI_ERR_* */
#define ERR_BASE_USB      0x11C00 /* drivers/usb/usb_hc.h USB_E* */
#define ERR_BASE_USB_DESC 0x11D00 /* drivers/usb/usb_desc.h USB_DESC_E* */
#define ERR_BASE_WDOG     0x11E00 /* drivers/wdog.h WDOG_E* */
/* net/ */
#define ERR_BASE_NET_STACK   0x12000 /* net/net_stack.h NET_STACK_ERR_* */
#define ERR_BASE_SMTP        0x12100 /* net/smtp.h SMTP_ERR_* */
#define ERR_BASE_SMTP_AUTH   0x12200 /* net/smtp_auth.h SMTP_AUTH_ERR_* */
#define ERR_BASE_SMTP_CLIENT 0x12300 /* net/smtp_client.h SMTP_CLIENT_ERR_* */
#define ERR_BASE_SMTP_REPLY  0x12400 /* net/smtp_reply.h SMTP_REPLY_ERR_* */
#define ERR_BASE_SMTP_BODY   0x12500 /* net/smtp_body.h SMTP_BODY_ERR_* */
/* config/ */
#define ERR_BASE_CONFIG 0x13000 /* config/config.h CONFIG_ERR_* */
#define ERR_BASE_PEM    0x13100 /* config/pem.h PEM_ERR_* */
/* firmware/ (and the mail modules) */
#define ERR_BASE_ALERT_ENGINE 0x14000 /* firmware/alert_engine.h ALERT_ENGINE_ERR_* */
#define ERR_BASE_ALERTS       0x14100 /* firmware/alerts.h ALERTS_ERR_* */
#define ERR_BASE_CONFIG_LOAD  0x14200 /* firmware/config_load.h CONFIG_LOAD_ERR_* */
#define ERR_BASE_CONSOLE      0x14300 /* firmware/console.h CONSOLE_ERR_* */
#define ERR_BASE_JOURNAL      0x14400 /* firmware/journal.h JOURNAL_ERR_* */
#define ERR_BASE_MAIL         0x14500 /* mail/mail.h MAIL_ERR_* */
#define ERR_BASE_OUTBOX       0x14600 /* firmware/outbox.h OUTBOX_ERR_* */

/* True when err is one of the codes of the module whose range starts at base (an ERR_BASE_* above). */
static inline bool err_in_range(int err, int base)
{
    return err < -base && err > -base - ERR_RANGE;
}

#endif /* LIB_ERR_H */
