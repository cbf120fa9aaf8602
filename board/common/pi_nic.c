/*
 * The network drivers of each Pi model; see pi_nic.h.
 */
#include "board/common/pi_nic.h"

#include "drivers/usb/cdc_ecm.h"
#include "drivers/usb/lan78xx.h"
#include "drivers/usb/smsc95xx.h"
#include "drivers/usb/usb_hub.h"
#include "lib/units.h"

/* The hub driver comes first because every on-board NIC sits behind its chip's hub; the chip drivers match by
 * vendor/product before CDC-ECM matches by class. The on-board chip's driver leads the chips. */
/* clang-format off */
static const struct usb_driver *const smsc951x_first[] = {
    &usb_hub_driver, &smsc95xx_driver, &lan78xx_driver, &cdc_ecm_driver,
};
static const struct usb_driver *const lan78xx_first[] = {
    &usb_hub_driver, &lan78xx_driver, &smsc95xx_driver, &cdc_ecm_driver,
};
/* clang-format on */

const struct usb_driver *const *pi_nic_usb_drivers(const struct pi_model *m, size_t *count)
{
    _Static_assert(ARRAY_SIZE(smsc951x_first) == ARRAY_SIZE(lan78xx_first), "both lists hold every driver");
    *count = ARRAY_SIZE(smsc951x_first);
    return m->known && m->nic == PI_NIC_LAN78XX ? lan78xx_first : smsc951x_first;
}
