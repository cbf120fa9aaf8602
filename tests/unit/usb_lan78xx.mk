# Microchip LAN78xx USB Ethernet driver against a scripted model of the chip.
UNIT_TESTS += test_usb_lan78xx
test_usb_lan78xx_SRCS := tests/unit/test_usb_lan78xx.c lib/wake.c drivers/usb/lan78xx.c drivers/usb/mchp_usb.c \
	drivers/usb/usb_eth.c drivers/usb/usb_desc.c drivers/netdev.c drivers/mii.c tests/unit/fake_usb.c \
	tests/unit/fake_mchp_chip.c tests/unit/fake_systimer.c
