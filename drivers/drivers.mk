# Drivers: one line per source file, so each module's owner adds its own. Modules that tests, tools or boards link
# together are listed once in their own variable, which DRIVERS_SRCS takes whole:
#   NETDEV_SRCS    the network device registry between the NIC drivers and net/;
#   DISK_SRCS      the block device interface and the partition table (what the journal and the tools need);
#   STORAGE_SRCS   those and the FAT reader (fat.c needs $(LIB_SRCS));
#   USB_ETH_SRCS   what every USB network driver builds on: descriptors, the shared Ethernet glue, the registry;
#   MCHP_USB_SRCS  what the Microchip/SMSC chips' drivers share: register access over USB, the PHY over MII.
DRIVERS_SRCS += drivers/systimer.c
DRIVERS_SRCS += drivers/intc.c
DRIVERS_SRCS += drivers/pl011.c
DRIVERS_SRCS += drivers/mbox.c
DRIVERS_SRCS += drivers/rng.c
DRIVERS_SRCS += drivers/sdhci.c
DISK_SRCS += drivers/blockdev.c
DISK_SRCS += drivers/storage/mbr.c
STORAGE_SRCS += $(DISK_SRCS)
STORAGE_SRCS += drivers/storage/fat.c
DRIVERS_SRCS += $(STORAGE_SRCS)
DRIVERS_SRCS += drivers/gpio.c
DRIVERS_SRCS += drivers/wdog.c
DRIVERS_SRCS += drivers/actled.c
NETDEV_SRCS += drivers/netdev.c
DRIVERS_SRCS += drivers/usb/dwc2.c
DRIVERS_SRCS += drivers/usb/usb_core.c
DRIVERS_SRCS += drivers/usb/usb_hub.c
USB_ETH_SRCS += drivers/usb/usb_desc.c
USB_ETH_SRCS += drivers/usb/usb_eth.c
USB_ETH_SRCS += $(NETDEV_SRCS)
DRIVERS_SRCS += $(USB_ETH_SRCS)
DRIVERS_SRCS += drivers/usb/cdc_ecm.c
DRIVERS_SRCS += drivers/usb/smsc95xx.c
DRIVERS_SRCS += drivers/usb/lan78xx.c
MCHP_USB_SRCS += drivers/mii.c
MCHP_USB_SRCS += drivers/usb/mchp_usb.c
DRIVERS_SRCS += $(MCHP_USB_SRCS)
DRIVERS_SRCS += drivers/usb/usb_host.c
