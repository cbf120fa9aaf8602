/*
 * What USB Ethernet drivers share: their netdev's registration, and bulk OUT framing (USB 2.0 5.8.3: a transfer
 * ends with a short or zero-length packet).
 */
#include "drivers/usb/usb_eth.h"

int usb_eth_register(struct usb_device *dev, struct netdev *nd, const char *name, const struct netdev_ops *ops,
                     void *priv)
{
    nd->name = name;
    nd->ops = ops;
    nd->priv = priv;
    if (netdev_register(nd) != 0) {
        return -USB_EFULL;
    }
    dev->driver_data = priv;
    return 0;
}

void usb_eth_unregister(struct usb_device *dev, struct netdev *nd)
{
    netdev_unregister(nd);
    dev->driver_data = NULL;
}

int usb_eth_send(struct usb_device *dev, struct usb_pipe *out, const void *data, size_t len, uint32_t timeout_us)
{
    /* The pipe only reads from data. */
    int err = usb_transfer(out, (void *)data, len, NULL, timeout_us);
    if (err == 0 && out->mps != 0 && len % out->mps == 0) {
        err = usb_transfer(out, NULL, 0, NULL, timeout_us);
    }
    if (err == -USB_ESTALL) {
        usb_clear_halt(dev, out);
    }
    if (err == -USB_ETIMEDOUT) {
        return -NETDEV_ETIMEDOUT;
    }
    return err == 0 ? 0 : -NETDEV_EIO;
}
