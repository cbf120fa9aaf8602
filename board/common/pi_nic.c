/*
 * The network drivers of each Pi model; see pi_nic.h.
 */
#include "board/common/pi_nic.h"

#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_hub.h"

/* The chip drivers match by vendor/product before CDC-ECM matches by class; the hub driver comes first because
 * every on-board NIC sits behind its chip's hub. */
static const struct usb_driver *const smsc951x_drivers[] = { &usb_hub_driver, &smsc95xx_driver, &cdc_ecm_driver };
static const struct usb_driver *const lan78xx_drivers[] = { &usb_hub_driver, &lan78xx_driver, &cdc_ecm_driver };
static const struct usb_driver *const adapter_drivers[] = { &usb_hub_driver, &cdc_ecm_driver };
/* clang-format off */
static const struct usb_driver *const every_driver[] = {
    &usb_hub_driver, &smsc95xx_driver, &lan78xx_driver, &cdc_ecm_driver,
};
/* clang-format on */

struct driver_set {
    const struct usb_driver *const *drivers;
    size_t count;
};
#define DRIVER_SET(list)                         \
    {                                            \
        (list), sizeof(list) / sizeof((list)[0]) \
    }

/* clang-format off */
static const struct driver_set by_nic[] = {
    [PI_NIC_NONE] = DRIVER_SET(adapter_drivers),
    [PI_NIC_SMSC951X] = DRIVER_SET(smsc951x_drivers),
    [PI_NIC_LAN78XX] = DRIVER_SET(lan78xx_drivers),
};
/* clang-format on */
static const struct driver_set unknown_model = DRIVER_SET(every_driver);

const struct usb_driver *const *pi_nic_usb_drivers(const struct pi_model *m, size_t *count)
{
    const struct driver_set *set = &unknown_model;
    if (m->known && (size_t)m->nic < sizeof by_nic / sizeof by_nic[0] && by_nic[m->nic].drivers != NULL) {
        set = &by_nic[m->nic];
    }
    *count = set->count;
    return set->drivers;
}
